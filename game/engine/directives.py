"""Orders as arrays (so one plan, or one plan per replication, drives the vectorised kernel), and their checks.

`compile_orders` turns the trainee's `Orders` into `Directives` with a leading axis of 1 (the same
plan for every replication); a vectorised policy may build `Directives` with a leading axis of R.
`check_orders` says in plain words why orders cannot be carried out, before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .layout import take_rows
from .orders import ConvoyPlan, DroneTasks, EwAllocation, Orders
from .params import EW_FRONT, EW_ROAD, PLAYER, POSTURE_INDEX, POSTURES, TASKS, Params
from .state import State


@dataclass(frozen=True)
class Directives:
    """One turn's orders as arrays; the leading axis is 1 (broadcast) or R."""

    posture_set: np.ndarray  # (r, S) bool: a posture was given for this sector
    posture: np.ndarray  # (r, S) int8 posture code (params.POSTURES)
    drones: np.ndarray  # (r, 4) drone teams by task: STRIKE, COUNTER_DRONE, ROAD_OVERWATCH, RECON (params.TASKS)
    ew: np.ndarray  # (r, 2) jamming teams: EW_FRONT, EW_ROAD
    day: np.ndarray  # (r,) trucks by day
    night: np.ndarray  # (r,) trucks by night
    escort: np.ndarray  # (r,) bool
    tracks: np.ndarray  # (r,) bool: use the field tracks
    netting: np.ndarray  # (r,) bool
    commit: np.ndarray  # (r, U) sector index to commit a reserve to, or -1
    withdraw: np.ndarray  # (r,) bool

    def take(self, rows: np.ndarray) -> Directives:
        """The plans of a subset of replications (unchanged when the plan is broadcast)."""
        if self.drones.shape[0] == 1:
            return self
        return Directives(**{k: take_rows(v, rows) for k, v in self.__dict__.items()})


def compile_orders(p: Params, orders: Orders) -> Directives:
    """The trainee's orders as broadcastable arrays (assumes `check_orders` found nothing wrong)."""
    S, U = p.S, p.U
    posture_set = np.zeros((1, S), dtype=bool)
    posture = np.zeros((1, S), dtype=np.int8)
    for sector, name in orders.postures.items():
        if sector in p.sectors.ids:
            i = p.sectors.ids.index(sector)
            posture_set[0, i] = True
            posture[0, i] = POSTURE_INDEX[name]
    commit = np.full((1, U), -1, dtype=np.int64)
    for unit, sector in orders.commit_reserves.items():
        if unit in p.units.ids and sector in p.sectors.ids:
            commit[0, p.units.ids.index(unit)] = p.sectors.ids.index(sector)
    d = orders.drones
    return Directives(
        posture_set=posture_set,
        posture=posture,
        drones=np.array([[getattr(d, task) for task in TASKS]], dtype=float),
        ew=np.array([[orders.ew.front, orders.ew.road]], dtype=float),  # EW_FRONT, EW_ROAD
        day=np.array([float(orders.convoys.day)]),
        night=np.array([float(orders.convoys.night)]),
        escort=np.array([orders.convoys.escort]),
        tracks=np.array([orders.convoys.route == "tracks"]),
        netting=np.array([orders.netting]),
        commit=commit,
        withdraw=np.array([orders.withdraw]),
    )


def to_orders(p: Params, d: Directives, row: int = 0) -> Orders:
    """The `Orders` model of one replication's directives (for policies played in a game)."""
    r = min(row, d.drones.shape[0] - 1)
    postures = {p.sectors.ids[s]: POSTURES[int(d.posture[r, s])] for s in np.flatnonzero(d.posture_set[r])}
    commits = {p.units.ids[u]: p.sectors.ids[int(d.commit[r, u])] for u in np.flatnonzero(d.commit[r] >= 0)}
    dr = [round(float(x)) for x in d.drones[r]]
    return Orders(
        postures=postures,
        drones=DroneTasks(**dict(zip(TASKS, dr, strict=True))),
        ew=EwAllocation(front=round(float(d.ew[r, EW_FRONT])), road=round(float(d.ew[r, EW_ROAD]))),
        convoys=ConvoyPlan(
            day=round(float(d.day[r])),
            night=round(float(d.night[r])),
            escort=bool(d.escort[r]),
            route="tracks" if bool(d.tracks[r]) else "road",
        ),
        netting=bool(d.netting[r]),
        commit_reserves=commits,
        withdraw=bool(d.withdraw[r]),
    )


def _name(p: Params, sector: int) -> str:
    return p.sectors.names[sector]


def check_orders(p: Params, state: State, orders: Orders, row: int = 0) -> list[str]:
    """Every reason the orders cannot be carried out, in plain words; [] when they can."""
    problems: list[str] = []
    sectors = p.sectors.ids
    held = state.holder[row] == PLAYER
    for sector, posture in orders.postures.items():
        if sector not in sectors:
            problems.append(f"there is no sector '{sector}' (sectors: {', '.join(sectors)})")
            continue
        i = sectors.index(sector)
        if not held[i]:
            if posture == "withdraw":
                problems.append(
                    f"{_name(p, i)} ({sector}) is already lost: you cannot withdraw from a place already lost"
                )
            else:
                problems.append(f"{_name(p, i)} ({sector}) is already lost: you cannot order '{posture}' there")
    teams = p.player_teams()
    tasked = orders.drones.total()
    if tasked > teams:
        problems.append(f"{tasked} drone teams are tasked but only {teams} exist")
    ew_total = int(p.drones.ew_teams[PLAYER])
    ew_used = orders.ew.front + orders.ew.road
    if ew_used > ew_total:
        problems.append(f"{ew_used} electronic-warfare teams are allocated but only {ew_total} exist")
    trucks = orders.convoys.day + orders.convoys.night
    if trucks > p.convoys.trucks_available:
        problems.append(f"{trucks} trucks are ordered but only {p.convoys.trucks_available} are available")
    if orders.convoys.route == "tracks" and not p.has_tracks and trucks > 0:
        problems.append("there are no field tracks in this scenario: send the convoys by road")
    for unit, sector in orders.commit_reserves.items():
        if unit not in p.units.ids:
            problems.append(f"there is no unit '{unit}' to commit")
            continue
        u = p.units.ids.index(unit)
        if p.units.side[u] != PLAYER:
            problems.append(f"'{unit}' is not one of your units")
            continue
        if not p.units.reserve0[u]:
            problems.append(f"'{unit}' ({p.units.names[u]}) is not a reserve: it is already in the line")
            continue
        if not state.reserve[row, u]:
            problems.append(f"'{unit}' ({p.units.names[u]}) is already committed")
            continue
        if sector not in sectors:
            problems.append(f"cannot commit '{unit}': there is no sector '{sector}'")
            continue
        if not held[sectors.index(sector)]:
            problems.append(
                f"cannot commit '{unit}' to {_name(p, sectors.index(sector))} ({sector}): the sector is not held"
            )
    if orders.withdraw and bool(state.withdrawing[row]):
        problems.append("the withdrawal is already under way: it cannot be ordered again")
    return problems
