"""`salient aar SAVE [-o FILE] [--format md|html|json|csv]`: the after-action review of a saved game.

Replays the journal (proving every recorded outcome), runs the luck-against-judgement analysis (or reuses
one already remembered in the journal), and writes the review as Markdown, a self-contained HTML page, JSON
or CSV time series. The save is only read: `--cache` asks for the analysis to be remembered in it. A damaged, truncated, foreign or newer journal is refused with a plain message;
`--partial` reviews the whole turns a damaged journal still holds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ._bounds import JOURNAL_HELP, MAX_REPLICATIONS, ORDERS_HELP, within

if TYPE_CHECKING:
    from game.debrief.aar import AfterActionReview
    from game.debrief.compare_plan import PlanComparison
    from game.debrief.luck import LuckReport
    from game.record.journal import LoadedJournal

FORMATS = ("md", "html", "json", "csv")
MAX_BUDGET = 10_000
"""The most plans `--optimise` may search."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `aar` to the command line."""
    parser = subparsers.add_parser(
        "aar",
        help="after-action review of a saved game (Markdown, HTML, JSON or CSV)",
        description="Write the after-action review of SAVE: what was meant to happen, what happened, why "
        "(each decision: what you knew, the forecast, the truth, the factors, luck against judgement), what "
        "to keep and what to change. SAVE is only read and stays byte for byte as it was, unless --cache "
        "asks for the luck analysis to be stored in it; without --cache the analysis is computed afresh "
        "each time (or read from SAVE when an earlier --cache or the game's own review stored it and SAVE is "
        "signed with the instructor key: in an unsigned save a remembered analysis is not trusted and is "
        "worked out again).",
    )
    parser.add_argument("save", metavar="SAVE", help=f"saved game ({JOURNAL_HELP})")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")
    parser.add_argument(
        "--format", choices=FORMATS, help="md, html, json or csv (default: from FILE's suffix, else md)"
    )
    parser.add_argument(
        "--replications",
        type=int,
        default=1000,
        metavar="R",
        help="replications per decision in the luck analysis (default 1000, from 2 to 100,000)",
    )
    parser.add_argument(
        "--horizon", type=int, default=1, metavar="K", help="turns each decision is judged over (default 1)"
    )
    parser.add_argument("--no-luck", action="store_true", help="skip the luck-against-judgement analysis")
    cache = parser.add_mutually_exclusive_group()
    cache.add_argument(
        "--cache",
        action="store_true",
        help="remember the luck analysis in SAVE (appends one record to it), so the next review of a save signed "
        "with the instructor key is instant",
    )
    cache.add_argument(
        "--no-cache", action="store_true", help="ignore an analysis already remembered in SAVE and compute it afresh"
    )
    parser.add_argument(
        "--expert",
        metavar="FILE",
        help=f"expert orders (a list, one per turn from turn 1; {ORDERS_HELP}) "
        "to compare each decision with, instead of the scenario's expert solutions",
    )
    parser.add_argument(
        "--partial", action="store_true", help="review the whole turns of a damaged or truncated journal"
    )
    plan = parser.add_mutually_exclusive_group()
    plan.add_argument(
        "--against",
        metavar="PLAN",
        help="compare the trainee's orders with the orders file PLAN (for example one written by "
        "`salient optimise -o PLAN`): where they differ turn by turn, and both played on the same games",
    )
    plan.add_argument(
        "--optimise",
        type=int,
        metavar="N",
        help="compare the trainee's orders with the best plan `salient optimise --budget N` finds (N at most 10,000), "
        "searched now "
        "(on the save's seed + 1, so the comparison's games are not the ones the plan was chosen on)",
    )
    parser.add_argument(
        "--against-runs",
        type=int,
        default=2000,
        metavar="N",
        help="games the trainee's orders and the plan each play, on the same dice, for the comparison "
        "(default 2000, from 2 to 100,000)",
    )
    parser.set_defaults(handler=run)


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    suffix = Path(args.output).suffix.lower().lstrip(".") if args.output else ""
    return {"markdown": "md", "htm": "html"}.get(suffix, suffix) if suffix in (*FORMATS, "markdown", "htm") else "md"


