"""Static parameters compiled once from a Scenario into numpy arrays (recompiled only when a number changes).

The engine never reads the pydantic scenario during a turn: every rate, every index and every
adjacency it needs is here, as plain floats or small arrays, grouped by what they describe
(`p.sectors`, `p.roads`, `p.units`, `p.drones`, `p.combat`, …; see `Params`).

Index conventions: side PLAYER (0) is the player, ENEMY (1) the opposing force (any other side,
NEUTRAL, takes no part in the fighting); sectors, places, road segments and drone groups follow the
order of the scenario file, units too but sorted by side. The named constants below say what every
other small axis means: postures, road states, stock columns, supply kinds, drone tasks, jammer
allocations, loss-book columns and endings.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, fields

import numpy as np
import numpy.typing as npt

from game.errors import SalientError
from game.scenario import Scenario
from game.scenario.forces import DroneTeams, DroneType, Posture, Side, Unit
from game.scenario.scenario import resolve_path, set_path

from .arrays import Codes, Flags, Floats, Indices
from .report import Ending
from .rng import NoiseLayout

POSTURES: tuple[Posture, ...] = ("hold", "fortify", "counter_attack", "delay", "withdraw", "assault")
POSTURE_INDEX = {name: i for i, name in enumerate(POSTURES)}
HOLD, FORTIFY, COUNTER_ATTACK, DELAY, WITHDRAW, ASSAULT = range(6)
"""Posture codes (`State.posture`, `Directives.posture`) and the rows of every array indexed by posture."""


def per_posture(**values: float) -> np.ndarray:
    """(6,) float array indexed by posture code, from one value per posture name (all six named)."""
    if set(values) != set(POSTURES):
        raise ValueError(f"per_posture needs exactly one value for each of {', '.join(POSTURES)}")
    return np.array([values[name] for name in POSTURES], dtype=float)


ROAD_STATES: tuple[str, ...] = ("open", "contested", "interdicted", "cut")
OPEN, CONTESTED, INTERDICTED, CUT = range(4)
"""Road state codes (`State.road_state`, `State.damage`), in the order of ROAD_STATES: worse is higher, CUT
is impassable."""
STOCKS: tuple[str, ...] = ("ammunition_t", "drones", "fuel_t", "food_medical_t")
AMMUNITION, DRONES, FUEL, FOOD_MEDICAL = range(4)
"""Columns of `State.stocks`, in the order of STOCKS."""
SUPPLY_KINDS: tuple[str, ...] = ("ammunition_t", "fuel_t", "food_medical_t")
SUPPLY_AMMUNITION, SUPPLY_FUEL, SUPPLY_FOOD_MEDICAL = range(3)
"""Columns of the (…, 3) arrays by supply kind (what the line needs and uses, consumption per posture), in the
order of SUPPLY_KINDS."""
SUPPLY_STOCK = (AMMUNITION, FUEL, FOOD_MEDICAL)
"""The stock column (STOCKS) of each supply kind (SUPPLY_KINDS)."""
TASKS: tuple[str, ...] = ("strike", "counter_drone", "road_overwatch", "recon")
STRIKE, COUNTER_DRONE, ROAD_OVERWATCH, RECON = range(4)
"""Columns of `Directives.drones`: the player's drone teams by task, in the order of TASKS."""
EW_FRONT, EW_ROAD = range(2)
"""Columns of `Directives.ew`: the player's jamming teams on the front and on the road."""
PLAYER, ENEMY, NEUTRAL = 0, 1, 2
"""Side codes (`Params.units.side`, `State.holder`), and the side axis of every (…, 2, …) array by side."""
CASUALTY_KINDS: tuple[str, ...] = ("killed", "wounded", "captured")
KILLED, WOUNDED, CAPTURED = range(3)
"""Columns of the loss books (`State.casualties`, `Outcome.losses`: (R, 2, 3) by side and kind), in the order of
CASUALTY_KINDS."""
ENDINGS: tuple[Ending | None, ...] = (None, "time", "withdrawn", "encircled", "destroyed", "bridgehead_fell")
ENDING_CODE: dict[str | None, int] = {name: i for i, name in enumerate(ENDINGS)}
"""Ending codes (`State.ending`) by name: 0 (None) while the game goes on."""
FAR = 99  # hop count between sectors that are not connected (`SectorParams.dist`)


