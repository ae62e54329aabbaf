"""`salient class ...`: the instructor's class records (the module cannot be called `class`).

    salient class init [--force]                               make the instructor key (signatures, secret dice)
    salient class import JOURNAL... [--db PATH] [--pending]   record saved games in the class database
    salient class report [--scenario ID] [--format md|html|json] [--turns 5,9] [-o FILE] [--db PATH]
    salient class games [--scenario ID] [--db PATH]            list the recorded games

The database is `--db PATH`, else `$SALIENT_DB`, else `class.sqlite3` in the user data directory.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._bounds import JOURNAL_HELP, MAX_REPLICATIONS, within


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `class` and its subcommands to the command line."""
    parser = subparsers.add_parser(
        "class",
        help="class records: import saved games, report how the class decided",
        description="Keep a class's games in one database and compare how trainees decided. "
        "The database is --db PATH, else $SALIENT_DB, else class.sqlite3 in the user data directory.",
    )
    sub = parser.add_subparsers(dest="class_command", metavar="SUBCOMMAND")
    parser.set_defaults(handler=lambda args: _usage(parser))

    init = sub.add_parser(
        "init",
        help="make the instructor key that signs saved games and keeps the dice secret",
        description="Make the instructor key (32 random bytes, readable by you only) in the instructor folder of "
        "the user data directory ($SALIENT_HOME or the platform's default). With it, saved games are signed and "
        "checked when you import or review them, and the dice of a game cannot be replayed without it. An "
        "existing key is kept; --force replaces it (games signed with the old key can then no longer be checked "
        "or replayed).",
    )
    init.add_argument("--force", action="store_true", help="replace an existing key (rotate it)")
    init.set_defaults(handler=run_init)

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


def run_init(args: argparse.Namespace) -> int:
    """Create (or with --force rotate) the instructor key and say which it is."""
    from game.classroom.key import init_key

    outcome = init_key(force=args.force)
    where = outcome.key.path
    if not outcome.created:
        print(f"an instructor key already exists: {where} (id {outcome.key.id}); kept as it is")
        print("use `salient class init --force` to replace it", file=sys.stderr)
        return 0
    if outcome.replaced:
        print(
            f"salient: warning: the instructor key was replaced (old id {outcome.replaced}); games signed with the "
            "old key can no longer be checked or replayed",
            file=sys.stderr,
        )
    print(f"instructor key written to {where} (id {outcome.key.id}); keep it private and back it up")
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Record each journal; report each failure on its own line; exit 1 if any failed."""
    from game.classroom.recorder import forget_pending, pending, record_game
    from game.errors import SalientError
    from game.narrative.safe_text import for_terminal

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
            said = str(error)
            print(
                for_terminal(f"salient: {said if said.startswith(str(path)) else f'{path}: {said}'}"), file=sys.stderr
            )
            continue
        done.append(path)
        print(for_terminal(f"{path}: recorded (game {game_id})"))
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
    from game.classroom.db import ClassDB, games
    from game.narrative.safe_text import cut, for_terminal

    with ClassDB(args.db, readonly=True) as db:
        rows = games(db, args.scenario)
    for r in rows:
        score = "—" if r["score"] is None else f"{r['score']:.1f}"
        print(
            f"{r['id']:>5}  {for_terminal(cut(r['trainee'], 40)):<20}  {r['scenario_id']:<16} seed {r['seed']:<8} "
            f"{r['turns']:>3} turns  {r['ending'] or 'unfinished':<16} {score:>8}  {r['journal_path']}"
        )
    if not rows:
        print("no games recorded", file=sys.stderr)
    return 0
