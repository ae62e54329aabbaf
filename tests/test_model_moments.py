"""Every teaching moment of the Kursk scenario is true in the model.

For each moment: a plan that makes the mistake it bookmarks (the moment must fire on it in a real game), and
the plan its explanation recommends instead. Played on the same dice, the recommended plan must score better —
a moment that criticises orders the model rates higher would teach a wrong lesson, and fails here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from engine_support import KURSK

from game.analysis.experiments import compare
from game.debrief.moments import DETECTORS, Decision
from game.engine.directives import Directives
from game.engine.game import Game
from game.engine.params import PLAYER
from game.engine.policies import Policy, _hold_sudzha_road_orders, withdrawal_due
from game.engine.state import State
from game.scenario.load import load_scenario

Change = Callable[[object, State, dict], None]


@pytest.fixture(scope="module")
def kursk():
    return load_scenario(KURSK)


def plan(
    name: str, change: Change | None = None, leave: Callable[[object, State], np.ndarray] | None = withdrawal_due
) -> Policy:
    """The adaptive built-in plan (hold the town and the road, leave in time) with one thing changed."""

    def rule(p, st: State) -> Directives:
        d = _hold_sudzha_road_orders(p, st)
        if change is not None:
            change(p, st, d)
        if leave is not None:
            d["withdraw"] = leave(p, st) & ~st.withdrawing
        return Directives(**d)

    return Policy(name, name, rule)


def fires(kursk, moment_id: str, policy: Policy, seed: int = 1) -> list[tuple[int, str]]:
    """The turns a moment fires on in one real game of `policy`."""
    game = Game(kursk, seed)
    decisions = []
    while not game.finished:
        orders = policy(game)
        turn, intel = game.turn, game.intel()
        decisions.append(Decision(turn, orders, game.play(orders), intel))
    tm = next(t for t in kursk.teaching_moments if t.id == moment_id)
    return DETECTORS[tm.when](tm, kursk, decisions)


def better(kursk, mistake: Policy, advice: Policy, runs: int = 2000) -> None:
    d = compare((kursk, mistake), (kursk, advice), runs=runs).difference("score")
    assert d.positive, f"the moment's advice does not beat the mistake it bookmarks: {d}"


def _ew(front: int, road: int) -> Change:
    def change(p, st, d):
        d["ew"][:] = [front, road]

    return change


def test_jammers_stripped_from_the_front(kursk) -> None:
    mistake, advice = plan("road-heavy", _ew(1, 5)), plan("split", _ew(3, 3))
    assert fires(kursk, "tm_ew_vs_fibre", mistake)
    assert not fires(kursk, "tm_ew_vs_fibre", advice)
    better(kursk, mistake, advice)


def test_a_day_without_convoys(kursk) -> None:
    def skip(p, st, d):
        if st.turn in (3, 4):
            d["night"][:] = 0.0

    mistake, advice = plan("skip", skip), plan("run")
    assert fires(kursk, "tm_no_convoy", mistake)
    better(kursk, mistake, advice)

    # what the explanation says not to rely on: escorts and the tracks cost more than they save here
    def escort(p, st, d):
        d["escort"][:] = True

    def tracks(p, st, d):
        d["tracks"][:] = True

    for costly in (plan("escorted", escort), plan("tracks", tracks)):
        better(kursk, costly, advice)


def test_withdrawing_only_once_the_road_is_cut(kursk) -> None:
    mistake = plan("late", leave=lambda p, st: st.cut_clock > 0)
    advice = plan("in time")
    assert any(fires(kursk, "tm_late_withdrawal", mistake, seed) for seed in range(1, 40))
    better(kursk, mistake, advice)


def test_counter_attacking_eight_to_one(kursk) -> None:
    south = [s.id for s in kursk.map.sectors].index("south")

    def counter(p, st, d):
        d["posture"][:, south] = 2  # counter_attack

    mistake, advice = plan("counter", counter), plan("hold")
    assert fires(kursk, "tm_counterattack_outnumbered", mistake)
    better(kursk, mistake, advice)


def test_every_drone_on_the_front_while_the_road_bleeds(kursk) -> None:
    def all_strike(p, st, d):
        d["drones"][:] = [p.player_teams(), 0, 0, 0]

    mistake, advice = plan("all strike", all_strike), plan("balanced")
    assert fires(kursk, "tm_drones_all_strike", mistake)
    better(kursk, mistake, advice)


def test_the_reserve_that_never_fought(kursk) -> None:
    def keep(p, st, d):
        d["commit"][:] = -1

    mistake, advice = plan("kept", keep), plan("committed")
    assert fires(kursk, "tm_reserve_idle", mistake)
    better(kursk, mistake, advice)


def test_every_moment_of_the_scenario_is_tested() -> None:
    sc = load_scenario(KURSK)
    tested = {
        "tm_ew_vs_fibre",
        "tm_no_convoy",
        "tm_late_withdrawal",
        "tm_counterattack_outnumbered",
        "tm_drones_all_strike",
        "tm_reserve_idle",
    }
    assert {t.id for t in sc.teaching_moments} == tested
    assert PLAYER == 0
