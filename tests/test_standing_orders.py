"""Standing orders: what was ordered stays until changed, adapted only where the situation forces it."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.engine.game import Game
from game.engine.orders import ConvoyPlan, DroneTasks, EwAllocation, Orders
from game.engine.params import ENEMY, POSTURE_INDEX
from game.engine.policies import POLICIES
from game.scenario.load import load_scenario

KURSK = Path(__file__).parents[1] / "scenarios" / "kursk-2025.yaml"

GIVEN = Orders(
    postures={"north": "fortify", "south": "delay", "east": "counter_attack"},
    drones=DroneTasks(strike=6, counter_drone=10, road_overwatch=8, recon=2),
    ew=EwAllocation(front=5, road=1),
    convoys=ConvoyPlan(day=3, night=11, escort=True, route="tracks"),
    netting=True,
    commit_reserves={"ua_reserve": "south"},
)


@pytest.fixture(scope="module")
def kursk():
    return load_scenario(KURSK)


def test_every_order_stands_into_the_next_turn(kursk):
    game = Game(kursk, 11)
    game.play(GIVEN)
    carried = game.standing_orders(GIVEN)
    o = carried.orders
    assert carried.adapted == {}
    assert o.drones == GIVEN.drones and o.ew == GIVEN.ew and o.convoys == GIVEN.convoys and o.netting
    # every posture stands, the sectors not named keep the one in effect
    assert o.postures == {
        "north": "fortify",
        "west": "hold",
        "sudzha": "fortify",
        "south": "delay",
        "east": "counter_attack",
    }
    assert o.commit_reserves == {} and not o.withdraw  # the reserve went in last turn: nothing left to carry
    assert game.check(o) == []
    # and they differ from the defaults, which reset drones, jammers, convoys and netting
    defaults = game.default_orders()
    assert (defaults.drones, defaults.ew, defaults.netting) != (o.drones, o.ew, o.netting)


def test_a_reserve_left_in_reserve_stays_there(kursk):
    game = Game(kursk, 11)
    kept = GIVEN.model_copy(update={"commit_reserves": {}})
    game.play(kept)
    assert game.standing_orders(kept).orders.commit_reserves == {}
    assert "ua_reserve" in game.state_summary()["reserves"]


def test_a_lost_sector_loses_its_posture_and_a_reserve_sent_there_stays_back(kursk):
    game = Game(kursk, 11)
    game.play(GIVEN.model_copy(update={"commit_reserves": {}}))
    south = game.params.sectors.ids.index("south")
    game.state.holder[0, south] = ENEMY
    carried = game.standing_orders(GIVEN)
    assert "south" not in carried.orders.postures and carried.orders.commit_reserves == {}
    assert carried.adapted["posture:south"] == (
        "South: the road and Kurilovka was lost: its posture (delay) no longer applies"
    )
    assert carried.adapted["reserve:ua_reserve"] == (
        "Assault battalion (reserve) was to go to South: the road and Kurilovka, which was lost: it stays in reserve"
    )
    assert game.check(carried.orders) == []


def test_fewer_teams_and_trucks_than_ordered_are_cut_in_proportion_and_said(kursk):
    game = Game(kursk, 11)
    game.play(GIVEN)
    game.set_parameter("sides.ua.drone_teams.ua_fpv.teams", 9)  # 13 teams left of 28
    game.set_parameter("supply.convoys.trucks_available", 7)
    carried = game.standing_orders(GIVEN)
    o = carried.orders
    assert game.params.player_teams() == 13
    assert (o.drones.strike, o.drones.counter_drone, o.drones.road_overwatch, o.drones.recon) == (3, 5, 4, 1)
    assert (o.convoys.day, o.convoys.night) == (1, 5) and o.convoys.escort and o.convoys.route == "tracks"
    assert carried.adapted["drones"] == "only 13 drone teams now: 26 tasked last turn, cut to 13"
    assert carried.adapted["convoys"] == "only 7 trucks available now: 14 sent last turn, cut to 6"
    assert "ew" not in carried.adapted and o.ew == GIVEN.ew
    assert game.check(o) == []


def test_a_withdrawal_under_way_needs_no_new_order(kursk):
    game = Game(kursk, 11)
    leaving = GIVEN.model_copy(update={"withdraw": True, "commit_reserves": {}})
    game.play(leaving)
    assert game.withdrawing and not game.finished
    carried = game.standing_orders(leaving)
    assert not carried.orders.withdraw and "under way" in carried.adapted["withdraw"]
    assert game.check(carried.orders) == []  # ordering it again would be refused


def test_standing_orders_always_pass_the_check_over_whole_games(kursk):
    """Whatever the dice do (sectors lost, the road cut), the carried orders can be carried out."""
    for seed in (1, 2, 3):
        game = Game(kursk, seed)
        orders = POLICIES["hold"](game).model_copy(update={"netting": True, "ew": EwAllocation(front=2, road=4)})
        while not game.finished:
            game.play(orders)
            if game.finished:
                break
            carried = game.standing_orders(orders)
            assert game.check(carried.orders) == [], (seed, game.turn, carried)
            orders = carried.orders
        assert game.history[-1].orders.ew == EwAllocation(front=2, road=4)  # never reset to the defaults


def test_the_posture_in_effect_fills_sectors_not_named(kursk):
    game = Game(kursk, 4)
    game.play(Orders())
    carried = game.standing_orders(Orders())
    sudzha = game.params.sectors.ids.index("sudzha")
    assert int(game.state.posture[0, sudzha]) == POSTURE_INDEX["fortify"]
    assert carried.orders.postures["sudzha"] == "fortify"
