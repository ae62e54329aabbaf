"""Report templates: the built-in wording, the figures a scenario's own templates may use, and filling them.

A scenario may override any template by id in `narrative.templates` (for example `combat:` or
`supply:`). Every template receives every figure below; a template naming anything else, or with a
broken format, falls back to the built-in line — an instructor's typo never stops a class.

Ids: sitrep_header (or opening), combat, sector_lost, sector_taken, drones, ew, supply, road,
encirclement, intel, quiet.
Figures: turn, turns, time (also hours), sector, sectors_held, enemy_total, enemy_low, enemy_high,
enemy_losses, road_state, road_threat, own_losses, own_killed, own_wounded, own_captured, area_held,
area_total, trucks_sent, trucks_lost, delivered_t, consumed_t, ammunition_t, drones, fuel_t,
food_medical_t, road_cut_turns, clock_turns, turns_left.
Numbers print rounded when a template gives no format (`{own_losses}` → "1,234"), and accept any
format spec when it does (`{delivered_t:.1f}`). Counts of people, trucks and teams are whole numbers
already (parts rounded so that they add up to the whole shown), and a filled template has "1 soldiers",
"1 men", "1 trucks" put in the singular, so a template written for the plural reads right for one.
"""

from __future__ import annotations

from collections.abc import Mapping

from game.scenario import Scenario

from .fmt import agree, safe_format

DEFAULTS: dict[str, str] = {
    "sitrep_header": "{time}. The enemy is pressing hardest in {sector}.",
    "combat": "We lost {own_losses:,.0f} soldiers this turn: {own_killed:,.0f} killed, {own_wounded:,.0f} wounded, "
    "{own_captured:,.0f} captured. We hold {area_held:,.0f} of {area_total:,.0f} square miles.",
    "sector_lost": "We have lost {sector}.",
    "sector_taken": "We have taken {sector}.",
    "drones": "Drone stocks stand at {drones:,.0f}.",
    "ew": "The jammers worked where we sent them.",
    "supply": "{trucks_sent} trucks went out and {trucks_lost:,.0f} were lost; {delivered_t:,.0f} tonnes came in "
    "and {consumed_t:,.0f} were used. Ammunition {ammunition_t:,.0f} t, fuel {fuel_t:,.0f} t.",
    "road": "The supply road is {road_state}; the threat to it is {road_threat}.",
    "encirclement": "Every route has been cut for {road_cut_turns} turns of {clock_turns}: we are being encircled.",
    "intel": "We estimate about {enemy_total:,.0f} enemy in contact ({enemy_low:,.0f}–{enemy_high:,.0f}) and "
    "about {enemy_losses:,.0f} enemy casualties last turn.",
    "quiet": "Nothing to report from my side.",
}
"""Built-in wording of each template (also the fallback when a scenario's template is broken)."""


ALIASES: dict[str, tuple[str, ...]] = {"sitrep_header": ("sitrep_header", "opening")}
"""Template ids a scenario may use for the same report, first found wins."""


class Figure(float):
    """A number that prints rounded, with thousands separators, when a template gives no format spec."""

    def __format__(self, spec: str) -> str:
        if spec:
            return float.__format__(self, spec)
        return f"{self:,.1f}" if abs(self) < 10 and not self.is_integer() else f"{round(self):,}"

    def __str__(self) -> str:
        return self.__format__("")


def as_figures(values: Mapping[str, object]) -> dict[str, object]:
    """The values with every number wrapped as a `Figure` (bools and strings untouched)."""
    return {k: Figure(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for k, v in values.items()}


def fill(scenario: Scenario, template_id: str, values: Mapping[str, object]) -> str:
    """The scenario's template `template_id` filled with `values`, or the built-in one, never an exception."""
    values = as_figures(values)
    default = DEFAULTS.get(template_id, "")
    fallback = agree(safe_format(default, values, _plain(template_id)))
    templates = scenario.narrative.templates
    custom = next((templates[k] for k in ALIASES.get(template_id, (template_id,)) if k in templates), None)
    if custom is None:
        return fallback
    return agree(safe_format(custom, values, fallback))


def _plain(template_id: str) -> str:
    """The last resort when even the built-in template lacks a figure: a plain line."""
    return f"({template_id.replace('_', ' ')} report: figures unavailable)"
