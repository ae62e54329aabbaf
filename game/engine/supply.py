"""Supply: convoys on the road or the tracks, road states, stocks, shortages and the wounded.

Trucks lost are drawn binomially (inverse CDF on the turn's convoy uniforms, for common random
numbers) with the per-trip survival of the chosen route; survivors' cargo, capped by the route's
throughput in its current state and by what waits at the border, is split into stocks. A convoy
drives a route from the border as far as it can: up to the first blocked segment (air damage, or an
end place in enemy hands), unloading at the last place it reached (`reachable`) — so losing the town
at the end of the road still leaves the road to the sectors before it. A route is unusable when its
first segment is blocked or its daylight survival falls below ROUTE_CUT_SURVIVAL; when every route is
unusable the encirclement clock ticks.

Each stock does one job. Ammunition is fire: effectiveness = clip((stock / need)^exponent, floor, 1),
the need and the use counted by the soldiers who fire (the effective engaged, game.engine.combat), so a
bigger grouping on the same road does not fire less. Fuel is movement: evacuating the wounded, digging,
getting out. Food and medical supplies keep the wounded alive and the soldiers' morale up. Drones fly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import layout
from .drones import RoadExposure
from .params import (
    CUT,
    ENEMY,
    HOLD,
    PLAYER,
    SUPPLY_AMMUNITION,
    SUPPLY_FOOD_MEDICAL,
    SUPPLY_FUEL,
    SUPPLY_STOCK,
    Params,
)
from .sampling import binomial_from_uniform, rowany, rowmin, rowsum

STATE_SURVIVAL = (0.95, 0.85, 0.6)
"""Daylight survival of one truck on a segment at or above which it is open, contested, interdicted (else cut):
each threshold it falls below makes its road state one code worse."""
STATE_THROUGHPUT = np.array([1.0, 0.8, 0.5, 0.25])
"""Share of a segment's throughput that passes, by road state code (a blocked segment passes nothing)."""
ROUTE_CUT_SURVIVAL = 0.25
"""A route whose daylight survival per trip is below this counts as cut for the encirclement clock."""
REPAIR_PROBABILITY = 0.5
"""Chance per turn that engineers repair one level of road damage."""
EVACUATION_FLOOR = 0.3
"""Share of the evacuation rate kept with no fuel at all (stretchers, carts, walking wounded)."""
DOW_MEDICAL_SHORTAGE = 1.0
"""Extra died-of-wounds rate, as a multiple, when medical stocks are empty."""


@dataclass
class ConvoyResult:
    """What the convoys did this turn (arrays over R)."""

    sent: np.ndarray
    lost: np.ndarray
    lost_radio: np.ndarray
    lost_fibre: np.ndarray
    delivered: np.ndarray
    survival: np.ndarray  # daylight per-trip survival on the chosen route (as ordered, escort included)
    spared: dict[str, np.ndarray]  # factor name -> expected trucks spared (empty when not asked for)


def blocked_segments(p: Params, holder: np.ndarray, damage: np.ndarray) -> np.ndarray:
    """(R, G) segments no truck can pass: destroyed, or an end place in enemy hands."""
    ends = p.roads.end_sectors
    lost = np.zeros(damage.shape, dtype=bool, order="F")
    for k in range(2):
        inside = ends[:, k] >= 0
        if inside.any():
            lost[:, inside] |= holder[:, ends[inside, k]] == ENEMY
    return (damage >= CUT) | lost


def reachable(p: Params, blocked: np.ndarray) -> list[np.ndarray]:
    """Per route (road, then tracks), (R, G) the segments a convoy from the border can drive: those before the
    first blocked one."""
    out = []
    for route in p.roads.routes:
        ok = np.ones(blocked.shape[0], dtype=bool)
        mask = np.zeros(blocked.shape, dtype=bool, order="F")
        for g in route:
            ok = ok & ~blocked[:, g]
            mask[:, g] = ok
        out.append(mask)
    return out


