"""The opposing force's doctrine, vectorised: where its units assault, when it pauses, where its drones go.

Targeting: a unit standing in a sector the player holds fights there (it is already in contact).
A unit in a sector the enemy holds picks, among the sectors the player holds, the best by
    score = 4·main_effort_rank + 2·weakness − 3·max(hops − 1, 0)
(weakness = 1 − defenders / strongest defence): main-effort sectors first, then wherever the
defence is thinnest, near before far. An adjacent target is assaulted; a distant one is
approached one sector per turn. A sector is assaulted only if the units aiming at it outnumber its
defenders by the doctrine's minimum force ratio — except by infiltrators, who fight where they stand.
Its artillery, air and front-line drones follow the assaults, weighted towards the thinnest defence
(game.engine.combat). A unit that loses more than `pause_when_losses_exceed` of the soldiers it sent
into the assault pauses the next turn to regroup; the attacker shifts drones to the road after
convoys have run.
"""

from __future__ import annotations

import numpy as np

from . import layout
from .params import ENEMY, FAR, PLAYER, Params
from .sampling import argmax_of_sum_at, rowany, rowmax, rowsum, rowwise_take

MORALE_BREAK = 0.15
"""A unit whose morale falls below this is broken whatever its strength."""
REFORM_PER_TURN = 0.25
"""Share of the gap between a unit's reference strength and its strength closed each turn: a unit worn down
over days re-forms as a smaller unit, so its breaking point measures recent losses (shock), not all of them."""


