"""What the engine tells the outside world: turn reports, intelligence estimates, forecasts and the score.

These are plain pydantic models (serialisable to JSON for saves, `salient run --json` and the debrief);
the engine's working state stays in numpy arrays.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .orders import Orders

Ending = Literal["time", "withdrawn", "encircled", "destroyed", "bridgehead_fell"]


class Out(BaseModel):
    """Base of report models: strict keys, frozen once built."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Casualties(Out):
    """Soldiers put out of action, split by fate."""

    killed: float = 0.0
    wounded: float = 0.0
    captured: float = 0.0

    @property
    def total(self) -> float:
        """All three together."""
        return self.killed + self.wounded + self.captured


class Factor(Out):
    """One named cause and how much it contributed, in the unit of the outcome it changed."""

    name: str
    """Stable identifier (for example `drones.fibre_optic.road`)."""
    label: str
    """Plain-words label for the player."""
    value: float
    """Size of the contribution."""
    unit: str
    """Unit of `value` (soldiers, tonnes, trucks, sq mi, fortification)."""
    side: str = ""
    """Side that suffered or gained it, when it applies."""


class Event(Out):
    """Something that happened in the turn, told in one line."""

    kind: str
    """Category: combat, sector_lost, sector_taken, road, convoy, inject, morale, supply, encirclement, ending."""
    text: str
    """One line for the player."""
    where: str = ""
    """Sector, place or road id, when it applies."""
    visible_to: Literal["trainee", "instructor"] = "trainee"
    """Who may see it."""


class SupplyReport(Out):
    """What the supply line did this turn."""

    trucks_sent: int = 0
    trucks_lost: float = 0.0
    delivered_t: float = 0.0
    consumed_t: float = 0.0
    stocks: dict[str, float] = Field(default_factory=dict)
    """Stocks at the end of the turn (ammunition_t, drones, fuel_t, food_medical_t)."""
    effectiveness: float = 1.0
    """Fire effectiveness after shortages (1 = no shortage)."""
    road_survival: float = 1.0
    """Probability a truck survived the trip."""


class TurnReport(Out):
    """The ground truth of one resolved turn (the trainee sees it through `Intel`, the debrief sees all)."""

    turn: int
    """Turn number, from 1."""
    orders: Orders
    """The orders that were carried out."""
    events: list[Event]
    losses: dict[str, Casualties]
    """Casualties this turn by side id."""
    unit_strength: dict[str, float]
    """Strength of every unit at the end of the turn."""
    sector_holder: dict[str, str]
    """Side id holding each sector at the end of the turn."""
    place_holder: dict[str, str]
    road_state: dict[str, str]
    fortification: dict[str, float]
    area_held_sq_mi: float
    supply: SupplyReport
    factors: list[Factor]
    """Named causes, largest first."""
    injects_fired: list[str] = Field(default_factory=list)
    road_cut_turns: int = 0
    """Consecutive turns every route has been cut (the encirclement clock)."""
    morale: dict[str, float] = Field(default_factory=dict)
    """Morale by side id."""
    ending: Ending | None = None
    """Set when the game ended this turn."""


class Estimate(Out):
    """A number the trainee is told, with its uncertainty band (not the truth)."""

    estimate: float
    low: float
    high: float
    confidence: Literal["low", "medium", "high"] = "medium"


class Intel(Out):
    """The trainee's picture at the start of a turn: fog of war, not ground truth."""

    turn: int
    enemy_strength: dict[str, Estimate]
    """Enemy soldiers in contact per sector id."""
    enemy_total: Estimate
    own_losses_last_turn: Estimate
    """Own casualties last turn as the units report them (late, partial)."""
    enemy_losses_last_turn: Estimate
    road_threat: Literal["low", "moderate", "high", "severe"]
    notes: list[str] = Field(default_factory=list)
    """Intelligence remarks (for example: fibre-optic drones seen near the road)."""


class Band(Out):
    """Distribution summary over replications."""

    mean: float
    p5: float
    p50: float
    p95: float


class Forecast(Out):
    """The advisor's view of the proposed orders, from many replications of the next turn(s)."""

    replications: int
    turns: int
    own_losses: Band
    enemy_losses: Band
    area_held_sq_mi: Band
    supply_delivered_t: Band
    p_lose_sector: dict[str, float]
    p_lose_place: dict[str, float]
    p_road_cut: float
    """Chance every route (road and tracks) is unusable now or at the end of a forecast turn (the encirclement
    clock's test)."""
    own_losses_histogram: list[int]
    """Counts of replications per bin of own losses."""
    own_losses_bin_edges: list[float]
    factors: list[Factor]
    """Mean contribution of each named cause, largest first."""
    p_supply_road_cut: float | None = None
    """Chance the supply road shows "cut" (its worst segment) now or at the end of a forecast turn, as the map and
    sitrep say it; it can be cut while a track still serves, so it is not `p_road_cut`. None in older saves."""


class ScoreLine(Out):
    """One term of the score: what was measured, its weight, and the points it gave."""

    name: str
    label: str
    quantity: float
    weight: float
    points: float
    why: str = ""
    """The scenario's reason for the weight (its `scoring.rationale`, or the objective's description)."""


class Score(Out):
    """The final score with every weight shown."""

    total: float
    lines: list[ScoreLine]
    ending: Ending | None
    objectives_met: dict[str, bool]