@dataclass
class Routes:
    """The routes (road, then tracks) as far as a convoy from the border can drive them under one road situation,
    with their daylight survival per trip that far: worked out once and read by the convoys, the encirclement
    test and the withdrawal."""

    reach: list[np.ndarray]  # per route, (R, G) the segments before the first blocked one (`reachable`)
    reaches: list[np.ndarray]  # per route, (R,) it reaches some segment
    survival: list[np.ndarray]  # per route, (R,) exp(−the threat summed over the segments it reaches)


def drivable_routes(p: Params, threat: np.ndarray, blocked: np.ndarray) -> Routes:
    """`Routes` with the threat (R, G) (`RoadExposure.total`) and the blocked segments (R, G) of one moment."""
    reach = reachable(p, blocked)
    return Routes(reach, [rowany(r) for r in reach], [np.exp(-rowsum(threat * r)) for r in reach])


def segment_states(p: Params, threat: np.ndarray, damage: np.ndarray, blocked: np.ndarray) -> np.ndarray:
    """(R, G) road state codes, OPEN .. CUT: the worse of the drone threat (`RoadExposure.total`), physical damage
    and a blocked segment."""
    survival = np.exp(-threat)
    threat = (
        (survival < STATE_SURVIVAL[0]).astype(np.int8) + (survival < STATE_SURVIVAL[1]) + (survival < STATE_SURVIVAL[2])
    )
    result: np.ndarray = np.maximum(np.maximum(threat, damage), blocked * np.int8(CUT)).astype(np.int8)
    return result


def routes_cut(p: Params, exposure: RoadExposure, blocked: np.ndarray) -> np.ndarray:
    """(R,) True when every route (road, and tracks if any) is unusable."""
    cut = np.ones(blocked.shape[0], dtype=bool)
    for reach in reachable(p, blocked):
        survival = np.exp(-rowsum(exposure.total * reach))
        cut &= ~(rowany(reach) & (survival >= ROUTE_CUT_SURVIVAL))
    return cut


POCKET_SHARE = 0.5
"""When more than this share of the grouping's line stands in sectors no usable route connects to (through
held sectors), the grouping counts as cut off: the encirclement clock ticks although a route still reaches a
pocket of it."""


def cut_off(p: Params, routes: Routes, holder: np.ndarray, line: np.ndarray) -> np.ndarray:
    """(R,) True when every route is unusable, or the routes that work reach only a pocket of the grouping.

    `line` (R, S): the player's soldiers in the line per sector. A usable route supplies the held sectors
    its convoys can unload in and every held sector joined to them by held sectors."""
    held = holder == PLAYER
    fed = np.zeros(held.shape, dtype=bool, order="F")
    for reach, reaches, survival in zip(routes.reach, routes.reaches, routes.survival, strict=True):
        usable = reaches & (survival >= ROUTE_CUT_SURVIVAL)
        for g in np.flatnonzero(p.roads.on_road | p.roads.on_tracks):
            unload = reach[:, g] & usable
            for end in p.roads.end_sectors[g]:
                if end >= 0:
                    fed[:, end] |= unload
    fed &= held
    neighbours = list(zip(*np.nonzero(np.triu(p.sectors.adjacent)), strict=True))  # found once, not once per step
    for _ in range(max(p.S - 1, 0)):  # spread through held neighbours (at most S - 1 steps)
        grown = fed.copy(order="F")
        for a, b in neighbours:
            grown[:, a] |= fed[:, b]
            grown[:, b] |= fed[:, a]
        grown &= held
        if (grown == fed).all():
            break
        fed = grown
    total = rowsum(line)
    pocketed = rowsum(line * ~fed)
    result: np.ndarray = ~rowany(fed) | (pocketed > POCKET_SHARE * np.maximum(total, 1e-9))
    return result


def best_route_survival(routes: Routes, R: int) -> np.ndarray:
    """(R,) daylight survival per trip on the better of the routes as far as they reach (0 when none reaches)."""
    best = np.zeros(R)
    for reaches, survival in zip(routes.reaches, routes.survival, strict=True):
        best = np.maximum(best, survival * reaches)
    return best


