"""What happened in a turn, told by the officers who report to the trainee, with the figures behind it.

Each advisor of the scenario speaks on their topics (combat, drones, ew, supply, intel); topics no
advisor covers are reported by the chief of staff, so nothing the trainee needs goes unsaid.
Enemy figures come from the new intelligence estimate, never from the ground truth.
"""

from __future__ import annotations

from dataclasses import dataclass

from game.engine.report import Factor, Intel, TurnReport
from game.scenario import Scenario

from .describe import ROAD_GLYPH, route_state
from .fmt import clean, count, percent, tonnes
from .picture import Picture
from .sitrep import figures
from .templates import fill

TOPICS: tuple[str, ...] = ("combat", "drones", "ew", "supply", "intel")
FACTORS_PER_OFFICER = 1
"""Each officer names the largest causes on their topic; the full list follows the dispatches."""
_EVENT_TOPIC: dict[str, str] = {
    "combat": "combat", "sector_lost": "combat", "sector_taken": "combat", "morale": "combat",
    "road": "supply", "convoy": "supply", "supply": "supply", "encirclement": "supply",
}
_FACTOR_TOPIC: tuple[tuple[str, str], ...] = (
    ("ew", "ew"), ("jam", "ew"), ("drone", "drones"), ("convoy", "supply"), ("road", "supply"),
    ("supply", "supply"), ("netting", "supply"), ("truck", "supply"), ("recon", "intel"),
)


@dataclass(frozen=True)
class Dispatch:
    """One officer's report: who speaks, and what they say."""

    speaker: str
    role: str
    lines: list[str]


_COUNTED = frozenset({"soldiers", "trucks", "sorties"})
"""Units that come in whole ones: "7.0 soldiers" reads as a misprint, so one or more is shown whole."""


def factor_topic(factor: Factor) -> str:
    """The topic a factor belongs to, from its name (for example `drones.fibre_optic.road` → drones)."""
    name = factor.name.lower()
    return next((topic for key, topic in _FACTOR_TOPIC if key in name), "combat")


def factor_line(factor: Factor) -> str:
    """A factor in plain words: 'Fibre-optic drones on the road: 12 trucks'."""
    whole = abs(factor.value) >= 10 or (factor.unit in _COUNTED and abs(factor.value) >= 1)
    value = f"{factor.value:,.0f}" if whole else f"{factor.value:,.1f}"
    return f"{factor.label}: {value} {factor.unit}".rstrip()


def visible_factors(scenario: Scenario, report: TurnReport, limit: int = 8) -> list[Factor]:
    """The turn's factors the trainee may see, largest first (effects on the enemy stay estimates).

    Factors that came to (almost) nothing are left out: "0.0 trucks" tells the trainee nothing.
    """
    enemy = scenario.opfor.side
    shown = [f for f in report.factors if f.side != enemy and abs(f.value) >= 0.05]
    return sorted(shown, key=lambda f: abs(f.value), reverse=True)[:limit]


def turn_story(scenario: Scenario, before: Picture, after: Picture, report: TurnReport,
               intel: Intel | None, hours: str) -> list[Dispatch]:
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
    for factor in visible_factors(scenario, report, limit=12):
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
    return line[len(prefix):].lstrip() if line.startswith(prefix) else line


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


def turn_figures(scenario: Scenario, before: Picture, after: Picture, report: TurnReport,
                 intel: Intel | None) -> list[tuple[str, str]]:
    """The figures behind the story as (label, value) rows; enemy losses as the new estimate."""
    side = scenario.meta.player_side
    own = report.losses.get(side)
    s = report.supply
    rows = [
        ("Own casualties", f"{count(own.total)} ({count(own.killed)} killed, {count(own.wounded)} wounded, "
                           f"{count(own.captured)} captured)" if own else "none reported"),
    ]
    if intel is not None:
        x = intel.enemy_losses_last_turn
        rows.append(("Enemy casualties (estimate)", f"{count(x.estimate)} ({count(x.low)}–{count(x.high)})"))
    change = after.area_held - before.area_held
    rows += [
        ("Ground held", f"{after.area_held:,.0f} sq mi ({change:+,.0f})"),
        ("Supply road", route_state(scenario, after)),
        ("Convoys", f"{s.trucks_sent} trucks sent, {s.trucks_lost:,.1f} lost ({percent(s.road_survival)} got "
                    "through)"),
        ("Supply", f"{tonnes(s.delivered_t)} delivered, {tonnes(s.consumed_t)} used"),
        ("Fire effectiveness", percent(s.effectiveness)),
    ]
    return rows
