"""The instructor tools wired into the game: drills before a turn ends, umpire mode on ctrl+u, the class record."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from pilot_helpers import command, reach, settle
from textual.app import App
from textual.command import CommandPalette
from textual.message import Message
from textual.notifications import Notify
from textual.widgets import Input, OptionList, Select, Static

from game.classroom.db import ClassDB
from game.classroom.guard import ENV_VAR, UmpireGuard
from game.classroom.umpire import Umpire
from game.classroom.views import truth_lines
from game.cli import main
from game.record.journal import load_journal
from game.scenario.load import load_scenario
from game.tui.app import LaunchOptions, SalientApp
from game.tui.screens.confirm import ConfirmDialog
from game.tui.screens.drill import DrillScreen
from game.tui.screens.end import EndScreen
from game.tui.screens.play import PlayScreen
from game.tui.screens.result import ResultScreen
from game.tui.screens.umpire import OFF_MESSAGE, UmpireGate, UmpireScreen
from game.tui.session import Session

FIXTURES = Path(__file__).parent / "fixtures"
DRILLED = FIXTURES / "check_base.yaml"
"""A scenario with drills on turns 2 (rank, rationale, estimate, 2 min) and 4 (choose, estimate)."""
MINIMAL = FIXTURES / "minimal.yaml"
REASON = "xyzzy the regiment was mauled"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SALIENT_DB", raising=False)
    return tmp_path / "home"


def screen_text(app: App[object]) -> str:
    """Everything visible on the screen, as plain text with runs of white space made one."""
    svg = app.export_screenshot()
    text = html.unescape(re.sub(r"<[^>]+>", "", svg[svg.index("</style>") :])).replace("\xa0", " ")
    return " ".join(text.split())


def notified(messages: list[Message]) -> list[str]:
    """The text of every notification posted while the app ran (captured with `message_hook`)."""
    return [m.notification.message for m in messages if isinstance(m, Notify)]


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def play_app(
    tmp_path: Path, scenario: Path = DRILLED, seed: int = 5, guard: UmpireGuard | None = None, db: Path | None = None
) -> tuple[SalientApp, Session]:
    session = Session.new(load_scenario(scenario), str(scenario), seed, "Cadet T", save_path=tmp_path / "g.jsonl")
    app = SalientApp(LaunchOptions(db_path=db), session=session)
    app.umpire_guard = guard
    return app, session


async def next_turn(pilot) -> None:
    """From the result of a turn back to planning."""
    await reach(pilot, ResultScreen)
    await pilot.press("enter")
    await reach(pilot, (PlayScreen, EndScreen))


# --- drills -----------------------------------------------------------------------------------


async def test_ending_a_drilled_turn_puts_the_drill_first_and_journals_the_answer(tmp_path: Path) -> None:
    app, session = play_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:  # wider than the dialog: the play screen is around it
        await reach(pilot, PlayScreen)
        await command(pilot, "end")  # turn 1 has no drill: it resolves at once
        await next_turn(pilot)
        await pilot.press("escape", "2")  # the orders tab, with the forecast beside the form
        await settle(pilot, 0.4)
        advice = str(app.screen.query_one("#advisor-line", Static).render())
        assert "Advisor" in advice and "Advisor" in screen_text(app)  # the forecast is on the play screen…
        planned = session.orders
        await pilot.press("e")  # end turn 2 with the key: the drill comes before the turn is resolved
        await reach(pilot, DrillScreen)
        assert session.game.turn == 2 and len(session.game.history) == 1
        seen = screen_text(app)
        assert "The road or the town?" in seen and "How likely is every route to be cut" in seen
        assert advice not in seen and "Advisor" not in seen  # …but not while the estimate is asked
        drill = app.screen
        drill.query_one("#drill-rationale", Input).value = "The road feeds the town."
        drill.query_one("#drill-estimate", Input).value = "30%"
        await pilot.press("f2")  # ranked as listed: hold, screen, leave; the trainee's orders stand
        await reach(pilot, ConfirmDialog)  # …then the confirmation, with the orders that will be carried out
        seen = screen_text(app)
        assert "End Turn 2" in seen and "drill option" not in seen  # the trainee's own orders, as planned
        assert f"EW: front {planned.ew.front}, road {planned.ew.road}" in seen
        await pilot.press("y")
        await reach(pilot, ResultScreen)
        assert session.game.history[-1].turn == 2 and session.game.history[-1].orders == planned
    lines = records(session.journal_path)
    kinds = [(r["type"], r.get("turn")) for r in lines[1:]]
    assert kinds == [("turn", 1), ("drill", 2), ("turn", 2)]  # the answer is journalled before its turn
    answer = lines[2]
    assert (answer["drill"], answer["rationale"], answer["ranking"]) == (
        "d_road",
        "The road feeds the town.",
        ["hold", "screen", "leave"],
    )
    assert answer["estimate"]["p"] == pytest.approx(0.3) and 0.0 <= answer["estimate"]["model_p"] <= 1.0
    assert not answer["late"] and answer["orders_from"] == "trainee" and not answer["adopted"]


async def test_the_end_command_asks_the_drill_too_and_only_once(tmp_path: Path) -> None:
    app, session = play_app(tmp_path)
    for _ in range(3):  # turns 1-3 headless (a drill is put only on the play screen)
        session.end_turn()
    async with app.run_test(size=(100, 30)) as pilot:
        await reach(pilot, PlayScreen)
        assert session.game.turn == 4
        await command(pilot, "end")
        await reach(pilot, DrillScreen)
        await pilot.press("down", "enter")  # choose the second option: counter-attack from the corridor
        app.screen.query_one("#drill-estimate", Input).value = "0.6"
        await pilot.press("f3")  # …and ask for its orders in place of the trainee's own
        await reach(pilot, ConfirmDialog)  # adopted orders are shown before the turn resolves, even after `end`
        seen = screen_text(app)
        assert "These are the orders of the drill option" in seen and "corridor counter-attack" in seen.lower()
        await pilot.press("y")
        await reach(pilot, ResultScreen)
    loaded = load_journal(session.journal_path)
    (answer,) = [r for r in loaded.others if r["type"] == "drill"]
    assert (answer["turn"], answer["chosen"], answer["orders_from"], answer["adopted"]) == (
        4,
        "counter",
        "option",
        True,
    )
    assert loaded.turns[3].orders.postures["corridor"] == "counter_attack"  # the option's orders were carried out
    assert Session.load(session.journal_path).drilled_turns == {4}  # a continued game does not ask it again


# --- umpire mode ------------------------------------------------------------------------------


async def test_umpire_mode_behind_the_passphrase_never_shows_on_the_play_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, "sudzha road")
    app, session = play_app(tmp_path, guard=UmpireGuard.from_env())
    async with app.run_test(size=(120, 40)) as pilot:
        await reach(pilot, PlayScreen)
        await settle(pilot, 0.4)
        intel_before = session.intel()
        await pilot.press("ctrl+u")
        await reach(pilot, UmpireGate)
        gate = app.screen
        gate.query_one("#umpire-pass", Input).value = "wrong guess"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, UmpireGate) and "not the passphrase" in screen_text(app)
        gate.query_one("#umpire-pass", Input).value = "sudzha road"
        await pilot.press("enter")
        await reach(pilot, UmpireScreen)
        umpire = app.screen
        umpire.query_one("#umpire-kind", Select).value = "set_strength"
        umpire.query_one("#umpire-target", Input).value = "kp_1"
        umpire.query_one("#umpire-value", Input).value = "123"
        umpire.query_one("#umpire-reason", Input).value = REASON
        await pilot.press("f2")
        await settle(pilot)
        truth = screen_text(app)
        assert "GROUND TRUTH" in truth and "kp_1: 123" in truth and REASON in truth
        truth_column = [" ".join(line.split()) for line in truth_lines(umpire.umpire.ground_truth())]
        assert all(line in truth for line in truth_column[:3])  # the umpire sees the ground truth…
        secrets = [REASON, "UMPIRE", "[instructor only]", "→ 123", *truth_column]
        await pilot.press("escape")
        await reach(pilot, PlayScreen)
        assert session.intel() != intel_before  # the trainee's picture was recomputed (still an estimate)
        for tab in ("1", "2", "3", "4"):
            await pilot.press("escape", tab)
            await settle(pilot)
            seen = screen_text(app)
            for secret in secrets:  # …the trainee never does
                assert secret not in seen, f"tab {tab} shows {secret!r}"
    (iv,) = [r for r in records(session.journal_path) if r["type"] == "umpire"]
    assert (iv["turn"], iv["kind"], iv["target"], iv["value"], iv["reason"]) == (1, "set_strength", "kp_1", 123, REASON)


async def test_ctrl_u_without_a_passphrase_says_how_to_turn_umpire_mode_on(tmp_path: Path) -> None:
    app, _ = play_app(tmp_path)
    messages: list[Message] = []
    async with app.run_test(size=(100, 30), message_hook=messages.append) as pilot:
        await reach(pilot, PlayScreen)
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        assert not any(isinstance(s, UmpireGate) for s in app.screen_stack)
    assert OFF_MESSAGE in notified(messages) and "SALIENT_UMPIRE_PASSPHRASE" in OFF_MESSAGE


async def test_the_palette_offers_umpire_mode_on_the_play_screen(tmp_path: Path) -> None:
    app, _ = play_app(tmp_path, guard=UmpireGuard.from_passphrase("sudzha road"))
    async with app.run_test(size=(100, 30)) as pilot:
        await reach(pilot, PlayScreen)
        await pilot.press("ctrl+p")
        await reach(pilot, CommandPalette)
        await pilot.press(*"umpire")
        await settle(pilot, 0.3)
        hits = app.screen.query_one(OptionList)
        prompts = [str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count)]
        assert prompts and prompts[0].startswith("Umpire\nkey: ^u")
        await pilot.press("enter")  # runs the action: the passphrase is asked
        await reach(pilot, UmpireGate)


def test_continuing_a_game_applies_its_interventions(tmp_path: Path) -> None:
    session = Session.new(load_scenario(DRILLED), str(DRILLED), 5, save_path=tmp_path / "g.jsonl")
    umpire = Umpire(session.game, session.journal, on_change=lambda iv: session.invalidate())
    umpire.intervene("set_road_state", "road_south", "cut", "show what a cut road does")
    session.end_turn()
    umpire = Umpire(session.game, session.journal, on_change=lambda iv: session.invalidate())  # opened again
    umpire.intervene("set_strength", "kp_1", 300, "the regiment was mauled")  # turn 2 is never played
    assert session.intel() == session.game.intel()  # the cached picture was dropped
    again = Session.load(session.journal_path)  # replays turn 1 (checked) and applies the pending one
    assert again.game.state_summary() == session.game.state_summary()
    assert again.game.state_summary()["unit_strength"]["kp_1"] == 300
    seqs = [r["seq"] for r in records(session.journal_path) if r["type"] == "umpire"]
    assert seqs == [1, 2]
    assert Umpire(again.game, again.journal).intervene("change_stock", "drones", 5, "resupply").seq == 3


# --- the class record ------------------------------------------------------------------------


async def play_to_the_end(pilot, app: SalientApp) -> None:
    await reach(pilot, PlayScreen)
    while not isinstance(app.screen, EndScreen):
        await command(pilot, "end")
        await next_turn(pilot)


async def test_a_finished_game_is_recorded_in_the_class_database(tmp_path: Path) -> None:
    db = tmp_path / "class.sqlite3"
    app, session = play_app(tmp_path, MINIMAL, db=db)
    async with app.run_test(size=(100, 30)) as pilot:
        await play_to_the_end(pilot, app)
        await settle(pilot)
    assert app.record_warning == ""
    with ClassDB(db) as classdb:
        (game,) = classdb.query("SELECT * FROM games")
    assert (game["trainee"], game["finished"], game["score"]) == ("Cadet T", 1, pytest.approx(session.score().total))


async def test_a_class_database_that_fails_is_a_warning_and_the_journal_is_kept(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-db"
    blocked.mkdir()  # a folder where the database should be
    app, session = play_app(tmp_path, MINIMAL, db=blocked)
    messages: list[Message] = []
    async with app.run_test(size=(100, 30), message_hook=messages.append) as pilot:
        await play_to_the_end(pilot, app)
        await settle(pilot)
        assert isinstance(app.screen, EndScreen)
    assert "salient class import" in app.record_warning and app.record_warning in notified(messages)
    assert load_journal(session.journal_path).finished


def test_play_help_lists_the_instructor_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["play", "--help"])
    out = capsys.readouterr().out
    assert "--umpire" in out and "--db PATH" in out and "--trainee NAME" in out
