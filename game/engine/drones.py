"""Drones: sorties × P(reach) × P(hit) × lethality × the target's vulnerability, for both sides.

Radio drones reach with p_reach × (1 − jam_susceptibility × P_jammed), where
P_jammed = 1 − Π(1 − jam_probability)^teams over the jammers covering that place; fibre-optic
drones ignore jamming but strike nothing farther than their reach, and fail per sortie with
p_failure (as do radio drones). The player's teams are split between tasks in proportion to the
groups' sizes; strike and counter-drone sorties each use a drone from stock. Enemy crews split
between the front and the road by doctrine; counter-drone hits suppress their sorties,
overwatch lowers the road hazard, recon sharpens intelligence and artillery.

Road hazard (after CONTEXT §6): a truck on segment s meets attacks at the rate
h_s = Σ_types (sorties per turn per km over s) × P(reach) × P(hit) × P(kill vehicle) × coordination
      × (1 − netting share × netting protection) × (1 − concealment) × overwatch factor   [per hour]
and survives the trip with P = exp(−visibility × (1 − escort) × Σ_s h_s · L_s / v_s).
Sorties of a type are spread over the segments within its reach, weighted by length (field tracks
are watched half as closely); the reach of a segment is its enemy distance plus the screen depth
of every held sector that screens it, thinned as the attacker penetrates that sector (× 1 − progress), so
a sector giving way brings the road into reach step by step, and losing it brings the road fully in reach.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import layout
from .params import COUNTER_DRONE, ENEMY, EW_ROAD, PLAYER, RECON, ROAD_OVERWATCH, STRIKE, Params
from .sampling import rowdot, rowsum

RECON_TEAMS = 2.0
"""Recon teams for 63% of the full recon effect (recon level = 1 − exp(−teams / this))."""
COUNTER_DRONE_SUPPRESSION = 0.5
"""Enemy team-turns suppressed per counter-drone hit (on crews and launch points)."""
OVERWATCH_SUPPRESSION = 0.5
"""Road-hunting enemy team-turns suppressed per overwatch hit."""
FIBRE_OUT_OF_REACH = 0.25
"""Share of the fibre-optic road threat that overwatch cannot touch however many teams it flies: fibre crews launch
from 10-20 km back (up to 40; CONTEXT.md §2) with no radio link to find them by, so part of them is always out of
reach. An assumption, not a sourced figure: without it an overwatch of half the grouping's drone teams made the
road all but safe and a fixed rule that never withdraws beat the answer key by 100+ points, which no account of
the "road of death" supports (CONTEXT.md §5); with it the road's best protection stays a balance of overwatch,
jammers, netting and darkness."""
ROAD_HAZARD_KMH = 1.0
"""Converts sorties per km per turn into attacks per truck-hour (drones wait over the road for traffic)."""
RADIO, FIBRE = range(2)
"""Columns of the (…, 2) arrays by guidance: radio-controlled, fibre-optic."""


@dataclass
class DroneTurn:
    """What the drones of both sides do this turn (arrays over R)."""

    strike_cas: np.ndarray  # (R, 2) player strike casualties at saturation, by guidance (RADIO, FIBRE)
    enemy_front_cas: np.ndarray  # (R, 2) enemy front casualties at saturation, by guidance
    ew_front_multiplier: np.ndarray  # (R,) radio front casualties without the player's front EW / with it
    drones_used: np.ndarray  # (R,)
    strike_sorties: np.ndarray  # (R,) strike sorties flown (after the drone stock)
    recon: np.ndarray  # (R,) recon level 0..1
    suppression: np.ndarray  # (R,) share of enemy sorties still flown after counter-drone
    suppressed_sorties: np.ndarray  # (R,)
    road_sorties: np.ndarray  # (R, D) enemy road sorties per drone group (0 for player groups)
    front_sorties: np.ndarray  # (R, D) enemy front sorties per drone group
    p_jam_road: np.ndarray  # (R,)
    overwatch: np.ndarray  # (R,) multiplier on the road hazard (1 = no overwatch)


def p_jammed(teams: np.ndarray, log_survival: float) -> np.ndarray:
    """1 − Π(1 − p)^teams, with the jammers' mean log(1 − p) per team."""
    return 1.0 - np.exp(teams * log_survival)


