"""Decision drills, headless: when a drill is put (its trigger), complete answers, the time limit (on a fake
clock), orders, journal, old journals, the class report and calibration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_classroom_support import FakeClock, fake_score, minimal, write_journal

from game.classroom.db import ClassDB
from game.classroom.drills import (
    DrillError,
    DrillSession,
    brier,
    conclude,
    drill_due,
    drill_for_turn,
    drill_status,
    journal_answer,
    option_orders,
    orders_after_drill,
    with_model_p,
)
from game.classroom.records import record_from_path
from game.classroom.render import render
from game.classroom.replayed import decision_turns
from game.classroom.report import build_report
from game.engine.game import Game
from game.engine.injects import metric
from game.engine.orders import EwAllocation, Orders
from game.engine.params import PLAYER
from game.engine.policies import POLICIES
from game.record.canonical import sha256_hex, to_jsonable
from game.record.journal import Journal, load_journal, replay
from game.scenario import Scenario
from game.scenario.drills import Drill, DrillTrigger, expert_for_turn
from game.scenario.injects import Condition
from game.scenario.load import ScenarioError, load_scenario, parse_scenario_text

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
        "an estimate is a probability between 0% and 100%"
    ]


def test_a_timely_answer_records_rationale_ranking_estimate_and_timing(scenario):
    clock = FakeClock()
    session = DrillSession(drill_for_turn(scenario, 2), clock=clock, wall=lambda: "2025-03-05T18:00:00Z")
    clock.now += 42.5
    assert session.remaining() == pytest.approx(77.5) and not session.expired()
    answer = session.submit(rationale="The road feeds everything.", ranking=["screen", "leave", "hold"], estimate=0.3)
    assert (answer.drill, answer.turn, answer.chosen) == ("d_road", 2, "screen")
    assert answer.rationale == "The road feeds everything." and answer.ranking == ["screen", "leave", "hold"]
    assert answer.estimate == 0.3 and answer.metric == "p_road_cut" and answer.question == "q_cut"
    assert answer.elapsed_s == pytest.approx(42.5) and not answer.late
    assert answer.orders_from == "trainee" and not answer.adopted  # a ranking is an answer, not an order
    assert answer.started == "2025-03-05T18:00:00Z"
    with pytest.raises(DrillError, match="already"):
        session.submit(rationale="again", ranking=["screen", "leave", "hold"], estimate=0.3)


def test_a_late_answer_is_kept_and_the_trainee_keeps_their_orders(scenario):
    clock = FakeClock()
    drill = drill_for_turn(scenario, 2)
    session = DrillSession(drill, clock=clock)
    clock.now += 121
    assert session.expired() and session.remaining() == 0
    answer = session.submit(rationale="", ranking=["hold", "screen", "leave"], estimate=0.8, adopt=True)
    assert answer.late and answer.elapsed_s == pytest.approx(121)
    assert answer.orders_from == "trainee" and not answer.adopted  # too late to adopt an option
    assert answer.problems == ["write a rationale: why this choice?"]
    game = Game(scenario, 5)
    game.play(game.default_orders())
    drafted = POLICIES["hold"](game)
    assert drafted != game.default_orders()
    assert orders_after_drill(game, drill, answer, drafted) is drafted


def test_the_clock_running_out_records_what_was_typed_and_keeps_the_orders(scenario):
    clock = FakeClock()
    drill = drill_for_turn(scenario, 2)
    session = DrillSession(drill, clock=clock)
    clock.now += 500
    answer = session.time_out(rationale="half a thought", ranking=["hold", "screen", "leave"], chosen="hold")
    assert answer.timed_out and answer.late and answer.rationale == "half a thought" and answer.estimate is None
    assert answer.chosen is None and answer.orders_from == "trainee"  # the ranking as shown chose nothing
    assert session.time_out() is answer
    game = Game(scenario, 5)
    game.play(game.default_orders())
    drafted = POLICIES["hold_sudzha_road"](game).model_copy(update={"netting": False})
    orders, recorded = conclude(game, None, drill, answer, drafted, replications=50)
    assert orders is drafted and recorded.orders_from == "trainee"
    # the model's probability is that of the orders carried out: the trainee's own
    assert recorded.model_p == with_model_p(answer, game, drafted, replications=50).model_p


def test_the_chosen_option_gives_the_orders_only_when_the_trainee_asks(scenario):
    game = Game(scenario, 5)
    game.play(game.default_orders())
    d_road = drill_for_turn(scenario, 2)
    kept = DrillSession(d_road, clock=FakeClock()).submit("why", ["screen", "leave", "hold"], estimate=0.2)
    own = game.default_orders()
    assert orders_after_drill(game, d_road, kept, own) is own
    answer = DrillSession(d_road, clock=FakeClock()).submit(
        "why", ["screen", "leave", "hold"], estimate=0.2, adopt=True
    )
    assert answer.adopted and answer.orders_from == "option"
    assert orders_after_drill(game, d_road, answer, own) == POLICIES["hold_sudzha_road"](game)
    orders, recorded = conclude(game, None, d_road, answer, own, replications=50)
    assert orders == POLICIES["hold_sudzha_road"](game) and recorded.adopted
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


# --- when a drill is put: its trigger ----------------------------------------------------------------------

BREACH = {
    "id": "d_breach",
    "title": "The north is giving way",
    "rationale": "optional",
    "trigger": {
        "after_turn": 2,
        "conditions": [{"metric": "sector_progress", "target": "north", "op": ">=", "value": 0.5}],
    },
    "options": [
        {"id": "stay", "label": "Stay and hold", "policy": "hold"},
        {"id": "go", "label": "Delay and go", "policy": "delay_withdraw"},
    ],
}
BREACH_EXPERT = {
    "drill": "d_breach",
    "ranking": ["go", "stay"],
    "rationale": "Go while the road works.",
    "policy": "delay_withdraw",
}


def with_drills(base: Scenario, drills: list[dict], expert: list[dict] = ()) -> Scenario:
    """The scenario with these drills and expert lines added (validated as a file would be)."""
    data = base.model_dump(mode="json")
    data["drills"] = [*data["drills"], *drills]
    data["expert"] = [*data["expert"], *expert]
    return Scenario.model_validate(data)


def test_turn_is_short_for_a_turn_trigger(scenario):
    d_road = next(d for d in scenario.drills if d.id == "d_road")
    assert d_road.turn is None and d_road.trigger == DrillTrigger(turn=2) and d_road.fixed_turn == 2
    assert Drill.model_validate({"id": "d", "turn": 5}) == Drill.model_validate({"id": "d", "trigger": {"turn": 5}})
    again = Scenario.model_validate(to_jsonable(scenario))  # a dump, as a journal keeps it, loads again
    assert again.drills == scenario.drills and again.expert == scenario.expert
    breach = Drill.model_validate(BREACH)
    assert breach.fixed_turn is None and breach.when.after_turn == 2
    assert Drill.model_validate({"id": "d", "trigger": {"turn": 3, "after_turn": 4}}).fixed_turn is None  # never put
    with pytest.raises(ValueError, match="needs a trigger"):
        Drill.model_validate({"id": "d"})
    with pytest.raises(ValueError, match="needs a turn, an after_turn or conditions"):
        Drill.model_validate({"id": "d", "trigger": {}})


def test_a_conditional_drill_is_put_the_first_turn_its_condition_holds_and_only_once(tmp_path, scenario):
    sc = with_drills(scenario, [BREACH], [BREACH_EXPERT])  # after d_road (turn 2) and d_corridor (turn 4)
    path = tmp_path / "breach.jsonl"
    journal = Journal.create(path, sc, str(BASE), seed=3, trainee="Cadet B")
    game = Game(sc, 3)
    north = game.params.sectors.ids.index("north")
    # the north's progress the triggers are judged on, turn by turn, while the north is held (the game itself
    # plays on untouched): high before after_turn, low on turn 3, high again on the corridor drill's turn and after
    shown = {1: 0.9, 2: 0.9, 3: 0.1, 4: 0.9, 5: 0.8, 6: 0.9}
    answers = {
        "d_road": {"rationale": "the road", "ranking": ["screen", "leave", "hold"], "estimate": 0.2},
        "d_corridor": {"chosen": "fortify", "estimate": 0.3},
        "d_breach": {"chosen": "stay"},
    }
    fixed = {2: "d_road", 4: "d_corridor"}
    cond = Condition(metric="sector_progress", target="north", op=">=", value=0.5)
    put: dict[str, int] = {}
    holds: dict[int, bool] = {}
    while not game.finished and game.turn <= 6:
        turn, real = game.turn, game.state
        seen = real.copy()
        held = bool(seen.holder[0, north] == PLAYER)
        if held:
            seen.progress[0, north] = shown[turn]
        game.state = seen
        # the engine's metric: the attacker's progress while the sector is held, 1 once it is lost
        assert float(metric(game.params, seen, cond)[0]) == pytest.approx(shown[turn] if held else 1.0)
        holds[turn] = turn >= 2 and (not held or shown[turn] >= 0.5)
        due = drill_due(sc, game, put)
        game.state = real
        orders = POLICIES["hold_sudzha_road"](game)
        if turn in fixed:
            assert due is not None and due.id == fixed[turn]  # a fixed drill comes first (the scenario's order)
        elif due is not None:
            assert due.id == "d_breach"
        if due is not None:
            answer = DrillSession(due, turn, clock=FakeClock()).submit(**answers[due.id])
            orders, answer = conclude(game, journal, due, answer, orders, replications=50)
            put[due.id] = turn
            assert answer.turn == turn  # the answer records the turn it was put at
            game.state = seen
            assert drill_due(sc, game, put) is None  # one drill a turn: the breach waits, even where it holds
            assert any(f"put at turn {turn}" in line for line in drill_status(sc, game, put))  # the umpire's view
            game.state = real
        journal.append_turn(turn, orders, game.intel(), None, game.play(orders))
    assert holds[1] is False and holds[2] is True  # not before after_turn 2; on turn 2 d_road was put instead
    first = next(t for t in sorted(holds) if t >= 3 and t not in fixed and holds[t])
    assert put == {"d_road": 2, "d_corridor": 4, "d_breach": first}  # the first turn it holds, and never again
    loaded = load_journal(path)
    assert loaded.drills_put() == put
    assert decision_turns(loaded) == {2, 4, first}  # the turns the drills were put at (and the expert's)
    assert expert_for_turn(sc, first, put).drill == "d_breach"  # its expert line applies where it was put


def test_no_drill_is_put_while_the_grouping_withdraws(scenario):
    staying, leaving = Game(scenario, 5), Game(scenario, 5)
    staying.play(Orders())
    leaving.play(Orders(withdraw=True))  # two turns to get out: on turn 2 it is under way
    assert staying.turn == leaving.turn == 2 and leaving.withdrawing and not leaving.finished
    assert drill_due(scenario, staying, {}).id == "d_road"  # the fixed turn-2 drill
    assert drill_due(scenario, leaving, {}) is None  # nothing left to decide: the withdrawal cannot be called back


def test_the_umpire_sees_what_each_drill_waits_for(scenario):
    sc = with_drills(scenario, [BREACH])
    game = Game(sc, 1)
    lines = drill_status(sc, game, {})
    assert lines[0].startswith("d_road (The road or the town?): not put yet; put at turn 2")
    assert lines[2].endswith("put from turn 2, when the enemy's progress into north (0-1, 1 once lost) >= 0.5")


TRIGGER_PROBLEMS = [
    ("    turn: 2\n", "    turn: 2\n    trigger: {turn: 2}\n", "    turn: 2", "drills.d_road.turn", "not both"),
    (
        "  - id: d_corridor\n    turn: 4\n",
        "  - id: d_corridor\n    trigger:\n      conditions:\n        - {metric: sector_progress, target: nowhere, op: "
        '">=", value: 0.5}\n',
        "target: nowhere",
        "drills.d_corridor.trigger.conditions[0].target",
        "names sector 'nowhere', which does not exist",
    ),
    (
        "  - turn: 4\n    drill: d_corridor\n",
        "  - drill: d_corridor\n    turn: 5\n",
        "drill: d_corridor",
        "expert[1].drill",
        "answers drill 'd_corridor', which is set for turn 4",
    ),
]


@pytest.mark.parametrize(("old", "new", "at", "field", "words"), TRIGGER_PROBLEMS)
def test_trigger_mistakes_are_positioned_errors(old, new, at, field, words):
    text = BASE.read_text(encoding="utf-8")
    assert text.count(old) == 1
    broken = text.replace(old, new)
    with pytest.raises(ScenarioError) as caught:
        parse_scenario_text(broken, source="drills.yaml")
    problem = next(p for p in caught.value.problems if words in p.message)
    lines = broken.splitlines()
    line = next(i for i, x in enumerate(lines, start=1) if at in x and i > lines.index("drills:"))
    assert (problem.path, problem.line, problem.field) == ("drills.yaml", line, field)
    assert str(problem).startswith(f"drills.yaml:{line}:{problem.col}: {field}: ")


def test_an_expert_line_answers_a_drill_or_a_turn(scenario):
    data = scenario.model_dump(mode="json")
    data["expert"].append({"rationale": "Nothing to answer."})
    with pytest.raises(ValueError, match="needs the drill it answers"):
        Scenario.model_validate(data)
    sc = with_drills(scenario, [BREACH], [BREACH_EXPERT])
    assert expert_for_turn(sc, 6, {"d_breach": 6}).drill == "d_breach"
    assert expert_for_turn(sc, 6, {}) is None  # a conditional drill never put: no expert line that turn
    assert expert_for_turn(sc, 4, {"d_breach": 5}).drill == "d_corridor"


# --- journals written before triggers ----------------------------------------------------------------------


def test_an_old_journal_with_a_drill_at_a_fixed_turn_replays(tmp_path, scenario):
    path = tmp_path / "old.jsonl"
    journal = Journal.create(path, scenario, str(BASE), seed=4, trainee="Cadet O")
    game = Game(scenario, 4)
    for _ in range(3):
        orders, turn = game.default_orders(), game.turn
        drill = drill_for_turn(scenario, turn)
        if drill is not None:
            answer = DrillSession(drill, clock=FakeClock()).submit("why not", ["hold", "screen", "leave"], estimate=0.4)
            orders, _ = conclude(game, journal, drill, answer, orders, replications=50)
        journal.append_turn(turn, orders, game.intel(), None, game.play(orders))
    # as Salient wrote it before triggers: `turn: N` in every drill, a turn in every expert line
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    for d in header["scenario"]["drills"]:
        d["turn"] = d.pop("trigger")["turn"]
    assert all(isinstance(e["turn"], int) for e in header["scenario"]["expert"])
    header["scenario_sha256"] = sha256_hex(header["scenario"])
    path.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n", encoding="utf-8")

    loaded = load_journal(path)
    assert loaded.intact and "trigger" not in loaded.header.scenario["drills"][0]
    assert [d.fixed_turn for d in loaded.scenario.drills] == [2, 4]
    again = replay(loaded)  # every turn replayed and checked against its report
    assert [to_jsonable(r) for r in again.history] == [to_jsonable(r) for r in game.history]
    assert loaded.drills_put() == {"d_road": 2}
    assert decision_turns(loaded) == {2, 4}
    row = next(d for d in record_from_path(path).decisions if d.turn == 2)
    assert row.drill["drill"] == "d_road" and row.ranking == ["hold", "screen", "leave"]
    from game.tui.session import Session

    session = Session.load(path)
    assert session.drills_put == {"d_road": 2} and session.drilled_turns == {2}
    assert session.game.turn == 4 and session.drill_due().id == "d_corridor"  # the next one, not the old one again


# --- the class report: one drill, whatever turn it was put at --------------------------------------------------


def test_the_class_report_groups_a_conditional_drill_put_at_different_turns(tmp_path):
    data = minimal().model_dump(mode="json")
    data["drills"] = [
        {
            "id": "d_north",
            "title": "The north is lost",
            "trigger": {"conditions": [{"metric": "sector_held", "target": "north", "op": "==", "value": 0}]},
            "options": [{"id": "stay", "label": "Stay"}, {"id": "go", "label": "Go"}],
            "estimate": {"id": "q_cut", "text": "How likely is the road to be cut?", "metric": "p_road_cut"},
        }
    ]
    data["expert"] = [
        {"drill": "d_north", "ranking": ["go", "stay"], "rationale": "Leave while the road works.", "estimate": 0.6}
    ]
    sc = Scenario.model_validate(data)
    db_path = tmp_path / "class.db"
    # hand-made journals: each trainee was put the drill at the turn its record says (never, for Cid)
    for trainee, turn, chosen, p in (("Ann", 2, "go", 0.7), ("Bob", 3, "stay", 0.2), ("Cid", None, None, None)):
        drill = (
            None
            if turn is None
            else {
                "turn": turn,
                "drill": "d_north",
                "rationale": f"{trainee}: {chosen}",
                "ranking": [],
                "chosen": chosen,
                "estimate": {"question": "q_cut", "metric": "p_road_cut", "p": p, "model_p": 0.5},
                "started": "2025-03-01T06:00:00Z",
                "elapsed_s": 20.0,
                "time_limit_s": None,
                "late": False,
            }
        )
        path = write_journal(tmp_path / f"{trainee}.jsonl", trainee, "hold", drill=drill, scenario=sc)
        with ClassDB(db_path) as db:
            db.record(record_from_path(path, score=fake_score(10.0)))
    with ClassDB(db_path, readonly=True) as db:
        report = build_report(db)
    (point,) = report.scenarios[0].decision_points  # one point for the drill, not one per turn
    assert (point.drill_id, point.turn, point.turns, point.games) == ("d_north", 2, [2, 3], 2)
    assert point.trigger == "when north is lost"
    drill = point.drill
    assert drill is not None and drill.answers == 2 and {o.id: o.first for o in drill.options} == {"stay": 1, "go": 1}
    assert drill.mean_estimate == pytest.approx(0.45) and drill.expert_estimate == 0.6
    assert {o.id: o.expert_rank for o in drill.options} == {"go": 1, "stay": 2}
    assert point.expert_rationale == "Leave while the road works."
    md = render(report, "md")
    assert "### Decision point: drill “The north is lost”, put at turns 2, 3 (2 games)" in md
    assert "Put when north is lost." in md
    assert json.loads(render(report, "json"))["scenarios"][0]["decision_points"][0]["turns"] == [2, 3]


# --- the class report counts what was answered and blames only orders given -----------------------------------


def _drilled_game(path: Path, scenario, seed: int, trainee: str, answer_at_2, ew_road_heavy: bool = False) -> None:
    """Three turns of a game whose turn-2 drill is answered by `answer_at_2(session)`; the trainee's own orders."""
    journal = Journal.create(path, scenario, str(BASE), seed=seed, trainee=trainee)
    game = Game(scenario, seed)
    for _ in range(3):
        orders, turn = POLICIES["hold"](game), game.turn
        if ew_road_heavy:
            orders = orders.model_copy(update={"ew": EwAllocation(front=0, road=orders.ew.front + orders.ew.road)})
        drill = drill_for_turn(scenario, turn)
        if drill is not None:
            answer = answer_at_2(DrillSession(drill, clock=FakeClock()))
            played, _ = conclude(game, journal, drill, answer, orders, replications=50)
            assert played is orders
        journal.append_turn(turn, orders, game.intel(), None, game.play(orders))


