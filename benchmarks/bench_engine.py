"""Engine benchmarks: forecast latency, batch throughput, peak memory, speed-up over the pure-Python reference.

Run from the project folder:  .venv/bin/python benchmarks/bench_engine.py [--quick] [--scenario PATH]
Prints a table of medians. Not part of the test run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core: BLAS starts a thread per core for tall products (before numpy loads)

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the pure-Python reference is test code, kept beside the tests

from reference_engine import plain, reference_turn  # noqa: E402

from game.engine.batch import run_batch  # noqa: E402
from game.engine.directives import compile_orders  # noqa: E402
from game.engine.game import Game  # noqa: E402
from game.engine.policies import POLICIES  # noqa: E402
from game.engine.step import Model, advance  # noqa: E402
from game.scenario.load import load_scenario  # noqa: E402


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def memory_run(scenario: str, total: int, chunk: int) -> tuple[float, int, float]:
    """Play games in chunks until `total` replication-turns, in a fresh process; its peak RSS in MB."""
    code = f"""
import resource, sys, time
sys.path.insert(0, {str(ROOT)!r})
from game.engine.batch import run_batch
from game.engine.policies import POLICIES
from game.engine.step import Model
from game.scenario.load import load_scenario
model = Model(load_scenario({scenario!r}))
done, seed, t0 = 0, 0, time.perf_counter()
while done < {total}:
    done += run_batch(model, POLICIES["hold"], {chunk} * 10, seed=seed, chunk={chunk}).replication_turns
    seed += 1
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, done, time.perf_counter() - t0)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), int(out[1]), float(out[2])


def same_work(model: Model, policy, replications: int, seed: int, per_turn: int, runs: int) -> tuple[float, float, int]:
    """Kernel and reference timed on the same work: every turn of `replications` whole games, `runs` times.

    Each turn the kernel (`advance`: injects, dice and the turn, every live game at once) and the
    reference (`reference_turn`, one game at a time, on `per_turn` of the same games with the same
    orders) resolve the turn from the same states; the games then go on with the kernel's result.
    The reference leaves injects out, so the comparison leans its way. Returns the kernel's median
    and the reference's pooled replication-turns per second, and how many the reference played."""
    pick = np.random.default_rng(seed)
    dice = random.Random(seed)
    plain_params: dict[int, dict] = {}
    kernel_rates = []
    reference_time, reference_turns = 0.0, 0
    for run in range(runs):
        kernel_time, kernel_turns = 0.0, 0
        st = model.initial_state(replications)
        while st.R:
            params = model.variants(st)[0][0]
            d = policy.directives(params, st)
            t0 = time.perf_counter()
            new, _, _ = advance(model, st, d, seed + run, purpose="bench", factors=False)
            kernel_time += time.perf_counter() - t0
            kernel_turns += st.R
            rows = pick.choice(st.R, size=min(per_turn, st.R), replace=False)
            for row in rows:  # each game with its own parameter set (chance injects that change numbers)
                own = next(p for p, _ in model.variants(st.take(np.array([row]))))
                pp = plain_params.setdefault(id(own), plain(own))
                t0 = time.perf_counter()
                reference_turn(own, st, d, dice, row=int(row), pp=pp)
                reference_time += time.perf_counter() - t0
            reference_turns += rows.size
            st = new.take(~new.ended)
        kernel_rates.append(kernel_turns / kernel_time)
    return statistics.median(kernel_rates), reference_turns / reference_time, reference_turns


def reference_from_start(model: Model, orders) -> float:
    """The reference on turn 1 from the scenario's start with the default orders (the figure this benchmark used to divide by)."""
    p = model.base
    d = compile_orders(p, orders)
    st = model.initial_state(1)
    dice = random.Random(1)
    pp = plain(p)
    n = 300
    t0 = time.perf_counter()
    for _ in range(n):
        reference_turn(p, st, d, dice, pp=pp)
    return n / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "kursk-2025.yaml"))
    parser.add_argument("--quick", action="store_true", help="smaller runs (a minute instead of several)")
    parser.add_argument("--chunk", type=int, default=10_000)
    args = parser.parse_args()
    sc = load_scenario(args.scenario)
    model = Model(sc)
    policy = POLICIES["hold"]
    rows: list[tuple[str, str, str]] = []

    game = Game(sc, 1)
    orders = game.default_orders()
    game.forecast(orders)  # warm-up
    t = median_time(lambda: game.forecast(orders, replications=1000), 31)
    rows.append(("forecast, 1000 replications x 1 turn", f"{t * 1000:.1f} ms (median of 31)", "<= 30 ms"))

    sizes = [1, 1_000, 100_000] + ([] if args.quick else [1_000_000])
    best = 0.0
    for R in sizes:
        # whole games, as an analysis plays them: every turn until each game ends (finished games leave the chunk)
        runs = 5 if R <= 1_000 else 1 if R > 100_000 or args.quick else 3
        res = []
        for _ in range(runs):
            t0 = time.perf_counter()
            out = run_batch(model, policy, R, seed=3, chunk=min(args.chunk, R))
            res.append(out.replication_turns / (time.perf_counter() - t0))
        rate = statistics.median(res)
        best = max(best, rate)
        length = out.replication_turns / R
        rows.append(
            (
                f"batch throughput, R={R:,} (whole games, {length:.1f} turns on average, chunk {min(args.chunk, R):,})",
                f"{rate:,.0f} replication-turns/s (median of {runs})",
                ">= 200,000",
            )
        )

    total = 1_000_000 if args.quick else 10_000_000
    peak, done, elapsed = memory_run(args.scenario, total, args.chunk)
    rows.append(
        (
            f"peak memory, {done:,} replication-turns in chunks of {args.chunk:,} (fresh process)",
            f"{peak:.0f} MB peak RSS, {elapsed:.0f} s",
            "<= 500 MB",
        )
    )

    runs = 1 if args.quick else 3
    kernel_rate, ref_rate, sampled = same_work(model, policy, args.chunk, seed=3, per_turn=25, runs=runs)
    rows.append(
        (
            f"kernel on whole games: one turn for {args.chunk:,} replications at once (injects, dice, turn)",
            f"{kernel_rate:,.0f} replication-turns/s (median of {runs})",
            "",
        )
    )
    rows.append(
        (
            f"pure-Python reference on the same states and orders ({sampled} replication-turns)",
            f"{ref_rate:,.0f} replication-turns/s",
            "",
        )
    )
    rows.append(("speed-up of the kernel over the reference, same work", f"{kernel_rate / ref_rate:,.0f}x", ">= 100x"))
    rows.append(("speed-up of the best batch throughput over the reference", f"{best / ref_rate:,.0f}x", ">= 100x"))
    start_rate = reference_from_start(model, orders)
    rows.append(
        (
            "(pure-Python reference on turn 1 from the start, default orders)",
            f"{start_rate:,.0f} replication-turns/s",
            "",
        )
    )

    width = max(len(r[0]) for r in rows)
    print(f"Salient engine benchmarks: {Path(args.scenario).name}, Python {sys.version.split()[0]}")
    print(f"{'measure'.ljust(width)}  {'result':<48}  target")
    for name, value, target in rows:
        print(f"{name.ljust(width)}  {value:<48}  {target}")


if __name__ == "__main__":
    main()