def broken(p: Params, strength: np.ndarray, morale: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """(R, U) units past their breaking point (share of their reference strength lost, see `reformed`) or with
    collapsed morale. Without a reference, the starting strength."""
    ref = p.units.strength0 if reference is None else reference
    result: np.ndarray = (strength < 1.0) | (strength < (1.0 - p.units.breaking) * ref - 1e-9) | (morale < MORALE_BREAK)
    return result


def reformed(reference: np.ndarray, strength: np.ndarray) -> np.ndarray:
    """The next turn's reference strength: never below the strength, closing REFORM_PER_TURN of the gap."""
    result: np.ndarray = np.maximum(strength, reference + REFORM_PER_TURN * (strength - reference))
    return result


def sector_sum(index: np.ndarray, weights: np.ndarray, bins: int) -> np.ndarray:
    """(R, bins) sums of `weights` (R, U) by `index` (R, U) in [0, bins)."""
    R = index.shape[0]
    flat = layout.column_positions(index).ravel()
    return np.bincount(flat, weights=weights.T.ravel(), minlength=R * bins).reshape(bins, R).T


def by_sector(sector: np.ndarray, weights: np.ndarray, where: np.ndarray, S: int) -> np.ndarray:
    """(R, S) sums of `weights` (R, K) by `sector` (R, K), counting only the entries `where` is true (the soldiers of
    the units in the line, say, each in the sector it stands in)."""
    return sector_sum(np.where(where, sector, S), weights, S + 1)[:, :S]


def plan_targets(
    p: Params,
    holder: np.ndarray,
    loc: np.ndarray,
    strength: np.ndarray,
    able: np.ndarray,
    defenders: np.ndarray,
    in_held: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each enemy unit's target sector this turn (-1 none) and its location after any approach march.

    `in_held` (R, U): whether each unit stands in a sector the player holds, when the caller has it already."""
    S = holder.shape[1]
    theirs = p.side_units(ENEMY)  # only the enemy's units pick targets
    held = holder == PLAYER
    lo = loc[:, theirs]
    fit = able[:, theirs]
    # standing in a sector the player holds: fight there
    in_contact = rowwise_take(held, lo) if in_held is None else in_held[:, theirs]
    tgt = lo
    ok = in_contact & fit
    outside = fit & ~in_contact
    if outside.any():  # the doctrine's choice, only where some unit stands outside the player's ground
        tgt, reach = _choose(p, held, defenders, lo, outside)
        ok = ok | reach
    pair = lo * p.sectors.dist.shape[1] + tgt  # flat (origin, target) index: one np.take instead of 2-D fancy indexing
    hop = p.sectors.dist.ravel()[pair]
    assault = ok & (hop <= 1)
    move = ok & (hop > 1)
    new_loc = np.copy(loc)
    new_loc[:, theirs] = np.where(move, p.sectors.next_hop.ravel()[pair], lo)
    # the doctrine's minimum force ratio, sector by sector
    idx = np.where(assault, tgt, S)
    massed = sector_sum(idx, strength[:, theirs], S + 1)[:, :S]
    go = massed >= p.doctrine.min_ratio * defenders
    go_u = rowwise_take(layout.pad_column(go, False), idx) | (assault & in_contact & p.units.infiltrator[theirs])
    target = np.full(loc.shape, -1, dtype=loc.dtype, order="F")
    target[:, theirs] = np.where(go_u, tgt, -1)
    return target, new_loc


def _choose(
    p: Params, held: np.ndarray, defenders: np.ndarray, lo: np.ndarray, outside: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(target, reachable) for the enemy units `outside` the player's ground (others keep `lo`, False): the best
    held sector by the doctrine's score from where each stands, and whether any held sector is reachable from
    there. Worked out once per (replication, sector a unit chooses from), not for every replication and sector:
    the cost follows the units that choose, not the square of the map."""
    S = held.shape[1]
    rows = np.flatnonzero(rowany(outside))  # replications where some unit chooses
    r, u = np.nonzero(outside[rows])
    origin = lo[rows[r], u]
    pairs, which = np.unique(r * S + origin, return_inverse=True)  # each (replication, origin) once
    pr, po = pairs // S, pairs % S
    d = defenders[rows]
    weakness = 1.0 - d / (rowmax(d, keepdims=True) + 1.0)
    hops = p.sectors.dist.astype(float)
    connected = p.sectors.dist < FAR  # (S origin, S target)
    static = 4.0 * p.sectors.main_effort_rank[None, :] - 3.0 * np.maximum(hops - 1.0, 0.0) + 100.0 * (hops == 0)
    static = np.where(connected, static, -1e9)
    h = held[rows]
    best = argmax_of_sum_at(static, np.where(h, 2.0 * weakness, -1e12), pr, po)
    valid = rowany(h[pr] & connected[po])  # some held sector is reachable from the origin
    tgt = np.copy(lo)
    reach = np.zeros(lo.shape, dtype=bool, order="F")
    tgt[rows[r], u] = best[which.reshape(-1)]
    reach[rows[r], u] = valid[which.reshape(-1)]
    return tgt, reach


WAVE_HOURS = 3.0
"""Hours one assault wave stays in the close fight."""


MAIN_EFFORT_WAVES = 0.3
"""Extra share of the waves sent against the first main-effort sector (less down the list): the doctrine
feeds its main effort."""


def contact_share(p: Params, target: np.ndarray) -> np.ndarray:
    """(R, U) share of each assaulting unit in contact at a time: one wave (aggression × wave share), more
    against a main-effort sector; all of an infiltrating unit, which is already inside the position; 0 for
    units that do not assault."""
    wave = p.doctrine.aggression * p.doctrine.wave_share if p.doctrine.waves > 0 else 0.0
    # only the enemy's units assault (the others' share is 0); each unit's target's rank gathered from the (S,) ranks
    # themselves rather than from a copy per replication (units without a target read sector 0's, then get 0)
    theirs = p.side_units(ENEMY)
    aim = target[:, theirs]
    focus = 1.0 + MAIN_EFFORT_WAVES * p.sectors.main_effort_rank[np.maximum(aim, 0)]
    share = layout.zeros(target.shape)
    share[:, theirs] = np.where(aim >= 0, np.where(p.units.infiltrator[theirs], 1.0, wave * focus), 0.0)
    return share


def assault_hours(p: Params) -> float:
    """Hours of close fighting in a turn: the waves one after another, at most the whole turn."""
    return min(p.turn_hours, p.doctrine.waves * WAVE_HOURS)


def next_road_share(p: Params, trucks_sent: np.ndarray) -> np.ndarray:
    """Share of drone crews hunting the road next turn: more after busy convoy traffic, never above the max."""
    activity = np.minimum(1.0, trucks_sent / max(p.convoys.trucks_available, 1))
    return p.doctrine.road_share0 + p.doctrine.react * activity * (p.doctrine.road_share_max - p.doctrine.road_share0)


ORDINARY_BREAKING_POINT = 0.5
"""The breaking point for which the doctrine's pause threshold holds as written (see `regroup`)."""


def regroup(p: Params, committed: np.ndarray, lost: np.ndarray, attacked: np.ndarray) -> np.ndarray:
    """(R, U) enemy units that pause next turn: those that lost more of the soldiers they sent into the assault
    this turn than the doctrine allows — `pause_when_losses_exceed` for a unit with an ordinary breaking point,
    more for units that break late (North Koreans who fight on where others stop), less for brittle ones."""
    limit = p.doctrine.pause_threshold * p.units.breaking / ORDINARY_BREAKING_POINT
    result: np.ndarray = attacked & (p.units.side == ENEMY) & (lost > limit * np.maximum(committed, 1.0))
    return result


def reinforce(p: Params, strength: np.ndarray, reserve: np.ndarray) -> np.ndarray:
    """Add each side's fresh soldiers to its units still in being, in proportion to their starting strength."""
    out = strength
    for side in (PLAYER, ENEMY):
        amount = p.sides.reinforcements[side]
        if amount <= 0:
            continue
        units = p.side_units(side)
        # w ≥ 0, so a row whose total is 0 has w = 0 throughout and gets amount·0/1 = 0 (no np.where needed)
        w = ((strength[:, units] >= 1.0) & ~reserve[:, units]) * p.units.strength0[units]
        total = rowsum(w, keepdims=True)
        w *= amount
        w /= np.where(total > 0, total, 1.0)
        if out is strength:
            out = np.copy(strength)
        out[:, units] += w
    return out
