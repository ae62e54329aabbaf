"""Replay is exact: every built-in policy on every shipped scenario, and precise about where it is not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from game.engine.orders import Orders
from game.engine.policies import POLICIES
from game.record.journal import Journal, JournalError, load_journal, parse_journal_bytes, replay
from game.record.replay import ReplayDivergence
from game.record.selfplay import play_journaled
from game.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"


@pytest.fixture(scope="module")
def tutorial():
    return load_scenario(TUTORIAL)


@pytest.mark.parametrize("policy", sorted(POLICIES))
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_replay_reproduces_every_turn_exactly(tmp_path, path, policy):
    scenario = load_scenario(path)
    save = tmp_path / "g.jsonl"
    # The tutorial keeps the advisor's forecast in its journal too; the long scenarios skip it for speed.
    played = play_journaled(
        scenario,
        2025,
        save,
        POLICIES[policy],
        scenario_path=str(path),
        forecast_replications=40 if path == TUTORIAL else 0,
    )
    loaded = load_journal(save)
    assert loaded.intact and len(loaded.turns) == len(played.history) and loaded.finished == played.finished
    again = replay(loaded)  # raises ReplayDivergence on the first field that differs
    assert [r.model_dump() for r in again.history] == [r.model_dump() for r in played.history]
    assert again.score() == played.score() and again.turn == played.turn


def test_the_whole_tutorial_is_replayed_after_the_scenario_file_changes(tmp_path, tutorial):
    changed = tmp_path / "tutorial.yaml"
    changed.write_text(TUTORIAL.read_text(encoding="utf-8"), encoding="utf-8")
    save = tmp_path / "g.jsonl"
    played = play_journaled(tutorial, 3, save, POLICIES["hold"], scenario_path=str(changed))
    changed.write_text("this is no longer a scenario", encoding="utf-8")
    assert replay(load_journal(save)).history == played.history
    assert played.finished and len(played.history) == tutorial.meta.turns


def _rewrite_turn(save: Path, turn: int, edit) -> None:
    lines = save.read_text(encoding="utf-8").splitlines()
    raw = json.loads(lines[turn])
    edit(raw)
    lines[turn] = json.dumps(raw)
    save.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_divergence_names_the_turn_the_field_and_both_values(tmp_path, tutorial):
    save = tmp_path / "g.jsonl"
    play_journaled(tutorial, 3, save, POLICIES["hold"])
    unit = next(iter(load_journal(save).turns[2].report.unit_strength))
    _rewrite_turn(save, 3, lambda raw: raw["report"]["unit_strength"].update({unit: 12345.5}))
    with pytest.raises(ReplayDivergence) as info:
        replay(load_journal(save))
    error = info.value
    assert error.turn == 3 and error.differences[0].path == f"report.unit_strength.{unit}"
    assert error.differences[0].recorded == 12345.5
    assert "turn 3" in str(error) and f"report.unit_strength.{unit}: recorded 12345.5, replayed" in str(error)


def test_recorded_intel_is_checked_too(tmp_path, tutorial):
    save = tmp_path / "g.jsonl"
    play_journaled(tutorial, 3, save, POLICIES["hold"])
    _rewrite_turn(
        save,
        2,
        lambda raw: raw["intel"].update(
            {"road_threat": "severe" if raw["intel"]["road_threat"] != "severe" else "low"}
        ),
    )
    with pytest.raises(ReplayDivergence, match=r"turn 2: intel\.road_threat"):
        replay(load_journal(save))


def test_orders_the_engine_refuses_are_a_journal_error(tmp_path, tutorial):
    save = tmp_path / "g.jsonl"
    play_journaled(tutorial, 3, save, POLICIES["hold"])
    _rewrite_turn(save, 2, lambda raw: raw["orders"]["drones"].update({"strike": 9999}))
    with pytest.raises(JournalError, match="turn 2: the engine refuses the recorded orders"):
        replay(load_journal(save))


def test_cuts_of_the_last_turn_of_a_real_game_keep_the_whole_turns(tmp_path, tutorial):
    """Every 11th byte of the last record, and every byte of its first and last 64 (where the edge cases are).

    test_record_journal.py cuts a smaller journal at every single byte; parsing this one takes ~2 ms a cut.
    """
    save = tmp_path / "g.jsonl"
    played = play_journaled(tutorial, 8, save, POLICIES["hold_sudzha_road"], max_turns=4, forecast_replications=20)
    data = save.read_bytes()
    last = data.rstrip(b"\n").rfind(b"\n") + 1
    whole = [json.loads(line) for line in data[:last].splitlines()[1:]]
    cuts = sorted({*range(last, len(data) + 1, 11), *range(last, last + 64), *range(len(data) - 64, len(data) + 1)})
    for cut in cuts:
        loaded = parse_journal_bytes(data[:cut])
        assert not loaded.problems, cut
        if cut >= len(data) - 1:  # at most the newline is missing: the record itself is whole
            assert len(loaded.turns) == 4 and not loaded.torn
        else:
            assert [t.raw for t in loaded.turns] == whole and loaded.torn == (cut > last), cut
    torn = parse_journal_bytes(data[: (last + len(data)) // 2])
    assert [r.model_dump() for r in replay(torn).history] == [r.model_dump() for r in played.history[:3]]


def test_a_game_continues_after_a_torn_turn_and_replays(tmp_path, tutorial):
    from game.engine.game import Game

    save = tmp_path / "g.jsonl"
    play_journaled(tutorial, 4, save, POLICIES["hold"], max_turns=3)
    save.write_bytes(save.read_bytes()[:-25])  # the power went off while turn 3 was written
    journal = Journal.open_existing(save)
    game = replay(journal.loaded)
    assert game.turn == 3 and journal.next_turn == 3
    orders = POLICIES["hold"](game)
    journal.append_turn(game.turn, orders, game.intel(), None, game.play(orders))
    reference = Game(tutorial, 4)
    for _ in range(3):
        reference.play(POLICIES["hold"](reference))
    assert replay(load_journal(save)).history == reference.history


def test_run_save_writes_a_replayable_journal(tmp_path):
    from game.cli import main

    save = tmp_path / "run.jsonl"
    assert main(["run", str(TUTORIAL), "--seed", "9", "--policy", "hold", "--save", str(save)]) == 0
    loaded = load_journal(save)
    assert loaded.finished and loaded.header.seed == 9 and loaded.turns[0].intel is None
    replay(loaded)
    assert Orders.model_validate(loaded.turns[0].raw["orders"]) == loaded.turns[0].orders


def test_umpire_interventions_are_replayed_where_they_were_made(tmp_path, tutorial):
    """An instructor's intervention (game.classroom.umpire) is part of the game: replay, AAR and branches see it."""
    from game.classroom.umpire import Umpire
    from game.debrief.aar import build_aar
    from game.engine.game import Game
    from game.record.branch import branch_from_journal

    save = tmp_path / "u.jsonl"
    game = Game(tutorial, 6)
    journal = Journal.create(save, tutorial, None, 6)
    umpire = Umpire(game, journal)
    for turn in range(1, 4):
        if turn == 2:
            umpire.intervene("change_stock", "ammunition_t", -30.0, "a depot fire")
        orders = POLICIES["hold"](game)
        intel = game.intel()
        journal.append_turn(turn, orders, intel, None, game.play(orders))
    umpire.intervene("change_stock", "fuel_t", -5.0, "a leak during the unfinished turn")
    loaded = load_journal(save)
    assert [r["type"] for r in loaded.others] == ["umpire", "umpire"]
    again = replay(loaded)  # diverges at turn 2 if the intervention is not applied before it
    assert again.history == game.history
    assert again.state_summary()["stocks"] == game.state_summary()["stocks"]  # the pending one too
    assert build_aar(loaded).turns_played == 3
    same = branch_from_journal(loaded, 2, orders=[t.orders for t in loaded.turns[1:]], max_turns=2)
    assert [t["report"] for t in same.record["turns"]] == [t.raw["report"] for t in loaded.turns[1:]]
