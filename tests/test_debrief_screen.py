"""The after-action review screen at 80×24 (that the headless packages never import Textual is an import
contract: see tests/test_import_contracts.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.engine.policies import POLICIES
from game.record.journal import load_journal
from game.record.selfplay import play_journaled
from game.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"


@pytest.fixture
def save(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    path = tmp_path / "t.jsonl"
    play_journaled(load_scenario(TUTORIAL), 12, path, POLICIES["hold"], forecast_replications=50)
    return path


async def _settled(pilot) -> None:
    for _ in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def test_the_screen_shows_the_review_and_escape_goes_back(save):
    from textual.widgets import DataTable, OptionList, Static

    from game.tui.app import LaunchOptions, SalientApp
    from game.tui.screens.aar import AarScreen

    app = SalientApp(LaunchOptions())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        before = type(app.screen)
        app.push_screen(AarScreen(save))
        await _settled(pilot)
        screen = app.screen
        assert isinstance(screen, AarScreen) and screen.aar is not None and screen.aar.luck is not None
        head = str(screen.query_one("#aar-head", Static).render())
        assert "AFTER-ACTION REVIEW" in head and screen.aar.luck.verdict in head
        assert "WHAT TO CHANGE" in str(screen.query_one("#aar-summary", Static).render())
        assert screen.query_one("#aar-timeline-table", DataTable).row_count == len(screen.aar.timeline)
        assert screen.query_one("#aar-turns", OptionList).option_count == len(load_journal(save).turns)
        screen.query_one("#aar-tabs").active = "aar-curves"
        await pilot.pause()
        title = str(screen.query_one("#aar-chart-title", Static).render())
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert str(screen.query_one("#aar-chart-title", Static).render()) != title
        assert sum('"type":"luck"' in line for line in save.read_text().splitlines()) == 1  # remembered
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen) is before


async def test_w_plays_a_what_if_from_the_selected_turn(save):
    from textual.widgets import OptionList

    from game.tui.app import LaunchOptions, SalientApp
    from game.tui.screens.aar import AarScreen, WhatIfDialog

    app = SalientApp(LaunchOptions())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(AarScreen(save))
        await _settled(pilot)
        screen = app.screen
        screen.query_one("#aar-tabs").active = "aar-decisions"
        await pilot.pause()
        screen.query_one("#aar-turns", OptionList).focus()
        await pilot.press("down", "down")  # turn 3
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, WhatIfDialog) and app.screen.turn == 3
        await pilot.press("down", "enter")  # the second policy
        await _settled(pilot)
        branches = load_journal(save).branches
        assert len(branches) == 1 and branches[0].from_turn == 3
        assert (branches[0].source.kind, branches[0].source.policy) == ("policy", list(POLICIES)[1])
        assert app.screen is screen and screen.query_one("#aar-tabs").active == "aar-whatifs"
        assert screen.aar.branches and screen.aar.branches[0].id == "b1"


async def test_a_damaged_journal_is_explained_on_screen(tmp_path):
    from textual.widgets import Static

    from game.tui.app import LaunchOptions, SalientApp
    from game.tui.screens.aar import AarScreen

    bad = tmp_path / "bad.jsonl"
    bad.write_text("not a journal\n", encoding="utf-8")
    app = SalientApp(LaunchOptions())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(AarScreen(bad))
        await _settled(pilot)
        assert "cannot be shown" in str(app.screen.query_one("#aar-head", Static).render())
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, AarScreen)
