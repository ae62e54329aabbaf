"""The game state: a handful of numpy arrays with a leading replication axis R.

R = 1 for a game, about 1,000 for a forecast, tens of thousands per chunk in batch analysis.
The arrays are indexed (R, …) but stored replication-fastest in memory (game.engine.layout).
Every field is an array whose first axis is R (except `turn`, the same for every replication),
so broadcasting a game to a forecast, selecting replications and freezing finished ones are
generic operations over the fields.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

from .arrays import Codes, Flags, Floats, Indices
from .layout import row_index, take_rows
from .params import PLAYER, POSTURE_INDEX, Params
from .sampling import rowdot, rowsum


@dataclass
class State:
    """Ground truth for R replications at the start of `turn`."""

    turn: int
    """The turn about to be resolved (from 1), the same for every replication."""
    strength: Floats  # (R, U) soldiers fit to fight
    reference: Floats  # (R, U) strength a unit's breaking point is measured from (opfor.reformed)
    morale: Floats  # (R, U) 0..1
    vuln: Floats  # (R, U) drone vulnerability (falls as units adapt)
    loc: Indices  # (R, U) sector index where the unit stands
    reserve: Flags  # (R, U) bool, player reserves not yet committed
    holder: Codes  # (R, S) int8 side code: PLAYER, ENEMY or NEUTRAL
    fort: Floats  # (R, S) fortification 0..1
    progress: Floats  # (R, S) attacker's progress into the sector, falls at 1
    posture: Codes  # (R, S) int8 standing player posture code (params.POSTURES)
    damage: Codes  # (R, G) int8 physical damage to the road, as a road state code (CUT = blocked)
    road_state: Codes  # (R, G) int8 road state code, OPEN .. CUT (params.ROAD_STATES)
    usable_turns: Floats  # (R, G) turns each segment ended usable (any state but cut)
    area_turns: Floats  # (R,) square miles held summed over the turns played (for scoring.per_sq_mi_turn_held)
    road_speed: Floats  # (R, G) km/h (injects may change it replication by replication)
    road_throughput: Floats  # (R, G) tonnes per turn
    road_distance: Floats  # (R, G) km to enemy launch points with every screening sector held
    stocks: Floats  # (R, 4) columns AMMUNITION, DRONES, FUEL, FOOD_MEDICAL (params.STOCKS)
    netting_km: Floats  # (R,)
    cut_clock: Floats  # (R,) consecutive turns with every route cut
    wounded_pending: Floats  # (R,) player wounded awaiting evacuation
    casualties: Floats  # (R, 2, 3) cumulative losses by side and kind (KILLED, WOUNDED, CAPTURED)
    arrived: Floats  # (R, 2) soldiers who joined each side after the start (reinforcements, injects)
    last_losses: Floats  # (R, 2) casualties of the last turn by side
    last_delivered: Floats  # (R,) tonnes delivered last turn
    last_trucks: Floats  # (R,) trucks sent last turn
    delivered_total: Floats  # (R,)
    trucks_lost_total: Floats  # (R,)
    road_share: Floats  # (R,) share of enemy drones hunting the road this turn
    paused: Codes  # (R, U) int8, turns each enemy unit still sits out to regroup (0: it fights)
    withdrawing: Flags  # (R,) bool
    withdraw_left: Floats  # (R,) turns until the withdrawal completes
    orderly: Flags  # (R,) bool, the withdrawal completed with a route out still open (not every route cut)
    ended: Flags  # (R,) bool
    played: Floats  # (R,) turns resolved (stops when the replication ends)
    ending: Codes  # (R,) int8 code (see params.ENDINGS)
    fired: npt.NDArray[np.int16]  # (R, I) int, times each inject has fired

    @property
    def R(self) -> int:
        """Number of replications."""
        return len(self.strength)

    def arrays(self) -> dict[str, np.ndarray]:
        """The array fields by name."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "turn"}

    def with_arrays(self, arrays: dict[str, np.ndarray]) -> State:
        """This state with the named array fields replaced (the others shared, not copied)."""
        return State(self.turn, **{**self.arrays(), **arrays})

    def copy(self) -> State:
        """A deep copy (in the same memory order)."""
        return self.with_arrays({k: v.copy(order="K") for k, v in self.arrays().items()})

    def broadcast(self, replications: int) -> State:
        """R copies of replication 0 (a game's state becomes a forecast's starting point)."""
        return self.with_arrays(
            {k: np.asfortranarray(np.repeat(v[:1], replications, axis=0)) for k, v in self.arrays().items()}
        )

    def take(self, rows: np.ndarray) -> State:
        """The replications in `rows`."""
        index = row_index(rows)
        return self.with_arrays({k: take_rows(v, index) for k, v in self.arrays().items()})

    def put(self, rows: np.ndarray, part: State) -> None:
        """Write a subset's arrays back into these rows."""
        for k, v in self.arrays().items():
            v[rows] = getattr(part, k)

    def keep_where(self, frozen: np.ndarray, old: State) -> None:
        """Restore the old values in replications that had already ended (they take no more turns)."""
        rows = np.flatnonzero(frozen)  # usually a few rows: indices cost far less than a mask over all of them
        if not rows.size:
            return
        for k, v in self.arrays().items():
            v[rows] = getattr(old, k)[rows]

    def area_held(self, p: Params) -> np.ndarray:
        """Square miles the player holds, per replication."""
        return rowdot(self.holder == PLAYER, p.sectors.area)

    def place_holder(self, p: Params) -> np.ndarray:
        """(R, P) holder of each place: its sector's holder, or its starting holder outside every sector."""
        inside = p.places.sector >= 0
        out = np.broadcast_to(p.places.holder0, (self.R, p.P)).copy()
        out[:, inside] = self.holder[:, p.places.sector[inside]]
        return out

    def holder_of_place(self, p: Params, k: int) -> np.ndarray:
        """(R,) holder of place `k`: one column of `place_holder`, without building the others."""
        sector = p.places.sector[k]
        return self.holder[:, sector] if sector >= 0 else np.full(self.R, p.places.holder0[k])

    def player_strength(self, p: Params) -> np.ndarray:
        """(R,) soldiers of the player's side."""
        return rowsum(self.strength[:, p.side_units(PLAYER)])


