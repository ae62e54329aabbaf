"""What-if branches: same orders give the same game; other orders share the dice; stored beside the original."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import game.engine.step as step
from game.cli import main
from game.engine.policies import POLICIES
from game.record.branch import branch_from_journal, play_branch, replay_branch, store_branch
from game.record.journal import JournalError, load_journal, replay
from game.record.selfplay import play_journaled
from game.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
KURSK = ROOT / "scenarios" / "kursk-2025.yaml"
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"


@pytest.fixture(scope="module")
def kursk_save(tmp_path_factory) -> Path:
    save = tmp_path_factory.mktemp("branch") / "kursk.jsonl"
    play_journaled(load_scenario(KURSK), 17, save, POLICIES["hold_sudzha_road"], scenario_path=str(KURSK))
    return save


@pytest.fixture
def save(kursk_save: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "game.jsonl"
    copy.write_bytes(kursk_save.read_bytes())
    return copy


def test_the_same_orders_reproduce_the_original_exactly(save):
    loaded = load_journal(save)
    original = [t.report for t in loaded.turns]
    branch = branch_from_journal(loaded, 4, orders=[t.orders for t in loaded.turns[3:]])
    reports = [t["report"] for t in branch.record["turns"]]
    assert reports == [r.model_dump(mode="json") for r in original[3:]]
    assert branch.branch == branch.original and not branch.notes
    same_policy = branch_from_journal(loaded, 2, policy="hold_sudzha_road")
    assert same_policy.branch == same_policy.original


def test_other_orders_share_the_recorded_draws(save, monkeypatch):
    """The noise drawn for each turn is identical in the original and the branch, array for array."""
    drawn: list[tuple[int, np.ndarray, np.ndarray]] = []
    real = step.draw_noise

    def spy(layout, replications, gen, rows=None):
        noise = real(layout, replications, gen, rows)
        drawn.append((replications, noise.normals.copy(), noise.uniforms.copy()))
        return noise

    monkeypatch.setattr(step, "draw_noise", spy)
    loaded = load_journal(save)
    replay(loaded)
    original = list(drawn)
    drawn.clear()
    game = replay(loaded, upto=2)
    drawn.clear()  # keep only the branch's own turns
    orders = loaded.turns[2].orders.model_copy(update={"netting": not loaded.turns[2].orders.netting})
    game.play(orders)
    game.play(POLICIES["delay_withdraw"](game))
    for (r1, n1, u1), (r2, n2, u2) in zip(original[2:4], drawn, strict=True):
        assert r1 == r2 == 1
        assert np.array_equal(n1, n2) and np.array_equal(u1, u2)


def test_where_the_orders_do_not_matter_the_outcome_is_equal(save):
    """Flipping the netting on turn 1 changes the road, not the fight: same dice, same losses in every sector."""
    loaded = load_journal(save)
    first = loaded.turns[0]
    other = first.orders.model_copy(update={"netting": not first.orders.netting})
    branch = branch_from_journal(loaded, 1, orders=[other], max_turns=1)
    report = branch.record["turns"][0]["report"]
    assert report["losses"] == first.raw["report"]["losses"]
    assert report["unit_strength"] == first.raw["report"]["unit_strength"]
    assert report["orders"]["netting"] != first.raw["report"]["orders"]["netting"]


def test_a_stored_branch_is_in_the_journal_but_not_in_the_game(save):
    loaded = load_journal(save)
    branch = branch_from_journal(loaded, 3, policy="delay_withdraw", label="pull out early")
    store_branch(loaded, branch)
    again = load_journal(save)
    assert again.intact and len(again.turns) == len(loaded.turns) and len(again.branches) == 1
    stored = again.branches[0]
    assert stored.id == "b1" and stored.label == "pull out early" and stored.from_turn == 3
    assert (stored.source.kind, stored.source.policy) == ("policy", "delay_withdraw")
    assert stored.raw["source"] == {"kind": "policy", "policy": "delay_withdraw"}
    assert replay(again).score() == replay(loaded).score()  # never counted in the score
    replay_branch(again, "b1")  # the branch replays exactly too
    second = branch_from_journal(again, 5, policy="hold")
    store_branch(again, second)
    assert [b.id for b in load_journal(save).branches] == ["b1", "b2"]


def test_branch_turn_outside_the_game_is_refused(save):
    loaded = load_journal(save)
    with pytest.raises(JournalError, match="outside this game"):
        branch_from_journal(loaded, len(loaded.turns) + 5, policy="hold")
    with pytest.raises(JournalError, match="ended at turn"):
        branch_from_journal(loaded, len(loaded.turns) + 1, policy="hold")
    with pytest.raises(JournalError, match="no policy named 'nope'"):
        branch_from_journal(loaded, 2, policy="nope")


def test_original_orders_that_no_longer_fit_fall_back_to_defaults_with_a_note(tmp_path):
    """The original committed the reserve on turn 2; a branch that commits it on turn 1 cannot replay that order."""
    hold = POLICIES["hold"]

    def late_commit(game):
        orders = hold(game)
        return orders.model_copy(update={"commit_reserves": {}}) if game.turn == 1 else orders

    save = tmp_path / "t.jsonl"
    play_journaled(load_scenario(TUTORIAL), 8, save, late_commit)
    loaded = load_journal(save)
    assert not loaded.turns[0].orders.commit_reserves and loaded.turns[1].orders.commit_reserves
    early = loaded.turns[0].orders.model_copy(update={"commit_reserves": loaded.turns[1].orders.commit_reserves})
    branch = branch_from_journal(loaded, 1, orders=[early], then="original")
    assert any(
        n.startswith("turn 2: the original orders no longer fit") and "already committed" in n for n in branch.notes
    )
    assert branch.record["source"]["then"] == "original"


def test_branch_command_prints_the_comparison_and_stores(save, tmp_path, capsys):
    orders = tmp_path / "o.yaml"
    orders.write_text("postures: {}\nwithdraw: true\n", encoding="utf-8")
    assert main(["branch", str(save), "--turn", "2", "--orders", str(orders), "--label", "early exit"]) == 0
    out = capsys.readouterr().out
    for word in (
        "What-if b1: early exit",
        "Score",
        "Area held (sq mi)",
        "Own losses",
        "original",
        "what-if",
        "stored as branch b1",
    ):
        assert word in out
    b = load_journal(save).branches[0]
    assert b.source.kind == "orders" and b.turns[0].orders.withdraw
    assert main(["branch", str(save), "--turn", "2", "--policy", "hold", "--dry-run"]) == 0
    assert "not stored" in capsys.readouterr().out and len(load_journal(save).branches) == 1
    assert main(["branch", str(save), "--turn", "99", "--policy", "hold"]) == 1
    assert "outside this game" in capsys.readouterr().err


def test_bad_orders_file_is_a_plain_error(save, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"drones": {"strike": "many"}}', encoding="utf-8")
    assert main(["branch", str(save), "--turn", "2", "--orders", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("salient: ") and "drones.strike" in err and "Traceback" not in err


def test_play_branch_from_an_unfinished_game_plays_on(tmp_path):
    save = tmp_path / "t.jsonl"
    play_journaled(load_scenario(TUTORIAL), 8, save, POLICIES["hold"], max_turns=2)
    loaded = load_journal(save)
    from game.record.branch import policy_chooser

    branch = play_branch(loaded, 3, policy_chooser("hold"))
    assert branch.record["turns"][0]["turn"] == 3 and branch.branch.turns > branch.original.turns