def run(args: argparse.Namespace) -> int:
    """Load, (analyse,) build, render, write."""
    from game.errors import SalientError
    from game.narrative.safe_text import for_terminal
    from game.record.journal import load_journal

    within("--replications", args.replications, 2, MAX_REPLICATIONS)
    within("--against-runs", args.against_runs, 2, MAX_REPLICATIONS)
    if args.optimise is not None:
        within("--optimise", args.optimise, 1, MAX_BUDGET)
    if args.horizon < 1:
        raise SalientError("--horizon must be at least 1")
    loaded = load_journal(args.save)
    if not loaded.intact:
        if not args.partial:
            raise SalientError(f"{args.save}: {loaded.damage_note()}; add --partial to review them")
        print(for_terminal(f"salient: note: {loaded.damage_note()}"), file=sys.stderr)
    loaded.scenario  # noqa: B018 - a scenario that no longer validates is a plain error before any work
    if not loaded.turns:
        raise SalientError(f"{args.save}: no turn has been played yet; nothing to review")
    luck = None if args.no_luck else _luck(loaded, args)

    from game.debrief.aar import build_aar

    aar = build_aar(loaded, luck=luck)
    if args.against or args.optimise is not None:
        aar = aar.model_copy(update={"plan_comparison": _compare(loaded, args, aar.score.total)})
    text = _render(aar, _format(args))
    if args.output:
        try:
            from game.record.atomic import write_atomic

            write_atomic(args.output, text)  # the old review stays whole if the disk fills
        except OSError as error:
            raise SalientError(f"cannot write {args.output}: {error.strerror or error}") from None
        print(for_terminal(f"salient: after-action review written to {args.output}"), file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _luck(loaded: LoadedJournal, args: argparse.Namespace) -> LuckReport:
    from game.debrief import luck_cache
    from game.debrief.luck import analyse, case_ids, has_expert

    expert = None
    if args.expert:
        from game.record.orders_file import read_orders_file

        expert = {i + 1: o for i, o in enumerate(read_orders_file(args.expert))}
    key = luck_cache.cache_key(loaded, args.replications, args.horizon, case_ids(has_expert(loaded, expert)))
    if not args.no_cache:
        cached = luck_cache.find(loaded, key)
        if cached is not None:
            return cached
    from game.analysis.progress import ProgressBar

    bar = ProgressBar(1, title="luck against judgement")
    try:
        report = analyse(
            loaded,
            replications=args.replications,
            horizon=args.horizon,
            expert=expert,
            progress=bar.update,
        )
    finally:
        bar.close()
    if args.cache and not luck_cache.store(loaded, key, report):
        print("salient: note: the analysis was not remembered in the journal (damaged or read-only)", file=sys.stderr)
    return report


def _compare(loaded: LoadedJournal, args: argparse.Namespace, actual: float) -> PlanComparison:
    """The trainee's orders against the plan file or a plan searched now, on the model's dice."""
    from game.analysis.orders_plan import plan_of_orders, read_plan
    from game.debrief.compare_plan import compare_with_plan
    from game.engine.game import Game

    scenario = loaded.scenario
    turns = {t.turn: t.orders for t in loaded.turns}
    trainee = plan_of_orders(scenario, "trainee", args.save, turns)
    if args.against:
        start = Game(scenario, 0)
        plan_turns, _ = read_plan(Path(args.against), start.params, start.state)
        plan = plan_of_orders(scenario, "plan", args.against, plan_turns)
        source = f"the orders file {args.against}"
    else:
        from game.analysis.optimise import optimise
        from game.analysis.pool import available_cores

        search_seed = loaded.seed + 1  # the comparison plays on the save's seed: dice the search never saw
        found = optimise(scenario, budget=args.optimise, seed=search_seed, workers=available_cores())
        plan_turns = found.orders
        plan = plan_of_orders(scenario, "plan", "optimised", plan_turns)
        source = (
            f"the best of {args.optimise} plans `salient optimise` searched (seed {search_seed}), as fixed orders: "
            + found.orders_note
        )
    return compare_with_plan(
        scenario,
        source,
        (trainee.policy(), turns),
        (plan.policy(), plan_turns),
        turns_played=len(loaded.turns),
        actual_score=actual,
        runs=args.against_runs,
        seed=loaded.seed,
    )


def _render(aar: AfterActionReview, fmt: str) -> str:
    if fmt == "html":
        from game.debrief.render_html import render_html

        return render_html(aar)
    if fmt == "json":
        from game.debrief.render_json import render_json

        return render_json(aar)
    if fmt == "csv":
        from game.debrief.render_csv import render_csv

        return render_csv(aar)
    from game.debrief.render_md import render_markdown

    return render_markdown(aar)
