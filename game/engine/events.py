"""Turning one replication's outcome arrays into the turn's reports: events, factors, the TurnReport.

Post-processing only (R = 1, plain Python): the kernel never builds strings.
"""

from __future__ import annotations

import numpy as np

from game.scenario.injects import Message

from . import factors as fx
from .orders import Orders
from .params import CAPTURED, ENDINGS, ENEMY, KILLED, NEUTRAL, PLAYER, ROAD_STATES, STOCKS, WITHDRAW, WOUNDED, Params
from .report import Casualties, Event, Factor, SupplyReport, TurnReport
from .state import State
from .turn import Outcome

ENDING_TEXT = {
    "time": "Time is up: the game ends with the bridgehead as it stands.",
    "withdrawn": "The grouping has withdrawn from the bridgehead.",
    "encircled": "Every route has been cut for too long: the grouping is encircled.",
    "destroyed": "The grouping has lost too many soldiers to fight on.",
    "bridgehead_fell": "The bridgehead has fallen.",
}


def side_id(p: Params, code: int) -> str:
    """Side id of a holder code (neutral ground keeps the id its scenario gave it)."""
    return p.side_ids[code] if code in (PLAYER, ENEMY) else "neutral"


def factor_list(values: np.ndarray, p: Params) -> list[Factor]:
    """Factors with their values, largest first (ties by name), side ids filled in."""
    items = [
        Factor(
            name=spec.name,
            label=spec.label,
            value=float(v),
            unit=spec.unit,
            side="" if spec.side is None else p.side_ids[spec.side],
        )
        for spec, v in zip(fx.FACTORS, values, strict=True)
    ]
    return sorted(items, key=lambda f: (-abs(f.value), f.name))


def side_morale(p: Params, st: State, row: int = 0) -> dict[str, float]:
    """Strength-weighted mean morale per side."""
    out = {}
    for code in (PLAYER, ENEMY):
        mask = p.units.side == code
        w = st.strength[row] * mask
        total = w.sum()
        out[p.side_ids[code]] = (
            float((w * st.morale[row]).sum() / total)
            if total > 0
            else float(st.morale[row][mask].mean() if mask.any() else 0.0)
        )
    return out


def holders(p: Params, st: State, row: int = 0) -> tuple[dict[str, str], dict[str, str]]:
    """Sector and place holders by id."""
    sc = p.scenario
    sectors = {}
    for i, s in enumerate(sc.map.sectors):
        code = int(st.holder[row, i])
        sectors[s.id] = s.holder if code == NEUTRAL else side_id(p, code)
    places = {}
    ph = st.place_holder(p)[row]
    for i, pl in enumerate(sc.map.places):
        code = int(ph[i])
        places[pl.id] = pl.holder if code == NEUTRAL else side_id(p, code)
    return sectors, places


