"""Curves over time from a game's turn reports: strengths, area held, supply, stocks, losses, morale, roads.

Point 0 is the start (read from the scenario), point t the end of turn t, so a curve has one more point
than the game has turns. Branches use the same function on their own reports, so curves compare directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from game.engine.report import TurnReport
from game.scenario import Scenario

ROAD_STATES = ("open", "contested", "interdicted", "cut")


@dataclass(frozen=True)
class Curve:
    """One quantity over time for one thing (a unit, a side, a stock, a road)."""

    entity: str
    """Unit, side, sector, road or stock id; `supply` for convoy figures."""
    metric: str
    """What is measured: strength, area_held_sq_mi, killed, wounded, captured, losses_total, stock, …"""
    label: str
    """Plain words for a chart legend."""
    unit: str
    """Unit of the values (soldiers, sq mi, t, trucks, 0-1, index)."""
    values: list[float]

    @property
    def key(self) -> str:
        """`entity/metric`, unique within a series."""
        return f"{self.entity}/{self.metric}"


@dataclass
class TimeSeries:
    """Every curve of one game (or branch), on a shared axis of turns 0..N."""

    turns: list[int]
    curves: dict[str, Curve] = field(default_factory=dict)

    def add(self, curve: Curve) -> None:
        """Add a curve (its length must match the turn axis)."""
        if len(curve.values) != len(self.turns):
            raise ValueError(f"curve {curve.key} has {len(curve.values)} points for {len(self.turns)} turns")
        self.curves[curve.key] = curve

    def get(self, entity: str, metric: str) -> Curve:
        """The curve for `entity`/`metric` (KeyError when absent)."""
        return self.curves[f"{entity}/{metric}"]

    def find(self, metric: str) -> list[Curve]:
        """Every curve measuring `metric`."""
        return [c for c in self.curves.values() if c.metric == metric]


def unit_sides(scenario: Scenario) -> dict[str, str]:
    """Unit id → side id."""
    return {u.id: side.id for side in scenario.sides for u in side.units}


def start_area_held(scenario: Scenario) -> float:
    """Square miles the player holds before turn 1."""
    return float(sum(s.area_sq_mi for s in scenario.map.sectors if s.holder == scenario.meta.player_side))


def build_series(scenario: Scenario, reports: Sequence[TurnReport]) -> TimeSeries:
    """All curves from the scenario's starting values and the reports in order."""
    series = TimeSeries(turns=list(range(len(reports) + 1)))
    sides = {s.id: s for s in scenario.sides}
    player = scenario.meta.player_side

    start_strength = {u.id: float(u.strength) for s in scenario.sides for u in s.units}
    unit_values = {uid: [v] for uid, v in start_strength.items()}
    for r in reports:
        for uid, values in unit_values.items():
            values.append(float(r.unit_strength.get(uid, values[-1])))
    names = {u.id: u.name for s in scenario.sides for u in s.units}
    for uid, values in unit_values.items():
        series.add(Curve(uid, "strength", names[uid], "soldiers", values))
    for sid, side in sides.items():
        totals = [sum(unit_values[u.id][i] for u in side.units) for i in range(len(series.turns))]
        series.add(Curve(sid, "strength", f"{side.name} strength", "soldiers", totals))
        for fate in ("killed", "wounded", "captured"):
            per_turn = [0.0] + [float(getattr(r.losses.get(sid), fate, 0.0) or 0.0) for r in reports]
            series.add(Curve(sid, fate, f"{side.name} {fate}", "soldiers", per_turn))
        total = [0.0] + [float(r.losses[sid].total) if sid in r.losses else 0.0 for r in reports]
        series.add(Curve(sid, "losses_total", f"{side.name} losses in the turn", "soldiers", total))
        series.add(Curve(sid, "losses_cumulative", f"{side.name} losses so far", "soldiers", _cumsum(total)))
        morale = [float(side.morale)] + [float(r.morale.get(sid, side.morale)) for r in reports]
        series.add(
            Curve(sid, "morale", f"{side.name} morale", "0-1", _carry(morale, [sid in r.morale for r in reports]))
        )

    area = [start_area_held(scenario)] + [float(r.area_held_sq_mi) for r in reports]
    series.add(Curve(player, "area_held_sq_mi", "Area held", "sq mi", area))

    for metric, label, unit in (
        ("delivered_t", "Supply delivered", "t"),
        ("consumed_t", "Supply used", "t"),
        ("trucks_sent", "Trucks sent", "trucks"),
        ("trucks_lost", "Trucks lost", "trucks"),
    ):
        series.add(Curve("supply", metric, label, unit, [0.0] + [float(getattr(r.supply, metric)) for r in reports]))
    stock_start = scenario.supply.stocks.model_dump()
    for stock, first in stock_start.items():
        values = [float(first)]
        for r in reports:
            values.append(float(r.supply.stocks.get(stock, values[-1])))
        unit = "drones" if stock == "drones" else "t"
        series.add(Curve(stock, "stock", f"Stock of {stock.replace('_t', '').replace('_', ' ')}", unit, values))

    for road in scenario.map.roads:
        values = [float(ROAD_STATES.index(road.state))]
        for r in reports:
            state = r.road_state.get(road.id)
            values.append(float(ROAD_STATES.index(state)) if state in ROAD_STATES else values[-1])
        series.add(Curve(road.id, "road_state", f"{road.name} (0 open … 3 cut)", "index", values))
    for sector in scenario.map.sectors:
        values = [float(sector.fortification)]
        for r in reports:
            values.append(float(r.fortification.get(sector.id, values[-1])))
        series.add(Curve(sector.id, "fortification", f"{sector.name} fortification", "0-1", values))
        held = [1.0 if sector.holder == player else 0.0]
        held += [1.0 if r.sector_holder.get(sector.id, "") == player else 0.0 for r in reports]
        series.add(Curve(sector.id, "held", f"{sector.name} held", "0/1", held))
    series.add(
        Curve(
            "supply",
            "road_cut_turns",
            "Turns with every route cut",
            "turns",
            [0.0] + [float(r.road_cut_turns) for r in reports],
        )
    )
    return series


def _cumsum(values: list[float]) -> list[float]:
    out, running = [], 0.0
    for v in values:
        running += v
        out.append(running)
    return out


def _carry(values: list[float], present: list[bool]) -> list[float]:
    """Morale absent from a report keeps the previous value."""
    out = [values[0]]
    for v, ok in zip(values[1:], present, strict=True):
        out.append(v if ok else out[-1])
    return out
