"""`salient schema [-o FILE]`: write the scenario JSON Schema (draft-7) so editors can autocomplete and check.

Scenario files name it on their first line: `# yaml-language-server: $schema=<relative path to the schema>`.
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `schema` to the command line."""
    parser = subparsers.add_parser(
        "schema",
        help="write the JSON Schema of scenario files",
        description="Write the JSON Schema (draft-7) of scenario files, to stdout or to FILE. "
        "Regenerate the committed copy with: salient schema -o scenario.schema.json",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print or write the schema."""
    from game.errors import SalientError
    from game.record.atomic import write_atomic
    from game.scenario.schema import schema_text

    text = schema_text()
    if args.output in (None, "-"):
        sys.stdout.write(text)
        return 0
    try:
        write_atomic(args.output, text)
    except OSError as error:
        raise SalientError(f"cannot write {args.output}: {error.strerror or error}") from None
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
