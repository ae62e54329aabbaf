"""The casualty books balance and the numbers stay numbers, whatever the orders and the scenario's numbers.

Every soldier is in exactly one state at every moment: fit (`strength`), killed, wounded (waiting or
evacuated) or captured; the only way in is the start and `arrived` (reinforcements, injects). A property test
plays random orders on randomly rescaled scenarios and checks the identity after every turn, per side and per
replication, and that no book goes negative or exceeds the soldiers there were.
"""

from __future__ import annotations

import numpy as np
import pytest
from engine_support import KURSK, SMALL
from hypothesis import given, settings
from hypothesis import strategies as st

from game.analysis.experiments import scaled_strength, with_values
from game.engine.directives import compile_orders
from game.engine.guard import ModelError
from game.engine.orders import ConvoyPlan, DroneTasks, EwAllocation, Orders
from game.engine.params import ENEMY, PLAYER, WOUNDED
from game.engine.step import Model, advance
from game.scenario.load import load_scenario

SCENARIOS = {"small": load_scenario(SMALL), "kursk": load_scenario(KURSK)}
POSTURES = ("hold", "fortify", "counter_attack", "delay", "withdraw")


@st.composite
def orders_for(draw: st.DrawFn, name: str) -> Orders:
    """Any orders the scenario accepts at turn 1: postures, drone tasks, jammers, convoys, reserve, withdrawal."""
    sc = SCENARIOS[name]
    player = sc.meta.player_side
    sectors = [s.id for s in sc.map.sectors if s.holder == player]
    teams = sum(g.teams for g in sc.player.drone_teams)
    ew = sum(e.teams for e in sc.player.electronic_warfare)
    trucks = sc.supply.convoys.trucks_available
    split = sorted(draw(st.lists(st.integers(0, teams), min_size=3, max_size=3)))
    tasks = [split[0], split[1] - split[0], split[2] - split[1], teams - split[2]]
    ew_front = draw(st.integers(0, ew))
    day = draw(st.integers(0, trucks))
    reserves = [u.id for u in sc.player.units if u.in_reserve]
    commit = {u: draw(st.sampled_from(sectors)) for u in reserves if draw(st.booleans())}
    return Orders(
        postures={s: draw(st.sampled_from(POSTURES)) for s in sectors if draw(st.booleans())},
        drones=DroneTasks(strike=tasks[0], counter_drone=tasks[1], road_overwatch=tasks[2], recon=tasks[3]),
        ew=EwAllocation(front=ew_front, road=draw(st.integers(0, ew - ew_front))),
        convoys=ConvoyPlan(
            day=day,
            night=draw(st.integers(0, trucks - day)),
            escort=draw(st.booleans()),
            route=draw(st.sampled_from(("road", "tracks"))),
        ),
        netting=draw(st.booleans()),
        commit_reserves=commit,
        withdraw=draw(st.booleans()) and draw(st.booleans()),
    )


def _check_books(model: Model, state, start: np.ndarray) -> None:
    p = model.base
    for side in (PLAYER, ENEMY):
        fit = state.strength[:, p.side_units(side)].sum(axis=1)
        books = state.casualties[:, side]
        assert (books >= -1e-6).all(), f"a negative casualty count on side {side}: {books.min(axis=0)}"
        there = start[side] + state.arrived[:, side]
        np.testing.assert_allclose(
            fit + books.sum(axis=1),
            there,
            rtol=1e-9,
            atol=1e-6,
            err_msg=f"side {side}: fit + killed + wounded + captured != start + arrived",
        )
        assert (books.sum(axis=1) <= there + 1e-6).all()
    assert (state.wounded_pending >= -1e-9).all()
    assert (state.wounded_pending <= state.casualties[:, PLAYER, WOUNDED] + 1e-6).all(), "more waiting than wounded"


@pytest.mark.parametrize("name", sorted(SCENARIOS))
@settings(max_examples=12, deadline=None, derandomize=True)
@given(
    data=st.data(),
    own=st.floats(0.5, 2.0),
    enemy=st.floats(0.3, 3.0),
    trucks=st.integers(0, 30),
    seed=st.integers(0, 2**31 - 1),
)
def test_every_soldier_is_in_exactly_one_state(
    name: str, data: st.DataObject, own: float, enemy: float, trucks: int, seed: int
) -> None:
    sc = SCENARIOS[name]
    sc = scaled_strength(scaled_strength(sc, sc.meta.player_side, own), sc.opfor.side, enemy)
    sc = with_values(sc, {"supply.convoys.trucks_available": trucks})
    model = Model(sc)
    p = model.base
    start = np.array([p.units.strength0[p.units.side == side].sum() for side in (PLAYER, ENEMY)])
    state = model.initial_state(64)
    for _ in range(min(sc.meta.turns, 10)):
        orders = _fit(data.draw(orders_for(name)), trucks)  # lost sectors and spent reserves: the kernel skips them
        state, out, _ = advance(model, state, compile_orders(model.variants(state)[0][0], orders), seed)
        _check_books(model, state, start)
        assert np.isfinite(out.losses).all() and (out.losses >= -1e-9).all()


def _fit(orders: Orders, trucks: int) -> Orders:
    """Orders within the rescaled scenario's trucks (the drawn orders assumed the unscaled number)."""
    c = orders.convoys
    day = min(c.day, trucks)
    return orders.model_copy(update={"convoys": c.model_copy(update={"day": day, "night": min(c.night, trucks - day)})})


def test_a_withdrawal_counts_wounded_left_behind_once() -> None:
    """Wounded still waiting when the grouping leaves are moved from the wounded to the captured, not added."""
    sc = SCENARIOS["kursk"]
    model = Model(sc)
    p = model.base
    start = np.array([p.units.strength0[p.units.side == side].sum() for side in (PLAYER, ENEMY)])
    state = model.initial_state(2000)
    hold = compile_orders(p, Orders(convoys=ConvoyPlan(night=0)))  # no trucks: the wounded pile up
    leave = compile_orders(p, Orders(withdraw=True, convoys=ConvoyPlan(night=0)))
    for turn in range(1, 8):
        state, _, _ = advance(model, state, leave if turn == 5 else hold, 3)
        _check_books(model, state, start)
    out_share = state.casualties[:, PLAYER].sum(axis=1) / start[PLAYER]
    assert state.ended.all() and (out_share < 1.0).all()


def test_absurd_numbers_stop_the_game_with_the_path_to_blame() -> None:
    sc = with_values(SCENARIOS["small"], {"sides.ua.units.town_bn.firepower": 1e308})
    model = Model(sc)
    state = model.initial_state(4)
    d = compile_orders(model.base, Orders(postures={"centre": "counter_attack"}))
    with pytest.raises(ModelError) as err:
        for _ in range(4):
            state, _, _ = advance(model, state, d, 1)
    text = str(err.value)
    assert "not finite" in text and "sides.ua.units.town_bn.firepower = 1e+308" in text
