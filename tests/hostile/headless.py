"""`salient ARGS…` with the app run headless: the same command line, checks and crash handling as a terminal,
with a pilot that waits for the first settled screen, opens the Continue tab when it is the title screen
(so every save in the folder is read and listed), and then leaves without saving.

    python tests/hostile/headless.py play --load SAVE
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

SETTLE_S = 20.0
"""Longest wait for the first screen (a loaded two-core machine is slow to start an app)."""


async def _drive(pilot: Any) -> None:
    from game.tui.screens.title import TitleScreen

    app = pilot.app
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_S
    while type(app.screen).__name__ in ("Screen", "_DefaultScreen") and loop.time() < deadline:
        await pilot.pause(0.05)
    await pilot.pause(0.2)
    if isinstance(app.screen, TitleScreen):
        await pilot.press("c")
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
    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
