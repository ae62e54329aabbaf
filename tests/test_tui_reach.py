"""Everything on the play screen reachable with keys alone at 80×24, and the keys a player relies on.

Each pane is reached with tab and scrolled with the page keys; the command line's transcript opens
full screen; quitting asks first; the palette offers the screen's actions wherever focus is; a
letter typed before `:` starts the command line; escape leaves nothing behind on it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import command, reach, screen_text, settle, type_line
from textual import events
from textual.containers import ScrollableContainer
from textual.widgets import Input, RichLog

from game.scenario.load import load_scenario
from game.tui.app import SalientApp
from game.tui.screens.confirm import ConfirmDialog
from game.tui.screens.help import HelpScreen
from game.tui.screens.play import PlayScreen
from game.tui.screens.result import ResultScreen
from game.tui.screens.transcript import TranscriptScreen
from game.tui.session import Session
from game.tui.widgets.command_line import CommandLine

ROOT = Path(__file__).resolve().parent.parent
KURSK = ROOT / "scenarios" / "kursk-2025.yaml"
SMALL = (80, 24)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def app(tmp_path: Path) -> SalientApp:
    """Turn 1 of the Kursk scenario: the biggest map and the longest panels."""
    session = Session.new(load_scenario(KURSK), str(KURSK), 11, save_path=tmp_path / "kursk.jsonl")
    return SalientApp(session=session)


def transcript(app: SalientApp) -> str:
    """The command log under the tabs, as text."""
    return "\n".join(line.text for line in app.screen.query_one("#transcript", RichLog).lines)


async def tab_round(pilot, start: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Ids of what tab reaches, once round, starting from the row of tabs."""
    seen: list[str] = []
    for _ in range(40):
        await pilot.press("tab")
        focused = pilot.app.focused
        name = focused.id or type(focused).__name__
        if name == start:
            return seen
        seen.append(name)
    raise AssertionError(f"tab never came back to {start}: {seen}")


@pytest.mark.parametrize("tab, pane", [("1", "sitrep-box"), ("3", "forecast-scroll"), ("4", "forces-scroll")])
async def test_tab_reaches_every_pane_and_page_keys_scroll_it(app: SalientApp, tab: str, pane: str) -> None:
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, 0.4)
        await pilot.press(tab)
        await settle(pilot)
        await pilot.press("escape")  # back to the row of tabs
        reached = await tab_round(pilot, "ContentTabs")
        assert pane in reached and "transcript" in reached and "command" in reached
        while app.focused is None or app.focused.id != pane:
            await pilot.press("tab")
        box = app.screen.query_one(f"#{pane}", ScrollableContainer)
        assert box.max_scroll_y > 0, "at 80×24 the pane is longer than the screen, so it must scroll"
        await pilot.press("pagedown")
        await settle(pilot)
        assert box.scroll_y > 0
        await pilot.press("end")
        await settle(pilot)
        assert box.scroll_y == box.max_scroll_y
        assert box.styles.border_left[0] == "thick", "the pane with the keyboard is marked by a bar, not colour alone"


async def test_the_forecast_tab_shows_every_row_when_scrolled(app: SalientApp) -> None:
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, 0.4)
        await pilot.press("3", "end")
        await settle(pilot)
        text = screen_text(pilot)
        own = [s.name.split(":")[0] for s in app.session.scenario.map.sectors]  # type: ignore[union-attr]
        assert all(f"Lose {name}" in text for name in own), text


async def test_the_transcript_opens_full_screen_with_every_turn(app: SalientApp) -> None:
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, 0.4)
        await command(pilot, "forecast")
        await command(pilot, "end")
        await reach(pilot, ResultScreen)
        await pilot.press("enter")  # past the result
        await reach(pilot, PlayScreen)
        assert "> forecast" not in transcript(app), "the pane under the tabs shows this turn only"
        await command(pilot, "look")
        await pilot.press("ctrl+t")  # works from the command line, where t is a letter
        await settle(pilot)
        assert isinstance(app.screen, TranscriptScreen)
        log = app.screen.query_one("#transcript-full", RichLog)
        full = "\n".join(line.text for line in log.lines)
        assert "> forecast" in full and "> end" in full and "> look" in full
        assert "Turn 1 —" in full and "Turn 2 —" in full
        assert app.focused is log and log.max_scroll_y > 0
        await pilot.press("home")
        await settle(pilot)
        assert log.scroll_y == 0
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PlayScreen)
        await pilot.press("escape", "t")  # from the tabs the single key works
        await settle(pilot)
        assert isinstance(app.screen, TranscriptScreen)


