"""How a game is scored and when it ends: every weight is visible to the trainee in the debrief."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .common import Fraction, Id, NonNegative, ShortText, Strict, Text


class ScoreObjective(Strict):
    """An objective worth points at the end of the game."""

    id: Id
    """Identifier."""
    title: ShortText
    """What the trainee must achieve, in a line."""
    kind: Literal["hold_place", "hold_sector", "keep_road_open", "avoid_encirclement", "preserve_strength"]
    """What is measured. `avoid_encirclement` is met only by a grouping that is still a fighting force at the
    end: not encircled, destroyed or overrun with the bridgehead."""
    target: Id | None = None
    """Place, sector or road segment concerned (when the kind needs one)."""
    threshold: Fraction = 0.5
    """For `preserve_strength` and `keep_road_open`: share of strength kept, or share of the game's turns the
    road segment ended usable — any state but cut (counted over the scenario's whole length, so leaving early
    cannot meet it)."""
    points: float = Field(allow_inf_nan=False)
    """Points awarded when achieved."""
    description: Text = ""
    """Why it matters."""


class Scoring(Strict):
    """Weights of the final score."""

    per_sq_mi_held: float = Field(allow_inf_nan=False)
    """Points per square mile still held at the end (the bridgehead's bargaining value)."""
    per_sq_mi_turn_held: float = Field(default=0.0, allow_inf_nan=False)
    """Points per square mile held per turn played (summed over the turns, the withdrawal turn included).

    The bridgehead is a bargaining chip whose value accrues while it is held: every day of negotiation
    it is still on the table counts, so ground held for ten turns is worth more than the same ground
    held for two. 0 (the default) scores only the ground held at the end (`per_sq_mi_held`)."""
    per_own_casualty: float = Field(allow_inf_nan=False)
    """Points per own soldier killed, wounded or captured (negative: a cost)."""
    per_enemy_casualty: float = Field(allow_inf_nan=False)
    """Points per enemy soldier put out of action."""
    encirclement_penalty: float = Field(allow_inf_nan=False)
    """Points added if the grouping ends encircled (negative: a cost)."""
    orderly_withdrawal_bonus: float = Field(default=0.0, allow_inf_nan=False)
    """Points added for a withdrawal completed with the road still usable."""
    objectives: list[ScoreObjective] = Field(default_factory=list, max_length=50)
    """Objectives worth points (each with its reason in `description`)."""
    rationale: dict[
        Literal[
            "per_sq_mi_held",
            "per_sq_mi_turn_held",
            "per_own_casualty",
            "per_enemy_casualty",
            "encirclement_penalty",
            "orderly_withdrawal_bonus",
        ],
        ShortText,
    ] = Field(default_factory=dict)
    """Why each weight has its value, in a line each: shown beside the weight in the debrief."""


class Endings(Strict):
    """Thresholds that end the game early."""

    bridgehead_falls_below_sq_mi: NonNegative = 0.0
    """The bridgehead has fallen when the area held drops to or below this."""
    destroyed_below_share: Fraction = 0.2
    """The grouping is destroyed when its fighting strength falls below this share of the start."""
    withdrawal_turns: int = Field(default=2, ge=1, le=20)
    """Turns a withdrawal takes once ordered; the road must stay usable for it to be orderly."""
