"""The drill dialog and the umpire screen, driven with Pilot; ground truth never reaches the trainee's screen."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from pilot_helpers import settle
from textual.app import App
from textual.widgets import Input, ListView, Select

from game.classroom.drills import DrillAnswer, drill_for_turn
from game.classroom.guard import UmpireGuard
from game.classroom.umpire import Intervention
from game.scenario.load import load_scenario
from game.tui.app import LaunchOptions, SalientApp
from game.tui.screens.drill import DrillScreen
from game.tui.screens.play import PlayScreen
from game.tui.screens.umpire import UmpireGate, UmpireScreen, open_umpire
from game.tui.session import Session

BASE = Path(__file__).parent / "fixtures" / "check_base.yaml"
KURSK = Path(__file__).parent.parent / "scenarios" / "kursk-2025.yaml"
SECRET_REASON = "xyzzy the regiment was mauled"


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class DrillApp(App[None]):
    """Just the dialog, over an empty screen."""

    def __init__(self, screen: DrillScreen) -> None:
        super().__init__()
        self.drill_screen = screen
        self.answers: list[DrillAnswer | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.drill_screen, self.answers.append)


def screen_text(app: App) -> str:
    """Everything visible on the screen, as plain text."""
    svg = app.export_screenshot()
    text = html.unescape(re.sub(r"<[^>]+>", "", svg[svg.index("</style>") :])).replace("\xa0", " ")
    return " ".join(text.split())  # wrapped lines join up, so a phrase is found wherever it broke


async def test_drill_dialog_records_ranking_rationale_and_estimate():
    drill = drill_for_turn(load_scenario(BASE), 2)
    clock = FakeClock()
    app = DrillApp(DrillScreen(drill, clock=clock, tick_s=0.05))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, ListView)  # the options come first
        await pilot.press("down", "shift+up")  # screen → first
        await pilot.press("down", "down", "shift+up")  # then leave above hold
        await pilot.press("f2")  # incomplete: rationale and estimate missing
        await pilot.pause()
        assert not app.answers
        assert "write a rationale" in screen_text(app)
        app.drill_screen.query_one("#drill-rationale", Input).value = "The road feeds the town."
        app.drill_screen.query_one("#drill-estimate", Input).value = "35%"
        clock.now = 40.0
        await pilot.press("f2")
        await pilot.pause()
    (answer,) = app.answers
    assert answer.ranking == ["screen", "leave", "hold"] and answer.chosen == "screen"
    assert answer.rationale == "The road feeds the town." and answer.estimate == pytest.approx(0.35)
    assert answer.elapsed_s == pytest.approx(40.0) and not answer.late
    assert answer.orders_from == "trainee" and not answer.adopted  # f2 keeps the trainee's own orders


async def test_f3_asks_for_the_top_option_as_orders():
    drill = drill_for_turn(load_scenario(BASE), 2)
    app = DrillApp(DrillScreen(drill, clock=FakeClock()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Use top option as my orders (f3)" in screen_text(app)
        await pilot.press("down", "shift+up")  # screen → first
        app.drill_screen.query_one("#drill-rationale", Input).value = "Screen the road."
        app.drill_screen.query_one("#drill-estimate", Input).value = "10%"
        await pilot.press("f3")
        await pilot.pause()
    (answer,) = app.answers
    assert answer.chosen == "screen" and answer.adopted and answer.orders_from == "option"


async def test_a_missing_answer_is_shown_even_on_a_small_terminal():
    drill = drill_for_turn(load_scenario(KURSK), 3)
    app = DrillApp(DrillScreen(drill, clock=FakeClock()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f2")  # nothing written yet
        await pilot.pause()
        assert not app.answers
        assert "write a rationale" in screen_text(app)


async def test_drill_dialog_closes_itself_when_the_time_is_up():
    drill = drill_for_turn(load_scenario(BASE), 2)
    clock = FakeClock()
    app = DrillApp(DrillScreen(drill, clock=clock, tick_s=0.05))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Time left: 2:00" in screen_text(app)
        app.drill_screen.query_one("#drill-rationale", Input).value = "not sure yet"
        clock.now = 119.2
        await pilot.pause(0.15)
        assert "Time left: 0:01" in screen_text(app) and not app.answers
        clock.now = 121.0
        await pilot.pause(0.15)
    (answer,) = app.answers
    assert answer.timed_out and answer.late and answer.orders_from == "trainee" and not answer.adopted
    assert answer.rationale == "not sure yet" and answer.estimate is None and answer.chosen is None


async def test_drill_dialog_choice_without_ranking():
    drill = drill_for_turn(load_scenario(BASE), 4)
    app = DrillApp(DrillScreen(drill, clock=FakeClock()))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")  # choose the second option: counter
        app.drill_screen.query_one("#drill-estimate", Input).value = "0.6"
        await pilot.press("f2")
        await pilot.pause()
    (answer,) = app.answers
    assert answer.chosen == "counter" and answer.ranking == [] and answer.estimate == pytest.approx(0.6)


async def _play_app(tmp_path: Path) -> tuple[SalientApp, Session]:
    scenario = load_scenario(BASE)
    session = Session.new(scenario, str(BASE), 5, "Cadet T", save_path=tmp_path / "game.jsonl")
    return SalientApp(LaunchOptions(), session=session), session


async def test_umpire_interventions_reach_the_journal_but_never_the_trainee(tmp_path):
    app, session = await _play_app(tmp_path)
    guard = UmpireGuard.from_passphrase("sudzha road")
    changes: list[Intervention] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PlayScreen)
        open_umpire(app, session.game, session.journal, guard, on_change=changes.append)
        await pilot.pause()
        assert isinstance(app.screen, UmpireGate)
        box = app.screen.query_one("#umpire-pass", Input)
        box.value = "wrong guess"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, UmpireGate) and "not the passphrase" in screen_text(app)
        box.value = "sudzha road"
        await pilot.press("enter")
        await settle(pilot)
        umpire = app.screen
        assert isinstance(umpire, UmpireScreen)
        assert "GROUND TRUTH" in screen_text(app) and "kp_1: 900" in screen_text(app)
        umpire.query_one("#umpire-kind", Select).value = "set_strength"
        umpire.query_one("#umpire-target", Input).value = "kp_1"
        umpire.query_one("#umpire-value", Input).value = "123"
        await pilot.press("f2")  # no reason yet: refused
        await pilot.pause()
        assert not changes
        umpire.query_one("#umpire-reason", Input).value = SECRET_REASON
        await pilot.press("f2")
        await settle(pilot)
        assert [c.summary for c in changes] == ["unit kp_1: 900 → 123 soldiers"]
        assert "kp_1: 123" in screen_text(app) and SECRET_REASON in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PlayScreen)
        for tab in ("1", "2", "3", "4"):
            await pilot.press("escape", tab)
            await settle(pilot)
            seen = screen_text(app)
            for secret in (SECRET_REASON, "GROUND TRUTH", "UMPIRE", "kp_1: 123", "[instructor only]", "→ 123"):
                assert secret not in seen, f"tab {tab} shows {secret!r}"
    records = [json.loads(x) for x in (tmp_path / "game.jsonl").read_text().splitlines()]
    umpire_records = [r for r in records if r["type"] == "umpire"]
    assert [(r["turn"], r["kind"], r["target"], r["reason"]) for r in umpire_records] == [
        (1, "set_strength", "kp_1", SECRET_REASON)
    ]
    assert session.game.state_summary()["unit_strength"]["kp_1"] == 123


async def test_umpire_mode_is_off_without_a_passphrase(tmp_path):
    app, session = await _play_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        open_umpire(app, session.game, session.journal, None)
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        gate_opened = any(isinstance(s, UmpireGate) for s in app.screen_stack)
        assert not gate_opened