def test_a_timed_out_drill_ranks_nothing_in_the_class_report(tmp_path, scenario):
    answered = lambda s: s.submit("The road.", ["screen", "leave", "hold"], estimate=0.2)  # noqa: E731

    def ran_out(s: DrillSession):
        s._clock.now += 500
        return s.time_out(ranking=[o.id for o in s.drill.options])  # the ranking as shown, untouched

    _drilled_game(tmp_path / "a.jsonl", scenario, 1, "Ann", answered)
    _drilled_game(tmp_path / "b.jsonl", scenario, 2, "Bob", ran_out)
    db_path = tmp_path / "class.sqlite3"
    with ClassDB(db_path) as db:
        for name in ("a", "b"):
            db.record(record_from_path(tmp_path / f"{name}.jsonl"))
    with ClassDB(db_path, readonly=True) as db:
        report = build_report(db)
    drill = report.scenarios[0].decision_points[0].drill
    assert drill.answers == 2 and drill.late == 1 and drill.timed_out == 1
    assert {o.id: o.first for o in drill.options} == {"hold": 0, "screen": 1, "leave": 0}  # Bob ranked nothing
    assert {o.id: o.mean_rank for o in drill.options} == {"hold": 3, "screen": 1, "leave": 2}
    assert drill.agreement == 1.0  # Ann's ranking is the expert's; Bob's untouched list is not counted
    assert "2 answers, 1 late (1 when the time ran out, ranking nothing)" in render(report, "md")


