"""Turn result: what happened, told by the officers who report to the trainee, with the figures and causes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.widgets import Static

from game.narrative.story import factor_line, turn_figures, turn_story, visible_factors

from ..session import Session, TurnResult
from .base import SalientScreen


class ResultScreen(SalientScreen):
    """The dispatches of one resolved turn; enter goes on (to the next turn or the end of the game)."""

    BINDINGS = [
        Binding("enter,space", "next", "Continue", id="result.next"),
    ]

    def __init__(self, session: Session, result: TurnResult) -> None:
        super().__init__()
        self.session = session
        self.result = result

    def compose_body(self) -> ComposeResult:
        sc, r = self.session.scenario, self.result
        after = "the end of the game" if self.session.game.finished else "the next turn"
        yield Static(f"[b]WHAT HAPPENED[/b] · {escape(r.hours)}   [dim](enter: {after})[/dim]", id="result-title")
        with VerticalScroll(id="result-scroll"):
            for d in turn_story(sc, r.before, r.after, r.report, r.intel_after, r.hours):
                yield Static(f"[b]{escape(d.speaker)}[/b], {escape(d.role)}:", classes="dispatch")
                yield Static("\n".join(escape(line) for line in d.lines), classes="lines")
            rows = turn_figures(sc, r.before, r.after, r.report, r.intel_after)
            width = max(len(label) for label, _ in rows)
            yield Static("[b]THE FIGURES[/b]", classes="dispatch")
            yield Static("\n".join(f"{escape(label):<{width}}  {escape(value)}" for label, value in rows),
                         classes="lines")
            factors = visible_factors(sc, r.report)
            if factors:
                yield Static("[b]WHAT DROVE IT[/b] (largest first)", classes="dispatch")
                yield Static("\n".join(f"{i}. {escape(factor_line(f))}" for i, f in enumerate(factors, 1)),
                             classes="lines")

    def on_mount(self) -> None:
        self.query_one("#result-scroll").focus()

    def action_next(self) -> None:
        """On to the next turn, or to the end of the game."""
        self.app.after_result()  # type: ignore[attr-defined]