@dataclass(frozen=True, eq=False)
class SectorParams:
    """The map's sectors, S of them in the scenario's order."""

    ids: tuple[str, ...]  # (S,) sector ids
    names: tuple[str, ...]  # (S,) display names
    area: Floats  # (S,) square miles
    frontage: Floats  # (S,) km of front
    terrain_defence: Floats  # (S,) multiplier on the defender's protection from the terrain
    fort0: Floats  # (S,) starting fortification 0..1
    holder0: Codes  # (S,) int8 side code of the starting holder
    adjacent: Flags  # (S, S) bool, symmetric
    dist: Indices  # (S, S) hops from s to t (FAR when not connected)
    next_hop: Indices  # (S, S) first step from s towards t on a shortest path
    screen_depth: Floats  # (S, G) km the enemy's launch points are pushed back from segment g while s is held
    main_effort_rank: Floats  # (S,) 1 for the enemy's first main-effort sector, falling down its list, 0 elsewhere


@dataclass(frozen=True, eq=False)
class PlaceParams:
    """The map's places (towns, crossings, road ends), P of them in the scenario's order."""

    ids: tuple[str, ...]  # (P,) place ids
    sector: Indices  # (P,) index of the sector the place lies in, -1 outside every sector
    holder0: Codes  # (P,) int8 side code of the starting holder (kept by places outside every sector)


@dataclass(frozen=True, eq=False)
class RoadParams:
    """The road segments (paved road and field tracks), G of them in the scenario's order."""

    ids: tuple[str, ...]  # (G,) segment ids
    length: Floats  # (G,) km
    speed: Floats  # (G,) km/h at the start (the state carries it on: injects may change it)
    throughput: Floats  # (G,) tonnes per turn at the start (likewise)
    enemy_distance: Floats  # (G,) km to the enemy's launch points with every screening sector held (likewise)
    concealment: Floats  # (G,) 0..1 share of drone attacks the cover along the segment spoils
    state0: Codes  # (G,) int8 road state code at the start (OPEN .. CUT)
    on_road: Flags  # (G,) bool: part of the main supply route
    on_tracks: Flags  # (G,) bool: part of the field-track route
    routes: tuple[np.ndarray, ...]  # segment indices of the road, then of the tracks (if any), from the border
    watch: Floats  # (G,) relative attention of enemy road drones per km (tracks are watched less: TRACK_WATCH)
    end_sectors: Indices  # (G, 2) sectors holding the segment's two end places (-1 none)


@dataclass(frozen=True, eq=False)
class UnitParams:
    """Every unit of every side, U of them: the player's first, then the enemy's, then any others.

    A side's units are one slice of the unit axis (`Params.side_units`)."""

    ids: tuple[str, ...]  # (U,) unit ids
    names: tuple[str, ...]  # (U,) display names
    side: Codes  # (U,) int8 side code: PLAYER, ENEMY or NEUTRAL
    side_axis: Indices  # (U,) intp position on a (…, 2, …) side axis: the side, neutral units counted with ENEMY
    strength0: Floats  # (U,) soldiers at the start
    training: Floats  # (U,) 0..1, raises the quality of aimed fire
    firepower: Floats  # (U,) relative firepower per soldier (1: a rifle squad's worth)
    morale0: Floats  # (U,) morale at the start 0..1 (what quiet turns recover towards)
    breaking: Floats  # (U,) breaking point: share of the reference strength lost at which the unit breaks
    capture: Floats  # (U,) capture propensity: share of close-fight losses taken prisoner (more once broken)
    vuln0: Floats  # (U,) drone vulnerability at the start
    adapt: Floats  # (U,) share of the drone vulnerability shed each turn
    vuln_floor: Floats  # (U,) drone vulnerability the unit never adapts below
    loc0: Indices  # (U,) sector index where the unit starts
    reserve0: Flags  # (U,) bool: a player reserve not yet committed
    lead: Flags  # (U,) bool: enemy units of the lead nationality (they fill the engaged frontage first)
    infiltrator: Flags  # (U,) bool: enemy units that fight from inside the sector they stand in
    nationality: tuple[str, ...]  # (U,) nationality as the scenario spells it


