"""Batch analysis: many whole games of a course of action, in chunks, summarised as arrays.

`run_batch(scenario, policy_or_orders, replications, turns, seed, chunk)` plays `replications`
independent games (all turns, or `turns`) under a standing policy (vectorised: each replication
gets its own orders from its own state) or fixed orders, `chunk` replications at a time so memory
stays bounded; games that end leave the chunk, so no work is spent on them (each replication keeps
its own dice regardless: the chunk's noise is drawn whole and the live rows taken). Chunk k draws its dice from stream(seed, turn, "batch.k"), so a batch is
reproducible from its arguments (and independent of any game played with the same seed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from game.scenario import Scenario

from .directives import Directives, compile_orders
from .orders import Orders
from .params import ENDINGS, ENEMY, PLAYER
from .policies import Policy
from .scoring import score_arrays
from .step import Model, advance


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
        for name in ("score", "own_casualties", "enemy_casualties", "area_held", "delivered", "trucks_lost", "turns_played"):
            x = getattr(self, name)
            out[name] = float(x.mean())
            out[f"{name}_sd"] = float(x.std(ddof=1)) if x.size > 1 else 0.0
        out["endings"] = {str(ENDINGS[c]): float((self.ending == c).mean()) for c in np.unique(self.ending)}
        return out


def run_batch(
    scenario: Scenario | Model, policy_or_orders: Policy | Orders, replications: int, turns: int | None = None,
    seed: int = 0, chunk: int = 10_000,
) -> BatchResult:
    """Play `replications` games in chunks and return their outcomes."""
    model = scenario if isinstance(scenario, Model) else Model(scenario)
    horizon = turns if turns is not None else model.base.turns
    fixed: Directives | None = compile_orders(model.base, policy_or_orders) if isinstance(policy_or_orders, Orders) else None
    parts: list[dict[str, np.ndarray]] = []
    rep_turns = 0
    for k, start in enumerate(range(0, replications, chunk)):
        R = min(chunk, replications - start)
        final = model.initial_state(R)
        st = final
        alive = np.arange(R)  # rows of `final` still being played; finished games leave the chunk
        played = np.zeros(R)
        for _ in range(horizon):
            if st.R == 0:
                break
            params = model.variants(st)[0][0]
            d = fixed if fixed is not None else policy_or_orders.directives(params, st)  # type: ignore[union-attr]
            played[alive] += 1
            rep_turns += st.R
            st, _, _ = advance(model, st, d, seed, purpose=f"batch.{k}", inject_purpose=f"batch.{k}.injects",
                               rows=alive if alive.size < R else None, size=R, factors=False)
            if st.ended.any():
                done = st.ended
                final.put(alive[done], st.take(done))
                st = st.take(~done)
                alive = alive[~done]
        if st.R:
            final.put(alive, st)
        final.turn = horizon + 1
        params = model.variants(final)[0][0]
        lines, total = score_arrays(params, final)
        parts.append({
            "score": total,
            "own_casualties": final.casualties[:, PLAYER].sum(axis=1),
            "enemy_casualties": final.casualties[:, ENEMY].sum(axis=1),
            "area_held": final.area_held(params),
            "delivered": final.delivered_total,
            "trucks_lost": final.trucks_lost_total,
            "turns_played": played,
            "ending": final.ending.copy(),
            **{f"line.{name}": q * w for name, _, q, w in lines},
        })
    joined = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    return BatchResult(
        **{k: v for k, v in joined.items() if not k.startswith("line.")},
        replication_turns=rep_turns,
        score_lines={k[5:]: v for k, v in joined.items() if k.startswith("line.")},
    )
