"""How many games a command may be asked to play: the limits stated in `--help` and enforced in one place.

A number far past what any analysis needs (a billion replications) would run for days or exhaust memory
rather than fail; it is refused at once with the allowed range named.
"""

from __future__ import annotations

from game.errors import SalientError

MAX_RUNS = 10_000_000
"""Games per policy for `salient check` (its statistics are streamed; ten million is hours of work)."""
MAX_HINDCAST_RUNS = 1_000_000
"""Games for `salient hindcast` (each keeps its per-turn track)."""
MAX_REPLICATIONS = 100_000
"""Replications per decision for the luck analysis and a decision's forecast."""


JOURNAL_HELP = "a .jsonl journal of at most 64 MB, no line over 16 MB"
"""What `--help` says of a saved game (the caps are in `game.record.journal`)."""
ORDERS_HELP = "YAML or JSON, at most 1 MB, nested at most 50 levels deep"
"""What `--help` says of an orders file (the caps are in `game.scenario.yaml_safety`)."""
NAME_HELP = "at most 200 characters"
"""What `--help` says of a trainee name (the cap is `game.record.format.MAX_NAME_CHARS`)."""
SEED_HELP = "a whole number from 0 to 2**63 - 1"
"""What `--help` says of a game's seed (the cap is `game.record.format.MAX_SEED`)."""


def seed(option: str, value: int) -> int:
    """A game's seed within what a save and the class database keep; otherwise a plain error."""
    from game.record.format import MAX_SEED

    return within(option, value, 0, MAX_SEED)


def name(option: str, value: str) -> str:
    """A trainee name no longer than a save and the class database keep; otherwise a plain error."""
    from game.record.format import MAX_NAME_CHARS

    if len(value) > MAX_NAME_CHARS:
        raise SalientError(f"{option} must be at most {MAX_NAME_CHARS} characters (got {len(value):,})")
    return value


def within(option: str, value: int, low: int, high: int) -> int:
    """`value` when `low <= value <= high`; otherwise a plain error naming the option and its range."""
    if not low <= value <= high:
        raise SalientError(f"{option} must be a whole number from {low:,} to {high:,} (got {value:,})")
    return value


__all__ = [
    "JOURNAL_HELP",
    "MAX_HINDCAST_RUNS",
    "MAX_REPLICATIONS",
    "MAX_RUNS",
    "NAME_HELP",
    "ORDERS_HELP",
    "SEED_HELP",
    "name",
    "seed",
    "within",
]
