"""The after-action review screen at 80×24 and 120×40: whole legends, round axis ticks, every curve inside its
plot, timeline rows wrapped rather than cut, and a snapshot of each tab (tests/snapshots/aar-*.svg)."""

from __future__ import annotations

import itertools
import math
import shutil
import tempfile
from pathlib import Path

import pytest
from debrief_games import play
from pilot_helpers import check_snapshot, snapshot_svg
from screen_text import screen_lines

SNAPSHOTS = Path(__file__).parent / "snapshots"
SIZES = [(80, 24), (120, 40)]
TABS = ("aar-review", "aar-timeline", "aar-curves", "aar-decisions", "aar-whatifs")


@pytest.fixture(scope="module")
def saves() -> dict[str, Path]:
    """A tutorial and a Kursk game, in a fixed folder (the review shows no path, but keep it stable anyway)."""
    folder = Path(tempfile.gettempdir()) / "salient-aar-layout"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return {"tutorial": play(folder, "tutorial", "hold", 1), "kursk": play(folder, "kursk", "hold", 1)}


@pytest.fixture(autouse=True)
def quick_luck(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A small luck analysis, so a whole Kursk game is weighed in a second (the layout is the same at any R)."""
    from game.tui.screens import aar

    monkeypatch.setattr(aar, "LUCK_REPLICATIONS", 20)
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))


async def open_review(pilot, save: Path):  # type: ignore[no-untyped-def]
    from game.tui.screens.aar import AarScreen

    pilot.app.push_screen(AarScreen(save))
    for _ in range(6):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, AarScreen) and screen.aar is not None and screen.aar.luck is not None
    return screen


async def show_tab(pilot, screen, tab: str) -> None:  # type: ignore[no-untyped-def]
    screen.query_one("#aar-tabs").active = tab
    for _ in range(3):
        await pilot.pause()
    await pilot.wait_for_scheduled_animations()  # the tab's underline slides: picture it where it stops
    await pilot.pause()


def plot_rows(lines: list[str]) -> tuple[int, int]:
    top = next(i for i, line in enumerate(lines) if "┏" in line)
    bottom = next(i for i, line in enumerate(lines) if "┗" in line)
    return top, bottom


def is_round_step(step: float) -> bool:
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
    return any(abs(mantissa - m) < 1e-6 for m in (1.0, 2.0, 5.0))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("game", ["tutorial", "kursk"])
async def test_every_chart_has_round_ticks_a_whole_legend_and_its_curves_inside(saves, game: str, size) -> None:
    from game.debrief.text import chart_groups
    from game.tui.app import SalientApp
    from game.tui.screens.aar import MARKERS

    app = SalientApp()
    async with app.run_test(size=size) as pilot:
        screen = await open_review(pilot, saves[game])
        await show_tab(pilot, screen, "aar-curves")
        groups = chart_groups(screen.aar)
        for index, (title, _unit, curves) in enumerate(groups):
            lines = screen_lines(snapshot_svg(pilot, "chart"))
            assert any(
                line.strip().endswith(f"chart {index + 1} of {len(groups)} (keys ] and [)") and title in line
                for line in lines
            ), lines  # the title whole, not cut
            text = "\n".join(lines)
            for i, curve in enumerate(curves):  # each legend item whole on one line
                assert f"{MARKERS[i % len(MARKERS)]} {curve.label}" in text, (title, curve.label, lines)
            top, bottom = plot_rows(lines)
            labels = [line.split("┫")[0].strip() for line in lines[top : bottom + 1] if "┫" in line]
            ticks = sorted(float(label.replace(",", "")) for label in labels)
            steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
            assert len(steps) == 1 and is_round_step(steps.pop()), labels
            assert all("." not in label or len(label.split(".")[1]) <= 2 for label in labels), labels
            values = [v for c in curves for v in c.values]
            assert ticks[0] <= min([*values, 0.0]) and ticks[-1] >= max(values), (labels, values)
            if len(curves) == 1:  # every point's marker inside the frame, none on it or beyond
                inside = "".join(
                    line[line.index("┫") + 1 : line.rindex("┣")]
                    if "┫" in line
                    else line[line.index("┃") + 1 : line.rindex("┃")]
                    for line in lines[top + 1 : bottom]
                )
                assert inside.count(MARKERS[0]) == len(curves[0].values), (title, lines[top : bottom + 1])
            await pilot.press("right_square_bracket")
            await pilot.pause()
            await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
async def test_the_timeline_wraps_its_rows_and_never_scrolls_sideways(saves, size) -> None:
    from textual.widgets import DataTable

    from game.tui.app import SalientApp

    app = SalientApp()
    async with app.run_test(size=size) as pilot:
        screen = await open_review(pilot, saves["kursk"])
        await show_tab(pilot, screen, "aar-timeline")
        table = screen.query_one("#aar-timeline-table", DataTable)
        assert table.row_count == len(screen.aar.timeline)
        assert table.virtual_size.width <= table.size.width, (table.virtual_size, table.size)
        lines = screen_lines(snapshot_svg(pilot, "timeline"))
        header = next(line for line in lines if line.strip().startswith("Turn"))
        assert header.split() == ["Turn", "When", "What"]
        first = screen.aar.timeline[0]
        words = " ".join(" ".join(lines).split())
        assert " ".join(first.text.split()) in words  # the first event whole, across its wrapped lines


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
async def test_snapshot_of_each_tab(saves, size) -> None:
    from game.tui.app import SalientApp

    tag = f"{size[0]}x{size[1]}"
    app = SalientApp()
    async with app.run_test(size=size) as pilot:
        screen = await open_review(pilot, saves["tutorial"])
        for tab in TABS:
            await show_tab(pilot, screen, tab)
            svg = snapshot_svg(pilot, tab)
            head = " ".join(" ".join(screen_lines(svg)[:3]).split())
            assert head.startswith("AFTER-ACTION REVIEW") and screen.aar.luck.verdict in head, head  # whole
            check_snapshot(SNAPSHOTS, f"aar-{tab.removeprefix('aar-')}-{tag}", svg)
