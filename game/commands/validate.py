"""`salient validate PATH...`: check scenario files and explain every problem with file, line and column.

Valid files get a one-line summary on stdout; problems go to stderr, one `file:line:col: field: message`
line each, so editors and CI logs can jump to them. Exit 0 when every file is valid, 1 otherwise.
"""

from __future__ import annotations

import argparse
import glob
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from game.scenario import Scenario


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `validate` to the command line."""
    parser = subparsers.add_parser(
        "validate",
        help="check scenario files and report problems with file:line:col",
        description="Check scenario YAML files. Prints a summary for each valid file and every problem "
        "(file:line:col: field: message) for each invalid one. Exit status 0 when all are valid, 1 otherwise.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="scenario file(s); shell globs are fine")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Validate every path; the exit status says whether all of them passed."""
    from game.narrative.safe_text import for_terminal
    from game.scenario.load import ScenarioError, load_scenario

    paths = _expand(args.paths)
    failed = 0
    for path in paths:
        try:
            scenario = load_scenario(path)
        except ScenarioError as error:
            failed += 1
            print(for_terminal(error), file=sys.stderr)  # the file's own text, escapes made visible
            continue
        print(for_terminal(f"{path}: ok — {summary(scenario)}"))
    if len(paths) > 1 and failed:
        print(f"{failed} of {len(paths)} files are invalid", file=sys.stderr)
    return 1 if failed else 0


def summary(scenario: Scenario) -> str:
    """`"Title", 20 turns of 12 h, 9 places, 5 sectors, 14 units` (the caller makes escapes visible)."""
    meta = scenario.meta
    units = sum(len(side.units) for side in scenario.sides)
    return (
        f'"{meta.title}", {meta.turns} turns of {meta.turn_hours} h, {_count(len(scenario.map.places), "place")}, '
        f"{_count(len(scenario.map.sectors), 'sector')}, {_count(units, 'unit')}"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _expand(paths: list[str]) -> list[str]:
    """Paths as given; a pattern the shell left unexpanded (quoted, or Windows) is expanded here."""
    out: list[str] = []
    for path in paths:
        matches = sorted(glob.glob(path)) if glob.has_magic(path) else []
        out.extend(matches or [path])
    return out
