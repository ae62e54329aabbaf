"""The opposing force's doctrine, vectorised: where its units assault, when it pauses, where its drones go.

Targeting: a unit standing in a sector the player holds fights there (it is already in contact).
A unit in a sector the enemy holds picks, among the sectors the player holds, the best by
    score = 4·main_effort_rank + 2·weakness − 3·max(hops − 1, 0)
(weakness = 1 − defenders / strongest defence): main-effort sectors first, then wherever the
defence is thinnest, near before far. An adjacent target is assaulted; a distant one is
approached one sector per turn. A sector is assaulted only if the units aiming at it outnumber its
defenders by the doctrine's minimum force ratio. Its artillery, air and front-line drones follow the
assaults, weighted towards the thinnest defence (game.engine.combat). The attacker pauses for a turn after losing more
than `pause_when_losses_exceed` of the force it committed, and shifts drones to the road after
convoys have run.
"""

from __future__ import annotations

import numpy as np

from . import layout
from .params import ENEMY, PLAYER, Params
from .sampling import rowmax, rowsum, rowwise_take

MORALE_BREAK = 0.15
"""A unit whose morale falls below this is broken whatever its strength."""


def broken(p: Params, strength: np.ndarray, morale: np.ndarray) -> np.ndarray:
    """(R, U) units past their breaking point (share of starting strength lost) or with collapsed morale."""
    return (strength < 1.0) | (strength < (1.0 - p.breaking) * p.strength0 - 1e-9) | (morale < MORALE_BREAK)


def sector_sum(index: np.ndarray, weights: np.ndarray, bins: int) -> np.ndarray:
    """(R, bins) sums of `weights` (R, U) by `index` (R, U) in [0, bins)."""
    R = index.shape[0]
    flat = layout.column_positions(index).ravel()
    return np.bincount(flat, weights=weights.T.ravel(), minlength=R * bins).reshape(bins, R).T


def plan_targets(
    p: Params, holder: np.ndarray, loc: np.ndarray, strength: np.ndarray, able: np.ndarray, defenders: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each enemy unit's target sector this turn (-1 none) and its location after any approach march."""
    S = holder.shape[1]
    theirs = p.side_units(ENEMY)  # only the enemy's units pick targets
    held = holder == PLAYER
    lo = loc[:, theirs]
    fit = able[:, theirs]
    in_contact = rowwise_take(held, lo)  # standing in a sector the player holds: fight there
    tgt = lo
    ok = in_contact & fit
    outside = fit & ~in_contact
    if outside.any():  # the doctrine's choice, where some unit stands outside the player's ground
        weakness = 1.0 - defenders / (rowmax(defenders, keepdims=True) + 1.0)
        hops = p.dist.astype(float)
        static = 4.0 * p.main_effort_rank[None, :] - 3.0 * np.maximum(hops - 1.0, 0.0) + 100.0 * (hops == 0)
        static = np.where(p.dist < 90, static, -1e9)  # (S origin, S target)
        best = (static[None] + np.where(held, 2.0 * weakness, -1e12)[:, None, :]).argmax(axis=2)  # (R, S origin)
        valid = np.matmul(held.astype(float), (p.dist < 90).T.astype(float), order="F") > 0  # some held sector is reachable
        tgt = np.where(outside, rowwise_take(best, lo), lo)
        ok = ok | (outside & rowwise_take(valid, lo))
    pair = lo * p.dist.shape[1] + tgt  # flat (origin, target) index: one np.take instead of 2-D fancy indexing
    hop = p.dist.ravel()[pair]
    assault = ok & (hop <= 1)
    move = ok & (hop > 1)
    new_loc = np.copy(loc)
    new_loc[:, theirs] = np.where(move, p.next_hop.ravel()[pair], lo)
    # the doctrine's minimum force ratio, sector by sector
    idx = np.where(assault, tgt, S)
    massed = sector_sum(idx, strength[:, theirs], S + 1)[:, :S]
    go = massed >= p.min_ratio * defenders
    go_u = rowwise_take(layout.pad_column(go, False), idx)
    target = np.full(loc.shape, -1, dtype=loc.dtype, order="F")
    target[:, theirs] = np.where(go_u, tgt, -1)
    return target, new_loc


WAVE_HOURS = 3.0
"""Hours one assault wave stays in the close fight."""


def contact_share(p: Params) -> float:
    """Share of an assaulting unit in contact at a time: one wave (aggression × wave share)."""
    return p.aggression * p.wave_share if p.waves > 0 else 0.0


def assault_hours(p: Params) -> float:
    """Hours of close fighting in a turn: the waves one after another, at most the whole turn."""
    return min(p.turn_hours, p.waves * WAVE_HOURS)


def next_road_share(p: Params, trucks_sent: np.ndarray) -> np.ndarray:
    """Share of drone crews hunting the road next turn: more after busy convoy traffic, never above the max."""
    activity = np.minimum(1.0, trucks_sent / max(p.trucks_available, 1))
    return p.road_share0 + p.react * activity * (p.road_share_max - p.road_share0)


def reinforce(p: Params, strength: np.ndarray, reserve: np.ndarray) -> np.ndarray:
    """Add each side's fresh soldiers to its units still in being, in proportion to their starting strength."""
    out = strength
    for side in (PLAYER, ENEMY):
        amount = p.reinforcements[side]
        if amount <= 0:
            continue
        units = p.side_units(side)
        # w ≥ 0, so a row whose total is 0 has w = 0 throughout and gets amount·0/1 = 0 (no np.where needed)
        w = ((strength[:, units] >= 1.0) & ~reserve[:, units]) * p.strength0[units]
        total = rowsum(w, keepdims=True)
        w *= amount
        w /= np.where(total > 0, total, 1.0)
        if out is strength:
            out = np.copy(strength)
        out[:, units] += w
    return out
