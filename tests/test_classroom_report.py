"""The class report, checked against the database it is built from (real games, drills and an intervention)."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from pathlib import Path

import pytest

from game.classroom.db import ClassDB
from game.classroom.drills import DrillSession, conclude, drill_for_turn
from game.classroom.recorder import record_game
from game.classroom.render import render
from game.classroom.report import build_report, kendall_tau
from game.classroom.umpire import Umpire
from game.cli import main
from game.engine.game import Game
from game.engine.orders import EwAllocation
from game.engine.policies import POLICIES
from game.record.journal import Journal
from game.scenario.load import load_scenario

BASE = Path(__file__).parent / "fixtures" / "check_base.yaml"
CLASS = [  # trainee, policy, seed, ranking at the road drill, estimate, seconds taken
    ("Ann", "hold", 1, ["hold", "screen", "leave"], 0.1, 30),
    ("Bob", "hold_sudzha_road", 2, ["screen", "leave", "hold"], 0.2, 50),
    ("Cid", "delay_withdraw", 3, ["leave", "screen", "hold"], 0.6, 20),
    ("Dee", "hold_sudzha_road", 4, ["screen", "hold", "leave"], 0.05, 90),
    ("Eve", "hold", 5, ["hold", "leave", "screen"], 0.5, 200),  # too late: the standing orders stand
]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def play_one(
    folder: Path, scenario, trainee: str, policy: str, seed: int, ranking: list[str], p: float, seconds: float, db: Path
) -> None:
    path = folder / f"{trainee}.jsonl"
    journal = Journal.create(path, scenario, str(BASE), seed, trainee)
    game = Game(scenario, seed)
    if trainee == "Ann":
        Umpire(game, journal).intervene("change_stock", "drones", 100, "a delivery the class did not expect")
    while not game.finished:
        orders = POLICIES[policy](game)
        if trainee == "Ann":  # most of her jammers on the road, against a partly fibre-optic threat
            ew = orders.ew.front + orders.ew.road
            orders = orders.model_copy(update={"ew": EwAllocation(front=ew // 4, road=ew - ew // 4)})
        drill = drill_for_turn(scenario, game.turn)
        if drill is not None:
            clock = Clock()
            session = DrillSession(drill, clock=clock)
            clock.now = seconds
            if drill.rank_options:
                answer = session.submit(f"{trainee} thinks so", ranking, estimate=p)
            else:
                answer = session.submit("", chosen=drill.options[0].id, estimate=p)
            orders, _ = conclude(game, journal, drill, answer, orders, replications=200)
        turn, intel = game.turn, game.intel()
        report = game.play(orders)
        journal.append_turn(turn, orders, intel, None, report)
    record_game(path, db_path=db, score=game.score())


@pytest.fixture(scope="module")
def class_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("class")
    db = folder / "class.sqlite3"
    scenario = load_scenario(BASE)
    for row in CLASS:
        play_one(folder, scenario, *row, db=db)
    return db


@pytest.fixture(scope="module")
def report(class_db):
    with ClassDB(class_db, readonly=True) as db:
        return build_report(db)


def rows(db_path: Path, sql: str, params: tuple = ()) -> list:
    with ClassDB(db_path, readonly=True) as db:
        return db.query(sql, params)


def test_summary_matches_the_games_table(class_db, report):
    (sc,) = report.scenarios
    games = rows(class_db, "SELECT * FROM games")
    assert sc.games == len(games) == 5 and sc.trainees == 5
    assert sc.endings == dict(Counter(g["ending"] for g in games if g["finished"]))
    assert sc.mean_score == pytest.approx(statistics.fmean(g["score"] for g in games))
    assert [p.turn for p in sc.decision_points] == [2, 4]  # the drill and expert turns


def test_choices_and_outcomes_match_the_decisions_table(class_db, report):
    point = report.scenarios[0].decision_points[0]
    decided = rows(class_db, "SELECT d.*, g.trainee FROM decisions d JOIN games g ON g.id = d.game_id WHERE turn = 2")
    assert point.games == len(decided)
    ew = next(d for d in point.dimensions if d.key == "ew")
    for choice in ew.choices:
        mine = [r for r in decided if json.loads(r["choices_json"])["ew"] == choice.choice]
        assert choice.games == len(mine)
        assert choice.trainees == sorted({r["trainee"] for r in mine})
        outcomes = [json.loads(r["outcome_json"]) for r in mine]
        assert choice.own_losses == pytest.approx(statistics.fmean(o["own_losses"] for o in outcomes))
        assert choice.road_cut == pytest.approx(statistics.fmean(float(o["road_cut"]) for o in outcomes))
        models = [json.loads(r["model_json"]) for r in mine if r["model_json"]]
        assert choice.model is not None and choice.model.forecasts == len(models)
        assert choice.model.p_road_cut == pytest.approx(statistics.fmean(m["p_road_cut"] for m in models))
    assert sum(c.games for c in ew.choices) == point.games


def test_the_drill_and_the_expert(class_db, report):
    road, corridor = report.scenarios[0].decision_points
    drill = road.drill
    assert drill is not None and drill.answers == 5 and drill.late == 1 and drill.rationales == 5
    first = {o.id: o.first for o in drill.options}
    assert first == {"hold": 2, "screen": 2, "leave": 1}
    assert {o.id: o.expert_rank for o in drill.options} == {"hold": 3, "screen": 1, "leave": 2}
    expert = ["screen", "leave", "hold"]
    assert drill.agreement == pytest.approx(statistics.fmean(kendall_tau(r[3], expert) for r in CLASS))
    assert drill.mean_estimate == pytest.approx(statistics.fmean(r[4] for r in CLASS))
    assert drill.expert_estimate == 0.1 and drill.median_seconds == 50
    assert road.expert_rationale.startswith("The road is the grouping's lifeline")
    posture = next(d for d in corridor.dimensions if d.key == "posture:corridor")
    assert posture.expert_choice == "fortify"
    assert [c.expert for c in posture.choices] == [c.choice == "fortify" for c in posture.choices]


def test_calibration_and_moments_per_trainee(class_db, report):
    by_name = {t.trainee: t for t in report.scenarios[0].by_trainee}
    estimates = rows(
        class_db,
        "SELECT g.trainee, d.estimate_json FROM decisions d JOIN games g ON g.id = d.game_id "
        "WHERE d.estimate_json IS NOT NULL",
    )
    for name, stat in by_name.items():
        mine = [json.loads(r["estimate_json"]) for r in estimates if r["trainee"] == name]
        assert stat.calibration is not None and stat.calibration.estimates == len(mine) >= 1  # Cid left by turn 4
        assert stat.calibration.brier == pytest.approx(statistics.fmean((e["p"] - e["outcome"]) ** 2 for e in mine))
        assert stat.calibration.model_brier == pytest.approx(
            statistics.fmean((e["model_p"] - e["outcome"]) ** 2 for e in mine)
        )
    moments = rows(class_db, "SELECT g.trainee, m.moment_id FROM moments m JOIN games g ON g.id = m.game_id")
    for name, stat in by_name.items():
        assert {m.id for m in stat.moments} == {r["moment_id"] for r in moments if r["trainee"] == name}
    assert any(m.id == "tm_ew_road" for m in by_name["Ann"].moments)  # Ann put most jammers on the road
    assert by_name["Ann"].interventions == 1 and by_name["Bob"].interventions == 0
    (iv,) = report.scenarios[0].interventions
    assert iv["reason"] == "a delivery the class did not expect" and iv["trainee"] == "Ann"


def test_formats_and_the_command(class_db, report, capsys):
    md = render(report, "md")
    assert "### Decision point: turn 2" in md and "★ expert" in md and "| Trainee |" in md
    assert "a delivery the class did not expect" in md
    page = render(report, "html")
    assert page.startswith("<!DOCTYPE html>") and "<table>" in page and "★ expert" in page
    assert main(["class", "report", "--db", str(class_db), "--format", "json", "--scenario", "check_base"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scenarios"][0]["games"] == 5
    assert data["scenarios"][0]["decision_points"][0]["drill"]["late"] == 1
    assert main(["class", "report", "--db", str(class_db), "--turns", "1,3"]) == 0
    assert "Decision point: turn 3" in capsys.readouterr().out
    assert main(["class", "report", "--db", str(class_db), "--scenario", "nope"]) == 1
    assert main(["class", "games", "--db", str(class_db)]) == 0
    assert capsys.readouterr().out.count("check_base") == 5


def test_kendall_tau():
    assert kendall_tau(["a", "b", "c"], ["a", "b", "c"]) == 1
    assert kendall_tau(["c", "b", "a"], ["a", "b", "c"]) == -1
    assert kendall_tau(["a"], ["a", "b"]) is None


def test_the_class_record_lists_the_moments_the_aar_shows(tmp_path):
    from game.classroom.records import record_from_path
    from game.debrief.aar import build_aar
    from game.record.journal import load_journal

    scenario = load_scenario(BASE)
    for policy, seed in (("hold", 1), ("delay_withdraw", 2), ("hold_sudzha_road", 3)):
        path = tmp_path / f"{policy}.jsonl"
        journal = Journal.create(path, scenario, str(BASE), seed, "Cadet M")
        game = Game(scenario, seed)
        while not game.finished:
            orders, turn = POLICIES[policy](game), game.turn
            journal.append_turn(turn, orders, None, None, game.play(orders))
        ours = {(m["moment"], m["turn"]) for m in record_from_path(path).moments}
        theirs = {(m.id, m.turn) for m in build_aar(load_journal(path)).moments}
        assert ours == theirs
