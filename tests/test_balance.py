"""The Kursk scenario's balance, as `salient check` sees it: its own assertions hold and no standing policy
dominates (a policy that beats every other in nearly every game is a recipe, not a decision).

The calibration behind it is in scenarios/kursk-2025.yaml (the `assertions:` block and the provenance of
every number changed for it). A modest run count keeps this fast; `salient check --runs 1000` is the full test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from game.analysis.check import CheckReport, check_scenario
from game.engine.batch import run_batch
from game.engine.params import ENDINGS
from game.engine.policies import POLICIES
from game.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]
KURSK = ROOT / "scenarios" / "kursk-2025.yaml"
RUNS = 300


@pytest.fixture(scope="module")
def report() -> CheckReport:
    return check_scenario(load_scenario(KURSK), runs=RUNS, seed=0)


def test_every_assertion_holds(report: CheckReport) -> None:
    assert report.assertions, "kursk-2025.yaml should state its balance as assertions"
    failed = [
        f"{a.label}: {a.value:.3f} not in {a.between} ({a.status})"
        for a in report.assertions
        if a.status in {"fail", "error"}
    ]
    assert failed == []
    assert not report.failed
    # at this run count every assertion is still decided (none straddles a bound)
    assert [a.label for a in report.assertions if a.status != "pass"] == []


def test_no_policy_dominates(report: CheckReport) -> None:
    assert not [w for w in report.warnings if w.startswith("balance:")]


def test_every_ending_is_reached(report: CheckReport) -> None:
    reached = {e for s in report.policies for e, share in s.endings.items() if share > 0}
    assert {"time", "withdrawn", "encircled", "destroyed", "bridgehead_fell"} <= reached
    assert not [w for w in report.warnings if w.startswith("ending")]


def _summary(report: CheckReport, name: str):
    return next(s for s in report.policies if s.policy == name)


def test_the_commanders_intent_orders_the_plans(report: CheckReport) -> None:
    """Holding while the road keeps the grouping supplied and leaving in time beats holding to the last, which
    beats leaving at once (the chip thrown away), which beats holding everything carelessly."""
    means = {s.policy: s.score_mean for s in report.policies}
    assert means["hold_then_withdraw"] > means["hold_sudzha_road"] > means["delay_withdraw"] > means["hold"]
    # same dice: where the two differ (the adaptive plan left), leaving was the better call far more often
    assert (
        report.wins["hold_then_withdraw"]["hold_sudzha_road"]
        > 2 * report.wins["hold_sudzha_road"]["hold_then_withdraw"]
    )
    assert report.wins["hold_then_withdraw"]["delay_withdraw"] > 0.8
    assert (report.eta_squared or 0.0) >= 0.5


def test_decisions_matter(report: CheckReport) -> None:
    assert _summary(report, "hold").score_mean < _summary(report, "hold_sudzha_road").score_mean
    assert report.wins["hold_sudzha_road"]["hold"] > 0.5


def test_the_balance_is_the_same_through_the_batch_api() -> None:
    """score_arrays serves the batch API too: the bargaining value accrued per turn is in its score lines."""
    sc = load_scenario(KURSK)
    r = run_batch(sc, POLICIES["delay_withdraw"], 50, seed=0)
    accrued = r.score_lines["ground_turns_held"]
    # leaving on turn 2 holds the whole bridgehead for the three turns the game lasts
    area = sum(s.area_sq_mi for s in sc.map.sectors)
    assert np.allclose(accrued, 3 * area * sc.scoring.per_sq_mi_turn_held)
    assert all(ENDINGS[c] == "withdrawn" for c in r.ending)
