"""Static parameters compiled once from a Scenario into numpy arrays (recompiled only when a number changes).

The engine never reads the pydantic scenario during a turn: every rate, every index and every
adjacency it needs is here, as plain floats or small arrays. Index conventions: side 0 is the
player, side 1 the opposing force (any other side takes no part in the fighting); sectors, places,
road segments and units follow the order of the scenario file.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from game.scenario import Scenario
from game.scenario.scenario import resolve_path

from .rng import NoiseLayout

POSTURES: tuple[str, ...] = ("hold", "fortify", "counter_attack", "delay", "withdraw", "assault")
POSTURE_INDEX = {name: i for i, name in enumerate(POSTURES)}
HOLD, FORTIFY, COUNTER_ATTACK, DELAY, WITHDRAW, ASSAULT = range(6)
ROAD_STATES: tuple[str, ...] = ("open", "contested", "interdicted", "cut")
STOCKS: tuple[str, ...] = ("ammunition_t", "drones", "fuel_t", "food_medical_t")
SUPPLY_KINDS: tuple[str, ...] = ("ammunition_t", "fuel_t", "food_medical_t")
TASKS: tuple[str, ...] = ("strike", "counter_drone", "road_overwatch", "recon")
PLAYER, ENEMY, NEUTRAL = 0, 1, 2
ENDINGS: tuple[str | None, ...] = (None, "time", "withdrawn", "encircled", "destroyed", "bridgehead_fell")
ENDING_CODE = {name: i for i, name in enumerate(ENDINGS)}
FAR = 99  # hop count between sectors that are not connected


@dataclass(frozen=True, eq=False)
class Params:
    """Everything the kernel needs about a scenario, as arrays (see module doc for index conventions)."""

    scenario: Scenario
    side_ids: tuple[str, str]
    turns: int
    turn_hours: float
    substeps: int
    # sectors (S)
    sector_ids: tuple[str, ...]
    sector_names: tuple[str, ...]
    area: np.ndarray
    frontage: np.ndarray
    terrain_defence: np.ndarray
    fort0: np.ndarray
    holder0: np.ndarray
    adjacent: np.ndarray  # (S, S) bool
    dist: np.ndarray  # (S, S) hops
    next_hop: np.ndarray  # (S, S) first step from s towards t
    screen_depth: np.ndarray  # (S, G) km pushed back while s is held
    main_effort_rank: np.ndarray  # (S,) 1 for the first main-effort sector, falling, 0 elsewhere
    # places (P)
    place_ids: tuple[str, ...]
    place_sector: np.ndarray  # (P,) sector index or -1
    place_holder0: np.ndarray  # (P,)
    # road segments (G)
    road_ids: tuple[str, ...]
    length: np.ndarray
    speed: np.ndarray
    throughput: np.ndarray
    enemy_distance: np.ndarray
    concealment: np.ndarray
    road_state0: np.ndarray
    on_road: np.ndarray  # (G,) bool: in the main supply route
    on_tracks: np.ndarray  # (G,) bool: in the field-track route
    watch: np.ndarray  # (G,) relative attention of enemy road drones (tracks are watched less)
    end_sectors: np.ndarray  # (G, 2) sectors holding the segment's end places (-1 none)
    # units (U)
    unit_ids: tuple[str, ...]
    unit_names: tuple[str, ...]
    unit_side: np.ndarray  # (U,) 0 player, 1 enemy, 2 neutral (units are ordered by side)
    strength0: np.ndarray
    training: np.ndarray
    firepower: np.ndarray
    morale0: np.ndarray
    breaking: np.ndarray
    capture: np.ndarray
    vuln0: np.ndarray
    adapt: np.ndarray
    vuln_floor: np.ndarray
    loc0: np.ndarray
    reserve0: np.ndarray
    lead: np.ndarray  # (U,) bool: enemy units of the lead nationality
    nationality: tuple[str, ...]
    # combat
    aimed_rate: float
    area_rate: float
    engaged_per_km: float
    posture_defence: np.ndarray  # (6,)
    fort_defence: float
    fortify_gain: float
    # drones: groups (D) of both sides
    drone_side: np.ndarray
    drone_teams: np.ndarray
    drone_sorties: np.ndarray  # per team per turn
    drone_p_reach: np.ndarray
    drone_p_hit: np.ndarray  # after crew training
    drone_lethality: np.ndarray
    drone_vehicle_kill: np.ndarray
    drone_jam: np.ndarray
    drone_p_fail: np.ndarray
    drone_reach: np.ndarray
    drone_fibre: np.ndarray  # bool
    # electronic warfare per side
    ew_teams: np.ndarray  # (2,)
    ew_log_survival: np.ndarray  # (2,) mean log(1 - jam_probability) per team
    # artillery and air per side (2,)
    art_rounds: np.ndarray
    art_cas: np.ndarray
    art_erosion: np.ndarray
    art_ammo_t: np.ndarray
    air_sorties: np.ndarray
    air_cas: np.ndarray
    air_erosion: np.ndarray
    air_road_hit: np.ndarray
    reinforcements: np.ndarray  # (2,)
    kill_share: np.ndarray  # (2,)
    # supply
    stocks0: np.ndarray  # (4,)
    consumption: np.ndarray  # (6 postures, 3 kinds) per 100 soldiers per turn
    need: np.ndarray  # (3,)
    trucks_available: int
    cargo_t: float
    night_visibility: float
    escort_protection: float
    escort_penalty: float
    netting_protection: float
    netting_km_per_turn: float
    netting_decay: float
    cargo_share_drones: float
    drones_per_t: float
    border_t: float
    shortage_exponent: float
    shortage_floor: float
    evacuation: float
    died_of_wounds: float
    clock_turns: int
    # doctrine
    aggression: float
    waves: int
    wave_share: float
    min_ratio: float
    support_share: float
    road_share0: float
    road_share_max: float
    react: float
    adaptation: float
    pause_threshold: float
    # endings
    falls_below: float
    destroyed_share: float
    withdrawal_turns: int
    layout: NoiseLayout = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "layout", NoiseLayout(self.substeps, len(self.sector_ids), len(self.road_ids)))

    @property
    def S(self) -> int:  # noqa: N802 - the usual array-dimension names
        """Number of sectors."""
        return len(self.sector_ids)

    @property
    def G(self) -> int:  # noqa: N802
        """Number of road segments."""
        return len(self.road_ids)

    @property
    def U(self) -> int:  # noqa: N802
        """Number of units."""
        return len(self.unit_ids)

    def side_units(self, side: int) -> slice:
        """The slice of the unit axis holding `side`'s units (units are ordered by side)."""
        lo, hi = np.searchsorted(self.unit_side, (side, side + 1))
        return slice(int(lo), int(hi))

    @property
    def P(self) -> int:  # noqa: N802
        """Number of places."""
        return len(self.place_ids)

    @property
    def has_tracks(self) -> bool:
        """True when the scenario has a field-track route."""
        return bool(self.on_tracks.any())

    def player_teams(self) -> int:
        """Drone teams of the player."""
        return int(self.drone_teams[self.drone_side == PLAYER].sum())


