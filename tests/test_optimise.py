"""`salient optimise`: every θ is a valid plan, the search is reproducible on one process or many, it improves on
where it starts, the best plan plays as an orders file, and bad input is a clear message."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from game.analysis.optimise import (
    EXPERT,
    Evaluator,
    OptimiseReport,
    cross_entropy,
    expert_policy,
    optimise,
    plan_orders,
)
from game.analysis.optimise_render import as_text, orders_yaml
from game.analysis.orders_plan import orders_problems
from game.analysis.plan_space import PlanSpace, Withdrawal, plan_of_policy
from game.cli import main
from game.engine.batch import run_batch
from game.engine.directives import check_orders, compile_orders, to_orders
from game.engine.game import Game
from game.engine.orders import Orders
from game.engine.params import CUT, DELAY, FORTIFY, HOLD, PLAYER
from game.engine.policies import POLICIES
from game.engine.step import Model
from game.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]
KURSK = ROOT / "scenarios" / "kursk-2025.yaml"
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"
SMALL = ROOT / "tests" / "fixtures" / "engine_small.yaml"
CHECK_BASE = ROOT / "tests" / "fixtures" / "check_base.yaml"
SMALL_SEARCH = {"budget": 12, "runs": 40, "population": 6, "check_runs": 40}


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def small_report() -> OptimiseReport:
    """A small cold search on the small fixture, shared by the tests that only read it."""
    return optimise(load_scenario(SMALL), budget=30, runs=60, population=10, check_runs=200, warm=False, workers=1)


# --- the plan space -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [KURSK, TUTORIAL], ids=["kursk", "tutorial"])
def test_every_theta_decodes_to_orders_the_engine_accepts(path):
    scenario = load_scenario(path)
    game = Game(scenario, 0)
    p, st = game.params, game.state
    space = PlanSpace.of(p)
    rng = np.random.default_rng(7)
    thetas = [rng.normal(0, 3, space.size) for _ in range(300)]
    thetas += [np.full(space.size, v) for v in (-50.0, -1.0, 0.0, 1.0, 50.0)]
    seen = set()
    for theta in thetas:
        plan = space.decode(theta)
        orders = plan.first_orders(p, st)
        assert check_orders(p, st, orders) == [], orders
        assert orders_problems(p, st, orders, at_start=True) == []
        assert orders.drones.total() == p.player_teams()
        assert orders.convoys.day + orders.convoys.night == p.convoys.trucks_available
        assert orders.ew.front + orders.ew.road == int(p.drones.ew_teams[PLAYER])
        assert set(orders.postures) == set(space.sector_ids)
        seen.add((orders.model_dump_json(), plan.withdrawal))
    assert len(seen) > 250  # the space is explored, not one plan decoded 300 times
    for bad in (np.zeros(space.size - 1), np.full(space.size, np.nan)):
        with pytest.raises(ValueError, match="finite numbers"):
            space.decode(bad)


def test_plans_play_whole_games_where_sectors_fall():
    """Later turns, with sectors lost and the withdrawal requested in some games only, are played vectorised."""
    scenario = load_scenario(KURSK)
    model = Model(scenario)
    space = PlanSpace.of(model.base)
    rng = np.random.default_rng(3)
    for _ in range(3):
        result = run_batch(model, space.decode(rng.normal(0, 2, space.size)).policy(), 40, seed=0)
        assert np.isfinite(result.score).all() and (result.ending > 0).all()


@pytest.mark.parametrize("path", [KURSK, TUTORIAL], ids=["kursk", "tutorial"])
def test_every_built_in_policy_is_a_point_of_the_space(path):
    """Encoded and decoded again, each built-in policy plays the very same games (the search can start there)."""
    scenario = load_scenario(path)
    game, model = Game(scenario, 0), Model(scenario)
    space = PlanSpace.of(game.params)
    for name, policy in POLICIES.items():
        plan = space.decode(space.encode(plan_of_policy(policy, game.params, game.state)))
        ours, theirs = run_batch(model, plan.policy(), 150, seed=2), run_batch(model, policy, 150, seed=2)
        assert np.array_equal(ours.score, theirs.score), name
        assert np.array_equal(ours.ending, theirs.ending), name


def test_the_withdrawal_rules_read_what_the_trainee_sees():
    scenario = load_scenario(KURSK)
    game = Game(scenario, 0)
    p, st = game.params, game.state.broadcast(4)
    start_held = np.ones((4, p.S), dtype=bool)
    st.turn = 5
    st.holder[1, :2] = 1  # two sectors lost in game 1
    st.cut_clock[2] = 1  # cut off in game 2
    st.stocks[3, 0] = 0.0  # no ammunition in game 3
    assert Withdrawal(turn=5).due(p, st, start_held).tolist() == [True] * 4
    assert Withdrawal(turn=6).due(p, st, start_held).tolist() == [False] * 4
    assert Withdrawal(sectors_lost=2).due(p, st, start_held).tolist() == [False, True, False, False]
    assert Withdrawal(road=CUT).due(p, st, start_held).tolist() == [False, False, True, False]
    assert Withdrawal(ammunition=0.5).due(p, st, start_held).tolist() == [False, False, False, True]
    assert not Withdrawal().due(p, st, start_held).any()


# --- the search ---------------------------------------------------------------------------------------------


def test_the_search_is_the_same_with_one_worker_or_two_and_again():
    scenario = load_scenario(TUTORIAL)
    one = optimise(scenario, seed=3, workers=1, **SMALL_SEARCH)
    again = optimise(scenario, seed=3, workers=1, **SMALL_SEARCH)
    two = optimise(scenario, seed=3, workers=2, **SMALL_SEARCH)
    for other in (again, two):
        assert np.array_equal(one.search.best_theta, other.search.best_theta)
        assert [vars(g) for g in one.search.generations] == [vars(g) for g in other.search.generations]
        assert [(s.name, s.mean, s.ci, s.endings) for s in one.scored] == [
            (s.name, s.mean, s.ci, s.endings) for s in other.scored
        ]
        assert one.orders == other.orders
    other_seed = optimise(scenario, seed=4, workers=1, **SMALL_SEARCH)
    assert [g.best for g in other_seed.search.generations] != [g.best for g in one.search.generations]


def test_a_small_cold_search_improves_on_its_starting_distribution(small_report):
    s = small_report.search
    assert s.evaluations == 30 and len(s.generations) == 3
    found = small_report.scored[0]
    assert found.name == "optimised"
    # on fresh dice, the plan found beats the plan at the starting mean and the first generation's average
    assert found.ci[0] > s.start_score and found.ci[0] > s.first_average
    assert s.generations[-1].average > s.generations[0].average


def test_the_search_moves_towards_the_better_plans():
    """On a score with a known peak, the mean of the search distribution walks to it."""
    peak = np.array([2.0, -1.0, 0.5])
    search = cross_entropy(
        lambda thetas: [-float(((t - peak) ** 2).sum()) for t in thetas], 3, budget=400, population=20, seed=0
    )
    assert np.abs(search.best_theta - peak).max() < 0.3
    assert search.start_score == pytest.approx(-float((peak**2).sum()))


def test_the_comparison_holds_the_plan_against_every_built_in_policy_and_the_expert():
    report = optimise(load_scenario(CHECK_BASE), seed=0, workers=1, **SMALL_SEARCH)
    names = [s.name for s in report.scored]
    assert names == ["optimised", *POLICIES, EXPERT]
    assert [d.other for d in report.differences] == names[1:]
    ev = Evaluator(load_scenario(CHECK_BASE))
    ours = ev.play(report.search.best_theta, 40, report.fresh_seed).score
    for d, name in zip(report.differences, names[1:], strict=True):
        theirs = ev.play(name, 40, report.fresh_seed).score
        assert d.mean == pytest.approx(float((ours - theirs).mean()))  # paired, game by game, on the same dice
    text = as_text(report)
    for name in names:
        assert f"\n  {name} " in text
    assert "Paired differences" in text and "95% CI" in text


# --- the expert's plan --------------------------------------------------------------------------------------


def test_the_expert_plan_follows_the_answer_key():
    kursk = load_scenario(KURSK)
    expert = expert_policy(kursk)
    assert expert is not None and "hold_then_withdraw at every decision point" in expert.description
    game = Game(kursk, 0)
    assert expert(game) == POLICIES["hold_then_withdraw"](game)
    assert expert_policy(load_scenario(TUTORIAL)) is None  # no answer key

    base = load_scenario(CHECK_BASE)  # turn 2: hold_sudzha_road (top-ranked option); turn 4: written orders
    plan = expert_policy(base)
    assert plan is not None
    game = Game(base, 0)
    p = game.params
    at = {}
    for turn in (1, 2, 3, 4, 5):
        st = game.state.copy()
        st.turn = turn
        at[turn] = to_orders(p, plan.directives(p, st))
    screen = to_orders(p, POLICIES["hold_sudzha_road"].directives(p, game.state))
    assert at[1] == at[2] == at[3] == at[5] == screen
    written = to_orders(
        p, compile_orders(p, Orders.model_validate({"postures": {"corridor": "fortify"}, "convoys": {"night": 20}}))
    )
    assert at[4] == written


# --- the orders file ----------------------------------------------------------------------------------------


def test_orders_follow_the_typical_game_and_say_so():
    scenario = load_scenario(SMALL)
    game = Game(scenario, 0)
    p, st = game.params, game.state
    space = PlanSpace.of(p)
    base = space.decode(np.zeros(space.size))
    assert base.withdrawal.never
    orders, note = plan_orders(base, p, st, np.zeros(p.turns + 2, dtype=int), 100)
    assert sorted(orders) == [1, 2] and "exactly" in note and not any(o.withdraw for o in orders.values())
    assert orders[2].postures == {} and orders[2].commit_reserves == {}

    fixed = replace(base, withdrawal=Withdrawal(turn=4))
    orders, note = plan_orders(fixed, p, st, np.zeros(p.turns + 2, dtype=int), 100)
    assert orders[4].withdraw and "exactly" in note

    ruled = replace(base, withdrawal=Withdrawal(ammunition=2.0))
    requests = np.zeros(p.turns + 2, dtype=int)
    requests[[3, 5, 6]] = [20, 25, 15]  # 60 of 100 games: the median request is on turn 5
    orders, note = plan_orders(ruled, p, st, requests, 100)
    assert [t for t, o in orders.items() if o.withdraw] == [5]
    assert "60% of games" in note and "median on turn 5" in note
    requests[:] = 0
    requests[3] = 30
    orders, note = plan_orders(ruled, p, st, requests, 100)
    assert not any(o.withdraw for o in orders.values()) and "only 30% of games" in note


def test_the_orders_file_plays_the_plan_in_salient_run(tmp_path, capsys):
    """A plan that leaves on a set turn is written exactly: `salient run --orders` plays the plan's very game."""
    scenario = load_scenario(SMALL)
    game = Game(scenario, 0)
    p = game.params
    space = PlanSpace.of(p)
    plan = replace(
        space.decode(np.zeros(space.size)),
        postures=(FORTIFY, HOLD, DELAY, HOLD),
        netting=True,
        withdrawal=Withdrawal(turn=3),
    )
    report = optimise(scenario, seed=0, workers=1, **SMALL_SEARCH)
    orders, note = plan_orders(plan, p, game.state, np.zeros(p.turns + 2, dtype=int), 40)
    report = replace(report, plan=plan, plan_lines=plan.describe(p), orders=orders, orders_note=note)
    path = tmp_path / "plan.yaml"
    path.write_text(orders_yaml(report, str(SMALL)), encoding="utf-8")

    code, out, err = cli(capsys, "run", str(SMALL), "--seed", "5", "--orders", str(path), "--json")
    assert code == 0, err
    played = json.loads(out)
    by_plan = Game(scenario, 5)
    policy = plan.policy()
    while not by_plan.finished:
        by_plan.play(policy(by_plan))
    assert played["score"]["total"] == pytest.approx(by_plan.score().total, abs=1e-3)
    assert [t["orders"]["withdraw"] for t in played["turns"]] == [t == 3 for t in range(1, len(played["turns"]) + 1)]
    assert played["turns"][0]["orders"]["postures"] == {
        "centre": "fortify",
        "north": "hold",
        "east": "delay",
        "corridor": "hold",
    }
    assert "requested on turn 3" in path.read_text()


