"""Injects: scenario events fired on a turn, on a condition, or by chance. Declarative data, never code."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .common import Fraction, Id, NonNegative, Probability, ShortText, Strict, Text
from .geography import RoadState
from .problems import FieldProblem

Metric = Literal[
    "turn",
    "area_held_sq_mi",
    "area_held_share",
    "own_strength",
    "own_losses",
    "enemy_losses",
    "road_cut_turns",
    "supply_delivered_t",
    "ammunition_t",
    "sector_held",
    "place_held",
    "road_state_index",
    "sector_progress",
]
TARGET_KINDS: dict[str, str] = {
    "sector_held": "sector",
    "sector_progress": "sector",
    "place_held": "place",
    "road_state_index": "road",
}
"""Metrics about one sector, place or road segment, and what their `target` names."""
Comparison = Literal["<", "<=", "==", ">=", ">", "!="]


class Condition(Strict):
    """A test on the game state: `metric op value`, optionally about one sector, place or road."""

    metric: Metric
    """What to measure. `sector_held` and `place_held` are 1 when the player holds the target, else 0;
    `road_state_index` is 0 open, 1 contested, 2 interdicted, 3 cut for the target segment;
    `sector_progress` is how far the attacker has got into the target sector, from 0 (not at all) to 1
    (taken: a sector the player no longer holds counts as 1), so `>= 0.5` reads "half-way through or lost"."""
    op: Comparison
    """How to compare."""
    value: float = Field(allow_inf_nan=False)
    """Value to compare with."""
    target: Id | None = None
    """Sector, place or road segment the metric is about, when it needs one."""

    @model_validator(mode="after")
    def _target_given(self) -> Condition:
        kind = TARGET_KINDS.get(self.metric)
        if kind is not None and self.target is None:
            raise FieldProblem("metric", f"a condition on {self.metric} needs a target: the id of a {kind}")
        return self


class Trigger(Strict):
    """When an inject fires. All given parts must hold; at least one must be given."""

    turn: int | None = Field(default=None, ge=1)
    """Fire at the start of this turn."""
    after_turn: int | None = Field(default=None, ge=0)
    """Fire only from this turn onward."""
    conditions: list[Condition] = Field(default_factory=list, max_length=10)
    """Every condition must hold."""
    probability: Probability = 1.0
    """Chance it fires each turn the other parts hold."""

    @model_validator(mode="after")
    def _something_triggers(self) -> Trigger:
        if self.turn is None and self.after_turn is None and not self.conditions and self.probability >= 1.0:
            raise ValueError("a trigger needs a turn, after_turn, conditions or a probability below 1")
        return self


class ScaleRate(Strict):
    """Multiply a numeric scenario parameter, named by its path (for example `supply.border_resupply_t_per_turn`)."""

    kind: Literal["scale_rate"]
    target: str = Field(min_length=1, max_length=200)
    """Dotted path of the parameter; list items are named by their id (`sides.ru.drone_teams.rubicon.teams`)."""
    factor: NonNegative
    """Multiplier."""


class SetRate(Strict):
    """Set a numeric scenario parameter, named by its path, to a value."""

    kind: Literal["set_rate"]
    target: str = Field(min_length=1, max_length=200)
    """Dotted path of the parameter; list items are named by their id."""
    value: float = Field(allow_inf_nan=False)
    """New value."""


class ChangeStock(Strict):
    """Add to (or remove from) one of the player's stocks."""

    kind: Literal["change_stock"]
    stock: Literal["ammunition_t", "drones", "fuel_t", "food_medical_t"]
    """Which stock."""
    delta: float = Field(allow_inf_nan=False)
    """Amount to add; negative removes (never below zero)."""


class SetRoadState(Strict):
    """Put a road segment into a state."""

    kind: Literal["set_road_state"]
    road: Id
    """Road segment id."""
    state: RoadState
    """New state."""


class ChangeMorale(Strict):
    """Raise or lower a side's morale."""

    kind: Literal["change_morale"]
    side: Id
    """Side id."""
    delta: float = Field(ge=-1, le=1, allow_inf_nan=False)
    """Change on the 0-1 morale scale."""


class ChangeStrength(Strict):
    """Reinforce or deplete a unit."""

    kind: Literal["change_strength"]
    unit: Id
    """Unit id."""
    delta: float = Field(allow_inf_nan=False)
    """Soldiers to add (negative removes, never below zero)."""


class Message(Strict):
    """Only a message; the inject's own text is always shown."""

    kind: Literal["message"]
    text: Text
    """Extra text."""


Effect = Annotated[
    ScaleRate | SetRate | ChangeStock | SetRoadState | ChangeMorale | ChangeStrength | Message,
    Field(discriminator="kind"),
]


class Inject(Strict):
    """A scenario event."""

    id: Id
    """Identifier recorded when it fires."""
    title: ShortText
    """Headline shown when it fires."""
    message: Text = ""
    """Text shown when it fires."""
    trigger: Trigger
    """When it fires."""
    repeatable: bool = False
    """May fire again on later turns."""
    active: bool = True
    """Inactive injects never fire on their own (an umpire may still fire them)."""
    visible_to: Literal["trainee", "instructor"] = "trainee"
    """Who is told when it fires."""
    effects: list[Effect] = Field(default_factory=list, max_length=20)
    """What it changes."""


class TeachingMoment(Strict):
    """A situation the instructor wants bookmarked in the debrief when it happens."""

    id: Id
    """Identifier."""
    title: ShortText
    """Headline in the after-action review."""
    explanation: Text
    """The instructor's explanation of why it matters."""
    objective: Id | None = None
    """Learning objective it relates to."""
    when: Literal[
        "ew_on_road_against_fibre",
        "no_convoy_for_turns",
        "withdraw_after_road_cut",
        "counter_attack_outnumbered",
        "all_drones_on_strike_while_road_interdicted",
        "reserve_unused",
    ]
    """Situation detected during play."""
    turns: int = Field(default=2, ge=1, le=50)
    """For `no_convoy_for_turns`: how many turns without a convoy."""
    ratio: Fraction | None = None
    """For situations measured against a share (for example the fibre share of the threat)."""
