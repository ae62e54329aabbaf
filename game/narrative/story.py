"""What happened in a turn, told by the officers who report to the trainee, with the figures behind it.

Each advisor of the scenario speaks on their topics (combat, drones, ew, supply, intel); topics no
advisor covers are reported by the chief of staff, so nothing the trainee needs goes unsaid.
Enemy figures come from the new intelligence estimate, never from the ground truth.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from game.engine.report import Factor, Intel, TurnReport
from game.scenario import Scenario

from .describe import ROAD_GLYPH, convoy_counts, convoy_line, route_state
from .fmt import count, counted, percent, split_whole, tonnes, whole
from .picture import Picture
from .safe_text import clean
from .sitrep import figures
from .templates import fill

TOPICS: tuple[str, ...] = ("combat", "drones", "ew", "supply", "intel")
FACTORS_PER_OFFICER = 1
"""Each officer names the largest causes on their topic; the full list follows the dispatches."""
_EVENT_TOPIC: dict[str, str] = {
    "combat": "combat",
    "sector_lost": "combat",
    "sector_taken": "combat",
    "morale": "combat",
    "road": "supply",
    "convoy": "supply",
    "supply": "supply",
    "encirclement": "supply",
}
_FACTOR_TOPIC: tuple[tuple[str, str], ...] = (
    ("ew", "ew"),
    ("jam", "ew"),
    ("drone", "drones"),
    ("convoy", "supply"),
    ("road", "supply"),
    ("supply", "supply"),
    ("netting", "supply"),
    ("truck", "supply"),
    ("recon", "intel"),
)


@dataclass(frozen=True)
class Dispatch:
    """One officer's report: who speaks, and what they say."""

    speaker: str
    role: str
    lines: list[str]


_COUNTED: dict[str, str] = {"soldiers": "soldier", "trucks": "truck", "sorties": "sortie", "teams": "team"}
"""Units that come in whole ones (plural → singular): "7.0 soldiers" or "0.5 soldiers" reads as a misprint."""
UNIT_GROUPS: dict[str, str] = {
    "soldiers": "Soldiers",
    "trucks": "Trucks on the road",
    "sorties": "Enemy drone sorties",
    "tonnes": "Supplies, in tonnes",
    "sq mi": "Ground, in square miles",
    "fortification": "Fortification",
}
"""How causes are grouped for the trainee, people first: a soldier and a tonne are never ranked in one list."""
PER_UNIT = 4
"""Causes shown per unit, largest first."""


def factor_topic(factor: Factor) -> str:
    """The topic a factor belongs to, from its name (for example `drones.fibre_optic.road` → drones)."""
    name = factor.name.lower()
    return next((topic for key, topic in _FACTOR_TOPIC if key in name), "combat")


def factor_value(factor: Factor) -> str:
    """A factor's size with its unit: whole for people and trucks ("1 soldier", "under 1 truck"), else rounded."""
    noun = _COUNTED.get(factor.unit)
    if noun is not None:
        return f"under 1 {noun}" if whole(factor.value) == 0 and factor.value else counted(factor.value, noun)
    value = f"{factor.value:,.0f}" if abs(factor.value) >= 10 else f"{factor.value:,.1f}"
    return f"{value} {factor.unit}".rstrip()


def factor_line(factor: Factor) -> str:
    """A factor in plain words: 'Fibre-optic drones on the road: 12 trucks'."""
    return f"{factor.label}: {factor_value(factor)}"


def _shows(factor: Factor) -> bool:
    """Whether a factor came to something: "0 trucks" or "0.0 t" tells the trainee nothing."""
    return abs(factor.value) >= (0.5 if factor.unit in _COUNTED else 0.05)


def _group_rank(unit: str) -> int:
    return list(UNIT_GROUPS).index(unit) if unit in UNIT_GROUPS else len(UNIT_GROUPS)


