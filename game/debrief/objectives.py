"""The scenario's objectives judged from the game's curves, each with the figures that decided it.

The engine scores objectives on its state (`game.engine.scoring.objectives_met`); the debrief judges them
again from the same time series its charts and tables draw, and says why in numbers ("usable 2 of the
6 turns; 3 needed"), so a trainee never reads "missed" beside a chart that seems to show it met. The two
judgements are the same rule on the same figures; the tests hold them equal over whole games.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict

from game.engine.report import Ending
from game.narrative.ending import headline
from game.scenario import Scenario

from .series import ROAD_STATES, TimeSeries

CUT = ROAD_STATES.index("cut")
OVERRUN = ("encircled", "destroyed", "bridgehead_fell")


class ObjectiveView(BaseModel):
    """One objective: met or missed, its points, and the figures that decided it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    points: float
    met: bool
    reason: str


def _turns(count: int) -> str:
    return f"{count} turn{'' if count == 1 else 's'}"


def judge_objectives(scenario: Scenario, series: TimeSeries, ending: Ending | None) -> list[ObjectiveView]:
    """Every objective of the scenario, judged at the last point of `series` (the game as it stands)."""
    player = scenario.meta.player_side
    played = len(series.turns) - 1
    counted = max(played, 1, scenario.meta.turns)
    sector_of = {place: s.id for s in scenario.map.sectors for place in s.places}
    names = {
        "hold_place": {p.id: p.name for p in scenario.map.places},
        "hold_sector": {s.id: s.name for s in scenario.map.sectors},
        "keep_road_open": {r.id: r.name for r in scenario.map.roads},
    }
    out = []
    for obj in scenario.scoring.objectives:
        target = obj.target or ""
        name = names.get(obj.kind, {}).get(target, target)
        if obj.kind in ("hold_place", "hold_sector"):
            sector = target if obj.kind == "hold_sector" else sector_of.get(target)
            if sector is None:
                place = next(p for p in scenario.map.places if p.id == target)
                met, reason = place.holder == player, f"{name} lies outside every sector and never changed hands"
            else:
                held = series.get(sector, "held").values
                met = held[-1] >= 0.5
                reason = f"{name} {_holding(held, met)}"
        elif obj.kind == "keep_road_open":
            states = series.get(target, "road_state").values[1:]
            usable = sum(1 for v in states if v < CUT)
            needed = math.ceil(obj.threshold * counted - 1e-9)
            met = usable / counted >= obj.threshold
            reason = f"{name}: usable (not cut) at the end of {usable} of the {_turns(counted)}, {needed} needed"
            if played < scenario.meta.turns:
                reason += f" — the game ended after turn {played}, and turns not played count as not kept"
        elif obj.kind == "avoid_encirclement":
            met = ending not in OVERRUN
            reason = "the grouping ended as a fighting force" if met else headline(ending).rstrip(".").lower()
        else:  # preserve_strength
            strength = series.get(player, "strength").values
            kept = strength[-1] / strength[0] if strength[0] else 0.0
            met = strength[-1] >= obj.threshold * strength[0]
            reason = f"{kept:.0%} of the grouping's strength kept ({obj.threshold:.0%} needed)"
        out.append(ObjectiveView(id=obj.id, title=obj.title, points=obj.points, met=bool(met), reason=reason))
    return out


def _holding(held: list[float], met: bool) -> str:
    """'held throughout', 'lost in turn 7', 'retaken in turn 9 and held to the end', 'never held'."""
    for turn in range(len(held) - 1, 0, -1):
        if (held[turn] >= 0.5) != (held[turn - 1] >= 0.5):
            return f"retaken in turn {turn} and held to the end" if met else f"lost in turn {turn}"
    return "held throughout" if met else "never held"
