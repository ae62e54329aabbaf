"""`salient class ...`: the instructor's class records (the module cannot be called `class`).

    salient class import JOURNAL... [--db PATH] [--pending]   record saved games in the class database
    salient class report [--scenario ID] [--format md|html|json] [--turns 5,9] [-o FILE] [--db PATH]
    salient class games [--scenario ID] [--db PATH]            list the recorded games

The database is `--db PATH`, else `$SALIENT_DB`, else `class.sqlite3` in the user data directory.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ._bounds import JOURNAL_HELP, MAX_REPLICATIONS, within


def register(subparsers: Any) -> None:
    """Add `class` and its subcommands to the command line."""
    parser = subparsers.add_parser(
        "class",
        help="class records: import saved games, report how the class decided",
        description="Keep a class's games in one database and compare how trainees decided. "
        "The database is --db PATH, else $SALIENT_DB, else class.sqlite3 in the user data directory.",
    )
    sub = parser.add_subparsers(dest="class_command", metavar="SUBCOMMAND")
    parser.set_defaults(handler=lambda args: _usage(parser))

    imp = sub.add_parser(
        "import",
        help="record saved games (journals) in the class database",
        description="Record saved games in the class database. Importing a game again replaces "
        "its earlier record. --pending retries games whose recording failed before.",
    )
    imp.add_argument("journals", nargs="*", metavar="JOURNAL", help=f"saved game files ({JOURNAL_HELP})")
    imp.add_argument("--pending", action="store_true", help="also import games whose recording failed earlier")
    imp.add_argument(
        "--trainee",
        metavar="NAME",
        help="record under this name instead of the one in the save (at most 200 characters)",
    )
    imp.add_argument(
        "--forecast",
        type=int,
        default=500,
        metavar="R",
        help="replications of the model's forecast computed for decision points the trainee did not "
        "forecast (default 500, at most 100,000; 0 keeps only the forecasts the trainee saw)",
    )
    _db_option(imp)
    imp.set_defaults(handler=run_import)

    rep = sub.add_parser(
        "report",
        help="how the class decided, what came of it, calibration per trainee",
        description="Per decision point: the class's choices grouped, their outcomes, the expert "
        "solution and the model's forecast for each choice; teaching moments and Brier scores "
        "per trainee.",
    )
    rep.add_argument("--scenario", metavar="ID", help="only this scenario id")
    rep.add_argument("--format", choices=("md", "html", "json"), default="md", help="output format (default md)")
    rep.add_argument(
        "--turns",
        metavar="LIST",
        help="decision points to show, e.g. 3,5,9 (default: drill and expert turns, or every turn)",
    )
    rep.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    _db_option(rep)
    rep.set_defaults(handler=run_report)

    games = sub.add_parser("games", help="list the recorded games")
    games.add_argument("--scenario", metavar="ID", help="only this scenario id")
    _db_option(games)
    games.set_defaults(handler=run_games)


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="PATH", help="class database (default $SALIENT_DB or the user data directory)")


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def run_import(args: argparse.Namespace) -> int:
    """Record each journal; report each failure on its own line; exit 1 if any failed."""
    from game.classroom.recorder import forget_pending, pending, record_game
    from game.errors import SalientError
    from game.narrative.fmt import clean

    from ._bounds import name

    if args.trainee:
        name("--trainee", args.trainee)
    paths = [Path(p) for p in args.journals] + (pending() if args.pending else [])
    if not paths:
        print("salient: nothing to import (name journals, or --pending)", file=sys.stderr)
        return 2
    done: list[Path] = []
    failed = 0
    for path in paths:
        try:
            game_id = record_game(
                path,
                db_path=args.db,
                trainee=args.trainee,
                forecast_replications=within("--forecast", args.forecast, 0, MAX_REPLICATIONS),
            )
        except SalientError as error:
            failed += 1
            print(f"salient: {clean(str(path))}: {clean(str(error))}", file=sys.stderr)
            continue
        done.append(path)
        print(f"{path}: recorded (game {game_id})")
    if args.pending or done:
        forget_pending(p.resolve() for p in done)
    return 1 if failed else 0


def run_report(args: argparse.Namespace) -> int:
    """Build the report from the database and print or write it."""
    from game.classroom.db import ClassDB
    from game.classroom.render import render
    from game.classroom.report import build_report
    from game.errors import SalientError
    from game.record.atomic import write_atomic

    turns = _turn_list(args.turns) if args.turns else None
    with ClassDB(args.db, readonly=True) as db:
        report = build_report(db, args.scenario, turns)
    if args.scenario and not report.scenarios[0].games:
        raise SalientError(f"no games of scenario '{args.scenario}' are recorded in {report.database}")
    text = render(report, args.format)
    if args.output:
        try:
            write_atomic(args.output, text)
        except OSError as error:
            raise SalientError(f"cannot write {args.output}: {error.strerror or error}") from None
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _turn_list(text: str) -> list[int]:
    from game.errors import SalientError

    try:
        turns = [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise SalientError(f"--turns wants whole numbers separated by commas, not '{text}'") from None
    if not turns or min(turns) < 1:
        raise SalientError("--turns wants turn numbers from 1")
    return turns


def run_games(args: argparse.Namespace) -> int:
    """One line per recorded game."""
    from game.classroom.db import ClassDB

    with ClassDB(args.db, readonly=True) as db:
        sql = "SELECT id, trainee, scenario_id, seed, turns, ending, score, journal_path FROM games"
        rows = db.query(
            sql + (" WHERE scenario_id = ? ORDER BY id" if args.scenario else " ORDER BY id"),
            (args.scenario,) if args.scenario else (),
        )
    from game.narrative.fmt import clean

    for r in rows:  # every text from the database is printed without control characters
        score = f"{r['score']:.1f}" if isinstance(r["score"], (int, float)) else "—"
        text = {key: clean(str(r[key] or "")) for key in ("id", "trainee", "scenario_id", "seed", "turns", "ending")}
        print(
            f"{text['id']:>5}  {text['trainee']:<20}  {text['scenario_id']:<16} seed {text['seed']:<8} "
            f"{text['turns']:>3} turns  {text['ending'] or 'unfinished':<16} {score:>8}  {clean(str(r['journal_path']))}"
        )
    if not rows:
        print("no games recorded", file=sys.stderr)
    return 0