def initial_state(p: Params, replications: int = 1, injects: int = 0) -> State:
    """The scenario's starting situation, R times."""
    R, S, G = replications, p.S, p.G

    def rep(a: np.ndarray, dtype: type | None = None) -> np.ndarray:
        """R writable copies of a parameter array (never a view of the parameters)."""
        return np.array(np.broadcast_to(a, (R, *a.shape)), dtype=dtype or a.dtype, copy=True, order="F")

    posture = np.zeros(S, dtype=np.int8)
    for u in p.scenario.sides:
        if u.id != p.side_ids[PLAYER]:
            continue
        for unit in u.units:
            if not unit.in_reserve and unit.posture in POSTURE_INDEX and unit.posture != "assault":
                posture[p.sectors.ids.index(unit.location)] = POSTURE_INDEX[unit.posture]
    return State(
        turn=1,
        strength=rep(p.units.strength0),
        reference=rep(p.units.strength0),
        morale=rep(p.units.morale0),
        vuln=rep(p.units.vuln0),
        loc=rep(p.units.loc0),
        reserve=rep(p.units.reserve0),
        holder=rep(p.sectors.holder0),
        fort=rep(p.sectors.fort0),
        progress=np.zeros((R, S), order="F"),
        posture=rep(posture),
        damage=rep(p.roads.state0),  # a segment that starts contested or worse starts damaged that far
        road_state=rep(p.roads.state0),
        usable_turns=np.zeros((R, G), order="F"),
        area_turns=np.zeros(R),
        road_speed=rep(p.roads.speed),
        road_throughput=rep(p.roads.throughput),
        road_distance=rep(p.roads.enemy_distance),
        stocks=rep(p.supply.stocks0),
        netting_km=np.zeros(R),
        cut_clock=np.zeros(R),
        wounded_pending=np.zeros(R),
        casualties=np.zeros((R, 2, 3), order="F"),
        arrived=np.zeros((R, 2), order="F"),
        last_losses=np.zeros((R, 2), order="F"),
        last_delivered=np.zeros(R),
        last_trucks=np.zeros(R),
        delivered_total=np.zeros(R),
        trucks_lost_total=np.zeros(R),
        road_share=np.full(R, p.doctrine.road_share0),
        paused=np.zeros((R, p.U), dtype=np.int8, order="F"),
        withdrawing=np.zeros(R, dtype=bool),
        withdraw_left=np.zeros(R),
        orderly=np.zeros(R, dtype=bool),
        ended=np.zeros(R, dtype=bool),
        played=np.zeros(R),
        ending=np.zeros(R, dtype=np.int8),
        fired=np.zeros((R, injects), dtype=np.int16, order="F"),
    )
