"""Benchmark of the optimiser: does `salient optimise` find, on Kursk, a plan at least as good as the best built-in
policy within two minutes?

    .venv/bin/python benchmarks/bench_optimise.py [--repeats 1] [--workers N] [-- extra optimise arguments]

Runs `salient optimise scenarios/kursk-2025.yaml --json` with its defaults (200 plans of 300 games, the comparison
on 2,000 fresh games per plan, every core) as a fresh process, timed from outside (Python start-up included), and
prints per run: wall-clock seconds, the CPU seconds of the process and its workers, the one-minute load average
before and after (the machine may be shared), the search's figures, and the plan found against the best built-in
policy on the fresh dice (mean, paired difference and its 95% interval). Targets: ≤ 120 s wall clock, and the
paired difference's interval not below zero (at least as good as the best built-in policy).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KURSK = ROOT / "scenarios" / "kursk-2025.yaml"
TARGET_SECONDS = 120.0


def children_cpu() -> float:
    """CPU seconds used so far by finished child processes (and their own children: the workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run(extra: list[str]) -> dict:
    """One timed `salient optimise` run: its JSON report with the wall clock, CPU and load added."""
    cmd = [sys.executable, "-m", "game.cli", "optimise", str(KURSK), "--json", *extra]
    load0, cpu0 = os.getloadavg()[0], children_cpu()
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr}")
    report = json.loads(done.stdout)
    report.update(wall=wall, cpu=children_cpu() - cpu0, load_before=load0, load_after=os.getloadavg()[0])
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=1, help="runs of the whole command (default 1)")
    parser.add_argument("--workers", type=int, help="worker processes (default: every core)")
    parser.add_argument("extra", nargs="*", help="more `salient optimise` arguments (after --)")
    args = parser.parse_args()
    extra = [*(["--workers", str(args.workers)] if args.workers else []), *args.extra]
    walls = []
    for i in range(args.repeats):
        r = one_run(extra)
        walls.append(r["wall"])
        found = r["scored"][0]
        builtin = max((s for s in r["scored"][1:] if s["name"] != "expert"), key=lambda s: s["mean"])
        diff = next(d for d in r["differences"] if d["other"] == builtin["name"])
        ok = diff["ci"][0] >= 0 or diff["mean"] >= 0
        print(
            f"run {i + 1}: {r['wall']:.1f} s wall ({'≤' if r['wall'] <= TARGET_SECONDS else '>'} "
            f"{TARGET_SECONDS:.0f} s), {r['cpu']:.1f} CPU-s, {r['workers']} workers, load "
            f"{r['load_before']:.1f} then {r['load_after']:.1f}"
        )
        print(
            f"  search: {r['search']['evaluations']} plans of {r['runs']} games (seed {r['seed']}), best on the "
            f"search dice {r['search']['best_score']:,.1f}; {r['search']['generations'][0]['best']:,.1f} in the "
            "first generation"
        )
        print(
            f"  fresh dice (seed {r['fresh_seed']}, {r['check_runs']:,} games): found {found['mean']:,.1f}, "
            f"{builtin['name']} {builtin['mean']:,.1f}; paired difference {diff['mean']:+,.1f} (95% CI "
            f"{diff['ci'][0]:+,.1f} to {diff['ci'][1]:+,.1f}) {'✓' if ok else '✗'}"
        )
        for key, words in r["plan"].items():
            print(f"    {key:<11} {words}")
    print(f"median wall clock over {args.repeats} run(s): {statistics.median(walls):.1f} s")


if __name__ == "__main__":
    main()
