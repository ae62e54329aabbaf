"""The command line's transcript, full screen: everything typed and answered this session, scrollable.

The pane under the play screen's tabs shows a few lines of the current turn; this screen shows the
whole session so a long answer (`forecast`, `look`) can be read from its first line.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import RichLog, Static

from game.narrative.safe_text import shown

from .base import SalientScreen


class TranscriptScreen(SalientScreen):
    """A read-only copy of the transcript, opened on its last lines; escape or t goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,t", "close", "Back to the game", id="transcript.close"),
    ]

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.lines = list(lines)

    def compose_body(self) -> ComposeResult:
        yield Static(
            "[b]TRANSCRIPT[/b] · everything typed and answered this session  [dim]↑ ↓ PgUp PgDn Home End[/dim]",
            id="transcript-title",
        )
        yield RichLog(id="transcript-full", classes="pane", wrap=True, markup=False, highlight=False, min_width=20)

    def on_mount(self) -> None:
        log = self.query_one("#transcript-full", RichLog)
        # one Text for the whole transcript (each line cleaned and cut): typed words and names are data
        log.write(Text("\n".join(shown(line) for line in self.lines)) if self.lines else "Nothing typed yet.")
        log.focus()

    def action_close(self) -> None:
        """Back to the play screen."""
        self.dismiss()
