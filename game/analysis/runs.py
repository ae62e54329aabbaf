"""Many whole games of one standing policy at once, with the turn-by-turn facts the checker tests.

This is the engine's batch loop (`game.engine.batch.play_chunk`: the same model, the same vectorised policy
rule, the same dice purposes `batch.<chunk>`, finished games leaving the chunk, no factor accounting), with an
observer added: besides the final score and ending it keeps, per replication, the turn each sector fell, the
turn every route was first cut, the turns injects fired, and the area held and own losses after every turn.
Replications are an array axis; only turns and chunks are Python loops.

`play_policy` returns all of it per replication (for studies of single games); `tally_chunk` reduces one chunk
to the checker's streaming statistics (game.analysis.tally), so `salient check` keeps one score per game and
nothing else that grows with the number of games, and runs its chunks on every core (game.analysis.parallel).

Every policy is played on the same dice (same seed, same chunk purposes), so replication r under one
policy and under another faced the same luck as far as their paths allow: comparing policies replication
by replication (the checker's dominance test) then measures the policies, not the dice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from game.engine.batch import play_chunk
from game.engine.params import ENDINGS, PLAYER
from game.engine.policies import Policy
from game.engine.scoring import objectives_met, score_arrays
from game.engine.state import State
from game.engine.step import Model
from game.engine.turn import Outcome

from .tally import Moments, Tally, turn_counts

if TYPE_CHECKING:
    from .parallel import Context

Progress = Callable[[int], None]
"""Called with the number of replication-turns just played (for a progress bar)."""


@dataclass
class PolicyRuns:
    """Per-replication outcomes of one policy (arrays with a leading axis R; turns counted from 1)."""

    policy: str
    score: np.ndarray  # (R,)
    ending: np.ndarray  # (R,) codes, see game.engine.params.ENDINGS (0: still going at the horizon)
    turns_played: np.ndarray  # (R,)
    first_cut: np.ndarray  # (R,) first turn that ended with every route cut, 0 if never
    sector_fell: np.ndarray  # (R, S) first turn the player lost each sector, 0 if never
    inject_first: np.ndarray  # (R, I) first turn each inject fired, 0 if never
    inject_count: np.ndarray  # (R, I) times each inject fired
    area: np.ndarray  # (R, T + 1) area held at the start and after each turn (kept after the game ends)
    own_losses: np.ndarray  # (R, T + 1) cumulative own casualties, likewise
    objectives: dict[str, np.ndarray]  # id -> (R,) bool, judged at the end

    @property
    def replications(self) -> int:
        """R."""
        return int(self.score.size)

    def at_turn(self, series: np.ndarray, turn: int | None) -> np.ndarray:
        """A per-turn series at `turn` (clipped to the horizon), or at the end when turn is None."""
        last = series.shape[1] - 1
        return series[:, last if turn is None else min(turn, last)]


class TurnRecorder:
    """The observer of one chunk: what happened to each game turn by turn, recorded while it is played."""

    def __init__(self, model: Model, R: int, horizon: int) -> None:
        self.model = model
        p0 = model.base
        self.first_cut = np.zeros(R, dtype=np.int32)
        self.fell = np.zeros((R, p0.S), dtype=np.int32)
        self.inject_first = np.zeros((R, model.injects), dtype=np.int32)
        self.inject_count = np.zeros((R, model.injects), dtype=np.int32)
        self.area = np.zeros((R, horizon + 1))
        self.losses = np.zeros((R, horizon + 1))
        self.area[:, 0] = model.initial_state(1).area_held(p0)[0]

    def __call__(self, t: int, rows: np.ndarray, st: State, out: Outcome, fired: np.ndarray) -> None:
        """Record turn `t` of the games `rows` (those still being played before it)."""
        cut = self.first_cut[rows]
        self.first_cut[rows] = np.where((cut == 0) & out.route_cut, t, cut)
        fell = self.fell[rows]
        self.fell[rows] = np.where((fell == 0) & out.fell, t, fell)
        if fired.size:
            first = self.inject_first[rows]
            self.inject_first[rows] = np.where((first == 0) & fired, t, first)
            self.inject_count[rows] += fired
        params = self.model.variants(st)[0][0]
        self.area[rows, t] = st.area_held(params)
        self.losses[rows, t] = st.casualties[:, PLAYER].sum(axis=1)

    def held_after(self, played: np.ndarray) -> None:
        """Carry each game's last area and losses forward over the turns after it ended."""
        upto = np.minimum(np.arange(self.area.shape[1])[None, :], played[:, None].astype(np.int64))
        self.area = np.take_along_axis(self.area, upto, axis=1)
        self.losses = np.take_along_axis(self.losses, upto, axis=1)


