"""`salient branch SAVE --turn N (--policy NAME | --orders FILE)`: a what-if on the same dice.

Replays the saved game to turn N, plays on with other orders (the same random draws as the original),
prints how the branch compares with what happened, and stores the branch in the save's journal.
"""

from __future__ import annotations

import argparse
import json

from ._bounds import JOURNAL_HELP, ORDERS_HELP


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `branch` to the command line."""
    parser = subparsers.add_parser(
        "branch",
        help="replay a saved game to turn N and try other orders with the same dice",
        description="Replay SAVE to turn N, give other orders from there (a standing policy, or an orders file "
        "in JSON or YAML: one set of orders or a list, one per turn), and play on to the end with the same "
        "random draws as the original. Prints the comparison and stores the branch in SAVE (never scored).",
    )
    parser.add_argument("save", metavar="SAVE", help=f"saved game ({JOURNAL_HELP})")
    parser.add_argument("--turn", type=int, required=True, metavar="N", help="first turn played differently")
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--policy", metavar="NAME", help="standing policy that plays from turn N to the end")
    how.add_argument("--orders", metavar="FILE", help=f"orders for turn N (a list: for turns N, N+1, …; {ORDERS_HELP})")
    parser.add_argument(
        "--then",
        default="original",
        metavar="WHAT",
        help="after the orders file runs out: original (the trainee's orders, default), default, or a policy name",
    )
    parser.add_argument("--label", default="", metavar="TEXT", help="name of the branch in the debrief")
    parser.add_argument("--turns", type=int, metavar="K", help="play at most K turns of the branch")
    parser.add_argument("--dry-run", action="store_true", help="compare only; do not store the branch")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Play the branch, print the comparison, store it."""
    from game.errors import SalientError
    from game.record.branch import branch_from_journal, comparison_rows, store_branch
    from game.record.journal import load_journal

    if args.turns is not None and args.turns < 1:
        raise SalientError("--turns must be at least 1")
    loaded = load_journal(args.save)
    if loaded.problems:
        raise SalientError(f"{args.save}: {loaded.damage_note()}")
    branch = branch_from_journal(
        loaded,
        args.turn,
        policy=args.policy,
        orders_file=args.orders,
        then=None if args.policy else args.then,
        label=args.label,
        max_turns=args.turns,
    )
    stored = ""
    if not args.dry_run and loaded.torn:
        stored = "not stored: the journal's last line is torn (open the game with `salient play --load` to repair it)"
    elif not args.dry_run:
        store_branch(loaded, branch)
        stored = f"stored as branch {branch.record['id']} in {args.save}"
    if args.json:
        print(
            json.dumps(
                {
                    "branch": branch.record["id"],
                    "label": branch.record["label"],
                    "from_turn": args.turn,
                    "stored": not args.dry_run,
                    "original": branch.original.__dict__,
                    "what_if": branch.branch.__dict__,
                    "notes": branch.notes,
                },
                indent=2,
            )
        )
        return 0
    print(f"What-if {branch.record['id']}: {branch.record['label']} (same dice as the original)")
    rows = [("", "original", "what-if", "difference"), *comparison_rows(branch.branch, branch.original)]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print(f"  {r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]:>{widths[3]}}")
    for note in branch.notes:
        print(f"  note: {note}")
    if loaded.torn:
        print(f"  note: {loaded.damage_note()}")
    print(stored or "not stored (--dry-run)")
    return 0
