"""Check boxes and radio buttons whose mark is a glyph, not only a colour.

Textual draws the same mark for on and off and changes its colour; here an unticked box is empty,
so the state reads on a monochrome terminal, in a screenshot and to a screen reader alike.
"""

from __future__ import annotations

from textual.widgets import Checkbox, RadioButton


class Tick(Checkbox):
    """A check box showing X when ticked and a blank when not."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # a class string in Textual; here it follows the value
        return "X" if self.value else " "


class Choice(RadioButton):
    """A radio button showing ● when chosen and a blank when not."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # a class string in Textual; here it follows the value
        return "●" if self.value else " "