def plan_drones(
    p: Params,
    tasks: np.ndarray,
    ew: np.ndarray,
    drone_stock: np.ndarray,
    road_share: np.ndarray,
    targets_exist: np.ndarray,
    coord: float,
) -> DroneTurn:
    """Sorties, reach and expected casualties of both sides' drones for one turn."""
    drones = p.drones
    R = drone_stock.shape[0]
    mine = drones.side == PLAYER
    theirs = drones.side == ENEMY
    teams_p = max(drones.teams[mine].sum(), 1.0)
    share = np.where(mine, drones.teams / teams_p, 0.0)  # (D,)
    per_team = share * drones.sorties  # sorties per tasked team, by group
    strike = layout.outer(tasks[:, STRIKE], per_team) * targets_exist[:, None]  # (R, D)
    counter = layout.outer(tasks[:, COUNTER_DRONE], per_team)
    wanted = rowsum(strike + counter)
    f = np.where(wanted > 0, np.minimum(1.0, drone_stock / np.where(wanted > 0, wanted, 1.0)), 0.0)[:, None]
    pj_enemy = p_jammed(drones.ew_teams[ENEMY], drones.ew_log_survival[ENEMY])
    reach_front = drones.p_reach * (1.0 - drones.jam * pj_enemy) * (1.0 - drones.p_fail)
    strike_hits = strike * f * reach_front * drones.p_hit
    cas = strike_hits * drones.lethality
    strike_cas = layout.columns([rowsum(cas * ~drones.fibre), rowsum(cas * drones.fibre)])  # RADIO, FIBRE
    cd_hits = rowsum(counter * f * reach_front * drones.p_hit)
    ow_hits = tasks[:, ROAD_OVERWATCH] * (per_team * drones.p_reach * (1.0 - drones.p_fail) * drones.p_hit).sum()
    recon = 1.0 - np.exp(-tasks[:, RECON] / RECON_TEAMS)

    teams_e = max(drones.teams[theirs].sum(), 1.0)
    suppression = np.exp(-COUNTER_DRONE_SUPPRESSION * cd_hits / teams_e)
    flown = np.multiply((theirs * drones.teams * drones.sorties)[None, :], suppression[:, None], order="F")  # (R, D)
    road = flown * road_share[:, None]
    front = flown - road
    road_teams = max((theirs * drones.teams).sum(), 1.0) * road_share
    overwatch = np.exp(-OVERWATCH_SUPPRESSION * ow_hits / np.maximum(road_teams, 1e-9))
    pj_road = p_jammed(ew[:, EW_ROAD], drones.ew_log_survival[PLAYER])
    return DroneTurn(
        strike_cas=strike_cas,
        enemy_front_cas=layout.zeros((R, 2)),  # filled by front_casualties once idle road sorties return
        ew_front_multiplier=np.ones(R),
        drones_used=rowsum((strike + counter) * f),
        strike_sorties=rowsum(strike * f),
        recon=recon,
        suppression=suppression,
        suppressed_sorties=(theirs * drones.teams * drones.sorties).sum() * (1.0 - suppression),
        road_sorties=road,
        front_sorties=front,
        p_jam_road=pj_road,
        overwatch=overwatch,
    )


def front_casualties(p: Params, dt: DroneTurn, ew_front: np.ndarray, coord: float) -> None:
    """Enemy drone casualties on the player at the front (at saturation), and what the front EW spared."""
    drones = p.drones
    pj = p_jammed(ew_front, drones.ew_log_survival[PLAYER])[:, None]
    base = (
        dt.front_sorties
        * drones.p_reach
        * (1.0 - drones.p_fail)
        * np.minimum(1.0, drones.p_hit * coord)
        * drones.lethality
    )
    jammed = base * (1.0 - np.multiply(drones.jam, pj, order="F"))
    radio = ~drones.fibre
    dt.enemy_front_cas = layout.columns([rowsum(jammed * radio), rowsum(jammed * drones.fibre)])  # RADIO, FIBRE
    with_ew = dt.enemy_front_cas[:, RADIO]
    without = rowsum(base * radio)
    dt.ew_front_multiplier = np.where(with_ew > 0, without / np.where(with_ew > 0, with_ew, 1.0), 1.0)


@dataclass
class RoadExposure:
    """Expected drone attacks on one truck crossing each segment in daylight, by segment and guidance."""

    radio: np.ndarray  # (R, G)
    fibre: np.ndarray  # (R, G)
    radio_no_ew: np.ndarray  # (R, G) the same without jamming on the road
    netting_factor: np.ndarray  # (R, G)
    idle: np.ndarray  # (R, D) road sorties with no segment within reach (they go to the front)
    distance: np.ndarray  # (R, G) km from the enemy's launch points
    overwatch: np.ndarray  # (R,) the overwatch multiplier already applied to the radio threat
    overwatch_fibre: np.ndarray  # (R,) the same for the fibre threat (FIBRE_OUT_OF_REACH of it untouched)
    mitigation: np.ndarray  # (R, G) netting × overwatch × concealment × hours on the segment, radio (`road_threat`)
    mitigation_fibre: np.ndarray  # (R, G) the same with the fibre overwatch
    total: np.ndarray  # (R, G) all guidance together: radio + fibre (summed once, read by every road test)


