"""Briefing: the time and place, the situation, the mission, what to learn, the map, the forces, how to play."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from game.narrative.picture import picture
from game.narrative.safe_text import clean
from game.scenario import Scenario

from ..session import Session
from ..widgets.map_view import MapView
from ..widgets.panels import ForcesPanel
from .base import SalientScreen

HOW_TO_PLAY = (
    "Each turn: read the situation report, give your orders in the Orders tab (tab moves between fields) or "
    "type them on the command line (: or / to get there; try help), look at your advisor's forecast of those "
    "orders, then press e to end the turn. The game is saved after every turn; q saves and quits; ? is help."
)


def when_and_where(scenario: Scenario) -> Text:
    """The time and place, stated plainly (the scenario's names as written: data, never markup)."""
    m = scenario.meta
    days = m.turns * m.turn_hours / 24
    places = ", ".join(p.name for p in scenario.map.places[:6])
    return Text.assemble(
        ("When:", "bold"),
        f" from {m.date.day} {m.date:%B %Y}, {m.start_hour:02d}:00 — {m.turns} turns of "
        f"{m.turn_hours} hours ({days:g} day{'' if days == 1 else 's'}).\n",
        ("Where:", "bold"),
        f" {clean(m.title)} — {clean(places)}.\n",
        ("You command:", "bold"),
        f" {clean(scenario.player.name)}, against {clean(scenario.enemy.name)}.",
    )


def section(heading: str, body: str) -> Text:
    """A bold heading over text from the scenario, shown as written."""
    return Text.assemble((heading, "bold"), "\n", clean(body))


class BriefingScreen(SalientScreen):
    """The opening briefing, shaped like an operations order."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,b", "begin", "Begin", id="briefing.begin"),
        Binding("escape", "back", "Back to title", id="briefing.back"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose_body(self) -> ComposeResult:
        sc = self.session.scenario
        b = sc.narrative.briefing
        with VerticalScroll(id="briefing-scroll"):
            yield Static(
                Text.assemble(
                    (f"BRIEFING — {clean(sc.meta.title).upper()}", "bold"),
                    f"   seed {self.session.game.seed}   ",
                    ("(enter: begin · up/down: scroll)", "dim"),
                ),
                classes="title",
            )
            yield Static(when_and_where(sc), classes="para")
            for heading, text in (
                ("SITUATION", b.situation),
                ("MISSION", b.mission),
                ("ENEMY", b.enemy),
                ("FRIENDLY FORCES", b.friendly),
                ("CONSTRAINTS", b.constraints),
            ):
                if text:
                    yield Static(section(heading, text), classes="para")
            if sc.meta.learning_objectives:
                objectives = "\n".join(
                    f"• {o.title}" + (f" — {o.description}" if o.description else "")
                    for o in sc.meta.learning_objectives
                )
                yield Static(section("WHAT THIS GAME TEACHES", objectives), classes="para")
            yield Static("[b]THE MAP[/b]", classes="para")
            yield MapView(id="briefing-map")
            yield ForcesPanel(id="briefing-forces", classes="para")
            how = f"{b.how_to_play}\n\n" if b.how_to_play else ""
            yield Static(section("HOW TO PLAY", how + HOW_TO_PLAY), classes="para")
            yield Static("[b]Press enter to take command.[/b]", classes="para")

    def on_mount(self) -> None:
        sc = self.session.scenario
        pic = picture(sc, self.session.game.history)
        self.query_one(MapView).show(sc, pic)
        self.query_one(ForcesPanel).show(sc, pic)
        self.query_one("#briefing-scroll").focus()

    def action_begin(self) -> None:
        """Take command: on to the play screen."""
        self.salient.begin_play()

    def action_back(self) -> None:
        """Back to the title screen (the new game's save stays, empty, in the saves folder)."""
        self.salient.back_to_title()
