"""Orders belong to the trainee: a Kursk game at 80×24 with one drill answered and one run out of time, where the
journal's orders for every turn are what the trainee typed — standing from turn to turn, never replaced."""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path

import pytest
from pilot_helpers import command, reach, settle
from textual.widgets import Input

from game.classroom.records import record_from_path
from game.engine.orders import Orders
from game.record.journal import load_journal
from game.scenario.load import load_scenario
from game.tui.app import LaunchOptions, SalientApp
from game.tui.screens.confirm import ConfirmDialog
from game.tui.screens.drill import DrillScreen
from game.tui.screens.play import PlayScreen
from game.tui.screens.result import ResultScreen
from game.tui.session import Session

KURSK = Path(__file__).parents[1] / "scenarios" / "kursk-2025.yaml"
SEED = 3

# What the trainee types each turn; nothing else changes the orders. Turn 3 brings the aid-halt drill (answered
# with the road screen ranked first, whose policy would commit the reserve south); turn 4, with the south on
# delay, brings the Kurilovka drill, left to run out of time (its first option would hold every sector).
TYPED: dict[int, list[str]] = {
    1: [
        "order north fortify",
        "order south delay",
        "ew front 2",
        "ew road 4",
        "netting on",
        "convoy night 14",
        "convoy day 2",
        "drones strike 12",
        "drones recon 6",
    ],
    2: ["escort on"],
    3: ["reserve ua_reserve south", "reserve ua_reserve none", "order east fortify"],
    4: ["drones counter 3", "convoy night 12"],
    5: [],
}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def screen_text(app: SalientApp) -> str:
    svg = app.export_screenshot()
    text = html.unescape(re.sub(r"<[^>]+>", "", svg[svg.index("</style>") :])).replace("\xa0", " ")
    return " ".join(text.split())


def expect(orders: dict, line: str) -> dict:
    """What one typed line means, applied by hand to a plain copy of the orders (not through the game)."""
    verb, *args = line.split()
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in orders.items()}
    tasks = {"strike": "strike", "counter": "counter_drone", "recon": "recon"}
    if verb == "order":
        out["postures"][args[0]] = args[1]
    elif verb == "ew":
        out["ew"][args[0]] = int(args[1])
    elif verb == "netting":
        out["netting"] = args[0] == "on"
    elif verb == "convoy":
        out["convoys"][args[0]] = int(args[1])
    elif verb == "escort":
        out["convoys"]["escort"] = args[0] == "on"
    elif verb == "drones":
        out["drones"][tasks[args[0]]] = int(args[1])
    elif verb == "reserve":
        if args[1] == "none":
            out["commit_reserves"].pop(args[0], None)
        else:
            out["commit_reserves"][args[0]] = args[1]
    return out


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SALIENT_DB", raising=False)


async def test_a_kursk_game_plays_exactly_the_orders_typed_through_two_drills(tmp_path: Path) -> None:
    session = Session.new(load_scenario(KURSK), str(KURSK), SEED, "Cadet K", save_path=tmp_path / "k.jsonl")
    app = SalientApp(LaunchOptions(), session=session)
    clock = FakeClock()
    planned = session.orders.model_dump(mode="json")  # turn 1 starts from the scenario's defaults
    expected: dict[int, dict] = {}
    seen_drills: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await reach(pilot, PlayScreen)
        play = app.screen
        play.drill_clock = clock
        for turn in sorted(TYPED):
            assert session.game.turn == turn
            if turn == 5:  # the south fell during turn 4: its posture is dropped, and the form says why
                assert session.picture().sector_holder["south"] != "ua"
                planned["postures"].pop("south")
                assert list(session.standing.adapted) == ["posture:south"]
                await pilot.press("escape", "2")
                await settle(pilot)
                assert "! South: the road and Kurilovka was lost: its posture (delay) no longer applies" in screen_text(
                    app
                )
                await pilot.press("1")
            for line in TYPED[turn]:
                await command(pilot, line)
                planned = expect(planned, line)
            await settle(pilot)
            assert session.orders == Orders.model_validate(planned), (turn, session.orders)
            expected[turn] = copy.deepcopy(planned)
            if turn == 2:  # the form marks what stood from last turn and what was changed
                await pilot.press("escape", "2")
                await settle(pilot)
                text = screen_text(app)
                assert "= kept" in text and "* changed" in text and "Orders stand from last turn" in text
                await pilot.press("1")
            if turn == 3:  # ended with the key: the drill first, then the confirmation
                await pilot.press("escape", "e")
                await reach(pilot, DrillScreen)
                seen_drills.append(app.screen.drill.id)
                await pilot.press("down", "shift+up")  # the road screen ranked first
                app.screen.query_one("#drill-rationale", Input).value = "The road is the centre of gravity."
                app.screen.query_one("#drill-estimate", Input).value = "5%"
                await pilot.press("f2")  # submit and keep my own orders
                await reach(pilot, ConfirmDialog)
                text = screen_text(app)
                assert "EW: front 2, road 4" in text and "escort on" in text and "drill option" not in text
                assert "your own orders stand" in text
                await pilot.press("y")
            elif turn == 4:  # ended from the command line; the drill is left until its time runs out
                await command(pilot, "end")
                await reach(pilot, DrillScreen)
                seen_drills.append(app.screen.drill.id)
                await pilot.press("down", "shift+up")  # moved an option, then nothing more: the clock runs out
                clock.now += 181.0
                await reach(pilot, ResultScreen)
                assert "Time ran out" not in screen_text(app)  # the transcript said it before the result
            else:
                await command(pilot, "end")
            await reach(pilot, ResultScreen)
            await pilot.press("enter")
            await reach(pilot, PlayScreen)
    assert seen_drills == ["d_after_the_aid_halt", "d_kurilovka"]
    loaded = load_journal(session.journal_path)
    played = {t.turn: t.orders.model_dump(mode="json") for t in loaded.turns}
    assert played == expected  # every turn: exactly what was typed, standing from the turn before
    drills = {r["turn"]: r for r in loaded.others if r["type"] == "drill"}
    assert drills[3]["ranking"][0] == "screen_road" and not drills[3]["adopted"] and not drills[3]["timed_out"]
    assert drills[4]["timed_out"] and drills[4]["orders_from"] == "trainee" and drills[4]["chosen"] is None
    assert played[3]["commit_reserves"] == {} and played[4]["ew"] == {"front": 2, "road": 4}
    # the class record counts what was ordered, turn by turn
    record = record_from_path(session.journal_path)
    assert {d.turn: d.orders for d in record.decisions} == expected
    assert record.decisions[3].choices["reserves"] == "none" and record.decisions[3].drill["timed_out"]
