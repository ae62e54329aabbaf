"""The engine refuses to go on with numbers that are not numbers: NaN or infinity in the state stops the game
with a plain message that names the scenario numbers most likely to blame, instead of a score of `nan`.

A scenario's fields have sane bounds, but a number can still be absurd (a firepower of 1e308, an inject that
scales a rate by a huge factor) and overflow inside a turn. The check costs one pass over a few arrays a turn.
"""

from __future__ import annotations

import math

import numpy as np

from game.errors import SalientError
from game.scenario import Scenario
from game.scenario.scenario import numeric_leaves

from .state import State

SUSPECT_MAGNITUDE = 1e9
"""Scenario numbers at or above this size are named as suspects when the model overflows."""
CHECKED = ("strength", "morale", "stocks", "casualties", "fort", "progress", "cut_clock", "area_turns")
"""State fields whose values every later step builds on."""


class ModelError(SalientError):
    """The model produced a number that is not finite; the message names the likely cause in the scenario."""


def check_finite(scenarios: list[Scenario], state: State, turn: int) -> None:
    """Raise ModelError when a checked state field holds NaN or infinity after `turn`.

    `scenarios`: the scenario as each group of replications played it (rate injects applied), searched for
    the numbers to blame."""
    bad = [name for name in CHECKED if not np.isfinite(getattr(state, name)).all()]
    if bad:
        raise ModelError(
            f"the model produced numbers that are not finite ({', '.join(bad)}) on turn {turn} of "
            f"'{scenarios[0].meta.id}': {suspects(scenarios)}"
        )


def suspects(scenarios: list[Scenario]) -> str:
    """The scenario numbers most likely to have overflowed, largest first, as `path = value` in plain words."""
    seen = {
        path: value
        for sc in scenarios
        for path, value in numeric_leaves(sc)
        if not math.isfinite(value) or abs(value) >= SUSPECT_MAGNITUDE
    }
    found = sorted(seen.items(), key=lambda item: -abs(item[1]) if math.isfinite(item[1]) else -math.inf)
    if not found:
        return "no scenario number is out of the ordinary; an inject that scales a rate many times over may be to blame"
    shown = "; ".join(f"{path} = {value:g}" for path, value in found[:3])
    return f"check {shown} (a number this size overflows the model)"


__all__ = ["ModelError", "check_finite", "suspects"]
