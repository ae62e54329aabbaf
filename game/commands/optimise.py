"""`salient optimise PATH [--budget N] [--seed S] [--runs R] [-o plan.yaml]`: hunt for the best standing plan.

Searches a space of whole-game plans (posture per sector, drone and jammer split, convoys, reserve, a
withdrawal rule; game.analysis.plan_space) with the cross-entropy method on common random numbers, then plays
the best plan on fresh dice beside every built-in policy and the scenario's expert plan, and can write it as an
orders file. A plan that runs away with the scenario may be a gap in the model: the report says so.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `optimise` to the command line."""
    parser = subparsers.add_parser(
        "optimise",
        help="search for the best standing plan and hold it against the built-in policies",
        description="Search a space of whole-game plans for the one with the best mean score: a posture per "
        "sector held at the start (hold, fortify or delay), the split of drone teams over strike, counter-drone, "
        "road overwatch and reconnaissance, the jammers over the front or the road, the trucks by day or by night "
        "(escort, field tracks, netting), the reserve (committed to a sector on turn 1, or kept back), and when to "
        "ask to withdraw (on a turn, on the state of the road, on sectors lost, on ammunition, on strength). "
        "The search is the cross-entropy method: generations of plans, each played on the same games (common "
        "random numbers, so plans differ by their decisions and not by their dice), the best quarter steering "
        "the next generation; the built-in policies are among the first generation unless --cold. "
        "The best plan is then played on fresh dice (seed S+1) beside every built-in policy and the scenario's "
        "expert plan, all on the same games, with 95% intervals and paired differences. Plans are scored on a "
        "pool of worker processes; the result does not depend on how many.",
        epilog="The orders file (-o) gives turn 1's orders in full and repeats them from turn 2 without postures or "
        "reserve commitments; a withdrawal rule that reads the game cannot be written as fixed orders, so the "
        "file requests the withdrawal on the median turn the rule fired on when it fired in at least half the "
        "games on the fresh dice, and never otherwise; its comments say which, and list the plan's decisions. "
        "Exit status 1 on invalid input (a missing or invalid scenario, a budget of 0).",
    )
    parser.add_argument("path", metavar="PATH", help="scenario file")
    parser.add_argument(
        "--budget", type=int, default=200, metavar="N", help="plans to score in the search (default 200)"
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=300,
        metavar="R",
        help="games per plan in the search, on the same dice for every plan (default 300)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="S",
        help="seed of the search's dice and draws (default 0); the comparison plays on S+1",
    )
    parser.add_argument("--population", type=int, default=20, metavar="P", help="plans per generation (default 20)")
    parser.add_argument(
        "--check-runs",
        type=int,
        default=2000,
        metavar="N",
        help="games per plan in the comparison on fresh dice (default 2000)",
    )
    parser.add_argument(
        "--workers", type=int, metavar="N", help="worker processes (default: every core; 1 plays in this process)"
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="start from the neutral plan alone, without the built-in policies in the first "
        "generation (a hunt for plans that owe nothing to the designed ones)",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the best plan as an orders file for `salient run --orders FILE`"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Validate the arguments, search, compare, print, and write the orders file."""
    from game.analysis.optimise import default_workers, optimise
    from game.analysis.optimise_render import as_json, as_text, orders_yaml
    from game.analysis.progress import ProgressBar
    from game.errors import SalientError
    from game.scenario.load import load_scenario

    for name, value in (
        ("--budget", args.budget),
        ("--runs", args.runs),
        ("--population", args.population),
        ("--check-runs", args.check_runs),
        ("--workers", args.workers),
    ):
        if value is not None and value < 1:
            raise SalientError(f"{name} must be at least 1 (got {value})")
    if args.check_runs < 2:
        raise SalientError(f"--check-runs must be at least 2, to give an interval (got {args.check_runs})")
    if args.seed < 0:
        raise SalientError("--seed must be a non-negative integer")
    scenario = load_scenario(args.path)
    output = Path(args.output) if args.output else None
    if output is not None and not output.parent.is_dir():
        raise SalientError(f"{output}: cannot write the orders file: no such folder {output.parent}")
    workers = args.workers or default_workers()
    bar = ProgressBar(args.budget * args.runs + (len(_policies()) + 2) * args.check_runs)
    try:
        report = optimise(
            scenario,
            budget=args.budget,
            runs=args.runs,
            seed=args.seed,
            workers=workers,
            population=args.population,
            check_runs=args.check_runs,
            warm=not args.cold,
            progress=bar.advance if bar.enabled else None,
        )
    finally:
        bar.close()
    if output is not None:
        try:
            from game.record.atomic import write_atomic

            write_atomic(output, orders_yaml(report, args.path))
        except OSError as error:
            raise SalientError(f"{output}: cannot write the orders file ({error.strerror})") from None
    sys.stdout.write(as_json(report) if args.json else as_text(report, str(output) if output else None))
    return 0


def _policies() -> list[str]:
    from game.engine.policies import POLICIES

    return list(POLICIES)
