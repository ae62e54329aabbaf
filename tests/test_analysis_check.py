"""`salient check`: planted faults are found, assertions are tested with intervals, runs are vectorised, and
orders files play beside the policies on the same dice."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import game.engine.batch as batch_module
from game.analysis.check import check_scenario
from game.analysis.orders_plan import load_plans, plan_labels
from game.analysis.progress import ProgressBar
from game.analysis.runs import play_policy
from game.analysis.stats import eta_squared, t_interval, t_quantile, wilson
from game.cli import main
from game.engine.batch import run_batch
from game.engine.directives import to_orders
from game.engine.policies import POLICIES
from game.engine.step import Model
from game.scenario.load import load_scenario, parse_scenario_text

FIXTURES = Path(__file__).parent / "fixtures"
RUNS = 200


@pytest.fixture(scope="module")
def reports():
    """One check of each fixture, shared by the tests that only read the report."""
    return {
        name: check_scenario(load_scenario(FIXTURES / f"check_{name}.yaml"), runs=RUNS, seed=1)
        for name in ("base", "dominant", "unreachable", "failing")
    }


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
    for policy in POLICIES.values():
        ours = play_policy(Model(sc), policy, 300, seed=4, chunk=128)
        theirs = run_batch(sc, policy, 300, seed=4, chunk=128)
        assert np.array_equal(ours.score, theirs.score) and np.array_equal(ours.ending, theirs.ending)
        assert np.array_equal(ours.area[:, -1], theirs.area_held)


@pytest.fixture
def advance_calls(monkeypatch) -> list[int]:
    """The number of replications of every engine call the checker makes (one call a turn when vectorised)."""
    calls: list[int] = []
    real = batch_module.advance

    def counting(*args, **kwargs):
        calls.append(args[1].R)
        assert kwargs["factors"] is False  # the checker never reads the factor accounting
        return real(*args, **kwargs)

    monkeypatch.setattr(batch_module, "advance", counting)
    return calls


def test_runs_are_vectorised_over_replications(advance_calls):
    calls = advance_calls
    sc = load_scenario(FIXTURES / "check_base.yaml")
    check_scenario(sc, runs=500, seed=0)
    assert len(calls) <= len(POLICIES) * sc.meta.turns  # one call per policy and turn, never one per game
    assert max(calls) == 500
    assert min(calls) < 500  # finished games leave the batch: no turn is spent on them


def test_a_planted_dominant_policy_is_found(reports):
    dominant = [w for w in reports["dominant"].warnings if w.startswith("balance")]
    assert len(dominant) == 1 and "'delay_withdraw' dominates" in dominant[0]
    assert reports["dominant"].wins["delay_withdraw"] == {name: 1.0 for name in POLICIES if name != "delay_withdraw"}
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
    assert base.injects["aid_halt"] == dict.fromkeys(POLICIES, 1.0)  # on turn 3, in every game
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
    assert cut.ci[0] <= cut.value <= cut.ci[1] and cut.ci[0] >= 0 and cut.ci[1] <= 1
    failing = {a.label: a for a in reports["failing"].assertions}
    assert failing["hold_survives"].status == "fail" and failing["hold_survives"].ci[0] > 0.2
    assert reports["failing"].failed and not reports["base"].failed


def test_a_small_run_is_inconclusive_rather_than_failed():
    text = (FIXTURES / "check_base.yaml").read_text(encoding="utf-8")
    first = check_scenario(parse_scenario_text(text), runs=20, seed=1, policies=["hold_sudzha_road"])
    seen = next(a.value for a in first.assertions if a.metric == "road_cut_by_turn")
    # a bound right at the share seen: 20 games cannot tell whether the true share lies above or below it
    text = text.replace("between: [0.0, 1.0]", f"between: [0.0, {seen}]")
    report = check_scenario(parse_scenario_text(text), runs=20, seed=1, policies=["hold_sudzha_road"])
    statuses = {a.metric: a.status for a in report.assertions}
    assert statuses["road_cut_by_turn"] == ("pass" if seen == 1 else "inconclusive")
    assert statuses["mean_score"] == "error"  # its policy was not played


def test_cli_exit_codes_and_json(tmp_path, capsys):
    assert main(["check", str(FIXTURES / "check_base.yaml"), "--runs", "100"]) == 0
    out = capsys.readouterr()
    assert "All 3 assertions hold." in out.out and out.err == ""  # no progress bar when stderr is not a TTY
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


# --- orders files beside the policies (`salient check --orders`) ------------------------------------------


def _check_with_orders(fixture: str, *files: str, policies: list[str] | None = None, runs: int = RUNS):
    """Check a check_*.yaml fixture with orders files: fixture names (orders_<name>.yaml) or paths."""
    sc = load_scenario(FIXTURES / f"check_{fixture}.yaml")
    plans = load_plans(
        sc, [FIXTURES / "orders" / f"orders_{f}.yaml" if "/" not in f else f for f in files], taken=POLICIES
    )
    return check_scenario(sc, runs=runs, seed=1, policies=policies, plans=plans)


def _row(report, name: str):
    return next(p for p in report.policies if p.policy == name)


def _same_games(report, a: str, b: str) -> bool:
    """Neither scored higher than the other in any game on the same dice: the same score, game by game."""
    return report.wins[a][b] == 0.0 and report.wins[b][a] == 0.0


def test_orders_files_are_reported_beside_the_policies(capsys):
    trainee = str(FIXTURES / "orders" / "orders_trainee.yaml")
    argv = ["check", str(FIXTURES / "check_base.yaml"), "--runs", "40", "--orders", trainee]
    main(argv)  # the exit status is the scenario's assertions' business
    text, err = capsys.readouterr()
    assert err == ""
    assert f"orders_trainee (orders file {FIXTURES / 'orders' / 'orders_trainee.yaml'}): " in text
    assert "games per policy and orders file" in text
    head = text[text.index("Head to head") :]
    assert "vs orders_trainee" in head and "\n  orders_trainee: vs hold " in head
    # --policy filters the built-in policies only (exit 1: the assertions about the others cannot be tested)
    assert main([*argv, "--json", "--policy", "hold"]) == 1
    data = json.loads(capsys.readouterr().out)
    rows = {p["policy"]: p for p in data["policies"]}
    assert list(rows) == ["hold", "orders_trainee"]
    assert rows["orders_trainee"]["orders_file"] == str(FIXTURES / "orders" / "orders_trainee.yaml")
    assert rows["hold"]["orders_file"] is None
    assert set(data["wins"]["orders_trainee"]) == {"hold"} and "orders_trainee" in data["injects"]["aid_halt"]
    assert data["policies"][1]["runs"] == 40 and sum(rows["orders_trainee"]["endings"].values()) == pytest.approx(1)


def test_the_same_orders_file_twice_plays_the_same_games():
    report = _check_with_orders("base", "trainee", "trainee", policies=["hold"])
    first, second = _row(report, "orders_trainee"), _row(report, "orders_trainee#2")
    assert {**first.__dict__, "policy": None} == {**second.__dict__, "policy": None}
    assert _same_games(report, "orders_trainee", "orders_trainee#2")
    assert first.score_sd > 0  # the dice do vary from game to game; they are the same dice for both


def test_an_orders_file_that_orders_what_a_policy_orders_scores_as_that_policy(tmp_path):
    sc = load_scenario(FIXTURES / "check_base.yaml")
    model = Model(sc)
    start = model.initial_state(1)
    # `hold` orders the same every turn (its reserve commitment only matters on turn 1, when it is carried out)
    orders = to_orders(model.base, POLICIES["hold"].directives(model.base, start))
    path = tmp_path / "as_hold.json"
    path.write_text(json.dumps(orders.model_dump(mode="json")), encoding="utf-8")
    report = _check_with_orders("base", str(path))
    assert _same_games(report, "as_hold", "hold")
    hold, plan = _row(report, "hold"), _row(report, "as_hold")
    assert (plan.score_mean, plan.score_sd, plan.endings, plan.objectives) == (
        hold.score_mean,
        hold.score_sd,
        hold.endings,
        hold.objectives,
    )
    others = [p for p in POLICIES if p != "hold"]
    assert any(not _same_games(report, "as_hold", other) for other in others)  # the comparison can fail


def test_orders_that_no_longer_apply_are_skipped_not_refused():
    sc = load_scenario(FIXTURES / "check_base.yaml")
    once, repeated = load_plans(
        sc, [FIXTURES / "orders" / "orders_once.yaml", FIXTURES / "orders" / "orders_repeated.yaml"]
    )
    reserve = Model(sc).base.units.ids.index("reserve_co")
    # orders_repeated does ask again: the reserve on turns 2 and 3 (committed on turn 1), the withdrawal on turn 3
    assert repeated.given[2].commit[0, reserve] >= 0 and repeated.given[3].withdraw[0]
    assert once.standing[2].commit[0, reserve] == -1 and not once.standing[2].withdraw[0]
    report = _check_with_orders("base", "once", "repeated", policies=["hold"])
    assert _same_games(report, "orders_once", "orders_repeated")
    assert "withdrawn" in _row(report, "orders_once").endings  # the withdrawal asked on turn 2 is carried out
    assert not _same_games(report, "orders_once", "hold")


def test_an_orders_file_is_played_turn_by_turn_then_stands(tmp_path):
    sc = load_scenario(FIXTURES / "check_base.yaml")
    model = Model(sc)
    p = model.base
    path = tmp_path / "later.yaml"
    path.write_text(
        "3: {postures: {centre: fortify}, commit_reserves: {reserve_co: east}, withdraw: true, convoys: {day: 7}}\n",
        encoding="utf-8",
    )
    plan = load_plans(sc, [path])[0]
    st = model.initial_state(4)
    turn = {t: plan.directives(p, replace(st, turn=t)) for t in (1, 2, 3, 4, 9)}
    centre, east = p.sectors.ids.index("centre"), p.sectors.ids.index("east")
    reserve = p.units.ids.index("reserve_co")
    assert not turn[1].posture_set.any() and turn[1].night[0] == p.convoys.trucks_available  # default orders before
    assert turn[1] is turn[2]
    assert turn[3].posture_set[0, centre] and turn[3].commit[0, reserve] == east and turn[3].withdraw[0]
    assert turn[3].day[0] == 7 and turn[3].night[0] == 0
    for later in (turn[4], turn[9]):  # standing orders: the same, less the one-shot parts
        assert later.posture_set[0, centre] and later.day[0] == 7
        assert later.commit[0, reserve] == -1 and not later.withdraw[0]
    fewer = replace(p, convoys=replace(p.convoys, trucks_available=5))  # an inject took trucks away: the convoy shrinks
    assert plan.directives(fewer, replace(st, turn=3)).day[0] == 5


def test_a_dominant_orders_file_is_named_in_the_balance_warning():
    stay = ["hold", "hold_sudzha_road"]  # policies that never withdraw, so never earn the planted 5000 points
    report = _check_with_orders("dominant", "withdraw_now", policies=stay)
    balance = [w for w in report.warnings if w.startswith("balance")]
    assert len(balance) == 1 and "orders file 'orders_withdraw_now' dominates" in balance[0]
    assert "every other policy and orders file" in balance[0]
    assert set(report.wins["orders_withdraw_now"]) == set(stay)


def test_orders_files_are_played_vectorised(advance_calls):
    calls = advance_calls
    report = _check_with_orders("base", "trainee", "once", policies=["hold"], runs=300)
    assert len(calls) <= 3 * report.turns and max(calls) == 300


def test_labels_are_file_stems_made_unique():
    paths = ["a/plan.yaml", "b/plan.yaml", "c/hold.yaml", "plan#2.yaml", "d/plan.json"]
    assert plan_labels(paths, taken=POLICIES) == ["plan", "plan#2", "hold#2", "plan#2#2", "plan#3"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "orders_bad_sector.yaml:6:5: turn 2: postures.nowhere: there is no sector 'nowhere'"),
        (None, "orders_too_many_drones.yaml:3:1: drones: 12 drone teams are tasked but only 10 exist"),
        (None, "orders_bad_yaml.yaml:3:10: not valid YAML"),
        (None, "orders_missing.yaml: no such orders file"),
        ("- postures: {centre: charge}\n", "x.yaml:1:22: turn 1: postures.centre: Input should be"),
        ("- {}\n- postures: {enemy_east: hold}\n", None),  # lost at the start: skipped after turn 1, so accepted
        (
            "- postures: {enemy_east: hold}\n",
            "x.yaml:1:14: turn 1: postures.enemy_east: Enemy east (enemy_east) is not held at the start",
        ),
        (
            "commit_reserves:\n  town_bn: east\n",
            "x.yaml:2:3: commit_reserves.town_bn: 'town_bn' (Town battalion) is not a reserve",
        ),
        ("commit_reserves: {reserve_co: atlantis}\n", "x.yaml:1:31: commit_reserves.reserve_co: there is no sector"),
        ("convoys: {night: 30}\n", "x.yaml:1:1: convoys: 30 trucks are ordered but only 20 exist"),
        ("ew: {front: 5}\n", "x.yaml:1:1: ew: 5 electronic-warfare teams are allocated but only 4 exist"),
    ],
)
def test_bad_orders_files_name_the_file_line_and_field(tmp_path, capsys, content, expected):
    if content is None:
        name = expected.split(":")[0]
        path = FIXTURES / "orders" / name
    else:
        path = tmp_path / "x.yaml"
        path.write_text(content, encoding="utf-8")
    argv = ["check", str(FIXTURES / "check_base.yaml"), "--runs", "5", "--turns", "2", "--orders", str(path)]
    code = main(argv)
    out, err = capsys.readouterr()
    if expected is None:  # played (the exit status is the scenario's assertions' business, over 2 turns)
        assert err == "" and f"x (orders file {path}): " in out
        return
    assert code == 1 and "Traceback" not in err
    shown = err.replace(f"{tmp_path}/", "").replace(f"{FIXTURES}/", "")
    assert err.startswith("salient: ") and expected in shown


def test_a_drill_key_the_model_disagrees_with_is_flagged(reports):
    """The checker holds every drill key against the model: the base key agrees; a key that ranks the worst
    option first, or guesses a probability far from the model's, is a warning with the numbers."""
    base = reports["base"]
    assert any(n.startswith("drill 'd_road'") for n in base.notes)
    assert not [w for w in base.warnings if w.startswith("drill key")]
    sc = load_scenario(FIXTURES / "check_base.yaml").model_copy(deep=True)
    key = next(e for e in sc.expert if e.drill == "d_road")
    object.__setattr__(key, "ranking", ["hold", "leave", "screen"])  # holding everything carelessly first
    object.__setattr__(key, "estimate", 0.9)
    report = check_scenario(sc, runs=RUNS, seed=1)
    flagged = [w for w in report.warnings if w.startswith("drill key 'd_road'")]
    assert any("ranks hold above leave" in w or "ranks leave above screen" in w for w in flagged), flagged
    assert any("estimate 90%" in w for w in flagged), flagged
