"""Sweep benchmark: a Kursk sweep of 1,000 design points × 1,000 games × 20 turns on every core, against
`run_batch` alone on the same points, both in replication-turns per CPU-second.

Run from the project folder:  .venv/bin/python benchmarks/bench_sweep.py [--points N] [--runs N] [--repeats N]
Needs the sweep extra (SALib). Prints the machine's load before and after, each repetition, and medians.

- The sweep: the ten parameters of scenarios/sweeps/kursk-assumptions.yaml on a Latin hypercube of `--points`
  points, `--runs` games of `--turns` turns each under the `hold` policy, on `--workers` processes
  (`game.analysis.sweep_session.run_sweep`, results written to a temporary folder). Wall time, and CPU time of
  this process and of the pool's workers (getrusage of self and children: the pool's workers are reaped when the
  sweep ends), around loading the sweep file, building the design and playing every task.
- `run_batch` alone: the same design points, `--baseline-points` of them evenly spread over the design, one
  after another in this process; CPU time (`time.process_time`) of the `run_batch` calls only, not of building
  each point's scenario and model.
- Replication-turns are those actually played (`BatchResult.replication_turns`: a game that ends early stops
  counting), for both; the nominal size (points × runs × turns) is printed beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one thread per process: the pool supplies the parallelism

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from game.analysis.sweep_design import build_design  # noqa: E402
from game.analysis.sweep_session import run_sweep  # noqa: E402
from game.engine.batch import run_batch  # noqa: E402
from game.engine.policies import POLICIES  # noqa: E402
from game.engine.step import Model  # noqa: E402
from game.scenario.sweep_spec import load_sweep, scenario_with  # noqa: E402

SHIPPED = ROOT / "scenarios" / "sweeps" / "kursk-assumptions.yaml"


def spec_text(points: int, runs: int, turns: int) -> str:
    """The shipped sweep's parameters on a Latin hypercube, one policy."""
    shipped = load_sweep(SHIPPED, POLICIES).spec
    data = {
        "scenario": str(ROOT / "scenarios" / "kursk-2025.yaml"),
        "seed": 0,
        "runs": runs,
        "turns": turns,
        "design": {"kind": "latin", "points": points},
        "policies": ["hold"],
        "parameters": [p.model_dump(exclude_none=True) for p in shipped.parameters],
    }
    return json.dumps(data, indent=1)  # JSON is YAML


def cpu_seconds() -> float:
    """User and system time of this process and of every child it has waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def one_sweep(spec: Path, workers: int) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and replication-turns of the whole sweep, written to a fresh folder."""
    with tempfile.TemporaryDirectory() as folder:
        wall, cpu = time.perf_counter(), cpu_seconds()
        outcome = run_sweep(load_sweep(spec, POLICIES), Path(folder) / "bench", workers=workers, fresh=True)
        return time.perf_counter() - wall, cpu_seconds() - cpu, outcome.replication_turns


def run_batch_alone(spec: Path, count: int) -> tuple[float, int]:
    """CPU seconds of `run_batch` alone on `count` points spread over the design, and their replication-turns."""
    loaded = load_sweep(spec, POLICIES)
    design = build_design(loaded.spec, loaded.scenario)
    chosen = sorted({round(i * (len(design) - 1) / max(count - 1, 1)) for i in range(count)})
    cpu, turns = 0.0, 0
    for index in chosen:
        model = Model(scenario_with(loaded.scenario, design.point(index)))
        t = time.process_time()
        result = run_batch(
            model,
            POLICIES["hold"],
            loaded.spec.runs,
            turns=loaded.spec.turns,
            seed=loaded.spec.seed,
            chunk=loaded.spec.runs,
        )
        cpu += time.process_time() - t
        turns += result.replication_turns
    return cpu, turns


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline-points", type=int, default=100)
    args = parser.parse_args()
    nominal = args.points * args.runs * args.turns
    print(f"load before: {load()}")
    with tempfile.TemporaryDirectory() as folder:
        spec = Path(folder) / "bench-sweep.yaml"
        spec.write_text(spec_text(args.points, args.runs, args.turns), encoding="utf-8")
        sweeps, batches = [], []
        for repeat in range(1, args.repeats + 1):
            wall, cpu, turns = one_sweep(spec, args.workers)
            sweeps.append((wall, cpu, turns / cpu))
            print(
                f"sweep {repeat}: {args.points} points x {args.runs} runs x {args.turns} turns ({nominal:,} nominal, "
                f"{turns:,} played) on {args.workers} workers: {wall:.1f} s wall, {cpu:.1f} CPU-s, "
                f"{turns / cpu:,.0f} replication-turns per CPU-s, {turns / wall:,.0f} per wall second",
                flush=True,
            )
            cpu_b, turns_b = run_batch_alone(spec, args.baseline_points)
            batches.append(turns_b / cpu_b)
            print(
                f"run_batch alone {repeat}: {args.baseline_points} of the points, {turns_b:,} replication-turns in "
                f"{cpu_b:.1f} CPU-s: {turns_b / cpu_b:,.0f} per CPU-s; sweep / run_batch = "
                f"{sweeps[-1][2] / batches[-1]:.3f}",
                flush=True,
            )
    wall = statistics.median(s[0] for s in sweeps)
    rate = statistics.median(s[2] for s in sweeps)
    base = statistics.median(batches)
    print(
        f"median: sweep {wall:.1f} s wall, {rate:,.0f} replication-turns per CPU-s; run_batch alone "
        f"{base:,.0f} per CPU-s; ratio {rate / base:.3f} (target >= 0.90)"
    )
    print(f"load after: {load()}")


if __name__ == "__main__":
    main()
