"""`salient ARGS…` with the app run headless: the same command line, checks and crash handling as a terminal,
with a pilot that waits for the first settled screen, opens the Continue tab when it is the title screen
(so every save in the folder is read and listed), and then leaves without saving. With `--turns N` first, it
starts the game from its briefing and ends N turns (e, then y to confirm) before it leaves.

    python tests/hostile/headless.py play --load SAVE
    python tests/hostile/headless.py --turns 2 play SCENARIO --seed 1
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

SETTLE_S = 20.0
"""Longest wait for the first screen (a loaded two-core machine is slow to start an app)."""


TURNS = 0
"""Turns to end before leaving (set by `--turns`)."""


async def _drive(pilot: Any) -> None:
    from game.tui.screens.briefing import BriefingScreen
    from game.tui.screens.play import PlayScreen
    from game.tui.screens.title import TitleScreen

    app = pilot.app
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_S
    while type(app.screen).__name__ in ("Screen", "_DefaultScreen") and loop.time() < deadline:
        await pilot.pause(0.05)
    await pilot.pause(0.2)
    if isinstance(app.screen, TitleScreen):
        await pilot.press("c")
    if TURNS and isinstance(app.screen, BriefingScreen):
        await pilot.press("enter")
        while not isinstance(app.screen, PlayScreen) and loop.time() < deadline:
            await pilot.pause(0.05)
    for _ in range(TURNS):
        await app.workers.wait_for_complete()
        await pilot.press("e")
        await pilot.pause(0.3)
        await pilot.press("y")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
    app.exit()


def main(argv: list[str]) -> int:
    """Run the command line with the app patched to run headless under the pilot above."""
    from game.cli import main as cli_main
    from game.tui.app import SalientApp

    original = SalientApp.run

    def headless_run(self: SalientApp, **_: object) -> None:
        original(self, headless=True, size=(100, 30), auto_pilot=_drive)

    SalientApp.run = headless_run  # type: ignore[method-assign,assignment]
    global TURNS
    if argv[:1] == ["--turns"]:
        TURNS, argv = int(argv[1]), argv[2:]
    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
