"""Replications that fired rate injects a different number of times are resolved with their own parameters.

`Model.variants` groups replications by their counts of fired rate injects. Packing the counts into one
integer (base 64) wrapped to 0 from the twelfth rate inject on and carried at a count of 64, so
replications with different inject histories shared one parameter set.
"""

from __future__ import annotations

import numpy as np
import pytest
from engine_support import SMALL

from game.engine.step import Model
from game.scenario.injects import Inject
from game.scenario.load import load_scenario
from game.scenario.scenario import Scenario

BORDER = 120.0
"""supply.border_resupply_t_per_turn in the small fixture."""
FACTORS = [1.0 + (j + 1) / 100.0 for j in range(12)]
"""One factor per added rate inject, all different, so that every history gives its own border deliveries."""


def _many_rate_injects() -> Scenario:
    """The small fixture with twelve more rate injects after its own three (of which aid_halt is a rate inject)."""
    scenario = load_scenario(SMALL).model_copy(deep=True)
    for j, factor in enumerate(FACTORS):
        scenario.injects.append(
            Inject.model_validate(
                {
                    "id": f"rate_{j}",
                    "title": f"Border deliveries change ({j})",
                    "trigger": {"after_turn": 0, "probability": 0.5},
                    "repeatable": True,
                    "effects": [
                        {"kind": "scale_rate", "target": "supply.border_resupply_t_per_turn", "factor": factor}
                    ],
                }
            )
        )
    return scenario


@pytest.fixture(scope="module")
def model() -> Model:
    model = Model(_many_rate_injects())
    assert model.base.supply.border_t == BORDER
    assert int(model.rate_columns.sum()) == 13  # aid_halt, then rate_0 .. rate_11 (rate columns 1 .. 12)
    return model


def _fired(model: Model, rows: list[dict[str, int]]) -> np.ndarray:
    """(R, I) fired counts, one row per dict of inject id -> times fired."""
    ids = [inj.id for inj in model.scenario.injects]
    fired = np.zeros((len(rows), len(ids)), dtype=np.int16, order="F")
    for r, counts in enumerate(rows):
        for name, times in counts.items():
            fired[r, ids.index(name)] = times
    return fired


def _border(counts: dict[str, int]) -> float:
    """Border deliveries after the given rate injects fired (aid_halt scales by 0.67)."""
    value = BORDER * 0.67 ** counts.get("aid_halt", 0)
    for j, factor in enumerate(FACTORS):
        value *= factor ** counts.get(f"rate_{j}", 0)
    return value


@pytest.mark.parametrize(
    "rows",
    [
        # differ only in the twelfth rate column (rate_10; its base-64 weight 64**11 wrapped to 0) ...
        [{}, {"rate_10": 1}, {}, {"rate_10": 1}],
        # ... and in the thirteenth (rate_11), also out of reach of a 64-bit key
        [{"rate_11": 2}, {"rate_0": 1, "rate_11": 2}, {"rate_0": 1}],
        # 64 firings of the first rate inject (aid_halt) carried into the next rate column: the same key as one
        # firing of rate_0, so these three histories made two groups
        [{"aid_halt": 64}, {"rate_0": 1}, {}, {"aid_halt": 64}],
    ],
)
def test_every_distinct_history_gets_its_own_parameters(model: Model, rows: list[dict[str, int]]) -> None:
    state = model.initial_state(len(rows))
    state.fired = _fired(model, rows)
    groups = model.variants(state)
    histories = {tuple(sorted(r.items())) for r in rows}
    assert len(groups) == len(histories)
    covered = np.concatenate([g_rows for _, g_rows in groups])
    assert sorted(covered.tolist()) == list(range(len(rows)))  # every replication in exactly one group
    for params, g_rows in groups:
        assert g_rows is not None
        assert (np.diff(g_rows) > 0).all()  # in replication order
        assert len({tuple(sorted(rows[r].items())) for r in g_rows}) == 1
        want = _border(rows[g_rows[0]])
        assert params.supply.border_t == pytest.approx(want, rel=1e-12)
        assert params is model.params_for(tuple(int(c) for c in state.fired[g_rows[0]]))
    # the same state groups the same way every time (order included)
    again = model.variants(state)
    assert [g_rows.tolist() for _, g_rows in again] == [g_rows.tolist() for _, g_rows in groups]


def test_replications_that_agree_share_one_group_without_row_lists(model: Model) -> None:
    state = model.initial_state(5)
    state.fired = _fired(model, [{"rate_10": 3, "aid_halt": 1}] * 5)
    [(params, rows)] = model.variants(state)
    assert rows is None
    assert params.supply.border_t == pytest.approx(_border({"rate_10": 3, "aid_halt": 1}), rel=1e-12)
