"""Umpire mode, headless: the passphrase guard, interventions in the journal and the AAR data, exact replay."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_classroom_support import FakeClock

from game.classroom.guard import ENV_VAR, FILE_VAR, UmpireGuard
from game.classroom.records import record_from_path
from game.classroom.umpire import (
    KINDS,
    InterventionError,
    Umpire,
    apply_pending,
    interventions,
    replay_with_interventions,
)
from game.engine.game import Game
from game.engine.params import ROAD_STATES
from game.engine.policies import POLICIES
from game.errors import SalientError
from game.record.canonical import to_jsonable
from game.record.journal import Journal, load_journal
from game.record.replay import ReplayDivergence, replay_game
from game.scenario.load import load_scenario

BASE = Path(__file__).parent / "fixtures" / "check_base.yaml"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(BASE)


# --- the passphrase ------------------------------------------------------------------------


def test_guard_keeps_only_a_salted_hash_and_checks_it():
    a = UmpireGuard.from_passphrase("sudzha road")
    b = UmpireGuard.from_passphrase("sudzha road")
    assert a.check("sudzha road") and not a.check("sudzha")
    assert a._digest != b._digest  # a fresh salt each time
    assert "sudzha" not in repr(a) and b"sudzha" not in a._digest
    assert not any("sudzha" in str(v) for v in vars(a).values())


def test_guard_locks_after_repeated_wrong_tries():
    clock = FakeClock()
    guard = UmpireGuard.from_passphrase("sudzha road", clock=clock)
    for _ in range(3):
        assert not guard.check("guess")
    assert guard.wait_s() == pytest.approx(30.0)
    assert not guard.check("sudzha road")  # even the right one waits out the lock
    clock.now += 31
    assert guard.check("sudzha road")


def test_guard_from_env_removes_the_variable_and_refuses_short_ones():
    env = {ENV_VAR: "kurylivka"}
    guard = UmpireGuard.from_env(env)
    assert guard is not None and guard.check("kurylivka") and ENV_VAR not in env
    assert UmpireGuard.from_env({}) is None
    with pytest.raises(SalientError):
        UmpireGuard.from_passphrase("ab")
    answers = iter(["one pass", "another"])
    with pytest.raises(SalientError, match="differ"):
        UmpireGuard.from_prompt(lambda prompt: next(answers))


def test_guard_from_a_passphrase_file(tmp_path):
    secret = tmp_path / "umpire.txt"
    secret.write_text("kurylivka\nignored second line\n")
    env = {FILE_VAR: str(secret)}
    guard = UmpireGuard.from_env(env)
    assert guard is not None and guard.check("kurylivka") and FILE_VAR not in env
    with pytest.raises(SalientError, match=r"absent\.txt: cannot read the umpire passphrase"):
        UmpireGuard.from_env({FILE_VAR: str(tmp_path / "absent.txt")})


CHILD = """
import os
from game.classroom.guard import UmpireGuard
with open(f"/proc/{os.getpid()}/environ", "rb") as handle:
    start = handle.read()
