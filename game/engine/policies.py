"""Standing policies: simple, named courses of action that play a whole game (or a million, vectorised).

Each policy is a small dataclass with a name, a description and a `directives(params, state)`
rule written over arrays, so the same rule drives one game (`policy(game) -> Orders`) and a batch
of R replications (`run_batch`) without a Python loop over replications.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .combat import effective
from .directives import Directives, to_orders
from .opfor import by_sector
from .orders import Orders, OrdersError
from .params import AMMUNITION, DELAY, FORTIFY, HOLD, PLAYER, SUPPLY_AMMUNITION, Params
from .sampling import rowsum, rowwise_take
from .state import State

if TYPE_CHECKING:
    from .game import Game


def _split(total: int, shares: tuple[float, ...]) -> list[int]:
    """Whole teams in proportion to shares, never more than the total."""
    raw = [int(total * s) for s in shares]
    raw[0] += total - sum(raw)
    return raw


def key_town_sector(p: Params) -> int:
    """The sector holding the scenario's first town (the player's key ground), else the largest held sector."""
    towns = {pl.id for pl in p.scenario.map.places if pl.kind == "town"}
    for i, s in enumerate(p.scenario.map.sectors):
        if s.holder == p.side_ids[PLAYER] and towns.intersection(s.places):
            return i
    held = np.flatnonzero(p.sectors.holder0 == PLAYER)
    return int(held[np.argmax(p.sectors.area[held])]) if held.size else 0


def road_screen_sector(p: Params) -> int:
    """The player's sector that screens the most road (where a reserve protects the supply line)."""
    screened = (p.sectors.screen_depth > 0).astype(float) @ (p.roads.length * (p.roads.on_road | p.roads.on_tracks))
    screened = np.where(p.sectors.holder0 == PLAYER, screened, -1.0)
    return int(np.argmax(screened))


def first_main_effort(p: Params) -> int:
    """The enemy's first main-effort sector held by the player at the start, else the key town sector."""
    ranked = np.flatnonzero((p.sectors.main_effort_rank > 0) & (p.sectors.holder0 == PLAYER))
    if ranked.size:
        return int(ranked[np.argmax(p.sectors.main_effort_rank[ranked])])
    return key_town_sector(p)


@dataclass(frozen=True)
class Policy:
    """A named standing policy."""

    name: str
    description: str
    rule: Callable[[Params, State], Directives] = field(repr=False)

    def directives(self, p: Params, st: State) -> Directives:
        """The orders of every replication, as arrays."""
        return self.rule(p, st)

    def __call__(self, game: Game) -> Orders:
        """The orders for the game's current turn."""
        return to_orders(game.params, self.rule(game.params, game.state))


def _base(
    p: Params, st: State, posture: int, drones: tuple[float, ...], ew_front_share: float, day: bool, netting: bool
) -> dict[str, np.ndarray]:
    """Directives with one posture everywhere held, the drone teams split by `drones` (shares in the order of TASKS),
    `ew_front_share` of the jammers on the front (the rest on the road), every truck by day or by night."""
    R, S, U = st.R, p.S, p.U
    held = st.holder == PLAYER
    teams = _split(p.player_teams(), drones)
    ew = int(p.drones.ew_teams[PLAYER])
    front = round(ew * ew_front_share)
    trucks = float(p.convoys.trucks_available)
    return {
        "posture_set": np.copy(held),
        "posture": np.full((R, S), posture, dtype=np.int8, order="F"),
        "drones": np.array(np.broadcast_to(np.array(teams, dtype=float), (R, 4)), order="F"),
        # jammers: EW_FRONT, EW_ROAD
        "ew": np.array(np.broadcast_to(np.array([front, ew - front], dtype=float), (R, 2)), order="F"),
        "day": np.full(R, trucks if day else 0.0),
        "night": np.full(R, 0.0 if day else trucks),
        "escort": np.zeros(R, dtype=bool),
        "tracks": np.zeros(R, dtype=bool),
        "netting": np.full(R, netting),
        "commit": np.full((R, U), -1, dtype=np.int64, order="F"),
        "withdraw": np.zeros(R, dtype=bool),
    }


def _commit_to(p: Params, st: State, d: dict[str, np.ndarray], sector: int) -> None:
    """Commit every uncommitted reserve to `sector` where it is held (else to any held sector)."""
    if not st.reserve.any():  # every reserve committed (after the first turns): the -1s of `_base` stand
        return
    held = st.holder == PLAYER
    fallback = np.argmax(held, axis=1)
    where = np.where(held[:, sector], sector, fallback)
    ok = held.any(axis=1)[:, None] & st.reserve
    d["commit"] = np.where(ok, where[:, None], -1)


