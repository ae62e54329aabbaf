"""Saves that never lose a game: autosave each turn, ctrl+s and quit, continuing, damaged saves, crashes."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import command, reach, settle

from game.engine.game import Game
from game.record.journal import load_journal
from game.scenario.load import load_scenario
from game.tui.app import LaunchOptions, SalientApp
from game.tui.screens.briefing import BriefingScreen
from game.tui.screens.play import PlayScreen
from game.tui.screens.result import ResultScreen
from game.tui.screens.title import TitleScreen
from game.tui.session import Session

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"
SEED = 5


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def saved_game(path: Path, turns: int) -> Session:
    """A game of `turns` turns saved at `path`, played headless through the same session the TUI uses."""
    session = Session.new(load_scenario(TUTORIAL), str(TUTORIAL), SEED, save_path=path)
    for _ in range(turns):
        session.end_turn()
    return session


async def test_save_quit_and_continue_give_the_same_game(tmp_path: Path) -> None:
    save = tmp_path / "g.jsonl"
    app = SalientApp(LaunchOptions(scenario=TUTORIAL, seed=SEED, save_path=save))
    async with app.run_test(size=(100, 30)) as pilot:
        await reach(pilot, TitleScreen)
        await pilot.press("s")
        await reach(pilot, BriefingScreen)
        await pilot.press("enter")
        await reach(pilot, PlayScreen)
        for _ in range(2):
            await command(pilot, "end")
            await reach(pilot, ResultScreen)
            await pilot.press("enter")
            await reach(pilot, PlayScreen)
        await command(pilot, "order crossroads delay")  # orders being planned when the game is saved
        await pilot.press("escape", "ctrl+s")
        await settle(pilot)
        assert any(str(save) in n.message for n in app._notifications)
        assert app.session is not None
        played = [r.orders for r in app.session.game.history]
        draft = app.session.orders
        summary = app.session.game.state_summary()
        await pilot.press("q", "y")  # quit asks first
    assert app.return_code == 0 and str(save) in app.saved_message
    assert len(load_journal(save).turns) == 2

    session = Session.load(save)
    assert session.game.state_summary() == summary
    assert session.orders == draft and any("restored" in n for n in session.notes)
    app = SalientApp(session=session)
    async with app.run_test(size=(100, 30)) as pilot:
        await reach(pilot, PlayScreen)
        await command(pilot, "end")
        await reach(pilot, ResultScreen)
        continued = session.game.state_summary()
    fresh = Game(load_scenario(TUTORIAL), SEED)
    for orders in [*played, draft]:
        fresh.play(orders)
    assert fresh.state_summary() == continued


async def test_continue_from_the_title_screen(tmp_path: Path, home: Path) -> None:
    saved_game(home / "saves" / "tutorial-old.jsonl", turns=2)
    app = SalientApp(LaunchOptions(scenario=TUTORIAL, seed=SEED))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TitleScreen) and len(app.screen.saves) == 1
        await pilot.press("c", "enter")  # the continue tab, the newest save
        await reach(pilot, PlayScreen)
        assert app.session is not None and app.session.game.turn == 3


async def test_a_torn_save_keeps_its_whole_turns(tmp_path: Path) -> None:
    save = tmp_path / "torn.jsonl"
    summary = saved_game(save, turns=3).game.state_summary()
    with open(save, "ab") as handle:
        handle.write(b'{"type": "turn", "turn": 4, "orders": {"postu')  # the machine died mid-write
    session = Session.load(save)
    assert session.game.turn == 4 and session.game.state_summary() == summary
    assert session.notes and "cut short" in session.notes[0]


async def test_a_foreign_file_is_refused_with_a_message(home: Path) -> None:
    (home / "saves").mkdir(parents=True)
    junk = home / "saves" / "junk.jsonl"
    junk.write_text("not a journal\n", encoding="utf-8")
    app = SalientApp(LaunchOptions(scenario=TUTORIAL, seed=SEED))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "cannot be read" in app.screen.saves[0].label  # type: ignore[attr-defined]
        await pilot.press("c", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TitleScreen)
        assert any(n.severity == "error" for n in app._notifications)
    assert junk.read_text(encoding="utf-8") == "not a journal\n"


async def test_a_crash_mid_game_keeps_the_autosave(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save = tmp_path / "crash.jsonl"
    app = SalientApp(LaunchOptions(scenario=TUTORIAL, seed=SEED, save_path=save))
    with pytest.raises(RuntimeError, match="bug after the turn"):
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("s", "enter")
            await settle(pilot)

            def broken(self: PlayScreen) -> None:
                raise RuntimeError("bug after the turn")

            monkeypatch.setattr(PlayScreen, "on_screen_resume", broken)
            await command(pilot, "end")
            await reach(pilot, ResultScreen)
            await pilot.press("enter")  # back to the play screen, which now fails
            await settle(pilot)
    assert app.return_code == 1 and app.crash_log is not None
    assert "bug after the turn" in app.crash_log.read_text(encoding="utf-8")
    assert len(load_journal(save).turns) == 1
