"""Snapshots of every screen at 80×24 and 120×40, compared with the SVGs in tests/snapshots/.

Run with SALIENT_UPDATE_SNAPSHOTS=1 to rewrite them after an intended change, then look at them.
Stable by construction: fixed seed, fixed save name and folder, one scenario listed, no clock on
screen, cursors frozen, the forecast worker awaited before each picture.
"""

from __future__ import annotations

import fcntl
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pilot_helpers import check_snapshot, command, reach, settle, snapshot_svg

from game.tui.app import LaunchOptions, SalientApp
from game.tui.screens import title
from game.tui.screens.briefing import BriefingScreen
from game.tui.screens.end import EndScreen
from game.tui.screens.help import HelpScreen
from game.tui.screens.play import PlayScreen
from game.tui.screens.result import ResultScreen
from game.tui.screens.title import TitleScreen
from game.tui.screens.transcript import TranscriptScreen

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"
SNAPSHOTS = Path(__file__).parent / "snapshots"
HOME = Path(tempfile.gettempdir()) / "salient-snapshot-home"


@pytest.fixture(autouse=True)
def fixed_home(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The same data folder on every run, so the save path shown on the end screen never changes.

    Held under a lock: two checkouts tested at once on one machine would otherwise empty it under each other.
    """
    with open(f"{HOME}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        shutil.rmtree(HOME, ignore_errors=True)
        monkeypatch.setenv("SALIENT_HOME", str(HOME))
        monkeypatch.setattr(title, "find_scenarios", lambda: [TUTORIAL])
        yield HOME


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_every_screen(size: tuple[int, int]) -> None:
    tag = f"{size[0]}x{size[1]}"
    app = SalientApp(LaunchOptions(scenario=TUTORIAL, seed=1234, save_path=HOME / "saves" / "tutorial-1234.jsonl"))
    async with app.run_test(size=size) as pilot:
        await reach(pilot, TitleScreen)
        check_snapshot(SNAPSHOTS, f"title-{tag}", snapshot_svg(pilot, "title"))
        await pilot.press("s")  # start: the briefing
        await reach(pilot, BriefingScreen)
        check_snapshot(SNAPSHOTS, f"briefing-{tag}", snapshot_svg(pilot, "briefing"))
        await pilot.press("enter")  # take command: the play screen, forecast computed
        await reach(pilot, PlayScreen)
        await settle(pilot, 0.4)
        check_snapshot(SNAPSHOTS, f"play-{tag}", snapshot_svg(pilot, "play"))
        await pilot.press("2")  # the orders tab with the advisor's forecast
        await settle(pilot)
        check_snapshot(SNAPSHOTS, f"orders-{tag}", snapshot_svg(pilot, "orders"))
        await pilot.press("tab", "tab")  # the second field has the keyboard: it must stand out
        await settle(pilot)
        check_snapshot(SNAPSHOTS, f"orders-field-{tag}", snapshot_svg(pilot, "orders-field"))
        await pilot.press("3")  # the forecast tab; its pane takes the keyboard (bar on the left)
        await settle(pilot)
        check_snapshot(SNAPSHOTS, f"forecast-{tag}", snapshot_svg(pilot, "forecast"))
        await pilot.press("4")  # forces and the enemy estimate
        await settle(pilot)
        check_snapshot(SNAPSHOTS, f"forces-{tag}", snapshot_svg(pilot, "forces"))
        await pilot.press("1", "question_mark")
        await reach(pilot, HelpScreen)
        check_snapshot(SNAPSHOTS, f"help-{tag}", snapshot_svg(pilot, "help"))
        await pilot.press("escape")
        await reach(pilot, PlayScreen)
        await command(pilot, "look")  # the command line in use: its log grows and shows the answer from the top
        await settle(pilot)
        check_snapshot(SNAPSHOTS, f"console-{tag}", snapshot_svg(pilot, "console"))
        await pilot.press("ctrl+t")  # the whole transcript
        await reach(pilot, TranscriptScreen)
        check_snapshot(SNAPSHOTS, f"transcript-{tag}", snapshot_svg(pilot, "transcript"))
        await pilot.press("escape")
        await reach(pilot, PlayScreen)
        await command(pilot, "end")
        await reach(pilot, ResultScreen)
        check_snapshot(SNAPSHOTS, f"result-{tag}", snapshot_svg(pilot, "result"))
        while not isinstance(app.screen, EndScreen):
            await pilot.press("enter")
            await reach(pilot, (PlayScreen, EndScreen))
            if not isinstance(app.screen, EndScreen):
                await command(pilot, "end")
                await reach(pilot, ResultScreen)
        check_snapshot(SNAPSHOTS, f"end-{tag}", snapshot_svg(pilot, "end"))
