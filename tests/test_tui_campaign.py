"""Whole games in the TUI: with keys alone, with the command line alone, and the same game headless."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import command, reach, screen_text, settle
from textual.widgets import Select

from game.engine.game import Game
from game.record.journal import load_journal
from game.scenario.load import load_scenario
from game.tui.app import LaunchOptions, SalientApp
from game.tui.screens.aar import AarScreen
from game.tui.screens.briefing import BriefingScreen
from game.tui.screens.confirm import ConfirmDialog
from game.tui.screens.end import EndScreen
from game.tui.screens.play import PlayScreen
from game.tui.screens.result import ResultScreen
from game.tui.screens.title import TitleScreen

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"
SEED = 11


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def headless_replay(orders: list) -> Game:
    game = Game(load_scenario(TUTORIAL), SEED)
    for o in orders:
        game.play(o)
    return game


async def test_a_campaign_with_keys_alone(tmp_path: Path) -> None:
    save = tmp_path / "keys.jsonl"
    app = SalientApp(LaunchOptions(scenario=TUTORIAL, seed=SEED, save_path=save))
    async with app.run_test(size=(100, 30)) as pilot:
        await reach(pilot, TitleScreen)
        await pilot.press("s")  # start the highlighted scenario with the seed shown
        await reach(pilot, BriefingScreen)
        await pilot.press("enter")  # take command
        await reach(pilot, PlayScreen)
        await pilot.press("2")  # the orders tab
        for _ in range(6):  # tab through to the first posture field
            if getattr(app.focused, "id", "") == "posture-village":
                break
            await pilot.press("tab")
        assert isinstance(app.focused, Select) and app.focused.id == "posture-village"
        await pilot.press("enter", "down", "enter")  # open the list, hold → fortify, choose
        await settle(pilot)
        assert app.session is not None and app.session.orders.postures["village"] == "fortify"
        await pilot.press("escape")  # back to the tabs, where single keys work
        turns = 0
        while not isinstance(app.screen, EndScreen):
            await pilot.press("e")  # end the turn…
            await reach(pilot, ConfirmDialog)
            await pilot.press("y")  # …yes
            await reach(pilot, ResultScreen)
            await pilot.press("enter")  # on to the next turn or the end
            await reach(pilot, (PlayScreen, EndScreen))
            turns += 1
        assert turns == load_scenario(TUTORIAL).meta.turns or app.session.game.ending != "time"
        game = app.session.game
        text = screen_text(pilot)
        assert "THE SCORE" in text and "Total" in text
        await pilot.press("a")  # the after-action review of this game
        await reach(pilot, AarScreen)
        await pilot.press("escape")
        await reach(pilot, EndScreen)
    loaded = load_journal(save)
    assert len(loaded.turns) == turns and loaded.finished
    assert loaded.turns[0].orders.postures["village"] == "fortify"
    assert headless_replay([t.orders for t in loaded.turns]).state_summary() == game.state_summary()


async def test_a_campaign_with_the_command_line_alone(tmp_path: Path) -> None:
    save = tmp_path / "typed.jsonl"
    app = SalientApp(LaunchOptions(scenario=TUTORIAL, seed=SEED, save_path=save))
    async with app.run_test(size=(80, 24)) as pilot:
        await reach(pilot, TitleScreen)
        await pilot.press("s")  # title → briefing
        await reach(pilot, BriefingScreen)
        await pilot.press("enter")  # → play
        await reach(pilot, PlayScreen)
        assert app.session is not None
        await command(pilot, "order village fortify", typed=True)  # typed key by key
        await command(pilot, "dr str 4")  # unambiguous prefixes work too (pasted from here on)
        await command(pilot, "conv ni 6")
        await command(pilot, "esc on")
        await command(pilot, "res ua cr")
        orders = app.session.orders
        assert orders.postures["village"] == "fortify" and orders.drones.strike == 4
        assert orders.convoys.night == 6 and orders.convoys.escort
        assert orders.commit_reserves == {"ua_reserve": "crossroads"}
        await command(pilot, "undo")  # takes back the reserve only
        assert app.session.orders.commit_reserves == {} and app.session.orders.convoys.escort
        await command(pilot, "forecast")
        played = []
        while not app.session.game.finished:
            before = app.session.orders
            await command(pilot, "end")
            await reach(pilot, ResultScreen)
            played.append(before)
            await pilot.press("enter")
            await reach(pilot, (PlayScreen, EndScreen))
            if isinstance(app.screen, PlayScreen):
                await command(pilot, "undo")  # nothing to undo: a resolved turn stays
                assert app.session.game.history[-1].orders == played[-1]
        assert isinstance(app.screen, EndScreen)
        final = app.session.game.state_summary()
    assert [t.orders for t in load_journal(save).turns] == played
    assert headless_replay(played).state_summary() == final


async def test_the_command_line_and_the_form_agree(tmp_path: Path) -> None:
    app = SalientApp(LaunchOptions(scenario=TUTORIAL, seed=SEED, save_path=tmp_path / "g.jsonl"))
    async with app.run_test(size=(120, 40)) as pilot:
        await reach(pilot, TitleScreen)
        await pilot.press("s")
        await reach(pilot, BriefingScreen)
        await pilot.press("enter")
        await reach(pilot, PlayScreen)
        await command(pilot, "order crossroads delay")
        await settle(pilot)
        assert app.screen.query_one("#posture-crossroads", Select).value == "delay"
        await command(pilot, "drones recon 1")
        await settle(pilot)
        assert app.screen.query_one("#drones-recon").value == "1"
