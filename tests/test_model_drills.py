"""The answer key of every Kursk drill is the model's: its ranking of the options and its probability estimate.

Each drill is put where its trigger holds in many games of a careful lead-in plan (at different turns in
different games); from there every option is played to the end on the same dice (game.analysis.drill_check).
"""

from __future__ import annotations

import itertools

import pytest
from engine_support import KURSK

from game.analysis.drill_check import check_drill
from game.analysis.stats import wilson
from game.engine.policies import POLICIES
from game.scenario.load import load_scenario

RUNS = 2000
SCENARIO = load_scenario(KURSK)


@pytest.mark.parametrize("lead_in", ["hold_sudzha_road", "hold_then_withdraw"])
@pytest.mark.parametrize("drill", SCENARIO.drills, ids=lambda d: d.id)
def test_the_expert_ranking_is_the_models(drill, lead_in) -> None:
    key = next(e for e in SCENARIO.expert if e.drill == drill.id)
    check = check_drill(SCENARIO, drill, POLICIES[lead_in], runs=RUNS)
    assert check.put_share > 0.5, f"{drill.id} is put in only {check.put_share:.0%} of games"
    for better, worse in itertools.pairwise(key.ranking):
        mean, low, high = check.difference(better, worse)
        assert low > 0, (
            f"{drill.id}: the key ranks {better} above {worse}, the model says {mean:+.0f} ({low:+.0f} to {high:+.0f})"
        )


@pytest.mark.parametrize("drill", SCENARIO.drills, ids=lambda d: d.id)
def test_the_expert_estimate_is_near_the_models(drill) -> None:
    key = next(e for e in SCENARIO.expert if e.drill == drill.id)
    check = check_drill(SCENARIO, drill, POLICIES["hold_sudzha_road"], runs=RUNS)
    first = key.ranking[0]
    low, high = wilson(check.options[first].events, check.options[first].games)
    assert low - 0.05 <= key.estimate <= high + 0.05, (drill.id, key.estimate, low, high)