def by_unit(factors: Iterable[Factor], per_unit: int = PER_UNIT) -> list[tuple[str, list[Factor]]]:
    """Factors grouped by unit (people first), each group largest first and cut to `per_unit`."""
    groups: dict[str, list[Factor]] = {}
    for f in factors:
        groups.setdefault(f.unit, []).append(f)
    return [
        (UNIT_GROUPS.get(unit, unit), sorted(group, key=lambda f: abs(f.value), reverse=True)[:per_unit])
        for unit, group in sorted(groups.items(), key=lambda item: _group_rank(item[0]))
    ]


def drove_lines(factors: Iterable[Factor], per_unit: int = PER_UNIT) -> list[str]:
    """The causes as the trainee reads them: a heading per unit, then that unit's causes ranked.

    Each ranking compares like with like (soldiers with soldiers, tonnes with tonnes)."""
    lines: list[str] = []
    for heading, group in by_unit(factors, per_unit):
        lines.append(f"{heading}:")
        lines += [f"  {i}. {factor_line(f)}" for i, f in enumerate(group, 1)]
    return lines


_TRUCK_LOSSES = ("drones.radio.road", "drones.fibre_optic.road")
"""The causes the turn's lost trucks are split between (their whole numbers add up to the trucks lost shown)."""


def _trucks_whole(report: TurnReport, factors: list[Factor]) -> list[Factor]:
    """The truck-loss causes in whole trucks adding up to the trucks lost (2.4 + 0.6 → 2 + 1, not 2 + 1 of 3.0)."""
    parts = {f.name: f for f in factors if f.name in _TRUCK_LOSSES}
    if not parts:
        return factors
    names = list(parts)
    wholes = dict(
        zip(names, split_whole([parts[n].value for n in names], convoy_counts(report.supply)[1]), strict=True)
    )
    return [f.model_copy(update={"value": float(wholes[f.name])}) if f.name in wholes else f for f in factors]


def visible_factors(scenario: Scenario, report: TurnReport, per_unit: int = PER_UNIT) -> list[Factor]:
    """The turn's factors the trainee may see, grouped by unit and largest first within each unit (effects on the
    enemy stay estimates). Factors that came to (almost) nothing are left out."""
    enemy = scenario.opfor.side
    own = _trucks_whole(report, [f for f in report.factors if f.side != enemy])
    return [f for _, group in by_unit([f for f in own if _shows(f)], per_unit) for f in group]


def turn_story(
    scenario: Scenario, before: Picture, after: Picture, report: TurnReport, intel: Intel | None, hours: str
) -> list[Dispatch]:
    """The dispatches for one resolved turn, headquarters' news first."""
    values = figures(scenario, after, intel, report, hours, turn=report.turn)
    said: dict[str, list[str]] = {t: [] for t in TOPICS}
    said["combat"] += [fill(scenario, "combat", values), *_ground_changes(scenario, before, after)]
    said["supply"].append(fill(scenario, "supply", values))
    if not any(e.kind == "road" for e in report.events):
        said["supply"] += _road_changes(scenario, before, after)
    if after.road_cut_turns:
        said["supply"].append(fill(scenario, "encirclement", values))
    said["drones"].append(fill(scenario, "drones", values))
    said["intel"].append(fill(scenario, "intel", values))
    if intel is not None:
        said["intel"] += intel.notes
    for event in report.events:
        topic = _EVENT_TOPIC.get(event.kind) if event.kind != "convoy" else None  # the supply report says it
        if event.visible_to == "trainee" and topic is not None and event.text not in said[topic]:
            said[topic].append(event.text)
    per_topic: dict[str, int] = {}
    for factor in visible_factors(scenario, report):
        topic = factor_topic(factor)
        per_topic[topic] = per_topic.get(topic, 0) + 1
        if per_topic[topic] <= FACTORS_PER_OFFICER:
            said[topic].append(factor_line(factor))
    dispatches = _headquarters(report)
    covered: set[str] = set()
    for adv in scenario.narrative.advisors:
        topics = [t for t in adv.topics if t in said and t not in covered]
        covered.update(topics)
        lines = [line for t in topics for line in said[t]]
        if topics:
            lines = [_unsigned(line, adv.name) for line in lines] or [fill(scenario, "quiet", values)]
            dispatches.append(Dispatch(adv.name, adv.role, [clean(line) for line in lines]))
    rest = [line for t in TOPICS if t not in covered for line in said[t]]
    if rest:
        dispatches.append(Dispatch("Chief of staff", "staff", [clean(line) for line in rest]))
    return dispatches


