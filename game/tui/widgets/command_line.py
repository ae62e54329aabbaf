"""The command line: an `Input` that completes the command's words and remembers what was typed.

Completion comes from `game.narrative.completion` (pure, tested on its own); the suggestion shows
greyed after the cursor and `right` or `tab` accepts it. Up and down walk the history.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.suggester import Suggester
from textual.widgets import Input

from game.narrative.completion import complete
from game.narrative.vocabulary import Lexicon


class CommandSuggester(Suggester):
    """Suggests the rest of the word being typed: verbs, sectors, places, postures, tasks."""

    def __init__(self, lexicon: Lexicon) -> None:
        super().__init__(use_cache=True, case_sensitive=True)
        self.lexicon = lexicon

    async def get_suggestion(self, value: str) -> str | None:
        return complete(value, self.lexicon)


class CommandLine(Input):
    """Where the trainee types commands; `Input.Submitted` carries the line up to the screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "Previous command", show=False, id="command.previous"),
        Binding("down", "history(1)", "Next command", show=False, id="command.next"),
        Binding("tab", "accept_suggestion", "Complete", show=False, id="command.complete"),
    ]

    def __init__(self, lexicon: Lexicon, example: str = "order north fortify", *, id: str | None = None) -> None:
        super().__init__(
            placeholder=f"type a command: help, status, {example}… (: or / to come here)",
            suggester=CommandSuggester(lexicon),
            compact=True,
            id=id,
            select_on_focus=False,
        )
        self.history: list[str] = []
        self._cursor = 0

    def remember(self, line: str) -> None:
        """Add a submitted line to the history."""
        if line and (not self.history or self.history[-1] != line):
            self.history.append(line)
        self._cursor = len(self.history)

    def action_history(self, step: int) -> None:
        """Walk the history (up: older, down: newer; past the newest clears the line)."""
        if not self.history:
            return
        self._cursor = min(max(self._cursor + step, 0), len(self.history))
        self.value = self.history[self._cursor] if self._cursor < len(self.history) else ""
        self.cursor_position = len(self.value)

    def action_accept_suggestion(self) -> None:
        """Take the greyed suggestion if there is one; otherwise move focus on as tab normally does."""
        if self._suggestion and self._suggestion != self.value:
            self.value = self._suggestion
            self.cursor_position = len(self.value)
        else:
            self.screen.focus_next()