@dataclass(frozen=True, eq=False)
class DroneParams:
    """The drone groups of both fighting sides (D of them, in scenario order), and each side's jammers.

    A group is one side's teams of one drone type; p_hit already includes the crews' training."""

    side: Codes  # (D,) int8 side code of the group (PLAYER or ENEMY)
    teams: Floats  # (D,) drone teams
    sorties: Floats  # (D,) sorties per team per turn
    p_reach: Floats  # (D,) chance a sortie reaches its target unjammed
    p_hit: Floats  # (D,) chance a sortie that reaches hits, after crew training (at most 1)
    lethality: Floats  # (D,) casualties per hit on soldiers
    vehicle_kill: Floats  # (D,) chance a hit destroys a truck
    jam: Floats  # (D,) jam susceptibility: share of jammed sorties lost (0 for fibre-optic)
    p_fail: Floats  # (D,) chance a sortie fails on its own
    reach: Floats  # (D,) km the drone flies from its launch point
    fibre: Flags  # (D,) bool: fibre-optic guidance (ignores jamming)
    ew_teams: Floats  # (2,) jamming teams by side
    ew_log_survival: Floats  # (2,) by side: mean log(1 − jam_probability) per jamming team


@dataclass(frozen=True, eq=False)
class CombatParams:
    """The close fight's rates and the defender's protection (the scenario's `combat`)."""

    aimed_rate: float  # casualties per engaged, trained soldier per hour under aimed (square-law) fire
    area_rate: float  # casualties per engaged soldier per enemy soldier per km of frontage per hour (linear law)
    engaged_per_km: float  # soldiers a km of frontage holds in the firing line
    posture_defence: Floats  # (6,) protection by posture code
    fort_defence: float  # extra protection at full fortification (protection × (1 + this × fortification))
    fortify_gain: float  # fortification a sector that fortifies gains per quiet turn (at fortification 0)


@dataclass(frozen=True, eq=False)
class ArtilleryParams:
    """Each side's guns, summed over its batteries: (2,) arrays by side, per-round figures weighted by rounds."""

    rounds: Floats  # (2,) rounds per turn
    cas_per_round: Floats  # (2,) casualties per round for each soldier per km of frontage
    erosion_per_round: Floats  # (2,) fortification eroded per round
    ammo_t_per_round: Floats  # (2,) tonnes of ammunition per round


@dataclass(frozen=True, eq=False)
class AirParams:
    """Each side's air strikes and glide bombs: (2,) arrays by side, per-sortie figures weighted by sorties."""

    sorties: Floats  # (2,) sorties per turn
    cas_per_sortie: Floats  # (2,) casualties per sortie for each soldier per km of frontage
    erosion_per_sortie: Floats  # (2,) fortification eroded per sortie
    p_road_hit: Floats  # (2,) chance per turn that a strike damages the other side's road


@dataclass(frozen=True, eq=False)
class SideParams:
    """What each fighting side brings besides its units and weapons: (2,) arrays by side."""

    reinforcements: Floats  # (2,) fresh soldiers per turn, shared among the side's units in being
    kill_share: Floats  # (2,) share of the side's losses (not taken prisoner) who are killed; the rest wounded


@dataclass(frozen=True, eq=False)
class SupplyParams:
    """The player's stocks, needs and shortages, and the wounded (the scenario's `supply`, less the convoys)."""

    stocks0: Floats  # (4,) stocks at the start, columns as STOCKS
    consumption: Floats  # (6, 3) use per 100 soldiers per turn, by posture code and supply kind (SUPPLY_KINDS)
    need: Floats  # (3,) by supply kind: what 100 soldiers need on hand per turn to fight at full effect
    border_t: float  # tonnes per turn waiting at the border (the most the convoys can bring in)
    shortage_exponent: float  # fire effectiveness = (ammunition stock / need) ** this ...
    shortage_floor: float  # ... never below this
    evacuation: float  # share of the waiting wounded evacuated per turn on a usable route
    died_of_wounds: float  # share of the waiting wounded who die per turn, with medical supplies to hand


