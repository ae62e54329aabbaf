"""Benchmarks of the TUI: start-up to the first interactive screen, and ending a turn to its result on screen.

    .venv/bin/python benchmarks/bench_tui.py [--runs 7] [--scenario scenarios/kursk-2025.yaml]

Start-up runs a fresh interpreter each time (as `salient` does): import the command line, build the
app, run it headless until the title screen lists its scenarios; the wall time of the whole process
is measured from outside. Targets: start-up ≤ 1.5 s, end of turn → result ≤ 200 ms (forecast
included: the forecast of the final orders is computed cold, as when orders change just before `e`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

STARTUP = r"""
import asyncio
from game.cli import build_parser
build_parser()
from game.tui.app import SalientApp
from game.tui.screens.title import TitleScreen

async def main():
    app = SalientApp()
    async with app.run_test(size=(80, 24)) as pilot:
        while not (isinstance(app.screen, TitleScreen) and app.screen.infos):
            await pilot.pause(0.005)
asyncio.run(main())
"""


def bench_startup(runs: int) -> list[float]:
    """Seconds from launching Python to the title screen listing its scenarios, one per run."""
    times = []
    env = {**os.environ, "SALIENT_HOME": tempfile.mkdtemp(prefix="salient-bench-")}
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", STARTUP], check=True, cwd=ROOT, env=env)
        times.append(time.perf_counter() - start)
    return times


async def bench_turns(scenario: Path, runs: int) -> list[float]:
    """Seconds from confirming the end of a turn to the result screen's first refresh, one per turn."""
    from game.scenario.load import load_scenario
    from game.tui.app import SalientApp
    from game.tui.screens.play import PlayScreen
    from game.tui.screens.result import ResultScreen
    from game.tui.session import Session

    os.environ["SALIENT_HOME"] = tempfile.mkdtemp(prefix="salient-bench-")
    session = Session.new(load_scenario(scenario), str(scenario), seed=2025)
    app = SalientApp(session=session)
    times = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        for turn in range(runs):
            if session.game.finished:
                break
            screen = app.screen
            assert isinstance(screen, PlayScreen)
            orders = session.orders.model_copy(
                update={"convoys": session.orders.convoys.model_copy(update={"night": turn % 5})}
            )
            session.change(orders)  # new orders: the forecast must be computed again
            start = time.perf_counter()
            screen.end_turn()
            while not isinstance(app.screen, ResultScreen):
                await asyncio.sleep(0)
            painted = asyncio.Event()
            app.screen.call_after_refresh(painted.set)  # after the result screen's first refresh
            await painted.wait()
            times.append(time.perf_counter() - start)
            await pilot.press("enter")
            await pilot.pause(0.3)
            await app.workers.wait_for_complete()
    return times


def report(name: str, times: list[float], target: float) -> None:
    median = statistics.median(times)
    verdict = "ok" if median <= target else "OVER TARGET"
    print(
        f"{name}: median {median * 1000:.0f} ms over {len(times)} runs "
        f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}; target {target * 1000:.0f} ms) {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "kursk-2025.yaml")
    args = parser.parse_args()
    report("start-up to title screen", bench_startup(args.runs), 1.5)
    report("end turn to result (forecast included)", asyncio.run(bench_turns(args.scenario, args.runs)), 0.2)


if __name__ == "__main__":
    main()
