"""End of game: how it ended, the score with every weight shown, and the way into the after-action review."""

from __future__ import annotations

import importlib.util
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from game.narrative.ending import ending_lines, score_rows
from game.narrative.safe_text import shown

from ..plain import lines, styled
from ..session import Session
from .base import SalientScreen


def aar_available() -> bool:
    """True when the after-action review screen (game.tui.screens.aar) is installed."""
    return importlib.util.find_spec("game.tui.screens.aar") is not None


def score_table(rows: list[tuple[str, str, str, str]]) -> Table:
    """The score, one line a row: what was measured wraps in its column, the figures never do."""
    table = Table.grid(padding=(0, 2))
    table.add_column(overflow="fold")
    for _ in range(3):
        table.add_column(justify="right", no_wrap=True)
    table.add_row(*(Text(h, style="bold") for h in ("What was measured", "Quantity", "Weight", "Points")))
    for i, row in enumerate(rows):
        table.add_row(*(Text(shown(cell), style="bold" if i == len(rows) - 1 else "") for cell in row))
    return table


class EndScreen(SalientScreen):
    """The final word: outcome, score line by line, where the game is saved."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "review", "After-action review", id="end.review"),
        Binding("t", "title", "Title screen", id="end.title"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose_body(self) -> ComposeResult:
        sc, score = self.session.scenario, self.session.score()
        path = self.session.journal_path
        with VerticalScroll(id="end-scroll"):
            yield Static("[b]THE END OF THE GAME[/b]", classes="title")
            yield Static(lines(ending_lines(sc, score)), classes="para")
            yield Static("[b]THE SCORE[/b] — points = quantity × weight; every weight is set in the scenario")
            yield Static(score_table(score_rows(score)), id="score-table", classes="para")
            if path is not None:
                review = (
                    "Press a for the after-action review, or from a terminal:"
                    if aar_available()
                    else "From a terminal:"
                )
                yield Static(
                    styled(("AFTER-ACTION REVIEW", "bold"), f"\n{review}\n  salient aar {path}"),
                    classes="para",
                    id="review-note",
                )

    def on_mount(self) -> None:
        self.query_one("#end-scroll").focus()

    def action_review(self) -> None:
        """Open the after-action review of this game."""
        path = self.session.journal_path
        if path is None or not aar_available():
            self.notify(f"Run: salient aar {path}" if path else "This game has no journal.", severity="warning")
            return
        from .aar import AarScreen

        self.app.push_screen(AarScreen(path))

    def action_title(self) -> None:
        """Back to the title screen for another game."""
        self.salient.back_to_title()