guard = UmpireGuard.from_env()
print("passphrase in the starting environment:", b"kurylivka" in start)
print("guard accepts it:", guard is not None and guard.check("kurylivka"))
print("guard refuses others:", guard is not None and not guard.check("kursk"))
"""


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs a /proc file system to look into")
def test_a_passphrase_in_the_environment_never_stays_in_a_process_environment(tmp_path):
    """/proc/<pid>/environ shows the environment a process started with, whatever it removes later: the
    program restarts itself without the passphrase and receives only its salted hash, through a pipe."""
    import subprocess
    import sys

    starter = f"from game.classroom.guard import scrub_environment; scrub_environment(['-c', {CHILD!r}])"
    env = {**os.environ, ENV_VAR: "kurylivka"}
    done = subprocess.run(
        [sys.executable, "-c", starter], env=env, capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "passphrase in the starting environment: False",
        "guard accepts it: True",
        "guard refuses others: True",
    ]


# --- interventions -------------------------------------------------------------------------


def play(game: Game, turns: int, journal: Journal | None = None) -> None:
    policy = POLICIES["hold_sudzha_road"]
    for _ in range(turns):
        if game.finished:
            return
        turn, orders, intel = game.turn, policy(game), game.intel()
        report = game.play(orders)
        if journal is not None:
            journal.append_turn(turn, orders, intel, None, report)


def umpired_game(tmp_path: Path, scenario) -> tuple[Game, Path, list]:
    path = tmp_path / "umpired.jsonl"
    journal = Journal.create(path, scenario, str(BASE), seed=11, trainee="Cadet U")
    game = Game(scenario, 11)
    seen = []
    umpire = Umpire(game, journal, on_change=seen.append)
    play(game, 1, journal)
    umpire.intervene("set_road_state", "road_south", "cut", "show what a cut road does")
    umpire.intervene("change_stock", "ammunition_t", -50, "an ammunition dump was hit")
    play(game, 1, journal)
    umpire.intervene("fire_inject", "fresh_company", None, "reward a good decision")
    umpire.intervene("scale_rate", "sides.ru.air.ru_air.sorties_per_turn", 2, "more glide bombs")
    umpire.intervene("set_strength", "kp_1", 300, "the regiment was mauled")
    play(game, 3, journal)
    umpire.intervene("change_morale", "ua", -0.2, "bad news from home")  # pending: the turn is never played
    return game, path, seen


def test_interventions_change_the_game_and_are_journalled_first(tmp_path, scenario):
    game, path, seen = umpired_game(tmp_path, scenario)
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    kinds = [(r["type"], r.get("turn")) for r in lines[1:]]
    assert kinds == [
        ("turn", 1),
        ("umpire", 2),
        ("umpire", 2),
        ("turn", 2),
        ("umpire", 3),
        ("umpire", 3),
        ("umpire", 3),
        ("turn", 3),
        ("turn", 4),
        ("turn", 5),
        ("umpire", 6),
    ]
    umpire_lines = [r for r in lines if r["type"] == "umpire"]
    assert [r["seq"] for r in umpire_lines] == [1, 2, 3, 4, 5, 6]
    assert all(r["reason"] and r["summary"] for r in umpire_lines)
    first_turn = Game(scenario, 11)
    play(first_turn, 1)  # the same first turn, to read the road's state before the umpire cut it
    before = ROAD_STATES[int(first_turn.state.road_state[0, first_turn.model.base.roads.ids.index("road_south")])]
    assert umpire_lines[0]["summary"] == f"road road_south: {before} → cut"
    assert "sorties_per_turn: 6 → 12" in umpire_lines[3]["summary"]
    assert game.scenario.sides[1].air[0].sorties_per_turn == 12
    assert [iv.kind for iv in seen] == [r["kind"] for r in umpire_lines]
    assert seen[2].announce.startswith("A fresh company arrives")  # trainee-visible inject: announced
    assert all(iv.announce == "" for iv in seen if iv.kind != "fire_inject")


def test_a_replayed_journal_applies_the_same_interventions_at_the_same_point(tmp_path, scenario):
    game, path, _ = umpired_game(tmp_path, scenario)
    loaded = load_journal(path)
    replayed = replay_with_interventions(loaded, pending=True)  # verify=True: every report must match
    assert [to_jsonable(r) for r in replayed.history] == [to_jsonable(r) for r in game.history]
    assert replayed.state_summary() == game.state_summary()
    assert replayed.score() == game.score()
    with pytest.raises(ReplayDivergence):  # without them it is a different game: the interventions mattered
        replay_game(loaded)


def test_pending_interventions_are_applied_when_a_game_is_continued(tmp_path, scenario):
    game, path, _ = umpired_game(tmp_path, scenario)
    loaded = load_journal(path)
    replayed = replay_with_interventions(loaded)
    before = replayed.state_summary()["morale"]
    applied = apply_pending(replayed, loaded)
    assert [iv.kind for iv in applied] == ["change_morale"]
    assert replayed.state_summary()["morale"] == game.state_summary()["morale"] != before


def test_interventions_reach_the_aar_data_and_the_class_record(tmp_path, scenario):
    game, path, _ = umpired_game(tmp_path, scenario)
    listed = interventions(load_journal(path))
    assert [(iv.turn, iv.kind, iv.reason) for iv in listed][:2] == [
        (2, "set_road_state", "show what a cut road does"),
        (2, "change_stock", "an ammunition dump was hit"),
    ]
    rec = record_from_path(path)
    assert rec.score == pytest.approx(game.score().total)  # scored by a replay that applies the interventions
    assert [i["summary"] for i in rec.interventions] == [iv.summary for iv in listed]


def test_an_intervention_needs_a_reason_and_a_sensible_target(tmp_path, scenario):
    path = tmp_path / "g.jsonl"
    journal = Journal.create(path, scenario, str(BASE), seed=1)
    game = Game(scenario, 1)
    umpire = Umpire(game, journal)
    before = path.read_bytes()
    cases = [
        ("set_stock", "ammunition_t", 10, "   ", "reason"),
        ("set_stock", "beer", 10, "why", "no stock 'beer'"),
        ("set_rate", "supply.nowhere", 1, "why", "not a number"),
        ("set_rate", "combat.substeps_per_turn", 0, "why", "substeps_per_turn' would become 0"),
        ("scale_rate", "supply.convoys.trucks_available", 1e12, "why", "less than or equal to 10000000"),
        ("set_road_state", "road_south", "flooded", "why", "a road state is one of"),
        ("set_strength", "nobody", 10, "why", "no unit"),
        ("fire_inject", "no_such", None, "why", "no inject"),
        ("change_morale", "ua", 3, "why", "between -1 and 1"),
        ("set_stock", "drones", "lots", "why", "needs a number"),
    ]
    for kind, target, value, reason, words in cases:
        with pytest.raises(InterventionError, match=words):
            umpire.intervene(kind, target, value, reason)
    assert path.read_bytes() == before  # nothing refused reaches the journal
    umpire.intervene("fire_inject", "fresh_company", None, "once")
    with pytest.raises(InterventionError, match="already fired"):
        umpire.intervene("fire_inject", "fresh_company", None, "twice")
    assert set(KINDS) >= {"fire_inject", "set_rate", "set_stock", "set_road_state", "set_strength"}


def test_ground_truth_and_the_trainee_picture_are_kept_apart(scenario):
    game = Game(scenario, 3)
    umpire = Umpire(game, None)
    truth = umpire.ground_truth()
    assert truth.state["unit_strength"]["kp_1"] == 900 and truth.last_report is None
    picture = umpire.trainee_picture()
    assert "unit_strength" not in picture.model_dump()  # fog of war: estimates only
    play(game, 1)
    assert umpire.ground_truth().last_report is game.history[-1]
