"""Benchmark the debrief: luck against judgement for a whole 20-turn Kursk game, and `salient aar`.

Targets (one core): the luck analysis — 20 decisions × 1,000 replications × (the trainee's orders and four
alternatives: three standing policies and the default orders) — in 10 s or less; `salient aar` for the same
game in 2 s or less (with the analysis already remembered in the journal, as after the first review).

Run:  .venv/bin/python benchmarks/bench_debrief.py [--repeats 5]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core: set before numpy is imported

import argparse  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
KURSK = ROOT / "scenarios" / "kursk-2025.yaml"
SEED = 0


def pin_one_core() -> str:
    """Pin this process (and its children) to one CPU where the platform allows it."""
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity here)"


def trainee(game):
    """A trainee who digs in everywhere and runs the road carefully: this game lasts all 20 turns."""
    from game.engine.policies import POLICIES

    orders = POLICIES["hold_sudzha_road"](game)
    return orders.model_copy(update={"postures": dict.fromkeys(orders.postures, "fortify")})


def progress_bar(done: int, total: int) -> None:
    """A progress bar on standard error."""
    width = 40
    fill = int(width * done / total)
    sys.stderr.write(f"\r  [{'#' * fill}{'.' * (width - fill)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    pinned = pin_one_core()

    from game.debrief import luck_cache
    from game.debrief.luck import analyse, case_ids
    from game.record.journal import load_journal
    from game.record.selfplay import play_journaled
    from game.scenario.load import load_scenario

    work = Path(tempfile.mkdtemp(prefix="salient-bench-"))
    try:
        save = work / "kursk-20.jsonl"
        game = play_journaled(
            load_scenario(KURSK),
            SEED,
            save,
            trainee,
            scenario_path=str(KURSK),
            trainee="benchmark",
            forecast_replications=1000,
        )
        loaded = load_journal(save)
        print(f"game: {KURSK.name}, seed {SEED}, {len(loaded.turns)} turns ({game.ending}); {pinned}")
        assert len(loaded.turns) == 20, "the benchmark game must last 20 turns"

        luck_times = []
        report = None
        for i in range(args.repeats):
            start = time.perf_counter()
            report = analyse(loaded, replications=1000, progress=progress_bar if i == 0 else None)
            luck_times.append(time.perf_counter() - start)
        assert report is not None
        alternatives = len(report.cases) - 1
        print(f"luck against judgement: 20 decisions × 1,000 replications × (trainee + {alternatives} alternatives)")
        print(
            f"  median {statistics.median(luck_times):.2f} s (runs: {', '.join(f'{t:.2f}' for t in luck_times)}) "
            f"— target ≤ 10 s; verdict: {report.verdict}"
        )

        luck_cache.store(loaded, luck_cache.cache_key(loaded, 1000, 1, case_ids()), report)
        salient = shutil.which("salient", path=str(Path(sys.executable).parent)) or "salient"
        env = {**os.environ, "SALIENT_HOME": str(work / "home")}
        for label, extra in (
            ("salient aar (analysis remembered)", []),
            ("salient aar --no-luck", ["--no-luck"]),
            ("salient aar --format html (analysis remembered)", ["--format", "html"]),
        ):
            command = [salient, "aar", str(save), "-o", str(work / "review.out"), *extra]
            times = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                subprocess.run(command, check=True, env=env, capture_output=True)
                times.append(time.perf_counter() - start)
            shown = " ".join(["salient", "aar", "SAVE", "-o", "FILE", *extra])
            print(
                f"{label}: median {statistics.median(times):.2f} s "
                f"(runs: {', '.join(f'{t:.2f}' for t in times)}) — target ≤ 2 s; command: {shown}"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"command: {Path(sys.executable).name} benchmarks/bench_debrief.py --repeats {args.repeats}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
