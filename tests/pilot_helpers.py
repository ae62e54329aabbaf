"""Helpers for driving the app in tests (Textual's Pilot): typing, waiting for the forecast, stable snapshots.

Snapshots are SVG screenshots compared with files committed in `tests/snapshots/`; set
`SALIENT_UPDATE_SNAPSHOTS=1` to rewrite them after an intended change (then look at them).
"""

from __future__ import annotations

import asyncio
import io
import os
import tempfile
from pathlib import Path

from rich.console import Console
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

UPDATE_ENV = "SALIENT_UPDATE_SNAPSHOTS"


async def settle(pilot: Pilot[object], delay: float = 0.0) -> None:
    """Let timers, workers (the forecast) and refreshes finish."""
    await pilot.pause(delay)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def reach(pilot: Pilot[object], screen: type | tuple[type, ...], timeout: float = 10.0) -> None:
    """Wait until `screen` is the active screen and settled (a loaded machine can be slow to switch)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not isinstance(pilot.app.screen, screen):
        if loop.time() > deadline:
            raise AssertionError(f"{screen} never came up (on {type(pilot.app.screen).__name__})")
        await pilot.pause(0.02)
    await settle(pilot)


async def type_line(pilot: Pilot[object], text: str, enter: bool = True) -> None:
    """Type `text` key by key into whatever has focus, then press enter."""
    await pilot.press(*text)
    if enter:
        await pilot.press("enter")


async def command(pilot: Pilot[object], text: str, *, typed: bool = False) -> None:
    """Go to the command line with `:` (unless already there), enter a command and submit it.

    The text is pasted (one event, as a terminal delivers a paste) unless `typed`, which presses each
    key: Pilot takes some 60 ms a key, so long games are pasted to keep the tests quick.
    """
    if not isinstance(pilot.app.focused, Input) or pilot.app.focused.id != "command":
        await pilot.press("colon")
    if typed:
        await type_line(pilot, text)
        return
    pilot.app.focused.post_message(events.Paste(text))  # type: ignore[union-attr]
    await pilot.pause()
    await pilot.press("enter")


def freeze(pilot: Pilot[object]) -> None:
    """Stop cursors blinking so screenshots do not depend on timing."""
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False


def snapshot_svg(pilot: Pilot[object], name: str) -> str:
    """The current screen as SVG, with a fixed title so the file depends only on what is shown."""
    freeze(pilot)
    return pilot.app.export_screenshot(title=f"salient {name}")


def screen_text(pilot: Pilot[object]) -> str:
    """The current screen as plain text, row by row — what a player reads, for asserting on layout.

    Drawn the way `App.export_screenshot` draws its SVG (Textual has no public text export).
    """
    app = pilot.app
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        record=True,
        color_system=None,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def check_snapshot(folder: Path, name: str, svg: str) -> None:
    """Compare with `folder/<name>.svg`, or write it when updating; an AssertionError names the file."""
    path = folder / f"{name}.svg"
    if os.environ.get(UPDATE_ENV) == "1":
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(svg, encoding="utf-8")
        return
    if not path.exists():
        raise AssertionError(f"no snapshot {path}; run with {UPDATE_ENV}=1 to create it, then look at it")
    if path.read_text(encoding="utf-8") != svg:
        failed = Path(tempfile.gettempdir()) / "salient-snapshots" / f"{name}.failed.svg"
        failed.parent.mkdir(parents=True, exist_ok=True)
        failed.write_text(svg, encoding="utf-8")
        raise AssertionError(
            f"{name} differs from {path} (new rendering in {failed}; a change in the "
            f"engine's numbers shows here too; {UPDATE_ENV}=1 accepts it)"
        )
