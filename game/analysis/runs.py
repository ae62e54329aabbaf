"""Many whole games of one standing policy at once, with the turn-by-turn facts the checker tests.

This is the engine's batch loop (`game.engine.batch.run_batch`: the same model, the same vectorised
policy rule, the same dice purposes `batch.<chunk>`, so scores and endings agree with it exactly), with
an observer added: besides the final score and ending it keeps, per replication, the turn each sector
fell, the turn every route was first cut, the turns injects fired, and the area held and own losses
after every turn. Replications are an array axis; only turns and chunks are Python loops.

Every policy is played on the same dice (same seed, same chunk purposes), so replication r under one
policy and under another faced the same luck as far as their paths allow: comparing policies replication
by replication (the checker's dominance test) then measures the policies, not the dice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from game.engine.params import PLAYER
from game.engine.policies import Policy
from game.engine.scoring import objectives_met, score_arrays
from game.engine.step import Model, advance

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


def play_policy(model: Model, policy: Policy, replications: int, turns: int | None = None, seed: int = 0,
                chunk: int = 10_000, progress: Progress | None = None) -> PolicyRuns:
    """Play `replications` games of `policy`, `chunk` replications at a time (see module doc)."""
    horizon = turns if turns is not None else model.base.turns
    parts = [
        _chunk(model, policy, min(chunk, replications - start), horizon, seed, k, progress)
        for k, start in enumerate(range(0, replications, chunk))
    ]
    objectives = {key: np.concatenate([p.objectives[key] for p in parts]) for key in parts[0].objectives}
    joined = {
        name: np.concatenate([getattr(p, name) for p in parts])
        for name in ("score", "ending", "turns_played", "first_cut", "sector_fell", "inject_first", "inject_count",
                     "area", "own_losses")
    }
    return PolicyRuns(policy=policy.name, objectives=objectives, **joined)


def _chunk(model: Model, policy: Policy, R: int, horizon: int, seed: int, k: int,
           progress: Progress | None) -> PolicyRuns:
    st = model.initial_state(R)
    p0 = model.base
    played = np.zeros(R)
    first_cut = np.zeros(R, dtype=np.int32)
    fell = np.zeros((R, p0.S), dtype=np.int32)
    inj_first = np.zeros((R, model.injects), dtype=np.int32)
    inj_count = np.zeros((R, model.injects), dtype=np.int32)
    area = np.zeros((R, horizon + 1))
    losses = np.zeros((R, horizon + 1))
    area[:, 0] = st.area_held(p0)
    for t in range(1, horizon + 1):
        if st.ended.all():
            area[:, t:] = area[:, t - 1 : t]
            losses[:, t:] = losses[:, t - 1 : t]
            break
        params = model.variants(st)[0][0]
        live = ~st.ended
        played += live
        st, out, fired = advance(model, st, policy.directives(params, st), seed, purpose=f"batch.{k}",
                                 inject_purpose=f"batch.{k}.injects")
        first_cut = np.where((first_cut == 0) & out.route_cut & live, t, first_cut)
        fell = np.where((fell == 0) & out.fell & live[:, None], t, fell)
        if fired.size:
            inj_first = np.where((inj_first == 0) & fired, t, inj_first)
            inj_count += fired
        params = model.variants(st)[0][0]
        area[:, t] = st.area_held(params)
        losses[:, t] = st.casualties[:, PLAYER].sum(axis=1)
        if progress is not None:
            progress(int(live.sum()))
    params = model.variants(st)[0][0]
    _, total = score_arrays(params, st)
    return PolicyRuns(
        policy=policy.name, score=np.asarray(total, dtype=float), ending=st.ending.astype(np.int16).copy(),
        turns_played=played, first_cut=first_cut, sector_fell=fell, inject_first=inj_first, inject_count=inj_count,
        area=area, own_losses=losses, objectives=objectives_met(params, st),
    )