def screening(held: np.ndarray, progress: np.ndarray) -> np.ndarray:
    """(R, S) how far each sector still screens the road: 1 held and intact, falling as the attacker penetrates."""
    return held * (1.0 - progress)


def road_distance(p: Params, screen: np.ndarray, base_distance: np.ndarray) -> np.ndarray:
    """(R, G) km from the enemy's launch points: the distance with every screening sector held, less what the
    sectors no longer screen (`screen` (R, S), see `screening`)."""
    result: np.ndarray = base_distance + np.matmul(screen, p.sectors.screen_depth, order="F")
    return result


def road_exposure(
    p: Params,
    screen: np.ndarray,
    road_sorties: np.ndarray,
    p_jam_road: np.ndarray,
    overwatch: np.ndarray,
    net_share: np.ndarray,
    coord: float,
    base_distance: np.ndarray,
    speed: np.ndarray,
) -> RoadExposure:
    """Per-segment exposure of a truck to enemy road drones (see module doc); loops over the few enemy groups.

    `screen` (R, S): see `screening`."""
    distance = road_distance(p, screen, base_distance)  # (R, G)
    hours = p.roads.length / speed  # (R, G)
    netting = 1.0 - np.multiply(p.convoys.netting_protection * net_share[:, None], p.roads.on_road[None, :], order="F")
    exposed = netting * ((1.0 - p.roads.concealment) * ROAD_HAZARD_KMH) * hours
    overwatch_fibre = FIBRE_OUT_OF_REACH + (1.0 - FIBRE_OUT_OF_REACH) * overwatch
    mitig = exposed * overwatch[:, None]
    mitig_fibre = exposed * overwatch_fibre[:, None]
    radio, fibre, radio_raw, idle = _road_rates(p, distance, road_sorties, p_jam_road, coord)
    radio *= mitig
    fibre *= mitig_fibre
    return RoadExposure(
        radio=radio,
        fibre=fibre,
        radio_no_ew=radio_raw * mitig,
        netting_factor=netting,
        idle=idle,
        distance=distance,
        overwatch=overwatch,
        overwatch_fibre=overwatch_fibre,
        mitigation=mitig,
        mitigation_fibre=mitig_fibre,
        total=radio + fibre,
    )


def road_threat(
    p: Params, expo: RoadExposure, distance: np.ndarray, road_sorties: np.ndarray, p_jam_road: np.ndarray, coord: float
) -> np.ndarray:
    """(R, G) `road_exposure(...).total` with the road at `distance` and everything else as in `expo`: the threat
    after the front moved. The same operations as `road_exposure` on the same values, so the same bits."""
    radio, fibre, _, _ = _road_rates(p, distance, road_sorties, p_jam_road, coord)
    radio *= expo.mitigation
    fibre *= expo.mitigation_fibre
    result: np.ndarray = radio + fibre
    return result


def _road_rates(
    p: Params, distance: np.ndarray, road_sorties: np.ndarray, p_jam_road: np.ndarray, coord: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sorties per watched km on each segment within each enemy group's reach, before mitigation: radio (after
    the player's road EW), fibre, radio without EW, (R, G) each; and the idle sorties (R, D) that reach no segment."""
    drones = p.drones
    R, G = distance.shape
    radio = layout.zeros((R, G))
    radio_raw = layout.zeros((R, G))
    fibre = layout.zeros((R, G))
    idle = np.zeros_like(road_sorties)
    watch_len = p.roads.length * p.roads.watch
    for g in np.flatnonzero(drones.side == ENEMY):
        in_reach = distance <= drones.reach[g]  # (R, G)
        total_w = rowdot(in_reach, watch_len)  # (R,)
        none = total_w <= 0
        idle[:, g] = np.where(none, road_sorties[:, g], 0.0)
        kill = drones.p_reach[g] * (1.0 - drones.p_fail[g]) * min(1.0, drones.p_hit[g] * coord) * drones.vehicle_kill[g]
        # sorties per km of segment: spread by length × watch over the segments in reach (length cancels)
        per_watched_km = np.where(none, 0.0, road_sorties[:, g] * kill / np.where(none, 1.0, total_w))
        rate = per_watched_km[:, None] * (in_reach * p.roads.watch)
        if drones.fibre[g]:
            fibre += rate
        else:
            radio_raw += rate
            radio += rate * (1.0 - drones.jam[g] * p_jam_road)[:, None]
    return radio, fibre, radio_raw, idle