@dataclass(frozen=True, eq=False)
class ConvoyParams:
    """The player's trucks, what protects them and what they carry (the scenario's `supply.convoys`)."""

    trucks_available: int  # trucks that can be sent per turn
    cargo_t: float  # tonnes per truck
    night_visibility: float  # drone hazard to a truck at night, relative to daylight
    escort_protection: float  # share of drone attacks an escort stops
    escort_penalty: float  # share of an escorted convoy's cargo space given up to the escort
    netting_protection: float  # share of drone attacks on the road stopped under anti-drone netting
    netting_km_per_turn: float  # km of netting put up per turn while netting is ordered
    netting_decay: float  # share of the netting lost per turn
    cargo_share_drones: float  # share of the cargo that is drones
    drones_per_t: float  # drones per tonne of that cargo


@dataclass(frozen=True, eq=False)
class DoctrineParams:
    """How the opposing force fights (the scenario's `opfor`, game.engine.opfor)."""

    aggression: float  # willingness to assault 0..1: with wave_share, the share of a unit in contact at a time
    waves: int  # assault waves per turn, each WAVE_HOURS of close fighting (0: no assaults)
    wave_share: float  # share of the committed infantry in each wave (contact share = aggression × wave_share)
    min_ratio: float  # attackers per defender a sector needs before it is assaulted
    support_share: float  # share of the support fire on the assaults (the rest on the defence in depth)
    road_share0: float  # share of enemy drone crews hunting the road at the start ...
    road_share_max: float  # ... and at most (at least road_share0)
    react: float  # how far busy convoy traffic moves the road share towards its maximum
    adaptation: float  # coordination gained per turn: the enemy's support works × 1 + this × (turn − 1)
    pause_threshold: float  # share of its assault waves lost past which a unit pauses to regroup


@dataclass(frozen=True, eq=False)
class EndingParams:
    """When the game ends (the scenario's `endings`, and the supply's encirclement clock)."""

    falls_below: float  # square miles held at or below which the bridgehead has fallen
    destroyed_share: float  # share of the player's starting strength below which the grouping is destroyed
    withdrawal_turns: int  # turns a withdrawal takes from the order to getting out
    clock_turns: int  # turns every route may stay cut before the grouping is encircled


