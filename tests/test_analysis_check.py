"""`salient check`: planted faults are found, assertions are tested with intervals, runs are vectorised."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

import game.analysis.runs as runs_module
from game.analysis.check import check_scenario
from game.analysis.progress import ProgressBar
from game.analysis.runs import play_policy
from game.analysis.stats import eta_squared, t_interval, t_quantile, wilson
from game.cli import main
from game.engine.batch import run_batch
from game.engine.policies import POLICIES
from game.engine.step import Model
from game.scenario.load import load_scenario, parse_scenario_text

FIXTURES = Path(__file__).parent / "fixtures"
RUNS = 200


@pytest.fixture(scope="module")
def reports():
    """One check of each fixture, shared by the tests that only read the report."""
    return {name: check_scenario(load_scenario(FIXTURES / f"check_{name}.yaml"), runs=RUNS, seed=1)
            for name in ("base", "dominant", "unreachable", "failing")}


def test_t_quantiles_and_wilson_intervals_match_tables():
    for df, expected in [(1, 12.7062047362), (4, 2.7764451052), (10, 2.2281388520), (30, 2.0422724563)]:
        assert t_quantile(0.975, df) == pytest.approx(expected, rel=1e-9)
    assert t_quantile(0.025, 10) == pytest.approx(-2.2281388520, rel=1e-9)
    lo, hi = wilson(0, 50)
    assert lo == 0.0 and hi == pytest.approx(0.0713, abs=1e-4)  # not the degenerate [0, 0] of the normal rule
    lo, hi = wilson(30, 100)
    assert (lo, hi) == (pytest.approx(0.2189, abs=1e-4), pytest.approx(0.3958, abs=1e-4))
    mean, lo, hi = t_interval(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert mean == 3 and lo == pytest.approx(3 - 2.7764451052 * np.sqrt(2.5 / 5))
    assert eta_squared([np.array([1.0, 1.0]), np.array([3.0, 3.0])]) == 1.0
    assert eta_squared([np.array([1.0, 3.0]), np.array([1.0, 3.0])]) == 0.0


def test_runs_are_the_engine_batch_with_an_observer():
    sc = load_scenario(FIXTURES / "check_base.yaml")
    for name, policy in POLICIES.items():
        ours = play_policy(Model(sc), policy, 300, seed=4, chunk=128)
        theirs = run_batch(sc, policy, 300, seed=4, chunk=128)
        assert np.array_equal(ours.score, theirs.score) and np.array_equal(ours.ending, theirs.ending)
        assert np.array_equal(ours.area[:, -1], theirs.area_held)


def test_runs_are_vectorised_over_replications(monkeypatch):
    calls = []
    real = runs_module.advance

    def counting(*args, **kwargs):
        calls.append(args[1].R)
        return real(*args, **kwargs)

    monkeypatch.setattr(runs_module, "advance", counting)
    sc = load_scenario(FIXTURES / "check_base.yaml")
    check_scenario(sc, runs=500, seed=0)
    assert len(calls) <= len(POLICIES) * sc.meta.turns  # one call per policy and turn, never one per game
    assert max(calls) == 500


def test_a_planted_dominant_policy_is_found(reports):
    dominant = [w for w in reports["dominant"].warnings if w.startswith("balance")]
    assert len(dominant) == 1 and "'delay_withdraw' dominates" in dominant[0]
    assert reports["dominant"].wins["delay_withdraw"] == {"hold": 1.0, "hold_sudzha_road": 1.0}
    assert not any(w.startswith("balance") for w in reports["base"].warnings)


def test_a_planted_unreachable_ending_and_objective_are_found(reports):
    warnings = reports["unreachable"].warnings
    withdrawn = [w for w in warnings if "'withdrawn'" in w]
    assert withdrawn and "a withdrawal takes 20 turns and the game has 8" in withdrawn[0]
    assert any("'take_enemy_town'" in w for w in warnings)
    assert not any("'withdrawn'" in w for w in reports["base"].warnings)
    assert reports["base"].policies[1].endings == {"withdrawn": 1.0}


def test_injects_and_luck_are_reported(reports):
    base = reports["base"]
    assert base.injects["aid_halt"] == {"hold": 1.0, "delay_withdraw": 1.0, "hold_sudzha_road": 1.0}
    assert 0 < base.injects["lucky_drop"]["hold"] < 1
    assert base.inactive_injects == ["fresh_company", "glide_bomb_surge"]
    assert base.eta_squared is not None and base.eta_squared > 0.5
    assert not any("luck swamps" in w for w in base.warnings)


def test_luck_swamping_decisions_is_flagged(reports):
    from dataclasses import replace

    from game.analysis.check import _luck

    base = reports["base"]
    swamped = replace(base, eta_squared=0.04, warnings=[], notes=[])
    _luck(swamped)
    assert any("luck swamps decisions" in w and "only 4%" in w for w in swamped.warnings)
    clear = replace(base, warnings=[], notes=[])
    _luck(clear)
    assert clear.warnings == [] and "explains" in clear.notes[0]
    flat = replace(base, eta_squared=None, warnings=[], notes=[])
    _luck(flat)
    assert flat.notes == ["every game scored the same: there is no spread to explain"]


def test_assertions_are_tested_with_intervals(reports):
    base = {a.label: a for a in reports["base"].assertions}
    assert [a.status for a in base.values()] == ["pass", "pass", "pass"]
    cut = base["hold_sudzha_road: road_cut_by_turn turn 8"]
    assert cut.ci[0] <= cut.value <= cut.ci[1] and 0 <= cut.ci[0] and cut.ci[1] <= 1
    failing = {a.label: a for a in reports["failing"].assertions}
    assert failing["hold_survives"].status == "fail" and failing["hold_survives"].ci[0] > 0.2
    assert reports["failing"].failed and not reports["base"].failed


def test_a_small_run_is_inconclusive_rather_than_failed():
    text = (FIXTURES / "check_base.yaml").read_text(encoding="utf-8")
    text = text.replace("between: [0.0, 1.0]", "between: [0.0, 0.09]")
    report = check_scenario(parse_scenario_text(text), runs=20, seed=1, policies=["hold_sudzha_road"])
    statuses = {a.metric: a.status for a in report.assertions}
    assert statuses["road_cut_by_turn"] in {"inconclusive", "pass"}
    assert statuses["mean_score"] == "error"  # its policy was not played


def test_cli_exit_codes_and_json(tmp_path, capsys):
    assert main(["check", str(FIXTURES / "check_base.yaml"), "--runs", "100"]) == 0
    out = capsys.readouterr()
    assert "All 3 assertion(s) hold." in out.out and out.err == ""  # no progress bar when stderr is not a TTY
    assert main(["check", str(FIXTURES / "check_failing.yaml"), "--runs", "100"]) == 1
    assert "FAIL: hold_survives" in capsys.readouterr().out
    assert main(["check", str(FIXTURES / "check_dominant.yaml"), "--runs", "50", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["failed"] is False and any("dominates" in w for w in data["warnings"])
    assert main(["check", str(FIXTURES / "check_dominant.yaml"), "--runs", "50", "--strict"]) == 1
    capsys.readouterr()
    assert main(["check", str(FIXTURES / "check_base.yaml"), "--runs", "0"]) == 1
    assert main(["check", str(FIXTURES / "check_base.yaml"), "--policy", "yolo"]) == 1
    assert "unknown policy" in capsys.readouterr().err


def test_turn_limit_is_honoured():
    report = check_scenario(load_scenario(FIXTURES / "check_base.yaml"), runs=50, seed=0, turns=2)
    assert report.turns == 2
    assert all(p.turns_mean <= 2 for p in report.policies)
    assert any("'time'" in w and "stops after 2 turns" in w for w in report.warnings)


def test_progress_bar_only_on_a_terminal():
    plain = io.StringIO()
    bar = ProgressBar(10, stream=plain)
    bar.advance("hold", 5)
    bar.close()
    assert plain.getvalue() == ""

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    bar = ProgressBar(10, stream=tty)
    bar.advance("hold", 10)
    assert "100%" in tty.getvalue() and "hold" in tty.getvalue()
