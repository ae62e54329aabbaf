"""Ground: when a sector changes hands, where its defenders go, what the grouping still holds.

Each sector carries the attacker's progress (0..1); it falls at 1. Per turn, under assault:
  hold, fortify, counter-attack:  progress += clip(0.5 · (ρ − 1), 0, 1), ρ = attacker's effective
                                  engaged fighting power / defender's (quality × protection × supply ×
                                  posture fire; numbers beyond the frontage count a quarter, see combat);
                                  a counter-attack that is locally stronger (ρ < 1) pushes it back
  delay:                          progress += max(1/4, half what holding would allow): ground traded at a
                                  steady pace, faster only against overwhelming odds
  withdraw:                       the sector is given up at the end of the turn, under assault or not
  defenders broken or gone:       the sector falls
Without assault the progress decays by 0.2 a turn. Defenders of a fallen sector fall back to the
nearest held sector (strongest first), losing RETREAT_LOSS of their strength (less when they
delayed or withdrew in good order, more when cut off, OVERRUN_LOSS when no held sector is left and they
break out of the bridgehead); attackers move in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import layout
from .params import COUNTER_ATTACK, DELAY, ENEMY, PLAYER, WITHDRAW, Params, per_posture
from .sampling import argmax_of_sum_at, rowany, rowmax, rowwise_take

PROGRESS_RATE = 0.5
"""Progress per turn for each unit of fighting-power ratio above 1."""
DELAY_PROGRESS = 0.25
"""Progress per turn in a sector that delays: ground traded at a steady pace..."""
DELAY_ODDS = 0.5
"""...or faster against odds too long to trade at that pace: this share of the progress holding would allow."""
PROGRESS_DECAY = 0.2
"""Progress lost per turn without assault."""
RETREAT_LOSS = per_posture(hold=0.10, fortify=0.15, counter_attack=0.12, delay=0.03, withdraw=0.0, assault=0.10)
"""Share of a unit's strength lost falling back from a fallen sector, by posture code (troops tied to the works
they dug get out worst; those that delayed or withdrew were already on the move)."""
CUT_OFF_LOSS = 0.4
"""Share lost when no held sector is adjacent (the unit must infiltrate back)."""
OVERRUN_LOSS = 0.6
"""Share lost by units whose last sector falls: they break out of the bridgehead as best they can."""


@dataclass
class TerritoryResult:
    """The turn's changes of hands."""

    holder: np.ndarray  # (R, S)
    progress: np.ndarray  # (R, S)
    loc: np.ndarray  # (R, U)
    fell: np.ndarray  # (R, S) bool: lost this turn
    given: np.ndarray  # (R, S) bool: lost by the player's own withdraw posture
    retreat_loss: np.ndarray  # (R, U) soldiers lost falling back
    overrun: np.ndarray  # (R, U) bool: units with nowhere to fall back to
    took: np.ndarray  # (R, U) bool: attacking units that took the sector they assaulted (they moved into it)


def resolve(
    p: Params,
    holder: np.ndarray,
    progress: np.ndarray,
    posture: np.ndarray,
    loc: np.ndarray,
    strength: np.ndarray,
    defenders: np.ndarray,
    attackers: np.ndarray,
    power_ratio: np.ndarray,
    attacked: np.ndarray,
    target: np.ndarray,
) -> TerritoryResult:
    """Advance the attacker's progress, hand over fallen sectors and move both sides' units."""
    _R, S = holder.shape
    held = holder == PLAYER
    delta = np.clip(PROGRESS_RATE * (power_ratio - 1.0), 0.0, 1.0)
    delta = np.where(posture == COUNTER_ATTACK, delta - 0.3 * np.clip(1.0 - power_ratio, 0.0, 1.0), delta)
    delta = np.where(posture == DELAY, np.maximum(DELAY_PROGRESS, DELAY_ODDS * delta), delta)
    delta = np.where(attacked, delta, -PROGRESS_DECAY)
    delta = np.where(attacked & (defenders < 1.0), 1.0, delta)
    prog = np.clip(progress + delta, 0.0, 1.0)
    prog = np.where(held & (posture == WITHDRAW), 1.0, prog)
    fell = held & (prog >= 0.999)
    given = fell & (posture == WITHDRAW)
    new_holder = np.where(fell, ENEMY, holder).astype(holder.dtype)
    prog = np.where(fell | ~held, 0.0, prog)

    retreat = layout.zeros(strength.shape)
    overrun = layout.zeros(strength.shape, dtype=bool)
    new_loc = np.copy(loc)
    if fell.any():  # where a sector fell: where its defenders go, and what it costs them
        _fall_back(p, fell, new_holder == PLAYER, posture, loc, strength, defenders, retreat, overrun, new_loc)
    # attackers that took a sector move into it
    theirs = p.side_units(ENEMY)
    aim = target[:, theirs]
    took = layout.zeros(strength.shape, dtype=bool)
    took[:, theirs] = (aim >= 0) & rowwise_take(layout.pad_column(fell, False), np.where(aim >= 0, aim, S))
    new_loc[:, theirs] = np.where(took[:, theirs], aim, new_loc[:, theirs])
    return TerritoryResult(new_holder, prog, new_loc, fell, given, retreat, overrun, took)


def _fall_back(
    p: Params,
    fell: np.ndarray,
    still: np.ndarray,
    posture: np.ndarray,
    loc: np.ndarray,
    strength: np.ndarray,
    defenders: np.ndarray,
    retreat: np.ndarray,
    overrun: np.ndarray,
    new_loc: np.ndarray,
) -> None:
    """The player's units in fallen sectors fall back to the nearest held sector, the strongest among equals (or
    break out when none is left), paying for it; written into `retreat`, `overrun` and `new_loc`. Worked out only
    for the units in a sector that fell and from the sectors they stand in, not for every replication and sector:
    the cost follows what fell, not the square of the map."""
    S = fell.shape[1]
    mine = p.side_units(PLAYER)
    rows = np.flatnonzero(rowany(fell))  # replications where a sector fell
    lr = loc[rows, mine]
    r, u = np.nonzero(rowwise_take(fell[rows], lr))  # units standing in a sector that fell
    if r.size == 0:
        return
    origin = lr[r, u]
    pairs, which = np.unique(r * S + origin, return_inverse=True)  # each (replication, sector) once
    which = which.reshape(-1)
    d, h = defenders[rows], still[rows]
    stronger = d / (rowmax(d, keepdims=True) + 1.0)  # < 1: breaks ties between equally near sectors
    # from each fallen sector, the best held one: -1000 × hops + stronger, -inf where not held (the same sums as
    # masking -1000 × hops + stronger afterwards, since -1000 × hops is finite)
    dest = argmax_of_sum_at(-1000.0 * p.sectors.dist, np.where(h, stronger, -np.inf), pairs // S, pairs % S)[which]
    hops = p.sectors.dist.ravel()[origin * S + dest]
    share = np.where(hops <= 1, RETREAT_LOSS[posture[rows[r], origin]], CUT_OFF_LOSS)
    over = ~rowany(h)[r]
    at, unit = rows[r], np.arange(strength.shape[1])[mine][u]
    retreat[at, unit] = strength[at, unit] * np.where(over, OVERRUN_LOSS, share)
    overrun[at, unit] = over
    new_loc[at, unit] = np.where(over, origin, dest)
