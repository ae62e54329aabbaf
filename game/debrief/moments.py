"""Teaching moments: situations the instructor asked to bookmark, found in a game's orders and reports.

Each `when` kind of `game.scenario.injects.TeachingMoment` has one detector below. Detectors read only the
journal's content (orders, reports, the Intel the trainee was shown) and the scenario, so the debrief finds
the same moments whether the game is replayed or not. A detector returns the turns it fires on, each with
one line saying what it saw (with numbers), which the AAR prints under the instructor's explanation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from game.engine.orders import Orders
from game.engine.report import Intel, TurnReport
from game.scenario import Scenario
from game.scenario.injects import TeachingMoment

BAD_ROAD = {"interdicted", "cut"}


@dataclass(frozen=True)
class Decision:
    """What a detector needs of one turn: the orders, what the trainee was shown, and what happened."""

    turn: int
    orders: Orders
    report: TurnReport
    intel: Intel | None = None
    own_by_sector: dict[str, float] = field(default_factory=dict)
    """Ground truth at the start of the turn, when a replay supplied it: own soldiers in line per sector."""
    enemy_by_sector: dict[str, float] = field(default_factory=dict)
    """Ground truth at the start of the turn, when a replay supplied it: enemy soldiers facing each sector."""


class Moment(BaseModel):
    """A bookmarked teaching moment: where it happened, what was seen, and the instructor's explanation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    turn: int
    detail: str
    explanation: str
    objective: str = ""
    """Title of the learning objective it serves ('' when none)."""


Hit = tuple[int, str]
Detector = Callable[[TeachingMoment, Scenario, Sequence[Decision]], list[Hit]]


def _before(scenario: Scenario, decisions: Sequence[Decision], i: int) -> dict[str, str]:
    """Road states at the start of decision i (the previous report, or the scenario at turn 1)."""
    if i == 0:
        return {r.id: r.state for r in scenario.map.roads}
    return dict(decisions[i - 1].report.road_state)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _supply_route_state(scenario: Scenario, states: dict[str, str]) -> str:
    """The worst state along the main supply road."""
    order = ("open", "contested", "interdicted", "cut")
    route = scenario.map.supply_route or [r.id for r in scenario.map.roads if r.kind == "road"]
    worst = max((order.index(states.get(rid, "open")) for rid in route), default=0)
    return order[worst]


def fibre_share(scenario: Scenario) -> float:
    """Share of the enemy's drone threat to the supply road carried by fibre-optic drones (jammers cannot stop them).

    Threat = teams × sorties × P(reach) × (1 − P(failure)) × P(hit) × P(kill a truck), counting only drone
    types that reach the nearest segment of the supply road: the road's hazard before any jamming.
    """
    route = set(scenario.map.supply_route) or {r.id for r in scenario.map.roads if r.kind == "road"}
    distances = [r.enemy_distance_km for r in scenario.map.roads if r.id in route]
    nearest = min(distances, default=0.0)
    total = fibre = 0.0
    for group in scenario.enemy.drone_teams:
        kind = scenario.drone_type(group.drone_type)
        if kind.reach_km < nearest:
            continue
        threat = (
            group.teams
            * kind.sorties_per_turn
            * kind.p_reach_unjammed
            * (1.0 - kind.p_failure)
            * kind.p_hit
            * kind.vehicle_kill_probability
        )
        total += threat
        fibre += threat if kind.guidance == "fibre_optic" else 0.0
    return fibre / total if total else 0.0


def turn_fibre_share(scenario: Scenario, report: TurnReport) -> float:
    """The turn's own measure when trucks were lost on the road (fibre's share of them), else `fibre_share`."""
    lost = {f.name: f.value for f in report.factors if f.name in ("drones.fibre_optic.road", "drones.radio.road")}
    total = sum(lost.values())
    return lost.get("drones.fibre_optic.road", 0.0) / total if total > 0 else fibre_share(scenario)


def _ew_on_road_against_fibre(tm: TeachingMoment, sc: Scenario, ds: Sequence[Decision]) -> list[Hit]:
    """Most of the jammers on the road (more than over the front) while at least `ratio` of the road's drone
    threat trails a cable: the road got the jammers that can stop only part of its threat, the front lost
    the ones that stop most of its own."""
    limit = tm.ratio if tm.ratio is not None else 0.5
    hits: list[Hit] = []
    for d in ds:
        share = turn_fibre_share(sc, d.report)
        if d.orders.ew.road > d.orders.ew.front and share >= limit:
            hits.append(
                (
                    d.turn,
                    f"{_plural(d.orders.ew.road, 'jamming team')} on the road and {d.orders.ew.front} "
                    f"over the front, while about {share:.0%} of the drone threat to the road was fibre-optic",
                )
            )
    return hits


def _no_convoy_for_turns(tm: TeachingMoment, sc: Scenario, ds: Sequence[Decision]) -> list[Hit]:
    hits: list[Hit] = []
    run = 0
    for d in ds:
        run = run + 1 if d.orders.convoys.day + d.orders.convoys.night == 0 else 0
        if run == tm.turns:
            hits.append(
                (d.turn, f"no convoy ordered for {tm.turns} turns in a row (turns {d.turn - tm.turns + 1}–{d.turn})")
            )
    return hits


def route_cut_run(scenario: Scenario, decisions: Sequence[Decision], i: int) -> tuple[int, bool]:
    """How many turns in a row the supply road had ended cut when decision i was taken, and whether it was
    already cut when the game began (then the run reaches back to the start)."""
    run = 0
    for j in range(i - 1, -1, -1):
        if _supply_route_state(scenario, dict(decisions[j].report.road_state)) != "cut":
            return run, False
        run += 1
    return run, _supply_route_state(scenario, _before(scenario, decisions, 0)) == "cut"


