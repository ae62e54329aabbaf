"""Streaming statistics of many games: what the scenario checker reports, summed chunk by chunk.

A chunk of games is reduced to counts (endings, objectives met, injects fired, histograms of the turn the road
was first cut, each sector fell, each inject first fired) and to mergeable moments of the per-turn series
(area held, own losses), so the checker's memory does not grow with the number of games beyond one score per
game. The scores are kept: the 5-50-95% percentiles and the head-to-head counts (game r under one policy against
game r under another, on the same dice) need them, at 8 bytes a game.

Tallies of consecutive chunks merge in chunk order (`Tally.join`), so the result depends on the chunks and not on
where or in which order they were played. Counts and shares are exact; a mean over one chunk has the bits of
`numpy.mean` over its games, and over several chunks it is merged by Chan's pairwise formula (equal to within
rounding, ~1e-15 relative).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from game.engine.params import ENDINGS

from .stats import t_quantile


@dataclass
class Moments:
    """Count, means and sums of squared deviations of K series (one per column): mergeable, numerically stable."""

    n: int
    mean: np.ndarray  # (K,)
    m2: np.ndarray  # (K,)

    @staticmethod
    def of(x: np.ndarray) -> Moments:
        """Moments of the columns of x (R, K), each summed as numpy sums a contiguous column (pairwise)."""
        f = np.asfortranarray(x, dtype=float)
        if f.shape[0] == 0:
            return Moments(0, np.zeros(f.shape[1]), np.zeros(f.shape[1]))
        mean = f.mean(axis=0)
        return Moments(int(f.shape[0]), mean, ((f - mean) ** 2).sum(axis=0))

    @staticmethod
    def join(parts: Sequence[Moments]) -> Moments:
        """The moments of every part's rows together (Chan, Golub and LeVeque's pairwise update), in order."""
        parts = [p for p in parts if p.n] or list(parts[:1])
        out = parts[0]
        for b in parts[1:]:
            n = out.n + b.n
            delta = b.mean - out.mean
            out = Moments(n, out.mean + delta * (b.n / n), out.m2 + b.m2 + delta * delta * (out.n * b.n / n))
        return out

    def interval(self, column: int, confidence: float = 0.95) -> tuple[float, float, float]:
        """(mean, low, high): the t interval of one column's mean (as `stats.t_interval` gives it)."""
        if self.n == 0:
            return math.nan, -math.inf, math.inf
        mean = float(self.mean[column])
        if self.n < 2:
            return mean, -math.inf, math.inf
        sd = math.sqrt(float(self.m2[column]) / (self.n - 1))
        half = t_quantile(0.5 + confidence / 2.0, self.n - 1) * sd / math.sqrt(self.n)
        return mean, mean - half, mean + half


def turn_counts(first: np.ndarray, horizon: int) -> np.ndarray:
    """(..., horizon + 1) how many games have each value (0: never, else the turn) of `first` (R, ...)."""
    x = np.asarray(first, dtype=np.int64).reshape(first.shape[0], -1)
    cols = x.shape[1]
    flat = (np.arange(cols) * (horizon + 1))[None, :] + x
    counts = np.bincount(flat.ravel(), minlength=cols * (horizon + 1)).reshape(cols, horizon + 1)
    return counts.reshape(*first.shape[1:], horizon + 1)


def by_turn(counts: np.ndarray, turn: int | None) -> np.ndarray:
    """Games in which the event happened on a turn from 1 to `turn` (any turn when None), from `turn_counts`."""
    last = counts.shape[-1] - 1 if turn is None else max(0, min(turn, counts.shape[-1] - 1))
    result: np.ndarray = counts[..., 1 : last + 1].sum(axis=-1)
    return result


@dataclass
class Tally:
    """One policy's (or orders file's) games, reduced: see the module doc."""

    policy: str
    score: np.ndarray  # (R,) kept, in chunk order
    endings: np.ndarray  # (len(ENDINGS),) games per ending code (0: still going at the horizon)
    turns_played: float  # summed over the games (whole numbers, so the sum is exact)
    objectives: dict[str, int]  # id -> games in which it was met at the end
    first_cut: np.ndarray  # (T + 1,) games by the first turn that ended with every route cut (0: never)
    sector_fell: np.ndarray  # (S, T + 1) games by the first turn the player lost each sector
    inject_first: np.ndarray  # (I, T + 1) games by the first turn each inject fired
    area: Moments  # area held at the start and after each turn (T + 1 columns; kept after a game ends)
    own_losses: Moments  # cumulative own casualties, likewise
    replication_turns: int = 0

    @property
    def replications(self) -> int:
        """R."""
        return int(self.score.size)

    def share(self, count: int | np.integer) -> float:
        """A count of games as a share of them."""
        return int(count) / self.replications

    def ending_share(self, code: int) -> float:
        """Share of games that ended with `code`."""
        return self.share(self.endings[code])

    @staticmethod
    def join(parts: Sequence[Tally]) -> Tally:
        """Tallies of consecutive chunks (in chunk order) as one."""
        first = parts[0]
        return Tally(
            policy=first.policy,
            score=np.concatenate([p.score for p in parts]),
            endings=sum((p.endings for p in parts), np.zeros(len(ENDINGS), dtype=np.int64)),
            turns_played=math.fsum(p.turns_played for p in parts),
            objectives={k: sum(p.objectives[k] for p in parts) for k in first.objectives},
            first_cut=sum(p.first_cut for p in parts[1:]) + first.first_cut,
            sector_fell=sum(p.sector_fell for p in parts[1:]) + first.sector_fell,
            inject_first=sum(p.inject_first for p in parts[1:]) + first.inject_first,
            area=Moments.join([p.area for p in parts]),
            own_losses=Moments.join([p.own_losses for p in parts]),
            replication_turns=sum(p.replication_turns for p in parts),
        )


__all__ = ["Moments", "Tally", "by_turn", "turn_counts"]
