"""`salient sweep SPEC.yaml`: play a scenario over a design of parameter values, on every core or on a Dask cluster.

Results go to `PREFIX.jsonl` and `PREFIX.csv` (default PREFIX: the sweep file's name without `.yaml`, in the
current folder), appended as each task finishes; run the same command again after an interruption and the
sweep continues where it stopped. `--report md|html` adds the Sobol' sensitivity report (`PREFIX.md` or
`PREFIX.html`) once every task is in. `--schema` prints the JSON Schema of sweep files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `sweep` to the command line."""
    parser = subparsers.add_parser(
        "sweep",
        help="play a scenario over a design of parameter values (process pool or Dask) and rank its assumptions",
        description="Play every design point of a sweep file (parameters by scenario path; a grid, Latin "
        "hypercube or Sobol' design; policies or orders files; runs per point) on the same dice, on a local "
        "process pool or on a Dask distributed cluster. Results are written in long format to PREFIX.jsonl and "
        "PREFIX.csv as each task finishes; running the command again continues an interrupted sweep. With "
        "--report, the Sobol' first- and total-order indices of every output are written as a report naming "
        "each parameter's provenance (fact or assumption).",
    )
    parser.add_argument("spec", metavar="SPEC", nargs="?", help="sweep file (YAML)")
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="processes on this machine (default: every core; 1 plays in this process)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on this Dask distributed scheduler instead (for example tcp://host:8786)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="PREFIX",
        help="write PREFIX.jsonl and PREFIX.csv (default: the sweep file's stem, here)",
    )
    parser.add_argument("--report", choices=("md", "html"), help="write the sensitivity report as PREFIX.md or .html")
    parser.add_argument("--fresh", action="store_true", help="discard results already written and start over")
    parser.add_argument(
        "--max-tasks", type=int, metavar="N", help="stop after N tasks (run the command again to continue)"
    )
    parser.add_argument("--schema", action="store_true", help="print the JSON Schema of sweep files and exit")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Load, play what is left, write, and report."""
    from game.errors import SalientError

    if args.schema:
        from game.scenario.sweep_spec import sweep_schema_text

        sys.stdout.write(sweep_schema_text())
        return 0
    if args.spec is None:
        raise SalientError("name a sweep file: salient sweep SPEC.yaml (see --help)")
    if args.workers is not None and args.workers < 1:
        raise SalientError("--workers must be at least 1")
    if args.max_tasks is not None and args.max_tasks < 0:
        raise SalientError("--max-tasks must not be negative")
    if args.scheduler and args.workers is not None:
        raise SalientError("give either --workers (this machine) or --scheduler (a Dask cluster), not both")

    from game.analysis.pool import available_cores
    from game.analysis.progress import ProgressBar
    from game.analysis.sweep import PointError
    from game.analysis.sweep_session import run_sweep
    from game.engine.policies import POLICIES
    from game.scenario.sweep_spec import Sobol, load_sweep

    loaded = load_sweep(args.spec, POLICIES)
    if args.report and not isinstance(loaded.spec.design, Sobol):
        raise SalientError(
            f"{args.spec}: --report needs `design: {{kind: sobol}}`: Sobol' indices are estimated "
            f"from Saltelli's design, not from a {loaded.spec.design.kind} design"
        )
    prefix = Path(args.output) if args.output else Path(Path(args.spec).stem)
    workers = args.workers or available_cores()
    tasks = loaded.spec.points * (len(loaded.spec.policies) + len(loaded.spec.orders))
    bar = ProgressBar(tasks)
    where = f"the Dask scheduler at {args.scheduler}" if args.scheduler else f"{workers} process(es)"
    print(
        f"sweep: {loaded.spec.points} design points x {tasks // loaded.spec.points} plan(s) x "
        f"{loaded.spec.runs} runs on {where}",
        file=sys.stderr,
    )
    try:
        outcome = run_sweep(
            loaded,
            prefix,
            workers=workers,
            scheduler=args.scheduler,
            fresh=args.fresh,
            max_tasks=args.max_tasks,
            progress=lambda r: bar.advance(f"point {r.point}", 1),
        )
    except OSError as error:
        raise SalientError(f"cannot write the results under {prefix}: {error.strerror or error}") from None
    except PointError as error:
        raise SalientError(
            f"{args.spec}: parameters: {error}; narrow the ranges so that every combination is "
            "a valid scenario (results already written are kept)"
        ) from None
    finally:
        bar.close()
    print(
        f"played {outcome.played} task(s), {outcome.skipped} already done, {outcome.left} left; "
        f"results in {outcome.jsonl}" + (f" and {outcome.csv}" if outcome.complete else "")
    )
    if not outcome.complete:
        print("run the same command again to continue", file=sys.stderr)
        return 0
    if args.report:
        from game.analysis.sensitivity import analyse
        from game.analysis.sensitivity_report import write_report

        analysis = analyse(loaded, outcome)
        path = write_report(analysis, prefix, args.report)
        print(f"report in {path}")
    return 0
