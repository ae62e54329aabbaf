"""Turn result: what happened, told by the officers who report to the trainee, with the figures and causes."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from game.narrative.safe_text import shown
from game.narrative.story import drove_lines, turn_figures, turn_story, visible_factors

from ..plain import styled
from ..session import Session, TurnResult
from .base import SalientScreen


def story_renderable(sections: list[tuple[str, list[str]]]) -> RenderableType:
    """Headings in bold with their lines indented beneath (wrapped lines keep the indent).

    One widget for the whole story: a screen of many small widgets takes noticeably longer to appear.
    """
    parts: list[RenderableType] = []
    for heading, lines in sections:
        body = Text("\n".join(shown(line) for line in lines))  # names and dispatches are data, never markup
        parts += [Text(shown(heading), style="bold"), Padding(body, (0, 0, 1, 2))]
    return Group(*parts)


class ResultScreen(SalientScreen):
    """The dispatches of one resolved turn; enter goes on (to the next turn or the end of the game)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,space", "next", "Continue", id="result.next"),
    ]

    def __init__(self, session: Session, result: TurnResult) -> None:
        super().__init__()
        self.session = session
        self.result = result

    def compose_body(self) -> ComposeResult:
        sc, r = self.session.scenario, self.result
        after = "the end of the game" if self.session.game.finished else "the next turn"
        yield Static(
            styled(("WHAT HAPPENED", "bold"), f" · {r.hours}   ", (f"(enter: {after})", "dim")), id="result-title"
        )
        sections = [
            (f"{d.speaker}, {d.role}:", d.lines)
            for d in turn_story(sc, r.before, r.after, r.report, r.intel_after, r.hours)
        ]
        rows = turn_figures(sc, r.before, r.after, r.report, r.intel_after)
        width = max(len(label) for label, _ in rows)
        sections.append(("THE FIGURES", [f"{label:<{width}}  {value}" for label, value in rows]))
        factors = visible_factors(sc, r.report)
        if factors:
            sections.append(("WHAT DROVE IT (largest first, by unit)", drove_lines(factors)))
        with VerticalScroll(id="result-scroll"):
            yield Static(story_renderable(sections), id="story")

    def on_mount(self) -> None:
        self.query_one("#result-scroll").focus()

    def action_next(self) -> None:
        """On to the next turn, or to the end of the game."""
        self.salient.after_result()