async def test_q_asks_before_quitting_and_says_the_game_is_saved(app: SalientApp, tmp_path: Path) -> None:
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, 0.4)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        question = screen_text(pilot)
        assert "Quit Salient?" in question and "saved in" in question
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, PlayScreen) and app.is_running
        await pilot.press("q", "y")
        await settle(pilot)
    assert app.return_code == 0 and str(tmp_path / "kursk.jsonl") in app.saved_message


@pytest.mark.parametrize("action", ["End turn", "Transcript", "Help", "Quit"])
async def test_the_palette_lists_screen_actions_while_the_command_line_has_focus(app: SalientApp, action: str) -> None:
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, 0.4)
        await pilot.press("colon")
        assert isinstance(app.focused, CommandLine)
        await pilot.press("ctrl+p")
        await type_line(pilot, action, enter=False)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        opened = {"End turn": ConfirmDialog, "Transcript": TranscriptScreen, "Help": HelpScreen, "Quit": ConfirmDialog}
        assert isinstance(app.screen, opened[action])


async def test_keys_typed_before_the_colon_start_the_command_line(app: SalientApp) -> None:
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, 0.4)
        assert not isinstance(app.focused, Input)
        await type_line(pilot, "status")  # t is the transcript key, but not once the line has begun
        await settle(pilot)
        assert isinstance(app.screen, PlayScreen)
        assert "> status" in transcript(app)
        assert "Convoys:" in transcript(app)
        await pilot.press("escape", "2", "tab")  # on the form, a letter belongs to the field
        await settle(pilot)
        field = app.focused
        assert field is not None and field.id == "posture-north"
        await pilot.press("x")
        assert app.focused is field and app.screen.query_one(CommandLine).value == ""


async def test_a_burst_of_keys_before_the_colon_keeps_its_spaces(app: SalientApp) -> None:
    """A fast typist (or a paste through tmux) delivers a whole command to the pane before the focus moves:
    the spaces belong to the command too ("ordernorthhold" was what arrived)."""
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, 0.4)
        pane = app.focused
        assert pane is not None and not isinstance(pane, Input)
        for ch in "order north hold":  # all queued on the pane at once, as a burst arrives
            pane.post_message(events.Key("space" if ch == " " else ch, ch))
        await settle(pilot)
        assert app.screen.query_one(CommandLine).value == "order north hold"
        await pilot.press("enter")
        await settle(pilot)
        assert "> order north hold" in transcript(app)


async def test_escape_clears_the_command_line(app: SalientApp) -> None:
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, 0.4)
        await pilot.press("colon")
        await type_line(pilot, "convoy night 16", enter=False)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one(CommandLine).value == ""
        await command(pilot, "forecast")
        assert "> forecast" in transcript(app)
        assert "16forecast" not in transcript(app)


async def test_a_long_answer_is_shown_from_its_first_line(app: SalientApp) -> None:
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, 0.4)
        await command(pilot, "look")
        await command(pilot, "look enemy")  # 13 lines at 80 columns: more than the log shows
        await settle(pilot)
        text = screen_text(pilot)
        assert "> look enemy" in text, text
        log = app.screen.query_one("#transcript", RichLog)
        assert log.size.height >= 10, "the log grows while the command line is used"
        assert log.scroll_y < log.max_scroll_y, "the rest of the answer is below, a page key away"


async def test_the_focused_form_field_stands_out(app: SalientApp) -> None:
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, 0.4)
        await pilot.press("2", "tab", "tab")
        await settle(pilot)
        focused, other = app.screen.query_one("#posture-west"), app.screen.query_one("#posture-north")
        assert app.focused is focused
        current, resting = focused.query_one("SelectCurrent"), other.query_one("SelectCurrent")
        assert current.styles.background != resting.styles.background
        label, label_resting = (app.screen.query_one(f"#row-{s} .label") for s in ("west", "north"))
        assert label.styles.text_style.reverse and not label_resting.styles.text_style.reverse
        await pilot.press("tab", "tab", "tab", "tab", "tab", "tab")  # down to the number fields
        await settle(pilot)
        number = app.focused
        assert isinstance(number, Input)
        resting_number = next(w for w in app.screen.query(Input) if w is not number and w.id != "command")
        assert number.styles.background != resting_number.styles.background
        assert number.styles.text_style.bold
