"""The situation report at the start of a turn: what the trainee knows, with the enemy as estimates.

Two kinds of figure meet here and each says which it is: estimates and reports (the enemy, our units'
own casualty returns) come through the fog of war; counts from the turn's report are true. The fog is
explained in a sentence the first time each kind of reported figure appears.
"""

from __future__ import annotations

from game.engine.report import Intel, TurnReport
from game.scenario import Scenario

from .describe import convoy_counts, route_state, stock_line
from .fmt import count, counted, split_whole, spread
from .picture import Picture
from .safe_text import clean
from .templates import fill


def figures(
    scenario: Scenario,
    pic: Picture,
    intel: Intel | None,
    report: TurnReport | None,
    hours: str,
    *,
    turn: int | None = None,
) -> dict[str, object]:
    """Every figure a template may use (see `game.narrative.templates`), from what the trainee knows.

    `turn` is the turn being told (default: the turn about to be played).
    """
    side = scenario.meta.player_side
    losses = report.losses.get(side) if report is not None else None
    supply = report.supply if report is not None else None
    killed, wounded, captured = split_whole([losses.killed, losses.wounded, losses.captured]) if losses else (0, 0, 0)
    sent, lost = convoy_counts(supply) if supply else (0, 0)
    hottest = _hottest_sector(scenario, pic, intel)
    sectors_held = sum(1 for holder in pic.sector_holder.values() if holder == side)
    clock = scenario.supply.encirclement_clock_turns
    values: dict[str, object] = {
        "turn": pic.turn if turn is None else turn,
        "turns": scenario.meta.turns,
        "time": clock_time(hours),
        "hours": hours,
        "sector": hottest,
        "sectors_held": sectors_held,
        "clock_turns": clock,
        "turns_left": max(0, clock - pic.road_cut_turns),
        "enemy_total": intel.enemy_total.estimate if intel else 0.0,
        "enemy_low": intel.enemy_total.low if intel else 0.0,
        "enemy_high": intel.enemy_total.high if intel else 0.0,
        "enemy_losses": intel.enemy_losses_last_turn.estimate if intel else 0.0,
        "road_state": route_state(scenario, pic),
        "road_threat": intel.road_threat if intel else "unknown",
        "own_losses": killed + wounded + captured,
        "own_killed": killed,
        "own_wounded": wounded,
        "own_captured": captured,
        "area_held": pic.area_held,
        "area_total": pic.area_total,
        "trucks_sent": sent,
        "trucks_lost": lost,
        "delivered_t": supply.delivered_t if supply else 0.0,
        "consumed_t": supply.consumed_t if supply else 0.0,
        "road_cut_turns": pic.road_cut_turns,
    }
    for key in ("ammunition_t", "drones", "fuel_t", "food_medical_t"):
        values[key] = pic.stocks.get(key, 0.0)
    return values


FOG_ESTIMATES = (
    "Enemy figures are intelligence estimates (a best guess and its range); they lag behind "
    "events and can miss by more than the range."
)
"""Said with the first enemy estimate the trainee reads."""
FOG_RETURNS = "Returns come in late and miss some; the true count is the turn report's."
"""Said with the first casualty returns the trainee reads."""


def casualty_lines(scenario: Scenario, last: TurnReport, intel: Intel) -> list[str]:
    """Last turn's casualties: ours as counted (true) beside our units' returns (reported), the enemy's estimated."""
    own = last.losses.get(scenario.meta.player_side)
    true = sum(split_whole([own.killed, own.wounded, own.captured])) if own else 0
    o, x = intel.own_losses_last_turn, intel.enemy_losses_last_turn
    first = last.turn <= 1
    return [
        f"Our casualties last turn: {counted(true, 'soldier')} (true count); our units' returns report "
        f"{spread(o.estimate, o.low, o.high)}." + (f" {FOG_RETURNS}" if first else ""),
        f"Enemy casualties last turn (estimate): {spread(x.estimate, x.low, x.high)}.",
    ]


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
        lines.append(
            f"Enemy in contact (estimate): {spread(e.estimate, e.low, e.high)}, {e.confidence} confidence."
            + (f" {FOG_ESTIMATES}" if intel.turn <= 1 else "")
        )
        if pic.last is not None:
            lines += casualty_lines(scenario, pic.last, intel)
        lines.append(f"Threat to the supply road: {intel.road_threat}.")
    lines.append(
        f"Supply road {route_state(scenario, pic)}. Ground held: {pic.area_held:.0f} of "
        f"{pic.area_total:.0f} sq mi ({count(100 * pic.area_held / pic.area_total)}%)."
    )
    lines.append(f"Stocks: {stock_line(pic.stocks)}.")
    if pic.road_cut_turns:
        lines.append(fill(scenario, "encirclement", values))
    if pic.last is not None:
        lines += [f"• {e.text}" for e in pic.last.events if e.visible_to == "trainee" and e.kind == "inject"]
    if intel is not None:
        lines += [f"• {note}" for note in intel.notes]
    return [clean(line) for line in lines]
