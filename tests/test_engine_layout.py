"""The engine keeps its arrays replication-fastest in memory (game.engine.layout) through whole turns,
and its batch mode (no factor accounting) changes nothing but the factors.

A single array created in C order makes every later operation that mixes it with the others slower
than either layout alone, silently; this guards the layout, not the speed (that is benchmarks/)."""

from __future__ import annotations

import numpy as np
import pytest
from engine_support import KURSK

from game.engine.policies import POLICIES
from game.engine.step import Model, advance
from game.scenario.load import load_scenario

R = 37  # no axis of the scenario has this length, so the replication axis is unambiguous


def replication_fastest(a: np.ndarray) -> bool:
    """R (the first axis) has the smallest stride: neighbouring replications are neighbours in memory."""
    return a.ndim < 2 or a.shape[0] != R or a.strides[0] == a.itemsize


@pytest.fixture(scope="module")
def model() -> Model:
    return Model(load_scenario(KURSK))


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_state_and_outcome_stay_replication_fastest_turn_after_turn(model: Model, policy: str) -> None:
    st = model.initial_state(R)
    for _ in range(6):
        params = model.variants(st)[0][0]
        st, out, _ = advance(model, st, POLICIES[policy].directives(params, st), seed=4)
        wrong = [k for k, v in st.arrays().items() if not replication_fastest(v)]
        wrong += [f"outcome.{k}" for k, v in out.__dict__.items() if not replication_fastest(v)]
        assert not wrong, f"turn {st.turn - 1}: C-order arrays {wrong}"


def test_subsets_of_replications_keep_the_layout(model: Model) -> None:
    st = model.initial_state(2 * R)
    part = st.take(np.arange(0, 2 * R, 2)[:R])
    assert all(replication_fastest(v) for v in part.arrays().values())
    assert all(replication_fastest(v) for v in part.broadcast(R).arrays().values())


def test_skipping_the_factor_accounting_changes_nothing_else(model: Model) -> None:
    st = model.initial_state(R)
    for _ in range(5):
        d = POLICIES["hold_sudzha_road"].directives(model.variants(st)[0][0], st)
        full, out_full, _ = advance(model, st, d, seed=9)
        lean, out_lean, _ = advance(model, st, d, seed=9, factors=False)
        for name, value in full.arrays().items():
            assert np.array_equal(value, getattr(lean, name)), name
        for name, value in out_full.__dict__.items():
            if name != "factors":
                assert np.array_equal(value, getattr(out_lean, name)), name
        assert out_full.factors.shape[1] > 30 and out_lean.factors.shape == (R, 0)
        assert np.abs(out_full.factors).sum() > 0
        st = full