def _hold(p: Params, st: State) -> Directives:
    d = _base(p, st, HOLD, (0.5, 0.2, 0.15, 0.15), 0.5, day=True, netting=False)
    _commit_to(p, st, d, first_main_effort(p))
    return Directives(**d)


def _delay_withdraw(p: Params, st: State, withdraw_turn: int = 2) -> Directives:
    d = _base(p, st, DELAY, (0.4, 0.2, 0.3, 0.1), 0.3, day=False, netting=True)
    d["withdraw"] = (st.turn >= withdraw_turn) & ~st.withdrawing
    return Directives(**d)


def _hold_sudzha_road_orders(p: Params, st: State) -> dict[str, np.ndarray]:
    d = _base(p, st, HOLD, (0.25, 0.3, 0.35, 0.1), 1.0, day=False, netting=True)
    town = key_town_sector(p)
    d["posture"][:, town] = FORTIFY
    _commit_to(p, st, d, road_screen_sector(p))
    return d


def _hold_sudzha_road(p: Params, st: State) -> Directives:
    return Directives(**_hold_sudzha_road_orders(p, st))


LEAVE_BELOW_STRENGTH = 0.6
"""The adaptive policy leaves once the grouping is down to this share of its starting strength."""
LEAVE_BELOW_AMMUNITION_TURNS = 2.0
"""...or once the ammunition on hand falls below this many turns of the line's need (the road no longer keeps up)."""


def withdrawal_due(p: Params, st: State) -> np.ndarray:
    """(R,) what a careful commander watches, all of it visible to the trainee: the road no longer keeping the
    grouping supplied (ammunition on hand under LEAVE_BELOW_AMMUNITION_TURNS of need), every route cut, or the
    grouping worn down (LEAVE_BELOW_STRENGTH). Waiting for the sector that screens the road to fall is too late:
    by then the way out is under fire from both flanks."""
    start = float(p.units.strength0[p.units.side == PLAYER].sum())
    strength = st.player_strength(p)
    mine = p.units.side == PLAYER
    in_line = mine & ~st.reserve & rowwise_take(st.holder == PLAYER, st.loc)
    line = by_sector(st.loc, st.strength * mine, in_line, p.S)
    fighters = effective(line, p.combat.engaged_per_km * p.sectors.frontage)
    need = rowsum(fighters) / 100.0 * p.supply.need[SUPPLY_AMMUNITION]  # as the engine counts it
    leave: np.ndarray = (
        (st.cut_clock > 0)
        | (st.stocks[:, AMMUNITION] < LEAVE_BELOW_AMMUNITION_TURNS * need)
        | (strength < LEAVE_BELOW_STRENGTH * start)
    )
    return leave


def _hold_then_withdraw(p: Params, st: State) -> Directives:
    d = _hold_sudzha_road_orders(p, st)
    d["withdraw"] = withdrawal_due(p, st) & ~st.withdrawing
    return Directives(**d)


POLICIES: dict[str, Policy] = {
    "hold": Policy(
        "hold",
        "Hold every sector; drones and jammers balanced between the front and the road; all trucks by day; "
        "the reserve to the enemy's main effort.",
        _hold,
    ),
    "delay_withdraw": Policy(
        "delay_withdraw",
        "Delay everywhere to trade ground for time, convoys by night under netting, and request the "
        "withdrawal on turn 2 while the road is still usable.",
        _delay_withdraw,
    ),
    "hold_sudzha_road": Policy(
        "hold_sudzha_road",
        "Fortify the town, hold the rest; drones hunt enemy crews and watch the road; convoys by night "
        "under netting; every jammer on the front, where the radio drones are; the reserve screens the road.",
        _hold_sudzha_road,
    ),
    "hold_then_withdraw": Policy(
        "hold_then_withdraw",
        "Hold the town and the road as hold_sudzha_road does, and order the withdrawal as soon as the road no "
        "longer keeps the grouping supplied (ammunition under two turns of need), every route is cut, or the "
        "grouping is down to 60% of its strength.",
        _hold_then_withdraw,
    ),
}


def scripted_orders(game: Game, orders: dict[str, Any] | None, policy: str | None) -> Orders | None:
    """Orders a scenario writes out (drill options, expert solutions), or what a named policy orders now.

    None when neither is given; a policy name that does not exist raises `OrdersError`.
    """
    if orders is not None:
        return Orders.model_validate(orders)
    if policy is None:
        return None
    if policy not in POLICIES:
        raise OrdersError([f"there is no policy '{policy}' (policies: {', '.join(POLICIES)})"])
    return POLICIES[policy](game)