def test_the_command_writes_an_orders_file_that_salient_run_accepts(tmp_path, capsys):
    path = tmp_path / "best.yaml"
    code, out, err = cli(
        capsys,
        "optimise",
        str(SMALL),
        "--budget",
        "8",
        "--runs",
        "30",
        "--population",
        "4",
        "--check-runs",
        "30",
        "--workers",
        "1",
        "-o",
        str(path),
    )
    assert code == 0, err
    assert "The best plan found" in out and f"Orders file {path}" in out
    text = path.read_text()
    assert text.startswith("# The best plan `salient optimise` found") and "\nturns:\n  1:\n" in text
    for seed in ("0", "1", "2"):
        code, played, err = cli(capsys, "run", str(SMALL), "--seed", seed, "--orders", str(path))
        assert code == 0, err
        assert "score" in played
    code, out, err = cli(
        capsys,
        "optimise",
        str(SMALL),
        "--budget",
        "8",
        "--runs",
        "30",
        "--population",
        "4",
        "--check-runs",
        "30",
        "--workers",
        "1",
        "--json",
    )
    data = json.loads(out)
    assert data["search"]["evaluations"] == 8 and data["orders"]["1"]["drones"]
    assert [s["name"] for s in data["scored"]] == ["optimised", *POLICIES]


