"""The trainee's own side as they know it: built from the scenario and the resolved turns.

The trainee knows their own units, stocks, roads and which ground they hold; the enemy is only
ever seen through `Intel` estimates. `Picture` keeps exactly the first part (enemy unit strengths
in a `TurnReport` are ground truth and are deliberately dropped here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from game.engine.report import TurnReport
from game.scenario import Scenario


@dataclass(frozen=True)
class Picture:
    """What the trainee knows of their own side before the next turn."""

    turn: int
    """The turn about to be played (1 before the first)."""
    sector_holder: dict[str, str]
    place_holder: dict[str, str]
    road_state: dict[str, str]
    fortification: dict[str, float]
    unit_strength: dict[str, float]
    """Own units only."""
    start_strength: dict[str, float]
    unit_sector: dict[str, str]
    """Sector of each own unit (a committed reserve is where it was sent)."""
    reserves: tuple[str, ...]
    """Own reserve units not committed yet."""
    postures: dict[str, str]
    """Posture last ordered (or at the start) per sector."""
    stocks: dict[str, float]
    area_held: float
    area_total: float
    road_cut_turns: int = 0
    own_losses_total: float = 0.0
    last: TurnReport | None = field(default=None, repr=False)


def picture(scenario: Scenario, history: Sequence[TurnReport]) -> Picture:
    """The trainee's picture after `history` (the resolved turns, oldest first)."""
    own = scenario.player
    own_ids = {u.id for u in own.units}
    start = {u.id: float(u.strength) for u in own.units}
    unit_sector = {u.id: u.location for u in own.units}
    reserves = [u.id for u in own.units if u.in_reserve]
    postures = _initial_postures(scenario)
    for report in history:
        for unit_id, sector_id in report.orders.commit_reserves.items():
            unit_sector[unit_id] = sector_id
            if unit_id in reserves:
                reserves.remove(unit_id)
        postures.update(report.orders.postures)
    m = scenario.map
    area_total = sum(s.area_sq_mi for s in m.sectors)
    stocks = scenario.supply.stocks.model_dump()
    if not history:
        sector_holder = {s.id: s.holder for s in m.sectors}
        return Picture(
            turn=1,
            sector_holder=sector_holder,
            place_holder={p.id: p.holder for p in m.places},
            road_state={r.id: r.state for r in m.roads},
            fortification={s.id: s.fortification for s in m.sectors},
            unit_strength=dict(start),
            start_strength=start,
            unit_sector=unit_sector,
            reserves=tuple(reserves),
            postures=postures,
            stocks=stocks,
            area_held=sum(s.area_sq_mi for s in m.sectors if s.holder == scenario.meta.player_side),
            area_total=area_total,
        )
    last = history[-1]
    side = scenario.meta.player_side
    return Picture(
        turn=last.turn + 1,
        sector_holder=dict(last.sector_holder),
        place_holder=dict(last.place_holder),
        road_state=dict(last.road_state),
        fortification=dict(last.fortification),
        unit_strength={k: v for k, v in last.unit_strength.items() if k in own_ids},
        start_strength=start,
        unit_sector=unit_sector,
        reserves=tuple(reserves),
        postures=postures,
        stocks={**stocks, **last.supply.stocks},
        area_held=last.area_held_sq_mi,
        area_total=area_total,
        road_cut_turns=last.road_cut_turns,
        own_losses_total=sum(r.losses[side].total for r in history if side in r.losses),
        last=last,
    )


def _initial_postures(scenario: Scenario) -> dict[str, str]:
    """Posture per player sector at the start: that of the first own front-line unit there, else hold."""
    postures: dict[str, str] = {}
    for unit in scenario.player.units:
        if not unit.in_reserve and unit.posture != "assault":
            postures.setdefault(unit.location, unit.posture)
    for sector in scenario.map.sectors:
        if sector.holder == scenario.meta.player_side:
            postures.setdefault(sector.id, "hold")
    return postures