def test_orders_an_old_drill_put_in_place_of_the_trainees_are_not_held_against_them(tmp_path, scenario):
    """Journals from before drills left orders alone: a moment at a turn whose orders a drill imposed is dropped."""

    def old_style(s: DrillSession):
        return s.submit("The road.", ["screen", "leave", "hold"], estimate=0.2)

    _drilled_game(tmp_path / "own.jsonl", scenario, 3, "Own", old_style, ew_road_heavy=True)
    own = record_from_path(tmp_path / "own.jsonl")
    assert 2 in {m["turn"] for m in own.moments if m["moment"] == "tm_ew_road"}  # their own orders: a moment
    lines = (tmp_path / "own.jsonl").read_text(encoding="utf-8").splitlines()
    old = []
    for line in lines:
        rec = json.loads(line)
        if rec.get("type") == "drill":  # as written before: orders_from "option", no `adopted`
            rec["orders_from"] = "option"
            rec.pop("adopted")
        old.append(json.dumps(rec))
    (tmp_path / "old.jsonl").write_text("\n".join(old) + "\n", encoding="utf-8")
    replayed = record_from_path(tmp_path / "old.jsonl")
    assert 2 not in {m["turn"] for m in replayed.moments}  # the drill's orders, not the trainee's
    assert [d.orders for d in replayed.decisions] == [d.orders for d in own.decisions]  # the orders played, shown
