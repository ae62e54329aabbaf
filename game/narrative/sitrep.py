"""The situation report at the start of a turn: what the trainee knows, with the enemy as estimates."""

from __future__ import annotations

from game.engine.report import Intel, TurnReport
from game.scenario import Scenario

from .describe import route_state, stock_line
from .fmt import clean, count, spread
from .picture import Picture
from .templates import fill


def figures(scenario: Scenario, pic: Picture, intel: Intel | None, report: TurnReport | None,
            hours: str, *, turn: int | None = None) -> dict[str, object]:
    """Every figure a template may use (see `game.narrative.templates`), from what the trainee knows.

    `turn` is the turn being told (default: the turn about to be played).
    """
    side = scenario.meta.player_side
    losses = report.losses.get(side) if report is not None else None
    supply = report.supply if report is not None else None
    hottest = _hottest_sector(scenario, pic, intel)
    sectors_held = sum(1 for holder in pic.sector_holder.values() if holder == side)
    clock = scenario.supply.encirclement_clock_turns
    values: dict[str, object] = {
        "turn": pic.turn if turn is None else turn, "turns": scenario.meta.turns, "time": clock_time(hours),
        "hours": hours, "sector": hottest, "sectors_held": sectors_held,
        "clock_turns": clock, "turns_left": max(0, clock - pic.road_cut_turns),
        "enemy_total": intel.enemy_total.estimate if intel else 0.0,
        "enemy_low": intel.enemy_total.low if intel else 0.0,
        "enemy_high": intel.enemy_total.high if intel else 0.0,
        "enemy_losses": intel.enemy_losses_last_turn.estimate if intel else 0.0,
        "road_state": route_state(scenario, pic), "road_threat": intel.road_threat if intel else "unknown",
        "own_losses": losses.total if losses else 0.0, "own_killed": losses.killed if losses else 0.0,
        "own_wounded": losses.wounded if losses else 0.0, "own_captured": losses.captured if losses else 0.0,
        "area_held": pic.area_held, "area_total": pic.area_total,
        "trucks_sent": supply.trucks_sent if supply else 0, "trucks_lost": supply.trucks_lost if supply else 0.0,
        "delivered_t": supply.delivered_t if supply else 0.0, "consumed_t": supply.consumed_t if supply else 0.0,
        "road_cut_turns": pic.road_cut_turns,
    }
    for key in ("ammunition_t", "drones", "fuel_t", "food_medical_t"):
        values[key] = pic.stocks.get(key, 0.0)
    return values


def clock_time(hours: str) -> str:
    """The date and hours of a turn label without its "Turn N — " prefix."""
    return hours.split(" — ", 1)[-1]


def _hottest_sector(scenario: Scenario, pic: Picture, intel: Intel | None) -> str:
    """Name of the own sector facing the most enemy (by estimate), else the doctrine's main effort."""
    names = {s.id: s.name for s in scenario.map.sectors}
    own = [sid for sid, holder in pic.sector_holder.items() if holder == scenario.meta.player_side]
    if intel is not None and intel.enemy_strength:
        facing = {sid: intel.enemy_strength[sid].estimate for sid in own if sid in intel.enemy_strength}
        if facing:
            return names[max(facing, key=facing.__getitem__)]
    for sid in scenario.opfor.main_effort:
        if sid in own:
            return names[sid]
    return names[own[0]] if own else "the bridgehead"


def situation_report(scenario: Scenario, pic: Picture, intel: Intel | None, hours: str) -> list[str]:
    """The sitrep as paragraphs: headline, enemy estimate, own losses as reported, road, stocks, notes."""
    values = figures(scenario, pic, intel, pic.last, hours)
    lines = [fill(scenario, "sitrep_header", values)]
    if intel is not None:
        e = intel.enemy_total
        lines.append(f"Enemy in contact: {spread(e.estimate, e.low, e.high)}, {e.confidence} confidence.")
        if pic.last is not None:
            o, x = intel.own_losses_last_turn, intel.enemy_losses_last_turn
            lines.append(f"Last turn our units report {spread(o.estimate, o.low, o.high)} casualties; "
                         f"we estimate {spread(x.estimate, x.low, x.high)} enemy casualties.")
        lines.append(f"Threat to the supply road: {intel.road_threat}.")
    lines.append(f"Supply road {route_state(scenario, pic)}. Ground held: {pic.area_held:.0f} of "
                 f"{pic.area_total:.0f} sq mi ({count(100 * pic.area_held / pic.area_total)}%).")
    lines.append(f"Stocks: {stock_line(pic.stocks)}.")
    if pic.road_cut_turns:
        lines.append(fill(scenario, "encirclement", values))
    if pic.last is not None:
        lines += [f"• {e.text}" for e in pic.last.events if e.visible_to == "trainee" and e.kind == "inject"]
    if intel is not None:
        lines += [f"• {note}" for note in intel.notes]
    return [clean(line) for line in lines]
