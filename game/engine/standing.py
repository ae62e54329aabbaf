"""Standing orders: last turn's orders carried into this turn, changed only where the situation forces it.

Whatever the trainee ordered stands until they change it: postures, drone tasks, jammers, convoys, netting,
reserve decisions and the withdrawal. `carry_over` takes the orders played last turn and the game as it stands
now and returns the orders for this turn with, for every part it had to change, the reason in plain words:
- a posture for a sector that has since been lost is dropped; a sector taken back gets its posture in effect;
- a reserve commitment already carried out is done (nothing to carry); one aimed at a sector no longer held
  is dropped;
- a withdrawal already under way needs no order (the engine carries it through by itself);
- more drone teams, jammers or trucks than there are now (an inject may take some) are cut in proportion,
  rounding down, as `salient check` cuts a standing orders file;
- convoys on field tracks the scenario no longer has go by road.

Pure and UI-free: it reads the parameters and the state and never touches the game's dice, so the model's
numbers are unchanged by it (`default_orders` and the built-in policies do not use it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .orders import DRONE_TASKS, ConvoyPlan, DroneTasks, EwAllocation, Orders
from .params import PLAYER, POSTURES, Params
from .state import State


@dataclass(frozen=True)
class StandingOrders:
    """This turn's orders as carried over from last turn, and what had to change."""

    orders: Orders
    adapted: dict[str, str] = field(default_factory=dict)
    """Part of the orders → why it was changed, in plain words. Keys: `posture:<sector>`, `drones`, `ew`,
    `convoys`, `route`, `reserve:<unit>`, `withdraw`."""


def _scaled(counts: list[int], have: int) -> list[int]:
    """Counts cut in proportion so their total fits in `have` (rounded down, as the batch checker cuts them)."""
    total = sum(counts)
    if total <= have:
        return counts
    return [int(np.floor(c * have / total)) for c in counts]


def carry_over(p: Params, state: State, previous: Orders, row: int = 0) -> StandingOrders:
    """The orders for the current turn: `previous` standing, adapted where the situation forces it."""
    adapted: dict[str, str] = {}
    held = state.holder[row] == PLAYER
    sectors = p.sectors.ids

    postures: dict[str, str] = {}
    for s in np.flatnonzero(held):
        in_effect = POSTURES[int(state.posture[row, s])]
        postures[sectors[s]] = in_effect if in_effect != "assault" else "hold"
    for sector, posture in previous.postures.items():
        if sector not in sectors:
            continue
        if held[sectors.index(sector)]:
            postures[sector] = posture
        else:
            adapted[f"posture:{sector}"] = (
                f"{p.sectors.names[sectors.index(sector)]} was lost: "
                f"its posture ({posture.replace('_', ' ')}) no longer applies"
            )

    teams = p.player_teams()
    asked = [getattr(previous.drones, t) for t in DRONE_TASKS]
    given = _scaled(asked, teams)
    if given != asked:
        adapted["drones"] = f"only {teams} drone teams now: {sum(asked)} tasked last turn, cut to {sum(given)}"
    drones = DroneTasks(**dict(zip(DRONE_TASKS, given, strict=True)))

    jammers = int(p.drones.ew_teams[PLAYER])
    asked_ew = [previous.ew.front, previous.ew.road]
    front, road = _scaled(asked_ew, jammers)
    if [front, road] != asked_ew:
        adapted["ew"] = f"only {jammers} jamming teams now: {sum(asked_ew)} allocated last turn, cut to {front + road}"

    trucks = p.convoys.trucks_available
    c = previous.convoys
    day, night = _scaled([c.day, c.night], trucks)
    if [day, night] != [c.day, c.night]:
        adapted["convoys"] = (
            f"only {trucks} trucks available now: {c.day + c.night} sent last turn, cut to {day + night}"
        )
    route = c.route
    if route == "tracks" and not p.has_tracks:
        route = "road"
        adapted["route"] = "no field tracks any more: the convoys go by road"
    convoys = ConvoyPlan(day=day, night=night, escort=c.escort, route=route)

    commits: dict[str, str] = {}
    for unit, sector in previous.commit_reserves.items():
        if unit not in p.units.ids or sector not in sectors:
            continue
        u = p.units.ids.index(unit)
        if not state.reserve[row, u]:
            continue  # carried out: the unit is in the line now
        if held[sectors.index(sector)]:
            commits[unit] = sector
        else:
            adapted[f"reserve:{unit}"] = (
                f"{p.units.names[u]} was to go to {p.sectors.names[sectors.index(sector)]}, "
                "which was lost: it stays in reserve"
            )

    withdraw = previous.withdraw
    if withdraw and bool(state.withdrawing[row]):
        withdraw = False
        adapted["withdraw"] = "the withdrawal is under way: it goes on without a new order"

    orders = Orders(
        postures=postures,
        drones=drones,
        ew=EwAllocation(front=front, road=road),
        convoys=convoys,
        netting=previous.netting,
        commit_reserves=commits,
        withdraw=withdraw,
    )
    return StandingOrders(orders, adapted)