def run_convoys(
    p: Params,
    tracks: np.ndarray,
    day: np.ndarray,
    night: np.ndarray,
    escort: np.ndarray,
    exposure: RoadExposure,
    routes: Routes,
    states: np.ndarray,
    u_day: np.ndarray,
    u_night: np.ndarray,
    throughput: np.ndarray,
    *,
    spared: bool = True,
) -> ConvoyResult:
    """Send the trucks, draw the losses, deliver what gets through (and, with `spared`, what each measure saved)."""
    R = states.shape[0]
    reach = routes.reach
    none = np.zeros(states.shape, dtype=bool, order="F")
    road, track = ([*reach, none, none])[:2] if p.roads.on_road.any() else (none, reach[0] if reach else none)
    route = np.where(tracks[:, None], track, road)  # (R, G) the segments each convoy drives
    route_blocked = ~rowany(route)
    lam_r = rowsum(exposure.radio * route)
    lam_f = rowsum(exposure.fibre * route)
    lam = lam_r + lam_f
    esc = 1.0 - p.convoys.escort_protection * escort
    nv = p.convoys.night_visibility
    n_day = np.broadcast_to(day * ~route_blocked, (R,)).astype(float)
    n_night = np.broadcast_to(night * ~route_blocked, (R,)).astype(float)
    lost = binomial_from_uniform(n_day, 1.0 - np.exp(-lam * esc), u_day) + binomial_from_uniform(
        n_night, 1.0 - np.exp(-lam * nv * esc), u_night
    )
    share_r = np.where(lam > 0, lam_r / np.where(lam > 0, lam, 1.0), 0.0)
    survivors = n_day + n_night - lost
    cargo = survivors * p.convoys.cargo_t * (1.0 - p.convoys.escort_penalty * escort)
    capacity = rowmin(np.where(route, throughput * STATE_THROUGHPUT[states], np.inf))
    delivered = np.minimum(np.minimum(cargo, capacity), p.supply.border_t)

    def expected_lost(l_day: np.ndarray, l_night: np.ndarray | None = None) -> np.ndarray:
        l_night = l_day if l_night is None else l_night
        return n_day * (1.0 - np.exp(-l_day * esc)) + n_night * (1.0 - np.exp(-l_night * nv * esc))

    saved: dict[str, np.ndarray] = {}
    if spared:
        base = expected_lost(lam)
        no_net = rowsum((exposure.total / exposure.netting_factor) * route)
        no_ew = rowsum((exposure.radio_no_ew + exposure.fibre) * route)
        saved = {
            "netting.spared": expected_lost(no_net) - base,
            "ew.road.spared": expected_lost(no_ew) - base,
            "overwatch.spared": expected_lost(
                lam_r / np.maximum(exposure.overwatch, 1e-12) + lam_f / np.maximum(exposure.overwatch_fibre, 1e-12)
            )
            - base,
            "escort.spared": n_day * (np.exp(-lam * esc) - np.exp(-lam))
            + n_night * (np.exp(-lam * nv * esc) - np.exp(-lam * nv)),
            "night.spared": n_night * (np.exp(-lam * nv * esc) - np.exp(-lam * esc)),
        }
    return ConvoyResult(
        sent=n_day + n_night,
        lost=lost,
        lost_radio=lost * share_r,
        lost_fibre=lost * (1.0 - share_r),
        delivered=delivered,
        survival=np.where(route_blocked, 0.0, np.exp(-lam * esc)),
        spared=saved,
    )


STOCK_TARGET_TURNS = 3.0
"""Turns of need the logistics officer aims to keep on hand of each supply; cargo goes first where the gap is."""


