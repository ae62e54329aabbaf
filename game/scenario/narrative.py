"""Words an instructor can edit: the briefing, the advisors' voices and the report templates."""

from __future__ import annotations

from pydantic import Field, model_validator

from .common import Id, ShortText, Strict, Text
from .problems import FieldProblem


class Briefing(Strict):
    """The opening briefing, in the shape of a five-paragraph order."""

    situation: Text
    """Where and when; what the enemy and friendly forces are doing."""
    mission: Text
    """What the trainee must achieve, and why."""
    enemy: Text = ""
    """What is known of the enemy."""
    friendly: Text = ""
    """The trainee's own forces and support."""
    constraints: Text = ""
    """Limits: supply, political context, rules the trainee must respect."""
    how_to_play: Text = ""
    """A few lines on how a turn works."""


class Advisor(Strict):
    """A character who reports to the trainee."""

    id: Id
    """Identifier used by templates."""
    name: ShortText
    """Call sign or name."""
    role: ShortText
    """What they command or know about (for example: drone commander)."""
    topics: list[str] = Field(default_factory=list)
    """What they report on: combat, drones, supply, intel, ew."""
    voice: Text = ""
    """A sentence on how they speak, for instructors writing templates."""


class Narrative(Strict):
    """All text the scenario brings."""

    briefing: Briefing
    """The opening briefing."""
    advisors: list[Advisor] = Field(default_factory=list, max_length=20)
    """Characters who report each turn."""
    templates: dict[Id, Text] = Field(default_factory=dict)
    """Report templates by name, with `{placeholders}` filled from the turn's figures."""
    victory_text: Text = ""
    """Shown at the end when the score is positive."""
    defeat_text: Text = ""
    """Shown at the end when the score is negative."""


class Provenance(Strict):
    """Where a number comes from: a fact in the seed sheet, or an assumption with its reason."""

    field: str = Field(min_length=1, max_length=200)
    """Dotted path of the parameter (list items by id); a path to an object covers every number inside it."""
    fact: Id | None = None
    """Id of the fact in the seed sheet that drives the number."""
    assumption: ShortText | None = None
    """One-line reason for a number chosen without a fact."""

    @model_validator(mode="after")
    def _fact_or_assumption(self) -> Provenance:
        if (self.fact is None) == (self.assumption is None):
            raise FieldProblem("fact", "give exactly one of `fact` or `assumption`")
        return self