def _hops(adjacent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All-pairs hop counts and the first step of a shortest path (breadth-first from each sector)."""
    n = adjacent.shape[0]
    dist = np.full((n, n), FAR, dtype=np.int64)
    nxt = np.tile(np.arange(n), (n, 1))
    for src in range(n):
        dist[src, src] = 0
        first = {src: src}
        queue = deque([src])
        while queue:
            a = queue.popleft()
            for b in np.flatnonzero(adjacent[a]):
                if dist[src, b] == FAR:
                    dist[src, b] = dist[src, a] + 1
                    first[b] = b if a == src else first[a]
                    nxt[src, b] = first[b]
                    queue.append(b)
    return dist, nxt


def compile_params(sc: Scenario) -> Params:
    """Compile a validated scenario into arrays."""
    player, enemy = sc.meta.player_side, sc.opfor.side
    side_index = {player: PLAYER, enemy: ENEMY}
    sectors = sc.map.sectors
    sid = {s.id: i for i, s in enumerate(sectors)}
    roads = sc.map.roads
    gid = {g.id: i for i, g in enumerate(roads)}
    S, G = len(sectors), len(roads)

    adjacent = np.zeros((S, S), dtype=bool)
    for s in sectors:
        for t in s.adjacent:
            adjacent[sid[s.id], sid[t]] = adjacent[sid[t], sid[s.id]] = True
    dist, next_hop = _hops(adjacent)
    screen = np.zeros((S, G))
    for s in sectors:
        for g in s.screens:
            screen[sid[s.id], gid[g]] = s.screen_depth_km
    rank = np.zeros(S)
    me = [m for m in sc.opfor.main_effort if m in sid]
    for i, m in enumerate(me):
        rank[sid[m]] = max(rank[sid[m]], 1.0 - 0.8 * i / max(len(me), 1))

    terrain = sc.combat.terrain_defence
    place_sector = np.full(len(sc.map.places), -1, dtype=np.int64)
    pidx = {p.id: i for i, p in enumerate(sc.map.places)}
    for s in sectors:
        for p in s.places:
            place_sector[pidx[p]] = sid[s.id]

    def holder_code(side_id: str) -> int:
        return side_index.get(side_id, NEUTRAL)

    on_road = np.array([g.id in sc.map.supply_route for g in roads], dtype=bool)
    on_tracks = np.array([g.id in sc.map.track_route for g in roads], dtype=bool)
    end_sectors = np.array(
        [[place_sector[pidx[g.from_place]], place_sector[pidx[g.to_place]]] for g in roads], dtype=np.int64
    ).reshape(G, 2)

    # the player's units first, then the enemy's, then any others (stable within a side), so that a
    # side's units are one slice of the unit axis and a sum over them is a sum over a few columns
    units = sorted(
        ((side_index.get(side.id, NEUTRAL), side, u) for side in sc.sides for u in side.units), key=lambda t: t[0]
    )

    def ua(fn: Any, dtype: Any = float) -> np.ndarray:
        return np.array([fn(side_code, side, u) for side_code, side, u in units], dtype=dtype)

    lead_nat = sc.opfor.lead_nationality
    groups = [(side_index.get(side.id, NEUTRAL), g) for side in sc.sides for g in side.drone_teams]
    groups = [(c, g) for c, g in groups if c in (PLAYER, ENEMY)]

    def da(fn: Any, dtype: Any = float) -> np.ndarray:
        return np.array([fn(c, g, sc.drone_type(g.drone_type)) for c, g in groups], dtype=dtype)

    sides = {side_index[s.id]: s for s in sc.sides if s.id in side_index}
    ew_teams = np.zeros(2)
    ew_ls = np.zeros(2)
    art = np.zeros((4, 2))
    air = np.zeros((4, 2))
    for code, side in sides.items():
        teams = sum(e.teams for e in side.electronic_warfare)
        ew_teams[code] = teams
        if teams:
            ew_ls[code] = sum(e.teams * math.log(1.0 - min(e.jam_probability, 0.999)) for e in side.electronic_warfare) / teams
        rounds = sum(a.tubes * a.rounds_per_tube_per_turn for a in side.artillery)
        if rounds:
            art[:, code] = [
                rounds,
                sum(a.tubes * a.rounds_per_tube_per_turn * a.casualties_per_round_per_density for a in side.artillery) / rounds,
                sum(a.tubes * a.rounds_per_tube_per_turn * a.fortification_erosion_per_round for a in side.artillery) / rounds,
                sum(a.tubes * a.rounds_per_tube_per_turn * a.ammunition_t_per_round for a in side.artillery) / rounds,
            ]
        sorties = sum(a.sorties_per_turn for a in side.air)
        if sorties:
            air[:, code] = [
                sorties,
                sum(a.sorties_per_turn * a.casualties_per_sortie_per_density for a in side.air) / sorties,
                sum(a.sorties_per_turn * a.fortification_erosion_per_sortie for a in side.air) / sorties,
                1.0 - math.prod(1.0 - a.p_bridge_or_road_hit for a in side.air),
            ]

    sup = sc.supply
    conv = sup.convoys
    consumption = np.zeros((len(POSTURES), 3))
    for name, c in sup.consumption_per_100.items():
        consumption[POSTURE_INDEX[name]] = [c.ammunition_t, c.fuel_t, c.food_medical_t]
    hold_row = consumption[HOLD] if "hold" in sup.consumption_per_100 else consumption.max(axis=0)
    for name in POSTURES:
        if name not in sup.consumption_per_100:
            consumption[POSTURE_INDEX[name]] = hold_row
    need = sup.daily_need_per_100
    doc = sc.opfor
    posture_defence = np.array([sc.combat.posture_defence.get(p, 1.0) for p in POSTURES])

    return Params(
        scenario=sc,
        side_ids=(player, enemy),
        turns=sc.meta.turns,
        turn_hours=float(sc.meta.turn_hours),
        substeps=int(sc.combat.substeps_per_turn),
        sector_ids=tuple(s.id for s in sectors),
        sector_names=tuple(s.name for s in sectors),
        area=np.array([s.area_sq_mi for s in sectors]),
        frontage=np.array([s.frontage_km for s in sectors]),
        terrain_defence=np.array([terrain.get(s.terrain, 1.0) for s in sectors]),
        fort0=np.array([s.fortification for s in sectors]),
        holder0=np.array([holder_code(s.holder) for s in sectors], dtype=np.int8),
        adjacent=adjacent,
        dist=dist,
        next_hop=next_hop,
        screen_depth=screen,
        main_effort_rank=rank,
        place_ids=tuple(p.id for p in sc.map.places),
        place_sector=place_sector,
        place_holder0=np.array([holder_code(p.holder) for p in sc.map.places], dtype=np.int8),
        road_ids=tuple(g.id for g in roads),
        length=np.array([g.length_km for g in roads]),
        speed=np.array([g.speed_kmh for g in roads]),
        throughput=np.array([g.throughput_t_per_turn for g in roads]),
        enemy_distance=np.array([g.enemy_distance_km for g in roads]),
        concealment=np.array([g.concealment for g in roads]),
        road_state0=np.array([ROAD_STATES.index(g.state) for g in roads], dtype=np.int8),
        on_road=on_road,
        on_tracks=on_tracks,
        watch=np.where(np.array([g.kind == "track" for g in roads], dtype=bool), TRACK_WATCH, 1.0) if G else np.zeros(0),
        end_sectors=end_sectors,
        unit_ids=tuple(u.id for _, _, u in units),
        unit_names=tuple(u.name for _, _, u in units),
        unit_side=ua(lambda c, s, u: c, np.int8),
        strength0=ua(lambda c, s, u: u.strength),
        training=ua(lambda c, s, u: u.training),
        firepower=ua(lambda c, s, u: u.firepower),
        morale0=ua(lambda c, s, u: u.morale),
        breaking=ua(lambda c, s, u: u.breaking_point),
        capture=ua(lambda c, s, u: u.capture_propensity),
        vuln0=ua(lambda c, s, u: u.drone_vulnerability),
        adapt=ua(lambda c, s, u: u.drone_adaptation_per_turn),
        vuln_floor=ua(lambda c, s, u: u.drone_vulnerability_floor),
        loc0=ua(lambda c, s, u: sid[u.location], np.int64),
        reserve0=ua(lambda c, s, u: u.in_reserve and c == PLAYER, bool),
        lead=ua(lambda c, s, u: c == ENEMY and u.nationality == lead_nat, bool),
        nationality=tuple(u.nationality for _, _, u in units),
        aimed_rate=sc.combat.aimed_fire_rate_per_hour,
        area_rate=sc.combat.area_fire_rate_per_hour,
        engaged_per_km=sc.combat.engaged_per_km,
        posture_defence=posture_defence,
        fort_defence=sc.combat.fortification_defence,
        fortify_gain=sc.combat.fortify_gain_per_turn,
        drone_side=da(lambda c, g, t: c, np.int8),
        drone_teams=da(lambda c, g, t: g.teams),
        drone_sorties=da(lambda c, g, t: t.sorties_per_turn),
        drone_p_reach=da(lambda c, g, t: t.p_reach_unjammed),
        drone_p_hit=da(lambda c, g, t: min(1.0, t.p_hit * (0.5 + g.training))),
        drone_lethality=da(lambda c, g, t: t.lethality),
        drone_vehicle_kill=da(lambda c, g, t: t.vehicle_kill_probability),
        drone_jam=da(lambda c, g, t: t.jam_susceptibility),
        drone_p_fail=da(lambda c, g, t: t.p_failure),
        drone_reach=da(lambda c, g, t: t.reach_km),
        drone_fibre=da(lambda c, g, t: t.guidance == "fibre_optic", bool),
        ew_teams=ew_teams,
        ew_log_survival=ew_ls,
        art_rounds=art[0],
        art_cas=art[1],
        art_erosion=art[2],
        art_ammo_t=art[3],
        air_sorties=air[0],
        air_cas=air[1],
        air_erosion=air[2],
        air_road_hit=air[3],
        reinforcements=np.array([sides[c].reinforcements_per_turn for c in (PLAYER, ENEMY)]),
        kill_share=np.array([sides[c].kill_share for c in (PLAYER, ENEMY)]),
        stocks0=np.array([getattr(sup.stocks, k) for k in STOCKS]),
        consumption=consumption,
        need=np.array([need.ammunition_t, need.fuel_t, need.food_medical_t]),
        trucks_available=int(conv.trucks_available),
        cargo_t=conv.cargo_t_per_truck,
        night_visibility=conv.night_visibility,
        escort_protection=conv.escort_protection,
        escort_penalty=conv.escort_cargo_penalty,
        netting_protection=conv.netting_protection,
        netting_km_per_turn=conv.netting_km_per_turn,
        netting_decay=conv.netting_decay_per_turn,
        cargo_share_drones=conv.cargo_share_drones,
        drones_per_t=conv.drones_per_t,
        border_t=sup.border_resupply_t_per_turn,
        shortage_exponent=sup.shortage_exponent,
        shortage_floor=sup.shortage_floor,
        evacuation=sup.wounded_evacuation_per_turn,
        died_of_wounds=sup.died_of_wounds_per_turn,
        clock_turns=int(sup.encirclement_clock_turns),
        aggression=doc.aggression,
        waves=int(doc.assault_waves_per_turn),
        wave_share=doc.wave_share,
        min_ratio=doc.min_force_ratio_to_assault,
        support_share=doc.support_fire_share,
        road_share0=doc.road_interdiction_share,
        road_share_max=max(doc.road_interdiction_max, doc.road_interdiction_share),
        react=doc.react_to_convoys,
        adaptation=doc.adaptation_per_turn,
        pause_threshold=doc.pause_when_losses_exceed,
        falls_below=sc.endings.bridgehead_falls_below_sq_mi,
        destroyed_share=sc.endings.destroyed_below_share,
        withdrawal_turns=int(sc.endings.withdrawal_turns),
    )


TRACK_WATCH = 0.5
"""Enemy road drones watch a km of field track half as closely as a km of the paved road."""


def set_path(model: Any, path: str, value: float) -> None:
    """Set the number at a dotted scenario path (list items by id), keeping ints as ints."""
    parts = path.split(".")
    parent = resolve_path(model, ".".join(parts[:-1]), numbers_only=False) if len(parts) > 1 else model
    if parent is None:
        raise KeyError(path)
    last = parts[-1]
    old = parent[last] if isinstance(parent, dict) else getattr(parent, last)
    new: float | int = int(round(value)) if isinstance(old, int) and not isinstance(old, bool) else float(value)
    if isinstance(parent, dict):
        parent[last] = new
    else:
        object.__setattr__(parent, last, new)


def apply_rate_effects(sc: Scenario, effects: list[tuple[str, str, float]]) -> Scenario:
    """A copy of the scenario with scale_rate / set_rate effects applied in order: (kind, path, number)."""
    out = sc.model_copy(deep=True)
    for kind, path, number in effects:
        old = resolve_path(out, path)
        if old is None:
            continue
        set_path(out, path, old * number if kind == "scale_rate" else number)
    return out