@dataclass(frozen=True, eq=False)
class Params:
    """Everything the kernel needs about a scenario, as arrays grouped by what they describe.

    The frame (scenario, sides, turns, sub-steps, the noise layout) is here; every number of the model
    is in exactly one group. See the module doc for the index conventions."""

    scenario: Scenario  # the scenario compiled
    side_ids: tuple[str, str]  # scenario side ids of PLAYER and ENEMY
    turns: int  # turns in the game
    turn_hours: float  # hours per turn
    substeps: int  # sub-steps of the close fight per turn
    sectors: SectorParams
    places: PlaceParams
    roads: RoadParams
    units: UnitParams
    drones: DroneParams
    combat: CombatParams
    artillery: ArtilleryParams
    air: AirParams
    sides: SideParams
    supply: SupplyParams
    convoys: ConvoyParams
    doctrine: DoctrineParams
    endings: EndingParams
    layout: NoiseLayout = field(init=False)  # shapes of a turn's noise (game.engine.rng)
    _side_slices: dict[int, slice] = field(init=False, repr=False, default_factory=dict)  # see `side_units`

    def __post_init__(self) -> None:
        object.__setattr__(self, "layout", NoiseLayout(self.substeps, self.S, self.G))
        # Read-only arrays: compiled parameters are shared (a batch's chunks, a worker's tasks in
        # game.analysis.pool, the variants a Model caches all read the same Params), so a write into one of them
        # would carry over into every game played after it. Other numbers mean another compiled scenario.
        for group in fields(self):
            value = getattr(self, group.name)
            if hasattr(value, "__dataclass_fields__"):
                for f in fields(value):
                    item = getattr(value, f.name)
                    for array in item if isinstance(item, tuple) else (item,):
                        if isinstance(array, np.ndarray):
                            array.setflags(write=False)

    @property
    def S(self) -> int:
        """Number of sectors."""
        return len(self.sectors.ids)

    @property
    def G(self) -> int:
        """Number of road segments."""
        return len(self.roads.ids)

    @property
    def U(self) -> int:
        """Number of units."""
        return len(self.units.ids)

    @property
    def P(self) -> int:
        """Number of places."""
        return len(self.places.ids)

    @property
    def D(self) -> int:
        """Number of drone groups."""
        return len(self.drones.side)

    def side_units(self, side: int) -> slice:
        """The slice of the unit axis holding `side`'s units (units are ordered by side)."""
        found = self._side_slices.get(side)
        if found is None:  # worked out once per side: a turn asks a score of times
            lo, hi = np.searchsorted(self.units.side, (side, side + 1))
            found = self._side_slices[side] = slice(int(lo), int(hi))
        return found

    @property
    def has_tracks(self) -> bool:
        """True when the scenario has a field-track route."""
        return bool(self.roads.on_tracks.any())

    def player_teams(self) -> int:
        """Drone teams of the player."""
        return int(self.drones.teams[self.drones.side == PLAYER].sum())


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
            for b in map(int, np.flatnonzero(adjacent[a])):
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

    def ua(fn: Callable[[int, Side, Unit], object], dtype: npt.DTypeLike = float) -> np.ndarray:
        return np.array([fn(side_code, side, u) for side_code, side, u in units], dtype=dtype)

    lead_nat = sc.opfor.lead_nationality
    groups = [(side_index.get(side.id, NEUTRAL), g) for side in sc.sides for g in side.drone_teams]
    groups = [(c, g) for c, g in groups if c in (PLAYER, ENEMY)]

    def da(fn: Callable[[int, DroneTeams, DroneType], object], dtype: npt.DTypeLike = float) -> np.ndarray:
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
            ew_ls[code] = (
                sum(e.teams * math.log(1.0 - min(e.jam_probability, 0.999)) for e in side.electronic_warfare) / teams
            )
        rounds = sum(a.tubes * a.rounds_per_tube_per_turn for a in side.artillery)
        if rounds:
            art[:, code] = [
                rounds,
                sum(a.tubes * a.rounds_per_tube_per_turn * a.casualties_per_round_per_density for a in side.artillery)
                / rounds,
                sum(a.tubes * a.rounds_per_tube_per_turn * a.fortification_erosion_per_round for a in side.artillery)
                / rounds,
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
        consumption[POSTURE_INDEX[name]] = [getattr(c, k) for k in SUPPLY_KINDS]
    hold_row = consumption[HOLD] if "hold" in sup.consumption_per_100 else consumption.max(axis=0)
    for name in POSTURES:
        if name not in sup.consumption_per_100:
            consumption[POSTURE_INDEX[name]] = hold_row
    need = sup.daily_need_per_100
    doc = sc.opfor
    posture_defence = np.array([sc.combat.posture_defence.get(p, 1.0) for p in POSTURES])
    unit_side = ua(lambda c, s, u: c, np.int8)
    watch = np.where(np.array([g.kind == "track" for g in roads], dtype=bool), TRACK_WATCH, 1.0) if G else np.zeros(0)

    return Params(
        scenario=sc,
        side_ids=(player, enemy),
        turns=sc.meta.turns,
        turn_hours=float(sc.meta.turn_hours),
        substeps=int(sc.combat.substeps_per_turn),
        sectors=SectorParams(
            ids=tuple(s.id for s in sectors),
            names=tuple(s.name for s in sectors),
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
        ),
        places=PlaceParams(
            ids=tuple(p.id for p in sc.map.places),
            sector=place_sector,
            holder0=np.array([holder_code(p.holder) for p in sc.map.places], dtype=np.int8),
        ),
        roads=RoadParams(
            ids=tuple(g.id for g in roads),
            length=np.array([g.length_km for g in roads]),
            speed=np.array([g.speed_kmh for g in roads]),
            throughput=np.array([g.throughput_t_per_turn for g in roads]),
            enemy_distance=np.array([g.enemy_distance_km for g in roads]),
            concealment=np.array([g.concealment for g in roads]),
            state0=np.array([ROAD_STATES.index(g.state) for g in roads], dtype=np.int8),
            on_road=on_road,
            on_tracks=on_tracks,
            routes=tuple(
                np.array([gid[g] for g in route], dtype=np.intp)
                for route in (sc.map.supply_route, sc.map.track_route)
                if route
            ),
            watch=watch,
            end_sectors=end_sectors,
        ),
        units=UnitParams(
            ids=tuple(u.id for _, _, u in units),
            names=tuple(u.name for _, _, u in units),
            side=unit_side,
            side_axis=np.clip(unit_side, PLAYER, ENEMY).astype(np.intp),
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
            infiltrator=ua(lambda c, s, u: c == ENEMY and u.infiltrator, bool),
            nationality=tuple(u.nationality for _, _, u in units),
        ),
        drones=DroneParams(
            side=da(lambda c, g, t: c, np.int8),
            teams=da(lambda c, g, t: g.teams),
            sorties=da(lambda c, g, t: t.sorties_per_turn),
            p_reach=da(lambda c, g, t: t.p_reach_unjammed),
            p_hit=da(lambda c, g, t: min(1.0, t.p_hit * (0.5 + g.training))),
            lethality=da(lambda c, g, t: t.lethality),
            vehicle_kill=da(lambda c, g, t: t.vehicle_kill_probability),
            jam=da(lambda c, g, t: t.jam_susceptibility),
            p_fail=da(lambda c, g, t: t.p_failure),
            reach=da(lambda c, g, t: t.reach_km),
            fibre=da(lambda c, g, t: t.guidance == "fibre_optic", bool),
            ew_teams=ew_teams,
            ew_log_survival=ew_ls,
        ),
        combat=CombatParams(
            aimed_rate=sc.combat.aimed_fire_rate_per_hour,
            area_rate=sc.combat.area_fire_rate_per_hour,
            engaged_per_km=sc.combat.engaged_per_km,
            posture_defence=posture_defence,
            fort_defence=sc.combat.fortification_defence,
            fortify_gain=sc.combat.fortify_gain_per_turn,
        ),
        artillery=ArtilleryParams(
            rounds=art[0],
            cas_per_round=art[1],
            erosion_per_round=art[2],
            ammo_t_per_round=art[3],
        ),
        air=AirParams(sorties=air[0], cas_per_sortie=air[1], erosion_per_sortie=air[2], p_road_hit=air[3]),
        sides=SideParams(
            reinforcements=np.array([sides[c].reinforcements_per_turn for c in (PLAYER, ENEMY)]),
            kill_share=np.array([sides[c].kill_share for c in (PLAYER, ENEMY)]),
        ),
        supply=SupplyParams(
            stocks0=np.array([getattr(sup.stocks, k) for k in STOCKS]),
            consumption=consumption,
            need=np.array([getattr(need, k) for k in SUPPLY_KINDS]),
            border_t=sup.border_resupply_t_per_turn,
            shortage_exponent=sup.shortage_exponent,
            shortage_floor=sup.shortage_floor,
            evacuation=sup.wounded_evacuation_per_turn,
            died_of_wounds=sup.died_of_wounds_per_turn,
        ),
        convoys=ConvoyParams(
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
        ),
        doctrine=DoctrineParams(
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
        ),
        endings=EndingParams(
            falls_below=sc.endings.bridgehead_falls_below_sq_mi,
            destroyed_share=sc.endings.destroyed_below_share,
            withdrawal_turns=int(sc.endings.withdrawal_turns),
            clock_turns=int(sup.encirclement_clock_turns),
        ),
    )


TRACK_WATCH = 0.5
"""Enemy road drones watch a km of field track half as closely as a km of the paved road."""


def apply_rate_effects(sc: Scenario, effects: list[tuple[str, str, str, float]]) -> Scenario:
    """A copy of the scenario with scale_rate / set_rate effects applied in order: (inject id, kind, path, number).

    Raises InjectLimitError, naming the inject and the path, when an effect pushes a number past the limits the
    scenario file is held to (an inject that fires every turn can compound a factor far beyond them)."""
    out = sc.model_copy(deep=True)
    fired: dict[tuple[str, str], int] = {}  # (inject, path) -> firings so far
    for inject, kind, path, number in effects:
        fired[inject, path] = n = fired.get((inject, path), 0) + 1
        old = resolve_path(out, path)
        if old is None:
            continue
        try:
            set_path(out, path, old * number if kind == "scale_rate" else number)
        except ValueError as error:
            times = "once" if n == 1 else f"{n} times"
            raise InjectLimitError(f"'{sc.meta.id}': inject '{inject}' fired {times}: {error}") from None
    return out


class InjectLimitError(SalientError):
    """Rate injects pushed a scenario number past the limits its file is held to; the message names the path."""
