"""Supply: convoys on the road or the tracks, road states, stocks, shortages and the wounded.

Trucks lost are drawn binomially (inverse CDF on the turn's convoy uniforms, for common random
numbers) with the per-trip survival of the chosen route; survivors' cargo, capped by the route's
throughput in its current state and by what waits at the border, is split into stocks. A route is
unusable when a segment is blocked (air damage or an end place lost) or its daylight survival
falls below ROUTE_CUT_SURVIVAL; when every route is unusable the encirclement clock ticks.
Shortages cut the player's fire: effectiveness = clip(min(ammunition, fuel ratio)^exponent, floor, 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import layout
from .drones import RoadExposure
from .params import ENEMY, Params
from .sampling import binomial_from_uniform, rowany, rowmin, rowsum

STATE_SURVIVAL = (0.95, 0.85, 0.6)
"""Daylight survival of one truck on a segment at or above which it is open, contested, interdicted (else cut)."""
STATE_THROUGHPUT = np.array([1.0, 0.8, 0.5, 0.25])
"""Share of a segment's throughput that passes in each state (a blocked segment passes nothing)."""
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
    ends = p.end_sectors
    lost = np.zeros(damage.shape, dtype=bool, order="F")
    for k in range(2):
        inside = ends[:, k] >= 0
        if inside.any():
            lost[:, inside] |= holder[:, ends[inside, k]] == ENEMY
    return (damage >= 3) | lost


def segment_states(p: Params, exposure: RoadExposure, damage: np.ndarray, blocked: np.ndarray) -> np.ndarray:
    """(R, G) 0 open .. 3 cut: the worse of the drone threat and physical damage."""
    survival = np.exp(-exposure.total)
    threat = (survival < STATE_SURVIVAL[0]).astype(np.int8) + (survival < STATE_SURVIVAL[1]) + (survival < STATE_SURVIVAL[2])
    return np.maximum(np.maximum(threat, damage), blocked * np.int8(3)).astype(np.int8)


def routes_cut(p: Params, exposure: RoadExposure, blocked: np.ndarray) -> np.ndarray:
    """(R,) True when every route (road, and tracks if any) is unusable."""
    cut = np.ones(blocked.shape[0], dtype=bool)
    for route in (p.on_road, p.on_tracks):
        if not route.any():
            continue
        survival = np.exp(-rowsum(exposure.total * route))
        usable = ~rowany(blocked & route) & (survival >= ROUTE_CUT_SURVIVAL)
        cut &= ~usable
    return cut


def run_convoys(
    p: Params, tracks: np.ndarray, day: np.ndarray, night: np.ndarray, escort: np.ndarray,
    exposure: RoadExposure, blocked: np.ndarray, states: np.ndarray, u_day: np.ndarray, u_night: np.ndarray,
    throughput: np.ndarray, *, spared: bool = True,
) -> ConvoyResult:
    """Send the trucks, draw the losses, deliver what gets through (and, with `spared`, what each measure saved)."""
    R = blocked.shape[0]
    route = layout.outer(tracks, p.on_tracks) | layout.outer(~tracks, p.on_road)  # (R, G) the segments each convoy uses
    route_blocked = rowany(blocked & route) | ~rowany(route)
    lam_r = rowsum(exposure.radio * route)
    lam_f = rowsum(exposure.fibre * route)
    lam = lam_r + lam_f
    esc = 1.0 - p.escort_protection * escort
    nv = p.night_visibility
    n_day = np.broadcast_to(day * ~route_blocked, (R,)).astype(float)
    n_night = np.broadcast_to(night * ~route_blocked, (R,)).astype(float)
    lost = binomial_from_uniform(n_day, 1.0 - np.exp(-lam * esc), u_day) + binomial_from_uniform(
        n_night, 1.0 - np.exp(-lam * nv * esc), u_night
    )
    share_r = np.where(lam > 0, lam_r / np.where(lam > 0, lam, 1.0), 0.0)
    survivors = n_day + n_night - lost
    cargo = survivors * p.cargo_t * (1.0 - p.escort_penalty * escort)
    capacity = rowmin(np.where(route, throughput * STATE_THROUGHPUT[states], np.inf))
    delivered = np.minimum(np.minimum(cargo, capacity), p.border_t)

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
            "overwatch.spared": expected_lost(lam / np.maximum(exposure.overwatch, 1e-12)) - base,
            "escort.spared": n_day * (np.exp(-lam * esc) - np.exp(-lam)) + n_night * (np.exp(-lam * nv * esc) - np.exp(-lam * nv)),
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


def split_cargo(p: Params, delivered: np.ndarray) -> np.ndarray:
    """(R, 4) additions to the stocks: drones by count, the rest in proportion to the daily need."""
    share = p.need / p.need.sum() if p.need.sum() > 0 else np.full(3, 1.0 / 3.0)
    rest = delivered * (1.0 - p.cargo_share_drones)
    return layout.columns(
        [rest * share[0], delivered * p.cargo_share_drones * p.drones_per_t, rest * share[1], rest * share[2]]
    )


def effectiveness(p: Params, stocks: np.ndarray, need: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fire effectiveness after shortages, and the medical and fuel ratios (stock / need, at most 1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(need > 0, layout.columns([stocks[:, 0], stocks[:, 2], stocks[:, 3]]) / np.where(need > 0, need, 1.0), 1.0)
    fire = np.clip(np.minimum(ratio[:, 0], ratio[:, 1]), 0.0, 1.0) ** p.shortage_exponent
    return np.clip(fire, p.shortage_floor, 1.0), np.clip(ratio[:, 2], 0.0, 1.0), np.clip(ratio[:, 1], 0.0, 1.0)


def need_and_use(p: Params, sector_strength: np.ndarray, posture: np.ndarray, reserve_strength: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(R, 3) what the grouping needs to fight at full effect, and what its postures use this turn."""
    total = rowsum(sector_strength) + reserve_strength
    need = layout.outer(total / 100.0, p.need)
    hundreds = sector_strength / 100.0
    use = layout.columns([  # Σ over sectors of hundreds of soldiers × each posture's use per hundred, then the reserves'
        rowsum(hundreds * p.consumption[posture, k]) + reserve_strength / 100.0 * p.consumption[0, k]
        for k in range(p.consumption.shape[1])
    ])
    return need, use


def wounded_step(
    p: Params, pending: np.ndarray, new_wounded: np.ndarray, road_usable: np.ndarray, survival: np.ndarray,
    medical: np.ndarray, fuel: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Died of wounds this turn and the wounded still waiting, after evacuation.

    Evacuation runs only while a route is usable, scaled by the route's survival and slowed by a fuel
    shortage (never below EVACUATION_FLOOR of its rate); a medical shortage raises the died-of-wounds rate."""
    waiting = pending + new_wounded
    dow = waiting * np.minimum(1.0, p.died_of_wounds * (1.0 + DOW_MEDICAL_SHORTAGE * (1.0 - medical)))
    left = waiting - dow
    evacuated = left * p.evacuation * road_usable * np.clip(survival, 0.0, 1.0) * np.maximum(fuel, EVACUATION_FLOOR)
    return dow, left - evacuated


__all__ = [
    "ConvoyResult", "blocked_segments", "effectiveness", "need_and_use", "routes_cut",
    "run_convoys", "segment_states", "split_cargo", "wounded_step",
]
