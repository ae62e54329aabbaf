"""Command-line entry point: `salient` and its subcommands.

Each subcommand lives in its own module under `game.commands` and exposes `register(subparsers)` (modules whose
name starts with `_` are helpers shared by commands);
handlers import their heavy dependencies lazily so `salient --help` stays instant.
Exit codes: 0 success, 1 invalid input (plain message, no traceback), 2 usage error.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path

from game import __version__
from game.errors import SalientError
from game.narrative.safe_text import for_terminal


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with every subcommand found in `game.commands`."""
    parser = argparse.ArgumentParser(
        prog="salient",
        description="Salient: a tactical-decision wargame of the Sudzha bridgehead (Kursk region, early 2025). "
        "With no command, plays the default scenario.",
    )
    parser.add_argument("--version", action="version", version=f"salient {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    from game import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue  # a helper shared by commands, not a command
        module = importlib.import_module(f"game.commands.{info.name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not args_list:
        args_list = ["play"]
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except SalientError as error:
        print(f"salient: {plain_message(error, args)}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("salient: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


INPUT_OPTIONS = ("save", "load", "path")
"""Attributes of a command's arguments that name the file it reads, in order of preference."""


def plain_message(error: SalientError, args: argparse.Namespace) -> str:
    """The error as one plain line for the terminal: control characters and escape sequences taken out (a
    message may quote a name from the file), and the file the command read named when the message does not
    already name it (an error found deep in the model, say, knows nothing of the file)."""
    from game.narrative.safe_text import for_terminal

    text = for_terminal(str(error))
    if text.startswith("--") or any(Path(name).name in text for name in _file_names(args)):
        return text  # it is about an option, or names a file it was given already (the orders file, say)
    for option in INPUT_OPTIONS:
        value = getattr(args, option, None)
        if isinstance(value, str) and value:
            return f"{for_terminal(value)}: {text}"
    return text


def _file_names(args: argparse.Namespace) -> list[str]:
    """Every argument that looks like a file name (it has a suffix): the files a message might be about."""
    values: list[object] = []
    for value in vars(args).values():
        values.extend(value if isinstance(value, list) else [value])
    return [v for v in values if isinstance(v, str) and Path(v).suffix]


def entry() -> None:
    """The `salient` program: a passphrase given in the environment is hidden first (see
    `game.classroom.guard.scrub_environment`), then the command runs."""
    try:
        from game.classroom.guard import scrub_environment

        scrub_environment()
    except SalientError as error:
        print(f"salient: {for_terminal(error)}", file=sys.stderr)
        sys.exit(error.exit_code)
    sys.exit(main())


if __name__ == "__main__":
    sys.exit(main())
