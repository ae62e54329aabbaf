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


def within(option: str, value: int, low: int, high: int) -> int:
    """`value` when `low <= value <= high`; otherwise a plain error naming the option and its range."""
    if not low <= value <= high:
        raise SalientError(f"{option} must be a whole number from {low:,} to {high:,} (got {value:,})")
    return value


__all__ = ["MAX_HINDCAST_RUNS", "MAX_REPLICATIONS", "MAX_RUNS", "within"]