# --- bad input ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--budget", "0"], "--budget must be at least 1 (got 0)"),
        (["--runs", "0"], "--runs must be at least 1 (got 0)"),
        (["--workers", "0"], "--workers must be at least 1 (got 0)"),
        (["--check-runs", "1"], "--check-runs must be at least 2"),
        (["--seed", "-1"], "--seed must be a non-negative integer"),
    ],
)
def test_bad_numbers_are_a_clear_message(capsys, args, expected):
    code, out, err = cli(capsys, "optimise", str(SMALL), *args)
    assert code == 1 and out == ""
    assert expected in err and "Traceback" not in err


def test_a_missing_or_broken_scenario_is_a_clear_message(tmp_path, capsys):
    code, _, err = cli(capsys, "optimise", str(tmp_path / "nowhere.yaml"))
    assert code == 1 and "nowhere.yaml" in err and "Traceback" not in err
    code, _, err = cli(capsys, "optimise", str(ROOT / "tests" / "broken" / "bad_enum.yaml"))
    assert code == 1 and "bad_enum.yaml:" in err and "Traceback" not in err
    code, _, err = cli(capsys, "optimise", str(SMALL), "-o", str(tmp_path / "no" / "such" / "plan.yaml"))
    assert code == 1 and "no such folder" in err
