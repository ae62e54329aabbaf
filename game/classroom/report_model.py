"""What the class report holds: plain dataclasses, so it renders as Markdown, HTML or JSON alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ModelView:
    """What the model expected of a choice: means over the one-turn forecasts recorded with those decisions."""

    forecasts: int
    own_losses_mean: float
    own_losses_p5: float
    own_losses_p95: float
    area_held_mean: float
    p_road_cut: float


@dataclass
class ChoiceStat:
    """One choice in one dimension at one decision point: who made it, what happened, what was expected."""

    choice: str
    games: int
    share: float
    trainees: list[str]
    own_losses: float
    """Mean own casualties in the turn that followed."""
    area_held_sq_mi: float
    """Mean area held at the end of the turn."""
    road_cut: float
    """Share of those games in which the supply road ended the turn cut."""
    lost_ground: float
    """Share of those games that lost a sector in the turn."""
    model: ModelView | None
    expert: bool = False


@dataclass
class DimensionStat:
    """Every choice the class made in one dimension at one decision point."""

    key: str
    label: str
    choices: list[ChoiceStat]
    expert_choice: str | None = None
    expert_share: float | None = None
    """Share of the class that chose as the expert did."""


@dataclass
class OptionStat:
    """One drill option: how often it was put first, its mean rank, and where the expert ranked it."""

    id: str
    label: str
    first: int
    mean_rank: float | None
    expert_rank: int | None


@dataclass
class DrillStat:
    """How the class answered the drill put at a decision point."""

    id: str
    title: str
    answers: int
    late: int
    rationales: int
    median_seconds: float | None
    options: list[OptionStat]
    expert_ranking: list[str]
    agreement: float | None
    """Mean Kendall tau between each ranking and the expert's (1 same order, -1 reversed)."""
    timed_out: int = 0
    """Answers where the clock ran out before anything was submitted: they rank nothing (`options`,
    `agreement` leave them out)."""
    question: str = ""
    mean_estimate: float | None = None
    event_rate: float | None = None
    mean_model_p: float | None = None
    expert_estimate: float | None = None


@dataclass
class DecisionPoint:
    """One decision point as the class played it: a drill (whatever turn each game put it at) or a turn."""

    turn: int | None
    """The point's turn: a turn's, or a fixed drill's; for a drill put on a condition, the earliest turn a game
    put it at (None when no game did)."""
    games: int
    dimensions: list[DimensionStat]
    drill: DrillStat | None = None
    expert_rationale: str = ""
    expert_policy: str | None = None
    drill_id: str | None = None
    """The drill whose answers the point groups, when it is a drill's."""
    turns: list[int] = field(default_factory=list)
    """The turns its decisions were taken at (several for a drill put on a condition)."""
    trigger: str = ""
    """When a drill put on a condition is put, in words ('' for a point at a set turn)."""


@dataclass
class Calibration:
    """Brier score of a trainee's probability estimates (0 perfect, 0.25 a coin-flip guess of 50%)."""

    estimates: int
    brier: float
    mean_estimate: float
    event_rate: float
    model_brier: float | None
    """The model's Brier score on the same events (its forecast probability at the time)."""


@dataclass
class MomentHit:
    """A teaching moment one trainee hit, and in how many of their games."""

    id: str
    title: str
    games: int
    turns: list[int]


@dataclass
class TraineeStat:
    """One trainee across their games of a scenario."""

    trainee: str
    games: int
    finished: int
    mean_score: float | None
    endings: dict[str, int]
    moments: list[MomentHit]
    calibration: Calibration | None
    interventions: int


@dataclass
class ScenarioReport:
    """The class report for one scenario."""

    scenario_id: str
    title: str
    games: int
    finished: int
    trainees: int
    endings: dict[str, int]
    mean_score: float | None
    decision_points: list[DecisionPoint]
    by_trainee: list[TraineeStat]
    interventions: list[dict[str, Any]] = field(default_factory=list)
    versions: int = 1
    """How many versions (hashes) of the scenario the games were played on; the newest defines drills."""


@dataclass
class ClassReport:
    """The whole report: one section per scenario."""

    database: str
    generated: str
    scenarios: list[ScenarioReport]
