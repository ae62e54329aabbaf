"""Paired experiments on common random numbers: how much does one change move an outcome, and how sure are we?

A lesson the game teaches ("fortified positions cost the attacker more", "fibre-optic drones ignore jammers")
is a claim about the model: change one thing, keep the dice, and an outcome moves in a stated direction by
roughly a stated amount. `compare` plays two variants — two plans on one scenario, or one plan on two versions
of a scenario — on the same seed and chunk purposes, so replication r meets the same luck in both as far as
their paths allow, and reports the paired difference of an outcome with its confidence interval. Because the
noise is shared, a difference of a few per cent is measurable with a few thousand games.

Outcomes are read off `BatchResult` (score, casualties, ending shares, trucks, area) by name; `METRICS` lists
them. Variants of a scenario are built with `with_values` (dotted scenario paths, as injects and provenance
use them) and `scaled_strength` (every unit of a side).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from game.engine.batch import BatchResult, run_batch
from game.engine.orders import Orders
from game.engine.params import ENDING_CODE
from game.engine.policies import Policy
from game.engine.step import Model
from game.scenario import Scenario
from game.scenario.injects import ChangeStrength
from game.scenario.scenario import set_path

from .stats import t_interval

Plan = Policy | Orders
"""A standing policy (vectorised rule) or fixed orders repeated every turn."""


def _ending(name: str) -> Callable[[BatchResult], np.ndarray]:
    code = ENDING_CODE[name]
    return lambda r: (r.ending == code).astype(float)


METRICS: dict[str, Callable[[BatchResult], np.ndarray]] = {
    "score": lambda r: r.score,
    "own_casualties": lambda r: r.own_casualties,
    "enemy_casualties": lambda r: r.enemy_casualties,
    "exchange": lambda r: r.enemy_casualties / np.maximum(r.own_casualties, 1.0),
    "area_held": lambda r: r.area_held,
    "delivered": lambda r: r.delivered,
    "trucks_lost": lambda r: r.trucks_lost,
    "turns_played": lambda r: r.turns_played,
    **{f"ending:{name}": _ending(name) for name in ENDING_CODE if name is not None},
}
"""Per-replication outcomes a comparison can be made on (`ending:<name>` is 1 where the game ended so)."""


@dataclass(frozen=True)
class Difference:
    """B − A for one outcome over paired games: the mean, its interval and the two means."""

    metric: str
    mean: float
    low: float
    high: float
    a: float
    b: float
    runs: int
    confidence: float

    @property
    def positive(self) -> bool:
        """The whole interval lies above zero: B is higher, beyond doubt at this confidence."""
        return self.low > 0

    @property
    def negative(self) -> bool:
        """The whole interval lies below zero."""
        return self.high < 0

    def __str__(self) -> str:
        return (
            f"{self.metric}: {self.a:.3g} → {self.b:.3g} (B − A = {self.mean:+.3g}, "
            f"{self.confidence:.0%} CI {self.low:+.3g} to {self.high:+.3g}, {self.runs} paired games)"
        )


@dataclass(frozen=True)
class Comparison:
    """Two variants played on the same dice."""

    a: BatchResult
    b: BatchResult

    def difference(self, metric: str, confidence: float = 0.95) -> Difference:
        """The paired difference B − A of one outcome (see METRICS)."""
        x, y = METRICS[metric](self.a), METRICS[metric](self.b)
        mean, low, high = t_interval(y - x, confidence)
        return Difference(metric, mean, low, high, float(x.mean()), float(y.mean()), int(x.size), confidence)

    def win_rate(self) -> float:
        """Share of paired games in which B scored higher than A."""
        return float((self.b.score > self.a.score).mean())


def compare(
    a: tuple[Scenario | Model, Plan],
    b: tuple[Scenario | Model, Plan],
    runs: int = 2000,
    seed: int = 0,
    turns: int | None = None,
    chunk: int = 10_000,
) -> Comparison:
    """Play (scenario, plan) A and B `runs` times each on the same seed and chunk purposes."""
    return Comparison(
        a=run_batch(a[0], a[1], runs, turns=turns, seed=seed, chunk=chunk),
        b=run_batch(b[0], b[1], runs, turns=turns, seed=seed, chunk=chunk),
    )


def with_values(scenario: Scenario, values: Mapping[str, float]) -> Scenario:
    """A copy of the scenario with numbers set at dotted paths (list items by id)."""
    out = scenario.model_copy(deep=True)
    for path, value in values.items():
        set_path(out, path, value)
    return out


def scaled_strength(scenario: Scenario, side: str, factor: float) -> Scenario:
    """A copy of the scenario with `side`'s ground forces `factor` times as strong: every unit at the start and
    every soldier injects add to or take from them (fresh battalions, an infiltration), so that the side's
    strength is scaled as a whole, not only its opening line."""
    out = scenario.model_copy(deep=True)
    units: set[str] = set()
    for s in out.sides:
        if s.id == side:
            for u in s.units:
                set_path(u, "strength", u.strength * factor)
                units.add(u.id)
    for inj in out.injects:
        for effect in inj.effects:
            if isinstance(effect, ChangeStrength) and effect.unit in units:
                object.__setattr__(effect, "delta", effect.delta * factor)
    return out


__all__ = ["METRICS", "Comparison", "Difference", "Plan", "compare", "scaled_strength", "with_values"]