def _unsigned(line: str, speaker: str) -> str:
    """A template may start with the speaker's name ("Tavr: ..."); the dispatch already says who speaks."""
    prefix = f"{speaker}:"
    return line[len(prefix) :].lstrip() if line.startswith(prefix) else line


def _headquarters(report: TurnReport) -> list[Dispatch]:
    news = [clean(e.text) for e in report.events if e.visible_to == "trainee" and e.kind in ("inject", "ending")]
    return [Dispatch("Headquarters", "higher command", news)] if news else []


def _ground_changes(scenario: Scenario, before: Picture, after: Picture) -> list[str]:
    side = scenario.meta.player_side
    lines = []
    for s in scenario.map.sectors:
        was, now = before.sector_holder.get(s.id), after.sector_holder.get(s.id)
        if was == side and now != side:
            lines.append(fill(scenario, "sector_lost", {"sector": s.name}))
        elif was != side and now == side:
            lines.append(fill(scenario, "sector_taken", {"sector": s.name}))
    return lines


def _road_changes(scenario: Scenario, before: Picture, after: Picture) -> list[str]:
    lines = []
    for r in scenario.map.roads:
        was, now = before.road_state.get(r.id, r.state), after.road_state.get(r.id, r.state)
        if was != now:
            lines.append(f"{r.name}: {was} → {now} [{ROAD_GLYPH.get(now, '?')}].")
    return lines


def drone_flow(scenario: Scenario, before: Picture, after: Picture, report: TurnReport) -> str:
    """'700 → 688: 180 came in, 192 used' — the stock's change accounted for, in whole drones that add up."""
    start, end = whole(before.stocks.get("drones", 0.0)), whole(after.stocks.get("drones", 0.0))
    convoys = scenario.supply.convoys
    came = whole(report.supply.delivered_t * convoys.cargo_share_drones * convoys.drones_per_t)
    used = start + came - end
    if used < 0:  # more than the convoys brought (an event added some)
        return f"{start:,} → {end:,}: {came + max(0, -used):,} came in"
    return f"{start:,} → {end:,}: {came:,} came in, {used:,} used"


def turn_figures(
    scenario: Scenario, before: Picture, after: Picture, report: TurnReport, intel: Intel | None
) -> list[tuple[str, str]]:
    """The figures behind the story as (label, value) rows: our own as counted (true), the enemy's as estimated."""
    side = scenario.meta.player_side
    own = report.losses.get(side)
    s = report.supply
    if own is not None:
        killed, wounded, captured = split_whole([own.killed, own.wounded, own.captured])
        own_text = (
            f"{count(killed + wounded + captured)} ({killed:,} killed, {wounded:,} wounded, {captured:,} captured)"
        )
    rows = [("Own casualties (true count)", own_text if own is not None else "none reported")]
    if intel is not None:
        x = intel.enemy_losses_last_turn
        rows.append(("Enemy casualties (estimate)", f"about {count(x.estimate)} ({count(x.low)}–{count(x.high)})"))
    change = after.area_held - before.area_held
    rows += [
        ("Ground held", f"{after.area_held:,.0f} sq mi ({change:+,.0f})"),
        ("Supply road", route_state(scenario, after)),
        ("Convoys", convoy_line(s)),
        ("Drones", drone_flow(scenario, before, after, report)),
        ("Supply", f"{tonnes(s.delivered_t)} delivered, {tonnes(s.consumed_t)} used"),
        ("Fire effectiveness", percent(s.effectiveness)),
    ]
    return rows
