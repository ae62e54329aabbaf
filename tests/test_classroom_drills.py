"""Decision drills, headless: complete answers, the time limit (on a fake clock), orders, journal and calibration."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.classroom.drills import (
    DrillError, DrillSession, brier, drill_for_turn, journal_answer, option_orders, orders_after_drill, with_model_p,
)
from game.classroom.records import record_from_path
from game.engine.game import Game
from game.engine.orders import Orders
from game.engine.policies import POLICIES
from game.record.journal import Journal
from game.scenario.load import load_scenario

from test_classroom_support import FakeClock

BASE = Path(__file__).parent / "fixtures" / "check_base.yaml"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(BASE)


def test_the_drill_of_a_turn(scenario):
    assert drill_for_turn(scenario, 2).id == "d_road"
    assert drill_for_turn(scenario, 3) is None


def test_an_incomplete_answer_in_time_is_refused_with_every_problem(scenario):
    session = DrillSession(drill_for_turn(scenario, 2), clock=FakeClock())
    with pytest.raises(DrillError) as caught:
        session.submit(rationale=" ", ranking=["hold", "screen"], estimate=None)
    problems = caught.value.problems
    assert any("rationale" in p for p in problems)
    assert any("rank every option" in p for p in problems)
    assert any("estimate" in p for p in problems)
    assert session.answer is None
    assert session.problems("why", ["screen", "leave", "hold"], estimate=1.5) == [
        "an estimate is a probability between 0% and 100%"]


def test_a_timely_answer_records_rationale_ranking_estimate_and_timing(scenario):
    clock = FakeClock()
    session = DrillSession(drill_for_turn(scenario, 2), clock=clock, wall=lambda: "2025-03-05T18:00:00Z")
    clock.now += 42.5
    assert session.remaining() == pytest.approx(77.5) and not session.expired()
    answer = session.submit(rationale="The road feeds everything.", ranking=["screen", "leave", "hold"], estimate=0.3)
    assert (answer.drill, answer.turn, answer.chosen) == ("d_road", 2, "screen")
    assert answer.rationale == "The road feeds everything." and answer.ranking == ["screen", "leave", "hold"]
    assert answer.estimate == 0.3 and answer.metric == "p_road_cut" and answer.question == "q_cut"
    assert answer.elapsed_s == pytest.approx(42.5) and not answer.late and answer.orders_from == "option"
    assert answer.started == "2025-03-05T18:00:00Z"
    with pytest.raises(DrillError, match="already"):
        session.submit(rationale="again", ranking=["screen", "leave", "hold"], estimate=0.3)


def test_a_late_answer_is_kept_but_the_standing_orders_stand(scenario):
    clock = FakeClock()
    drill = drill_for_turn(scenario, 2)
    session = DrillSession(drill, clock=clock)
    clock.now += 121
    assert session.expired() and session.remaining() == 0
    answer = session.submit(rationale="", ranking=["hold", "screen", "leave"], estimate=0.8)
    assert answer.late and answer.orders_from == "standing" and answer.elapsed_s == pytest.approx(121)
    assert answer.problems == ["write a rationale: why this choice?"]
    game = Game(scenario, 5)
    game.play(game.default_orders())
    drafted = POLICIES["hold"](game)
    assert orders_after_drill(game, drill, answer, drafted) == game.default_orders()


def test_the_clock_running_out_records_what_was_typed(scenario):
    clock = FakeClock()
    session = DrillSession(drill_for_turn(scenario, 2), clock=clock)
    clock.now += 500
    answer = session.time_out(rationale="half a thought")
    assert answer.timed_out and answer.late and answer.rationale == "half a thought" and answer.estimate is None
    assert session.time_out() is answer


def test_the_chosen_option_gives_the_orders(scenario):
    game = Game(scenario, 5)
    game.play(game.default_orders())
    d_road = drill_for_turn(scenario, 2)
    answer = DrillSession(d_road, clock=FakeClock()).submit("why", ["screen", "leave", "hold"], estimate=0.2)
    assert orders_after_drill(game, d_road, answer, Orders()) == POLICIES["hold_sudzha_road"](game)
    d_corr = drill_for_turn(scenario, 4)
    assert option_orders(game, d_corr, "fortify").postures == {"corridor": "fortify"}
    no_option = DrillSession(d_corr, clock=FakeClock())
    with pytest.raises(DrillError, match="choose one option"):
        no_option.submit(estimate=0.5)


def test_a_drill_answer_reaches_the_journal_and_the_class_record(tmp_path, scenario):
    path = tmp_path / "drilled.jsonl"
    journal = Journal.create(path, scenario, str(BASE), seed=9, trainee="Cadet D")
    game = Game(scenario, 9)
    game_turn = lambda orders: journal.append_turn(game.turn, orders, game.intel(), None, game.play(orders))  # noqa: E731
    game_turn(game.default_orders())
    drill = drill_for_turn(scenario, game.turn)
    clock = FakeClock()
    session = DrillSession(drill, clock=clock)
    clock.now += 30
    answer = session.submit("Screen the road.", ["screen", "leave", "hold"], estimate=0.25)
    orders = orders_after_drill(game, drill, answer, game.default_orders())
    answer = with_model_p(answer, game, orders, replications=300)
    assert answer.model_p is not None and 0.0 <= answer.model_p <= 1.0
    journal_answer(journal, answer)
    game_turn(orders)
    rec = record_from_path(path)
    row = next(d for d in rec.decisions if d.turn == 2)
    assert row.rationale == "Screen the road." and row.ranking == ["screen", "leave", "hold"] and row.chosen == "screen"
    assert row.estimate["p"] == 0.25 and row.estimate["model_p"] == answer.model_p
    assert row.estimate["outcome"] == int(game.history[-1].road_cut_turns > 0)
    assert row.drill["elapsed_s"] == pytest.approx(30) and row.drill["late"] is False


def test_brier_score():
    assert brier([]) is None
    assert brier([(1.0, 1), (0.0, 0)]) == 0.0
    assert brier([(0.5, 1), (0.5, 0)]) == 0.25
    assert brier([(0.8, 0)]) == pytest.approx(0.64)