def split_cargo(p: Params, delivered: np.ndarray, stocks: np.ndarray, need: np.ndarray) -> np.ndarray:
    """(R, 4) additions to the stocks: drones by count (their set share of the cargo), the rest loaded where the
    gap to STOCK_TARGET_TURNS of need is largest (in proportion to the gaps; by need once every gap is filled)."""
    rest = delivered * (1.0 - p.convoys.cargo_share_drones)
    have = layout.columns([stocks[:, k] for k in SUPPLY_STOCK])  # (R, 3) by supply kind
    gap = np.maximum(STOCK_TARGET_TURNS * need - have, 0.0)
    total_gap = rowsum(gap)
    into_gaps = np.minimum(rest, total_gap)
    weights = np.where(total_gap[:, None] > 0, gap / np.where(total_gap > 0, total_gap, 1.0)[:, None], 0.0)
    need_total = rowsum(need)
    by_need = np.where(need_total[:, None] > 0, need / np.where(need_total > 0, need_total, 1.0)[:, None], 1.0 / 3.0)
    kinds = into_gaps[:, None] * weights + (rest - into_gaps)[:, None] * by_need
    drones = delivered * p.convoys.cargo_share_drones * p.convoys.drones_per_t
    return layout.columns(  # by stock (STOCKS)
        [kinds[:, SUPPLY_AMMUNITION], drones, kinds[:, SUPPLY_FUEL], kinds[:, SUPPLY_FOOD_MEDICAL]]
    )


def effectiveness(p: Params, stocks: np.ndarray, need: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fire effectiveness after an ammunition shortage, and the medical and fuel ratios (stock / need, at most 1)."""
    have = layout.columns([stocks[:, k] for k in SUPPLY_STOCK])  # (R, 3) by supply kind
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(need > 0, have / np.where(need > 0, need, 1.0), 1.0)
    fire = np.clip(ratio[:, SUPPLY_AMMUNITION], 0.0, 1.0) ** p.supply.shortage_exponent
    medical = np.clip(ratio[:, SUPPLY_FOOD_MEDICAL], 0.0, 1.0)
    fuel = np.clip(ratio[:, SUPPLY_FUEL], 0.0, 1.0)
    return np.clip(fire, p.supply.shortage_floor, 1.0), medical, fuel


def need_and_use(
    p: Params, sector_strength: np.ndarray, fighters: np.ndarray, posture: np.ndarray, reserve_strength: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(R, 3) by supply kind: what the grouping needs on hand to fight at full effect, and what its postures use.

    Ammunition by the soldiers who fire (`fighters`, (R, S) effective engaged per sector; a reserve fires
    nothing); fuel and food by head (`sector_strength` in the line, plus the reserves)."""
    heads = rowsum(sector_strength) + reserve_strength
    firing = fighters / 100.0
    hundreds = sector_strength / 100.0
    per_100, consumption = p.supply.need, p.supply.consumption
    need = layout.columns(
        [  # by supply kind (SUPPLY_KINDS)
            rowsum(firing) * per_100[SUPPLY_AMMUNITION],
            heads / 100.0 * per_100[SUPPLY_FUEL],
            heads / 100.0 * per_100[SUPPLY_FOOD_MEDICAL],
        ]
    )
    use = layout.columns(
        [  # the reserves use fuel and food as if they held
            rowsum(firing * consumption[posture, SUPPLY_AMMUNITION]),
            *(
                rowsum(hundreds * consumption[posture, k]) + reserve_strength / 100.0 * consumption[HOLD, k]
                for k in (SUPPLY_FUEL, SUPPLY_FOOD_MEDICAL)
            ),
        ]
    )
    return need, use


def wounded_step(
    p: Params,
    pending: np.ndarray,
    new_wounded: np.ndarray,
    road_usable: np.ndarray,
    survival: np.ndarray,
    medical: np.ndarray,
    fuel: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Died of wounds this turn and the wounded still waiting, after evacuation.

    Evacuation runs only while a route is usable, scaled by the route's survival and slowed by a fuel
    shortage (never below EVACUATION_FLOOR of its rate); a medical shortage raises the died-of-wounds rate."""
    waiting = pending + new_wounded
    dow = waiting * np.minimum(1.0, p.supply.died_of_wounds * (1.0 + DOW_MEDICAL_SHORTAGE * (1.0 - medical)))
    left = waiting - dow
    evacuated = (
        left * p.supply.evacuation * road_usable * np.clip(survival, 0.0, 1.0) * np.maximum(fuel, EVACUATION_FLOOR)
    )
    return dow, left - evacuated


__all__ = [
    "ConvoyResult",
    "Routes",
    "blocked_segments",
    "drivable_routes",
    "effectiveness",
    "need_and_use",
    "routes_cut",
    "run_convoys",
    "segment_states",
    "split_cargo",
    "wounded_step",
]
