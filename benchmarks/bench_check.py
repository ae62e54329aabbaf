"""Benchmarks of many games at once: `salient check` on every core, its memory, and the cost of a bigger map.

    .venv/bin/python benchmarks/bench_check.py [--runs 100000] [--repeats 3] [--memory-runs 1000000]
                                               [--skip-memory] [--skip-speed] [--skip-scaling]

1. Parallel speed-up: `salient check scenarios/kursk-2025.yaml --runs N` (default 100,000) as a fresh process with
   `--workers 1` and with `--workers 2`, one after the other `--repeats` times (wall-clock, Python start-up
   included); the ratio of each pair, and the medians. Target ≥ 1.8×. Both print the same report (checked).
   The CPU seconds of each (the command and its workers) are printed too: on a machine shared with other work
   the wall-clock ratio measures the load as much as the pool, while CPU-s(2 workers) ÷ CPU-s(1) ≈ 1 says the
   work itself did not grow, so an idle 2-core machine gives ≈ 2× less the serial parts.
2. Peak memory of `salient check scenarios/kursk-2025.yaml --runs 1000000 --workers 2`: the resident memory of the
   command and its workers summed, sampled every 0.2 s from /proc (the peak of the sum, not the sum of the peaks).
   Target ≤ 500 MB.
3. Cost per sector-unit: `run_batch` with the `hold` policy, 10,000 whole games in one chunk, on Kursk (5 sectors,
   14 units) and on its 40-sector copy (benchmarks/scaled_scenario.py: 8 times the sectors and units); CPU time
   per replication-turn, the ratio of the two divided by 8, median of `--repeats` interleaved pairs. Target ≤ 1.3×.

The machine's load average is printed first and last: the figures are only comparable at a similar load.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

KURSK = ROOT / "scenarios" / "kursk-2025.yaml"
SALIENT = (
    [sys.executable, "-m", "game.cli"]
    if not (ROOT / ".venv" / "bin" / "salient").exists()
    else [str(ROOT / ".venv" / "bin" / "salient")]
)


def load() -> str:
    """The load averages over 1, 5 and 15 minutes."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (0 for those gone)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total


def _children_cpu() -> float:
    """CPU seconds used so far by the processes this one has waited for (and theirs)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_check(runs: int, workers: int, watch: bool = False) -> tuple[float, str, int, float]:
    """(wall seconds, report, peak resident bytes of the whole process tree when `watch`, CPU seconds)."""
    argv = [*SALIENT, "check", str(KURSK), "--runs", str(runs), "--workers", str(workers)]
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    peak = 0
    if watch:
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.2)
    out, _ = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"salient check failed ({proc.returncode}):\n{out}")
    return seconds, out, peak, _children_cpu() - cpu


def speed(runs: int, repeats: int) -> None:
    ratios, one, two = [], [], []
    for i in range(repeats):
        t1, r1, _, c1 = run_check(runs, 1)
        t2, r2, _, c2 = run_check(runs, 2)
        assert r1 == r2, "the report differs between one worker and two"
        one.append(t1)
        two.append(t2)
        ratios.append(t1 / t2)
        print(
            f"  pair {i + 1}: 1 worker {t1:.1f} s ({c1:.1f} CPU-s), 2 workers {t2:.1f} s ({c2:.1f} CPU-s), "
            f"speed-up {t1 / t2:.2f}x, CPU-s of 2 workers ÷ 1: {c2 / c1:.2f} (load {load()})"
        )
    print(
        f"salient check --runs {runs:,}: 1 worker {statistics.median(one):.1f} s, 2 workers "
        f"{statistics.median(two):.1f} s (medians); speed-up median {statistics.median(ratios):.2f}x (target ≥ 1.8x)"
    )


def memory(runs: int) -> None:
    seconds, _, peak, _ = run_check(runs, 2, watch=True)
    print(
        f"salient check --runs {runs:,} --workers 2: peak resident memory of the process tree "
        f"{peak / 2**20:,.0f} MB (target ≤ 500 MB), {seconds:.0f} s"
    )


def scaling(repeats: int) -> None:
    from scaled_scenario import scaled_copy

    from game.engine.batch import run_batch
    from game.engine.policies import POLICIES
    from game.engine.step import Model
    from game.scenario.load import load_scenario

    small, big = Model(load_scenario(KURSK)), Model(scaled_copy(KURSK, 8))

    def per_turn(model: Model) -> float:
        t = time.process_time()
        done = run_batch(model, POLICIES["hold"], 10_000, seed=1, chunk=10_000)
        return (time.process_time() - t) / done.replication_turns

    per_turn(small), per_turn(big)  # warm-up
    ratios, a, b = [], [], []
    for _ in range(repeats):
        x, y = per_turn(small), per_turn(big)
        a.append(x)
        b.append(y)
        ratios.append(y / x / 8)
    print(
        f"hold, 10,000 games: Kursk {1 / statistics.median(a):,.0f} replication-turns per CPU-second, the "
        f"40-sector copy {1 / statistics.median(b):,.0f}; cost per sector-unit {statistics.median(ratios):.2f}x "
        f"Kursk's (median of {repeats}, target ≤ 1.3x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--memory-runs", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-scaling", action="store_true")
    args = parser.parse_args()
    print(f"load average {load()} on {os.cpu_count()} cores")
    if not args.skip_scaling:
        scaling(max(args.repeats, 5))
    if not args.skip_speed:
        speed(args.runs, args.repeats)
    if not args.skip_memory:
        memory(args.memory_runs)
    print(f"load average {load()}")


if __name__ == "__main__":
    main()