def _withdraw_after_road_cut(tm: TeachingMoment, sc: Scenario, ds: Sequence[Decision]) -> list[Hit]:
    for i, d in enumerate(ds):
        if d.orders.withdraw:
            run, from_start = route_cut_run(sc, ds, i)
            every_route = ds[i - 1].report.road_cut_turns if i else 0
            if from_start:
                return [(d.turn, "withdrawal ordered with the supply road cut since the game began")]
            if run:
                return [
                    (d.turn, f"withdrawal ordered with the supply road already cut (cut for {_plural(run, 'turn')})")
                ]
            if every_route:
                return [
                    (
                        d.turn,
                        f"withdrawal ordered with every route out already cut (for {_plural(every_route, 'turn')})",
                    )
                ]
            return []
    return []


def _own_in_sector(sc: Scenario, ds: Sequence[Decision], i: int) -> dict[str, float]:
    """Own soldiers per sector at the start of decision i, following reserves as they are committed."""
    player = sc.player
    location = {u.id: u.location for u in player.units}
    reserve = {u.id for u in player.units if u.in_reserve}
    for d in ds[: i + 1]:
        for uid, sector in d.orders.commit_reserves.items():
            location[uid] = sector
            reserve.discard(uid)
    strength = {u.id: float(u.strength) for u in player.units}
    if i:
        strength.update({k: v for k, v in ds[i - 1].report.unit_strength.items() if k in strength})
    out: dict[str, float] = {}
    for uid, sector in location.items():
        if uid not in reserve:
            out[sector] = out.get(sector, 0.0) + strength[uid]
    return out


def _counter_attack_outnumbered(tm: TeachingMoment, sc: Scenario, ds: Sequence[Decision]) -> list[Hit]:
    limit = tm.ratio if tm.ratio is not None else 1.0
    hits: list[Hit] = []
    for i, d in enumerate(ds):
        sectors = [s for s, p in d.orders.postures.items() if p == "counter_attack"]
        if not sectors:
            continue
        own = d.own_by_sector or _own_in_sector(sc, ds, i)
        for sector in sectors:
            told = d.intel.enemy_strength.get(sector) if d.intel is not None else None
            enemy = told.estimate if told is not None else d.enemy_by_sector.get(sector, 0.0)
            if enemy <= 0:
                continue
            mine = own.get(sector, 0.0)
            if mine / enemy < limit:
                what = "an estimated" if told is not None else "about"
                hits.append(
                    (
                        d.turn,
                        f"counter-attack in {sector}: about {mine:.0f} own soldiers against {what} "
                        f"{enemy:.0f} enemy (ratio {mine / enemy:.2f})",
                    )
                )
    return hits


def _all_drones_on_strike(tm: TeachingMoment, sc: Scenario, ds: Sequence[Decision]) -> list[Hit]:
    hits: list[Hit] = []
    for i, d in enumerate(ds):
        drones = d.orders.drones
        if drones.strike > 0 and drones.counter_drone == 0 and drones.road_overwatch == 0:
            state = _supply_route_state(sc, _before(sc, ds, i))
            if state in BAD_ROAD:
                hits.append(
                    (
                        d.turn,
                        f"{_plural(drones.strike, 'drone team')} on strike, none on the road, with the road {state}",
                    )
                )
    return hits


def _reserve_unused(tm: TeachingMoment, sc: Scenario, ds: Sequence[Decision]) -> list[Hit]:
    reserves = {u.id for u in sc.player.units if u.in_reserve}
    committed = {uid for d in ds for uid in d.orders.commit_reserves}
    idle = sorted(reserves - committed)
    if not idle:
        return []
    player = sc.meta.player_side
    start = {s.id: s.holder for s in sc.map.sectors}
    for d in ds:
        lost = [s for s, holder in d.report.sector_holder.items() if start.get(s) == player and holder != player]
        if lost:
            return [
                (
                    d.turn,
                    f"sector {', '.join(sorted(lost))} lost while reserve {', '.join(idle)} stayed "
                    "uncommitted to the end",
                )
            ]
    return []


DETECTORS: dict[str, Detector] = {
    "ew_on_road_against_fibre": _ew_on_road_against_fibre,
    "no_convoy_for_turns": _no_convoy_for_turns,
    "withdraw_after_road_cut": _withdraw_after_road_cut,
    "counter_attack_outnumbered": _counter_attack_outnumbered,
    "all_drones_on_strike_while_road_interdicted": _all_drones_on_strike,
    "reserve_unused": _reserve_unused,
}


def find_moments(scenario: Scenario, decisions: Sequence[Decision]) -> list[Moment]:
    """Every teaching moment of the scenario that happened in the game, in turn order: one per moment and turn
    (what a detector saw in several sectors at once is one moment, its details joined)."""
    objectives = {o.id: o.title for o in scenario.meta.learning_objectives}
    found: list[Moment] = []
    for tm in scenario.teaching_moments:
        details: dict[int, list[str]] = {}
        for turn, detail in DETECTORS[tm.when](tm, scenario, decisions):
            details.setdefault(turn, []).append(detail)
        for turn, seen in details.items():
            found.append(
                Moment(
                    id=tm.id,
                    title=tm.title,
                    turn=turn,
                    detail="; ".join(seen),
                    explanation=tm.explanation,
                    objective=objectives.get(tm.objective or "", ""),
                )
            )
    return sorted(found, key=lambda m: (m.turn, m.id))
