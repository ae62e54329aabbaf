"""`salient hindcast PATH [--runs N] [--seed S] [--orders FILE] [--json]`: is history something the model produces?

Plays the scenario N times under the plan the real commanders followed (by default
`historical/<scenario name>.orders.yaml` beside the scenario) and sets every dated point of the fact sheet's
`history` against the model's median and 5–95% band at that moment. The verdict is information, not a
failure: the exit status is 0 unless an input is bad (1, with the file, line and field).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import TYPE_CHECKING

from game.errors import SalientError

from ._bounds import MAX_HINDCAST_RUNS, ORDERS_HELP, within

if TYPE_CHECKING:
    from game.analysis.hindcast import HindcastReport, PointResult

VERDICT = {"inside": "yes", "outside": "NO", "beyond": "beyond the game", "before": "before the game"}
"""What the table's last column says for each verdict."""
SUMMARY = {"inside": "inside", "outside": "outside", "beyond": "beyond the game", "before": "before the game"}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `hindcast` to the command line."""
    parser = subparsers.add_parser(
        "hindcast",
        help="play the historical plan many times and hold the model against the dated history",
        description="Play the scenario N times (vectorised) under the plan the real commanders followed and "
        "compare each dated point of the fact sheet's history with the model's median and 5-95% band at "
        "that moment. Default orders: historical/<scenario name>.orders.yaml beside the scenario.",
    )
    parser.add_argument("path", metavar="PATH", help="scenario file (its fact sheet holds the history)")
    parser.add_argument(
        "--runs", type=int, default=1000, metavar="N", help="games to play (default 1000, at most 1,000,000)"
    )
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the dice (default 0)")
    parser.add_argument("--orders", metavar="FILE", help=f"orders file of the historical plan ({ORDERS_HELP})")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Load the scenario, its history and the plan; play; print the table (or JSON)."""
    from game.analysis.hindcast import fact_sheet_path, hindcast, historical_orders_path
    from game.analysis.orders_plan import load_plans
    from game.scenario.facts import load_fact_sheet
    from game.scenario.load import load_scenario

    within("--runs", args.runs, 1, MAX_HINDCAST_RUNS)
    if args.seed < 0:
        raise SalientError(f"--seed must be a non-negative integer (got {args.seed})")
    scenario = load_scenario(args.path)
    sheet_path = fact_sheet_path(scenario, args.path)
    sheet = load_fact_sheet(sheet_path, scenario)
    if not sheet.history:
        raise SalientError(f"{sheet_path}: history: the fact sheet has no history points to compare with")
    orders_path = args.orders or historical_orders_path(args.path)
    if args.orders is None and not orders_path.is_file():
        raise SalientError(f"{args.path}: no historical plan found at {orders_path}; give one with --orders FILE")
    (plan,) = load_plans(scenario, [orders_path])
    report = hindcast(scenario, sheet.history, plan, runs=args.runs, seed=args.seed, sheet_label=str(sheet_path))
    sys.stdout.write(as_json(report) if args.json else as_text(report))
    return 0


def as_json(report: HindcastReport) -> str:
    """The comparison as JSON: every point with history's range, the model's band and the verdict."""
    data = dataclasses.asdict(report)
    for point, raw in zip(data["points"], report.points, strict=True):
        point["verdict"] = raw.verdict
    data["summary"] = {v: report.count(v) for v in VERDICT}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def as_text(report: HindcastReport) -> str:
    """The comparison as a table, one row per history point, and a one-line summary."""
    head = ("point", "date", "turn", "history", "model median", "5–95% band", "agree", "inside")
    rows = [head] + [
        (
            p.id,
            p.when,
            _turn(p),
            p.history,
            p.median or "—",
            p.band or "—",
            "—" if p.agree is None else f"{p.agree:.0%}",
            VERDICT[p.verdict],
        )
        for p in report.points
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = [
        f"Hindcast: {report.title} ({report.scenario_id})",
        f"{report.runs} games of {report.orders}, seed {report.seed}; the game has {report.turns} turns "
        f"(it ends {report.game_ends}).",
        f"History from {report.fact_sheet}; the model is read at the end of each point's turn;",
        "agree is the share of games that match history.",
        "",
    ]
    for r in rows:
        cells = [c.rjust(w) if i in (2, 6) else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
    counts = [f"{report.count(v)} {words}" for v, words in SUMMARY.items() if report.count(v)]
    lines += ["", f"{len(report.points)} history points: " + ", ".join(counts) + "."]
    return "\n".join(lines) + "\n"


def _turn(p: PointResult) -> str:
    if p.turn_range and p.turn_range[0] != p.turn_range[1]:
        return f"{p.turn_range[0]}–{p.turn_range[1]}"
    return str(p.turn)