def build_events(p: Params, before: State, after: State, out: Outcome, fired: list[int]) -> list[Event]:
    """One line per thing that happened, in the order a staff officer would report it."""
    sc = p.scenario
    ev: list[Event] = []
    for i in fired:
        inj = sc.injects[i]
        text = inj.title + (f": {inj.message}" if inj.message else "")
        ev.append(Event(kind="inject", text=text, visible_to=inj.visible_to))
        for eff in inj.effects:
            if isinstance(eff, Message) and eff.text:
                ev.append(Event(kind="inject", text=eff.text, visible_to=inj.visible_to))
    if out.paused[0]:
        ev.append(Event(kind="combat", text="The enemy paused to regroup after heavy losses.", visible_to="instructor"))
    for s in range(p.S):
        if out.attacked[0, s]:
            own, enemy = out.sector_loss[0, PLAYER, s], out.sector_loss[0, ENEMY, s]
            # The trainee hears their own losses; the enemy's true losses are ground truth, for the instructor.
            ev.append(
                Event(
                    kind="combat",
                    where=p.sectors.ids[s],
                    text=f"Assault on {p.sectors.names[s]}: we lost {own:.0f} in the close fight.",
                )
            )
            ev.append(
                Event(
                    kind="combat",
                    where=p.sectors.ids[s],
                    visible_to="instructor",
                    text=f"Assault on {p.sectors.names[s]}: the enemy lost {enemy:.0f} in the close fight.",
                )
            )
    for s in map(int, np.flatnonzero(out.fell[0])):
        given = before.posture[0, s] == WITHDRAW or bool(after.withdrawing[0])
        verb = "was given up" if given else "has fallen"
        ev.append(Event(kind="sector_lost", where=p.sectors.ids[s], text=f"{p.sectors.names[s]} {verb}."))
        for pl in sc.map.sectors[s].places:
            name = next(x.name for x in sc.map.places if x.id == pl)
            ev.append(Event(kind="sector_lost", where=pl, text=f"{name} is in enemy hands."))
    for u in np.flatnonzero(out.newly_broken[0]):
        uid, name = p.units.ids[u], p.units.names[u]
        if p.units.side[u] == PLAYER:
            ev.append(Event(kind="morale", where=uid, text=f"{name} has broken and can no longer hold."))
        elif p.units.side[u] == ENEMY:
            ev.append(Event(kind="morale", where=uid, text=f"Enemy {name} has broken off its attacks."))
    sent = round(float(out.trucks_sent[0]))
    if sent:
        ev.append(
            Event(
                kind="convoy",
                text=f"{sent} trucks sent: {out.trucks_lost[0]:.0f} lost, {out.delivered[0]:.0f} t delivered.",
            )
        )
    for g in range(p.G):
        a, b = int(before.road_state[0, g]), int(after.road_state[0, g])
        if a != b:
            name = sc.map.roads[g].name
            ev.append(
                Event(kind="road", where=p.roads.ids[g], text=f"{name} is now {ROAD_STATES[b]} (was {ROAD_STATES[a]}).")
            )
    if out.effectiveness[0] < 0.95:
        ev.append(
            Event(
                kind="supply", text=f"Shortages: our fire is down to {100 * out.effectiveness[0]:.0f}% of its strength."
            )
        )
    if out.died_of_wounds[0] >= 0.5:
        ev.append(Event(kind="supply", text=f"About {out.died_of_wounds[0]:.0f} wounded died waiting for evacuation."))
    clock = int(after.cut_clock[0])
    if clock:
        ev.append(
            Event(
                kind="encirclement",
                text=f"Every route is cut: turn {clock} of {p.endings.clock_turns} the grouping can last.",
            )
        )
    ending = ENDINGS[int(after.ending[0])] if out.ended_now[0] else None
    if ending:
        ev.append(Event(kind="ending", text=ENDING_TEXT[ending]))
    return ev


def turn_report(
    p: Params, turn: int, orders: Orders, before: State, after: State, out: Outcome, fired: list[int]
) -> TurnReport:
    """The ground truth of one resolved turn (replication 0)."""
    sectors, places = holders(p, after)
    ending = ENDINGS[int(after.ending[0])] if out.ended_now[0] else None
    return TurnReport(
        turn=turn,
        orders=orders,
        events=build_events(p, before, after, out, fired),
        losses={
            p.side_ids[side]: Casualties(
                killed=float(out.losses[0, side, KILLED]),
                wounded=float(out.losses[0, side, WOUNDED]),
                captured=float(out.losses[0, side, CAPTURED]),
            )
            for side in (PLAYER, ENEMY)
        },
        unit_strength={uid: float(after.strength[0, u]) for u, uid in enumerate(p.units.ids)},
        sector_holder=sectors,
        place_holder=places,
        road_state={gid: ROAD_STATES[int(after.road_state[0, g])] for g, gid in enumerate(p.roads.ids)},
        fortification={sid: float(after.fort[0, s]) for s, sid in enumerate(p.sectors.ids)},
        area_held_sq_mi=float(after.area_held(p)[0]),
        supply=SupplyReport(
            trucks_sent=round(float(out.trucks_sent[0])),
            trucks_lost=float(out.trucks_lost[0]),
            delivered_t=float(out.delivered[0]),
            consumed_t=float(out.consumed[0]),
            stocks={k: float(after.stocks[0, i]) for i, k in enumerate(STOCKS)},
            effectiveness=float(out.effectiveness[0]),
            road_survival=float(out.road_survival[0]),
        ),
        factors=factor_list(out.factors[0], p),
        injects_fired=[p.scenario.injects[i].id for i in fired],
        road_cut_turns=int(after.cut_clock[0]),
        morale=side_morale(p, after),
        ending=ending,
    )
