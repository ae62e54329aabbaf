"""Batch analysis: many whole games of a course of action, in chunks, summarised as arrays.

`run_batch(scenario, policy_or_orders, replications, turns, seed, chunk)` plays `replications`
independent games (all turns, or `turns`) under a standing policy (vectorised: each replication
gets its own orders from its own state) or fixed orders, `chunk` replications at a time so memory
stays bounded; games that end leave the chunk, so no work is spent on them (each replication keeps
its own dice regardless: the chunk's noise is drawn whole and the live rows taken). Chunk k draws its
dice from stream(seed, turn, "batch.k"), so a batch is reproducible from its arguments (and independent
of any game played with the same seed), and chunks are independent of one another: `first_chunk`
starts a batch at any chunk, so chunks a..b can be played anywhere (another process, another machine)
and their results joined in chunk order (`BatchResult.join`) are those of one serial batch.

`play_chunk` is the loop of one chunk; an observer sees every turn of the games still being played
(the scenario checker keeps its turn-by-turn facts that way, game.analysis.runs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from game.scenario import Scenario

from .directives import Directives, compile_orders
from .orders import Orders
from .params import ENDINGS, ENEMY, PLAYER
from .policies import Policy
from .scoring import score_arrays
from .state import State
from .step import Model, advance
from .turn import Outcome

Observer = Callable[[int, np.ndarray, State, Outcome, np.ndarray], None]
"""Called after every turn of a chunk with (turn played, rows of the chunk still being played before it,
their state after it, the turn's outcome for them, the injects that fired for them (rows, injects))."""


@dataclass
class BatchResult:
    """Per-replication outcomes of a batch (arrays of length R)."""

    score: np.ndarray
    own_casualties: np.ndarray
    enemy_casualties: np.ndarray
    area_held: np.ndarray
    delivered: np.ndarray
    trucks_lost: np.ndarray
    turns_played: np.ndarray
    ending: np.ndarray  # codes, see ENDINGS
    replication_turns: int = 0
    score_lines: dict[str, np.ndarray] = field(default_factory=dict)

    def summary(self) -> dict[str, float | dict[str, float]]:
        """Means, spreads and ending shares."""
        out: dict[str, float | dict[str, float]] = {}
        for name in (
            "score",
            "own_casualties",
            "enemy_casualties",
            "area_held",
            "delivered",
            "trucks_lost",
            "turns_played",
        ):
            x = getattr(self, name)
            out[name] = float(x.mean())
            out[f"{name}_sd"] = float(x.std(ddof=1)) if x.size > 1 else 0.0
        out["endings"] = {str(ENDINGS[c]): float((self.ending == c).mean()) for c in np.unique(self.ending)}
        return out

    @staticmethod
    def join(parts: Sequence[BatchResult]) -> BatchResult:
        """Batches of consecutive chunks, in chunk order, as one batch (the same arrays a serial run gives)."""
        arrays = (
            "score",
            "own_casualties",
            "enemy_casualties",
            "area_held",
            "delivered",
            "trucks_lost",
            "turns_played",
            "ending",
        )
        return BatchResult(
            **{name: np.concatenate([getattr(p, name) for p in parts]) for name in arrays},
            replication_turns=sum(p.replication_turns for p in parts),
            score_lines={k: np.concatenate([p.score_lines[k] for p in parts]) for k in parts[0].score_lines},
        )


@dataclass
class ChunkPlayed:
    """One chunk played to the end: every game's final state, the turns each played, the work done."""

    final: State
    played: np.ndarray  # (R,) turns played by each game
    replication_turns: int


def play_chunk(
    model: Model, plan: Policy | Directives, R: int, horizon: int, seed: int, k: int, observe: Observer | None = None
) -> ChunkPlayed:
    """Play chunk `k` (R games, dice purpose `batch.k`) for `horizon` turns; finished games leave the chunk."""
    final = model.initial_state(R)
    st = final
    alive = np.arange(R)  # rows of `final` still being played; finished games leave the chunk
    played = np.zeros(R)
    rep_turns = 0
    for t in range(1, horizon + 1):
        if st.R == 0:
            break
        params = model.variants(st)[0][0]
        d = plan if isinstance(plan, Directives) else plan.directives(params, st)
        played[alive] += 1
        rep_turns += st.R
        st, out, fired = advance(
            model,
            st,
            d,
            seed,
            purpose=f"batch.{k}",
            inject_purpose=f"batch.{k}.injects",
            rows=alive if alive.size < R else None,
            size=R,
            factors=False,
        )
        if observe is not None:
            observe(t, alive, st, out, fired)
        if st.ended.any():
            done = st.ended
            final.put(alive[done], st.take(done))
            st = st.take(~done)
            alive = alive[~done]
    if st.R:
        final.put(alive, st)
    final.turn = horizon + 1
    return ChunkPlayed(final, played, rep_turns)


def run_batch(
    scenario: Scenario | Model,
    policy_or_orders: Policy | Orders,
    replications: int,
    turns: int | None = None,
    seed: int = 0,
    chunk: int = 10_000,
    first_chunk: int = 0,
) -> BatchResult:
    """Play `replications` games in chunks numbered from `first_chunk` and return their outcomes."""
    model = scenario if isinstance(scenario, Model) else Model(scenario)
    horizon = turns if turns is not None else model.base.turns
    plan = compile_orders(model.base, policy_or_orders) if isinstance(policy_or_orders, Orders) else policy_or_orders
    parts: list[BatchResult] = []
    for k, start in enumerate(range(0, replications, chunk), start=first_chunk):
        done = play_chunk(model, plan, min(chunk, replications - start), horizon, seed, k)
        final = done.final
        params = model.variants(final)[0][0]
        lines, total = score_arrays(params, final)
        parts.append(
            BatchResult(
                score=total,
                own_casualties=final.casualties[:, PLAYER].sum(axis=1),
                enemy_casualties=final.casualties[:, ENEMY].sum(axis=1),
                area_held=final.area_held(params),
                delivered=final.delivered_total,
                trucks_lost=final.trucks_lost_total,
                turns_played=done.played,
                ending=final.ending.copy(),
                replication_turns=done.replication_turns,
                score_lines={name: q * w for name, _, q, w in lines},
            )
        )
    return BatchResult.join(parts)