def _observed_chunk(
    model: Model, policy: Policy, R: int, horizon: int, seed: int, k: int
) -> tuple[TurnRecorder, State, np.ndarray, int]:
    """Chunk k played with a recorder: (recorder, final states, turns played, replication-turns)."""
    recorder = TurnRecorder(model, R, horizon)
    done = play_chunk(model, policy, R, horizon, seed, k, observe=recorder)
    recorder.held_after(done.played)
    return recorder, done.final, done.played, done.replication_turns


def play_policy(
    model: Model,
    policy: Policy,
    replications: int,
    turns: int | None = None,
    seed: int = 0,
    chunk: int = 10_000,
    progress: Progress | None = None,
) -> PolicyRuns:
    """Play `replications` games of `policy`, `chunk` replications at a time (see module doc)."""
    horizon = turns if turns is not None else model.base.turns
    parts = []
    for k, start in enumerate(range(0, replications, chunk)):
        rec, final, played, work = _observed_chunk(model, policy, min(chunk, replications - start), horizon, seed, k)
        params = model.variants(final)[0][0]
        _, total = score_arrays(params, final)
        parts.append(
            PolicyRuns(
                policy=policy.name,
                score=np.asarray(total, dtype=float),
                ending=final.ending.astype(np.int16),
                turns_played=played,
                first_cut=rec.first_cut,
                sector_fell=rec.fell,
                inject_first=rec.inject_first,
                inject_count=rec.inject_count,
                area=rec.area,
                own_losses=rec.losses,
                objectives=objectives_met(params, final),
            )
        )
        if progress is not None:
            progress(work)
    objectives = {key: np.concatenate([p.objectives[key] for p in parts]) for key in parts[0].objectives}
    joined = {
        name: np.concatenate([getattr(p, name) for p in parts])
        for name in (
            "score",
            "ending",
            "turns_played",
            "first_cut",
            "sector_fell",
            "inject_first",
            "inject_count",
            "area",
            "own_losses",
        )
    }
    return PolicyRuns(policy=policy.name, objectives=objectives, **joined)


@dataclass(frozen=True)
class ChunkTask:
    """One chunk of one policy's games for the checker: which policy, which chunk, how many games, how long."""

    policy: str
    chunk: int
    replications: int
    horizon: int
    seed: int


def tally_chunk(context: Context, task: ChunkTask) -> Tally:
    """Play one chunk of a policy's games and reduce it to the checker's statistics (a job for the pool)."""
    model = context.model
    policy = context.policies[task.policy]
    rec, final, played, work = _observed_chunk(model, policy, task.replications, task.horizon, task.seed, task.chunk)
    params = model.variants(final)[0][0]
    _, total = score_arrays(params, final)
    met = objectives_met(params, final)
    return Tally(
        policy=task.policy,
        score=np.asarray(total, dtype=float),
        endings=np.bincount(final.ending.astype(np.int64), minlength=len(ENDINGS)),
        turns_played=float(played.sum()),
        objectives={k: int(v.sum()) for k, v in met.items()},
        first_cut=turn_counts(rec.first_cut, task.horizon),
        sector_fell=turn_counts(rec.fell, task.horizon),
        inject_first=turn_counts(rec.inject_first, task.horizon),
        area=Moments.of(rec.area),
        own_losses=Moments.of(rec.losses),
        replication_turns=work,
    )
