"""`salient check PATH [--runs N] [--seed S] [--turns K] [--orders FILE...] [--workers N]`: play a scenario many times.

Reports the endings and scores per policy, how often each inject fires, endings and objectives no policy
reaches, a dominant policy, whether luck swamps decisions, and tests the scenario's statistical
assertions. An assertion fails when its whole confidence interval lies outside the expected range, and is
inconclusive when the interval straddles a bound (more runs decide). Exit status 1 when an assertion fails
(with --strict, also on any warning or inconclusive assertion, and when the exploit guard fails).

With --strict, a scenario that sets `exploit_guard` also has its expert solution held against the best plan of
one fixed rule (game.analysis.exploit): when that rule beats the expert by more than the scenario's margin,
the scenario teaches a recipe and the check fails, naming the rule.

Orders files (a trainee's plan: "what if they do X") play beside the built-in policies on the same dice and
are reported, compared and warned about like them, each under its file's stem (game.analysis.orders_plan says
how a file plays over a whole game). A file that cannot be read or ordered exits 1 naming file:line:col.

The games are played in chunks of 10,000 on every core (--workers); each chunk has its own dice, so the
report does not depend on the number of workers.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ._bounds import MAX_RUNS, ORDERS_HELP, within

if TYPE_CHECKING:
    from game.analysis.check import CheckReport
    from game.scenario import Scenario

GUARD_BUDGET, GUARD_RUNS, GUARD_CHECK_RUNS = 60, 200, 2000
"""The exploit guard's budget (kept here so --help does not import the analysis; a test holds them equal)."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `check` to the command line."""
    parser = subparsers.add_parser(
        "check",
        help="play a scenario many times under every standing policy and report on its balance",
        description="Play the scenario N times under each built-in standing policy (vectorised), then report "
        "the endings and scores, inject frequencies, unreachable endings and objectives, a dominant policy, "
        "luck against decisions, and the scenario's statistical assertions (exit 1 when one fails). "
        "Orders files given with --orders play beside the policies on the same dice, each named by its file's "
        "stem: turn k uses the file's orders for turn k, and the last orders given stand for the turns after "
        "(without repeating a withdrawal request or reserve commitments), so a single set of orders stands for "
        "the whole game. Orders that no longer apply in one game — a posture for a sector already lost, a "
        "reserve already committed, a withdrawal already under way — are skipped in that game, not refused.",
    )
    parser.add_argument("path", metavar="PATH", help="scenario file")
    parser.add_argument(
        "--runs", type=int, default=1000, metavar="N", help="games per policy (default 1000, at most 10,000,000)"
    )
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the dice (default 0)")
    parser.add_argument("--turns", type=int, metavar="K", help="play at most K turns of each game")
    parser.add_argument(
        "--policy",
        action="append",
        metavar="NAME",
        help="only this policy (repeat for several; default every built-in policy)",
    )
    parser.add_argument(
        "--orders",
        action="extend",
        nargs="+",
        metavar="FILE",
        help=f"also play these orders files ({ORDERS_HELP}, as for `salient run`; repeat or list "
        "several); orders that no longer apply in a game are skipped there",
    )
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="processes to play the games on (default: every core; 1 plays them in this process); "
        "the report is the same whatever the number",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 on any warning or inconclusive assertion as well; and, when the scenario sets exploit_guard, "
        f"search {GUARD_BUDGET} plans of one fixed rule (no conditions: postures, drone, jammer and convoy split, "
        f"reserve, at most a set withdrawal turn; {GUARD_RUNS} games each, seed S) and exit 1 when the best beats "
        f"the expert solution by more than the scenario's margin on {GUARD_CHECK_RUNS:,} fresh games (seed S+1)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Load, check, print; the exit status says whether the assertions hold."""
    from game.analysis.check import check_scenario
    from game.analysis.orders_plan import load_plans
    from game.analysis.pool import available_cores
    from game.analysis.progress import ProgressBar
    from game.analysis.render import as_json, as_text
    from game.engine.policies import POLICIES
    from game.errors import SalientError
    from game.narrative.safe_text import for_json, for_terminal
    from game.scenario.load import load_scenario

    within("--runs", args.runs, 1, MAX_RUNS)
    if args.seed < 0:
        raise SalientError("--seed must be a non-negative integer")
    if args.turns is not None and args.turns < 1:
        raise SalientError("--turns must be at least 1")
    if args.workers is not None and args.workers < 1:
        raise SalientError("--workers must be at least 1")
    unknown = [p for p in args.policy or [] if p not in POLICIES]
    if unknown:
        raise SalientError(f"unknown policy '{unknown[0]}' (policies: {', '.join(sorted(POLICIES))})")
    scenario = load_scenario(args.path)
    plans = load_plans(scenario, args.orders or [], taken=POLICIES)
    policies = args.policy or list(POLICIES)
    horizon = args.turns or scenario.meta.turns
    bar = ProgressBar((len(policies) + len(plans)) * args.runs * horizon)
    try:
        report = check_scenario(
            scenario,
            runs=args.runs,
            seed=args.seed,
            turns=args.turns,
            policies=policies,
            plans=plans,
            progress=bar.advance if bar.enabled else None,
            workers=args.workers or available_cores(),
        )
    finally:
        bar.close()
    if args.strict:
        _guard(scenario, report, args.seed, args.workers or available_cores())
    sys.stdout.write(for_json(as_json(report)) if args.json else for_terminal(as_text(report)))
    inconclusive = any(a.status == "inconclusive" for a in report.assertions)
    exploited = report.exploit is not None and report.exploit.failed
    if report.failed or (args.strict and (report.warnings or inconclusive or exploited)):
        return 1
    return 0


def _guard(scenario: Scenario, report: CheckReport, seed: int, workers: int) -> None:
    """Run the scenario's exploit guard into the report (or note that it sets none)."""
    from game.analysis.exploit import exploit_guard, guard_units
    from game.analysis.progress import ProgressBar

    guard = scenario.exploit_guard
    if guard is None:
        report.notes.append("no exploit guard: the scenario sets no exploit_guard margin")
        return
    bar = ProgressBar(guard_units(scenario, GUARD_BUDGET, GUARD_RUNS, GUARD_CHECK_RUNS))
    try:
        report.exploit = exploit_guard(
            scenario,
            guard.margin,
            guard.note,
            budget=GUARD_BUDGET,
            runs=GUARD_RUNS,
            check_runs=GUARD_CHECK_RUNS,
            seed=seed,
            workers=workers,
            progress=bar.advance if bar.enabled else None,
        )
    finally:
        bar.close()
