"""Teaching moments are found from the journal: each `when` kind fires where it should, and not elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.debrief.moments import Decision, fibre_share, find_moments
from game.engine.game import Game
from game.engine.orders import DroneTasks, EwAllocation, Orders
from game.engine.policies import POLICIES
from game.record.journal import load_journal
from game.record.selfplay import play_journaled
from game.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
KURSK = ROOT / "scenarios" / "kursk-2025.yaml"


@pytest.fixture(scope="module")
def kursk():
    return load_scenario(KURSK)


def moments_of(scenario, choose, tmp_path: Path, seed: int = 3, max_turns: int | None = None):
    save = tmp_path / "g.jsonl"
    play_journaled(scenario, seed, save, choose, max_turns=max_turns)
    loaded = load_journal(save)
    decisions = [Decision(t.turn, t.orders, t.report, t.intel) for t in loaded.turns]
    return find_moments(scenario, decisions), loaded


def _ids(moments) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for m in moments:
        out.setdefault(m.id, []).append(m.turn)
    return out


def test_every_kursk_moment_kind_is_covered(kursk):
    kinds = {tm.when for tm in kursk.teaching_moments}
    assert kinds == {
        "ew_on_road_against_fibre",
        "no_convoy_for_turns",
        "withdraw_after_road_cut",
        "counter_attack_outnumbered",
        "all_drones_on_strike_while_road_interdicted",
        "reserve_unused",
    }
    assert fibre_share(kursk) >= 0.25  # the instructor's threshold for the jammer lesson


def test_jammers_on_the_road_against_fibre(kursk, tmp_path):
    def jam_road(game: Game) -> Orders:
        orders = POLICIES["hold_sudzha_road"](game)
        ew = orders.ew.front + orders.ew.road
        return orders.model_copy(update={"ew": EwAllocation(front=0, road=ew)})

    found, _ = moments_of(kursk, jam_road, tmp_path, max_turns=3)
    assert _ids(found)["tm_ew_vs_fibre"] == [1, 2, 3]
    m = next(m for m in found if m.id == "tm_ew_vs_fibre")
    assert "fibre-optic" in m.detail and m.explanation.startswith("You put more of your jamming teams") and m.objective


def test_no_jammer_moment_when_the_jammers_stay_on_the_front(kursk, tmp_path):
    found, loaded = moments_of(kursk, POLICIES["hold_sudzha_road"], tmp_path, max_turns=4)
    assert all(t.orders.ew.road == 0 for t in loaded.turns)
    assert "tm_ew_vs_fibre" not in _ids(found)


def test_no_convoy_for_two_turns(kursk, tmp_path):
    def skip_convoys(game: Game) -> Orders:
        orders = POLICIES["hold"](game)
        if game.turn in (2, 3, 5):
            return orders.model_copy(update={"convoys": orders.convoys.model_copy(update={"day": 0, "night": 0})})
        return orders

    found, _ = moments_of(kursk, skip_convoys, tmp_path, max_turns=6)
    assert _ids(found)["tm_no_convoy"] == [3]  # turns 2–3; turn 5 alone is not two in a row


def test_withdrawal_after_the_road_was_cut(kursk, tmp_path):
    def late(game: Game) -> Orders:
        orders = POLICIES["hold"](game)
        last = game.history[-1] if game.history else None
        cut = last is not None and all(last.road_state.get(r) == "cut" for r in kursk.map.supply_route)
        started = any(r.orders.withdraw for r in game.history)
        return orders.model_copy(update={"withdraw": True}) if cut and not started else orders

    found, loaded = moments_of(kursk, late, tmp_path, seed=0)
    ordered = [t.turn for t in loaded.turns if t.orders.withdraw]
    assert ordered and _ids(found)["tm_late_withdrawal"] == [ordered[0]]


def test_early_withdrawal_is_no_teaching_moment(kursk, tmp_path):
    found, loaded = moments_of(kursk, POLICIES["delay_withdraw"], tmp_path)
    assert any(t.orders.withdraw for t in loaded.turns) and "tm_late_withdrawal" not in _ids(found)


def test_counter_attack_while_outnumbered(kursk, tmp_path):
    def attack(game: Game) -> Orders:
        orders = POLICIES["hold"](game)
        if game.turn == 2:
            return orders.model_copy(update={"postures": {**orders.postures, "north": "counter_attack"}})
        return orders

    found, _ = moments_of(kursk, attack, tmp_path, max_turns=3)
    assert _ids(found)["tm_counterattack_outnumbered"] == [2]
    detail = next(m.detail for m in found if m.id == "tm_counterattack_outnumbered")
    assert "counter-attack in north" in detail and "ratio" in detail


def test_all_drones_on_strike_while_the_road_is_interdicted(kursk, tmp_path):
    def all_strike(game: Game) -> Orders:
        orders = POLICIES["hold"](game)
        teams = orders.drones.total()
        return orders.model_copy(update={"drones": DroneTasks(strike=teams)})

    found, loaded = moments_of(kursk, all_strike, tmp_path, max_turns=8)
    bad = []
    for i, t in enumerate(loaded.turns):
        states = {r.id: r.state for r in kursk.map.roads} if i == 0 else loaded.turns[i - 1].report.road_state
        if any(states[r] in ("interdicted", "cut") for r in kursk.map.supply_route):
            bad.append(t.turn)
    assert bad, "the road was never interdicted in this game; pick another seed"
    assert _ids(found)["tm_drones_all_strike"] == bad


def test_reserve_never_committed_while_sectors_fell(kursk, tmp_path):
    def keep_reserve(game: Game) -> Orders:
        return POLICIES["hold"](game).model_copy(update={"commit_reserves": {}})

    found, loaded = moments_of(kursk, keep_reserve, tmp_path)
    start = {s.id: s.holder for s in kursk.map.sectors}
    first_loss = next(
        t.turn for t in loaded.turns if any(start[s] == "ua" and h != "ua" for s, h in t.report.sector_holder.items())
    )
    assert _ids(found)["tm_reserve_idle"] == [first_loss]
    committed, _ = moments_of(kursk, POLICIES["hold"], tmp_path)
    assert "tm_reserve_idle" not in _ids(committed)


def test_moments_come_in_turn_order_with_the_instructors_words(kursk, tmp_path):
    found, _ = moments_of(kursk, lambda g: POLICIES["hold"](g).model_copy(update={"commit_reserves": {}}), tmp_path)
    assert [m.turn for m in found] == sorted(m.turn for m in found)
    titles = {tm.id: tm.title for tm in kursk.teaching_moments}
    assert all(m.title == titles[m.id] for m in found)


def test_a_scenario_without_moments_finds_none(kursk):
    bare = kursk.model_copy(update={"teaching_moments": []})
    assert find_moments(bare, []) == []
