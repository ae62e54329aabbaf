"""`salient play [PATH] [--seed N] [--load FILE] [--trainee NAME] [--umpire] [--db PATH]`: play in the terminal.

With PATH and --seed the game starts at once (its briefing); otherwise the title screen comes first.

(`salient` alone does the same.) A finished game is recorded in the class database. Umpire mode (ctrl+u)
is on when the instructor sets a passphrase: `--umpire` asks for one, else `$SALIENT_UMPIRE_PASSPHRASE`.

Bad input is found before the screen is taken over, so it gets the usual one-line message and
exit code 1. Once the game is running, an unexpected error is logged, the autosave is kept and
the exit code is 1 — the player never sees a raw traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from game.classroom.guard import UmpireGuard
    from game.tui.session import Session


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `play` to the command line."""
    parser = subparsers.add_parser(
        "play",
        help="play a scenario in the terminal (what `salient` alone does)",
        description="Play Salient in the terminal. Without PATH the title screen offers every scenario in "
        "scenarios/, Kursk 2025 first; with PATH that scenario comes first. With PATH and --seed N that game "
        "starts at once (its briefing, then play). --load continues a saved game.",
    )
    parser.add_argument("path", nargs="?", metavar="PATH", help="scenario file to offer first (with --seed: to play)")
    parser.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="seed of the new game (random by default; a whole number from 0 to 2**63 - 1); with PATH, skips "
        "the title screen and starts that game",
    )
    parser.add_argument(
        "--load",
        metavar="FILE",
        help="continue the saved game in FILE (a .jsonl journal of at most 64 MB, no line over 16 MB)",
    )
    parser.add_argument(
        "--trainee", default="", metavar="NAME", help="your name, recorded in the save (at most 200 characters)"
    )
    parser.add_argument(
        "--umpire",
        action="store_true",
        help="instructor: set a passphrase now (asked twice, not shown) that opens umpire mode "
        "with ctrl+u; without it, umpire mode is on only if $SALIENT_UMPIRE_PASSPHRASE is set",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="class database finished games are recorded in "
        "(default $SALIENT_DB, else class.sqlite3 in the user data directory)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Check the arguments, run the app, and report how it ended."""

    from game.commands import _bounds as bounds

    if args.seed is not None:
        bounds.seed("--seed", args.seed)
    bounds.name("--trainee", args.trainee)
    session = None
    scenario_path = None
    if args.load:
        from game.tui.session import Session

        session = Session.load(_existing(args.load, "saved game"))
    elif args.path:
        from game.scenario.load import load_scenario

        scenario_path = _existing(args.path, "scenario")
        load_scenario(scenario_path)
    from game.classroom.guard import UmpireGuard
    from game.tui.session import Session

    from_env = UmpireGuard.from_env()  # always read, so the passphrase leaves the environment
    guard = UmpireGuard.from_prompt() if args.umpire else from_env
    db = Path(args.db).expanduser() if args.db else None
    return run_app(
        scenario_path,
        args.seed,
        args.trainee,
        session,
        umpire_guard=guard,
        db_path=db,
        start=scenario_path is not None and args.seed is not None,
    )


def _existing(text: str, what: str) -> Path:
    from game.errors import SalientError

    path = Path(text).expanduser()
    if not path.is_file():
        raise SalientError(f"no {what} file at {path}")
    return path


def run_app(
    scenario_path: Path | None,
    seed: int | None,
    trainee: str,
    session: Session | None = None,
    *,
    headless: bool = False,
    umpire_guard: UmpireGuard | None = None,
    db_path: Path | None = None,
    start: bool = False,
) -> int:
    """Run the TUI; print where the game is saved, or a plain crash message. Returns the exit code.

    `headless` runs without a terminal (for tests of the crash path); `umpire_guard` turns umpire mode on;
    `start` opens the scenario's game with `seed` at once instead of the title screen.
    """
    from game.tui.app import LaunchOptions, SalientApp
    from game.tui.crash import crash_message, stop_message, write_crash_log

    app = SalientApp(
        LaunchOptions(scenario=scenario_path, seed=seed, trainee=trainee, db_path=db_path, start=start), session=session
    )
    app.umpire_guard = umpire_guard
    crashed = False
    try:
        app.run(headless=headless)
    except Exception as error:
        app.crash_log = app.crash_log or write_crash_log(error, context="outside the app's message loop")
        crashed = True
    app.log_crash()
    save = app.session.journal_path if app.session is not None else None
    if app.stopped_by is not None:
        source = app.session.scenario_path if app.session is not None else None
        print(
            stop_message(app.stopped_by, source or (str(scenario_path) if scenario_path else None), save),
            file=sys.stderr,
        )
        return 1
    if crashed or app.crash_log is not None or (app.return_code or 0) != 0:
        print(crash_message(app.crash_log, save), file=sys.stderr)
        return app.return_code or 1
    if save is not None:
        print(f"salient: {app.saved_message or f'game saved in {save}'}")
        print(f"salient: continue with  salient play --load {save}")
    if app.record_warning:
        print(f"salient: warning: {app.record_warning}", file=sys.stderr)
    return 0
