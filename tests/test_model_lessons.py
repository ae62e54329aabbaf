"""The lessons of the Kursk scenario, as statistical tests on the model: each changes one thing, keeps the dice
(common random numbers: the same seed and chunk purposes for both variants) and requires the outcome to move in
the stated direction, by the stated rough size, with its 95% confidence interval on the right side.

Every figure asserted here is printed by `python tools/model_audit.py` (the same comparisons, more runs).
"""

from __future__ import annotations

import numpy as np
import pytest
from engine_support import KURSK

from game.analysis.experiments import Comparison, compare, scaled_strength, with_values
from game.analysis.runs import play_policy
from game.analysis.stats import eta_squared, t_interval, wilson
from game.engine.batch import run_batch
from game.engine.orders import Orders
from game.engine.params import ENEMY, FUEL, PLAYER
from game.engine.policies import POLICIES
from game.engine.step import Model, advance
from game.scenario.load import load_scenario

RUNS = 2000
STAY, BEST, EARLY, CARELESS = (
    POLICIES[n] for n in ("hold_sudzha_road", "hold_then_withdraw", "delay_withdraw", "hold")
)
SECTORS = ("north", "west", "sudzha", "south", "east")


@pytest.fixture(scope="module")
def kursk():
    return load_scenario(KURSK)


@pytest.fixture(scope="module")
def model(kursk):
    return Model(kursk)


def _same(kursk, plan_a, plan_b, runs: int = RUNS) -> Comparison:
    return compare((kursk, plan_a), (kursk, plan_b), runs=runs)


# --- forces: numbers matter, in the right direction and with no cliff ------------------------------------


def test_a_stronger_enemy_makes_staying_much_riskier(kursk) -> None:
    """Six against fifty: twice the enemy cuts the staying plan's chance of lasting to the end by ≥ 10 points."""
    double = compare((kursk, STAY), (scaled_strength(kursk, "ru", 2.0), STAY), runs=RUNS)
    d = double.difference("ending:time")
    assert d.high < -0.10, d
    half = compare((kursk, STAY), (scaled_strength(kursk, "ru", 0.5), STAY), runs=RUNS)
    assert half.difference("ending:time").positive and half.difference("score").positive


def test_more_of_our_own_troops_never_costs_more_than_a_little(kursk) -> None:
    """A quarter more soldiers on the same road: more mouths, but more fire and depth too — never much worse."""
    for plan in (STAY, BEST):
        d = compare((kursk, plan), (scaled_strength(kursk, "ua", 1.25), plan), runs=RUNS).difference("score")
        assert d.low > -150, (plan.name, d)


def test_enemy_reinforcements_and_breaking_point_matter(kursk) -> None:
    more = compare((kursk, STAY), (with_values(kursk, {"sides.ru.reinforcements_per_turn": 300}), STAY), runs=RUNS)
    assert more.difference("ending:time").negative, more.difference("ending:time")
    brittle = with_values(
        kursk, {f"sides.ru.units.{u}.breaking_point": 0.3 for u in ("kpa_assault_1", "kpa_assault_2", "kpa_assault_3")}
    )
    d = compare((kursk, STAY), (brittle, STAY), runs=RUNS).difference("score")
    assert d.positive, d  # attackers who break at 30% losses instead of 85% push the defence less


def test_north_koreans_learning_to_hide_from_drones_costs_the_defence(kursk) -> None:
    paths = [
        f"sides.ru.units.{u}.drone_adaptation_per_turn" for u in ("kpa_assault_1", "kpa_assault_2", "kpa_assault_3")
    ]
    slow = with_values(kursk, dict.fromkeys(paths, 0.0))
    c = compare((slow, STAY), (kursk, STAY), runs=RUNS)
    assert c.difference("enemy_casualties").negative, c.difference("enemy_casualties")
    assert c.difference("score").negative, c.difference("score")


def test_trucks_help_without_a_cliff(kursk) -> None:
    """Two trucks more or fewer move the outcome a little, in the expected direction: no knife edge."""
    base = kursk.supply.convoys.trucks_available
    fewer = compare((kursk, STAY), (with_values(kursk, {"supply.convoys.trucks_available": base - 2}), STAY), runs=RUNS)
    more = compare((kursk, STAY), (with_values(kursk, {"supply.convoys.trucks_available": base + 2}), STAY), runs=RUNS)
    assert fewer.difference("delivered").negative and more.difference("delivered").positive
    for c in (fewer, more):
        d = c.difference("ending:time")
        assert -0.10 < d.mean < 0.10, d
    assert fewer.difference("score").mean < more.difference("score").mean


# --- attrition: who bleeds, and when the exchange turns --------------------------------------------------


def _turn_losses(model: Model, plan, turns: int, runs: int = RUNS, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    st = model.initial_state(runs)
    own, enemy = np.zeros(turns), np.zeros(turns)
    for t in range(turns):
        params = model.variants(st)[0][0]
        live = ~st.ended
        st, out, _ = advance(
            model, st, plan.directives(params, st), seed, purpose="batch.0", inject_purpose="batch.0.injects"
        )
        own[t] = out.losses[live, PLAYER].sum()
        enemy[t] = out.losses[live, ENEMY].sum()
    return own, enemy


def test_assaults_on_a_supplied_prepared_defence_cost_the_attacker_more(model) -> None:
    own, enemy = _turn_losses(model, STAY, 8)
    assert enemy.sum() / own.sum() >= 1.5
    # about 2-3 % of the grouping a day while it holds (Dupuy's defender rate in failed attacks is ~2.6 %)
    per_day = own.sum() / RUNS / 4 / model.base.units.strength0[model.base.units.side == PLAYER].sum()
    assert 0.015 < per_day < 0.035


def test_the_exchange_turns_when_the_road_fails(kursk) -> None:
    starved = with_values(kursk, {"supply.convoys.trucks_available": 0, "supply.stocks.ammunition_t": 20})
    own_fed, enemy_fed = _turn_losses(Model(kursk), STAY, 8)
    own_st, enemy_st = _turn_losses(Model(starved), STAY, 8)
    assert enemy_st[4:].sum() / own_st[4:].sum() < 1.0 < enemy_fed[4:].sum() / own_fed[4:].sum()


def test_the_attacker_pauses_and_some_enemies_are_taken_prisoner(model) -> None:
    runs = play_policy(model, STAY, 1000)
    assert runs.score.size == 1000
    st = model.initial_state(1000)
    paused = captured_kp = captured_ru = 0.0
    kp = np.array([n == "kp" for n in model.base.units.nationality]) & (model.base.units.side == ENEMY)
    ru = (model.base.units.side == ENEMY) & ~kp
    for _ in range(16):
        params = model.variants(st)[0][0]
        st, out, _ = advance(
            model, st, STAY.directives(params, st), 0, purpose="batch.0", inject_purpose="batch.0.injects"
        )
        paused += out.paused.sum()
        captured_kp += out.captured_unit[:, kp].sum()
        captured_ru += out.captured_unit[:, ru].sum()
    assert paused > 0.05 * 16 * 1000  # somewhere a unit regroups in more than one turn in twenty
    # North Koreans almost never surrender (two taken alive in the winter); Russians sometimes do
    assert captured_kp / 1000 < 2.0 < captured_ru / 1000


# --- drones and jammers ------------------------------------------------------------------------------------


def _orders(**kw) -> Orders:
    base = {
        "postures": {"sudzha": "fortify"},
        "drones": {"strike": 7, "counter_drone": 8, "road_overwatch": 9, "recon": 4},
        "ew": {"front": 6, "road": 0},
        "convoys": {"night": 18},
        "netting": True,
        "commit_reserves": {"ua_reserve": "south"},
    }
    base.update(kw)
    return Orders.model_validate(base)


def test_strike_teams_kill_attackers(kursk) -> None:
    c = _same(
        kursk,
        _orders(drones={"strike": 4, "counter_drone": 8, "road_overwatch": 12, "recon": 4}),
        _orders(drones={"strike": 12, "counter_drone": 8, "road_overwatch": 4, "recon": 4}),
    )
    assert c.difference("enemy_casualties").positive, c.difference("enemy_casualties")


def test_fibre_optic_crews_and_their_reach_hunt_the_convoys(kursk) -> None:
    more = with_values(kursk, {"sides.ru.drone_teams.rubicon_fibre.teams": 28})
    c = compare((kursk, STAY), (more, STAY), runs=RUNS)
    assert c.difference("trucks_lost").positive and c.difference("delivered").negative
    short = with_values(kursk, {"drone_types.ru_fpv_fibre.reach_km": 4})
    c = compare((short, STAY), (kursk, STAY), runs=RUNS)
    assert c.difference("trucks_lost").positive, c.difference("trucks_lost")


def test_jammers_on_the_road_stop_radio_drones_only(kursk) -> None:
    """Jammers moved to the road save trucks from radio drones; against fibre-optic crews they do nothing.

    Compared over the first six turns, before the two plans' fronts diverge."""
    front, road = _orders(ew={"front": 6, "road": 0}), _orders(ew={"front": 0, "road": 6})
    c = compare((kursk, front), (kursk, road), runs=RUNS, turns=6)
    assert c.difference("trucks_lost").negative, c.difference("trucks_lost")
    assert c.difference("own_casualties").positive  # ...and the front pays for the jammers it lost
    fibre_only = with_values(
        kursk,
        {
            "sides.ru.drone_teams.rubicon_radio.teams": 0,
            "sides.ru.drone_teams.ru_army_fpv.teams": 0,
            "sides.ru.drone_teams.rubicon_fibre.teams": 30,
        },
    )
    c = compare((fibre_only, front), (fibre_only, road), runs=RUNS, turns=6)
    d = c.difference("trucks_lost")
    assert abs(d.mean) < 0.05 * max(d.a, 1.0), d


# --- postures: nothing is free --------------------------------------------------------------------------


def test_fortifying_is_not_free(kursk, model) -> None:
    """Digging in costs fire, fuel and time: where the assault lands, fortifying instead of holding lets more
    attackers through in the first turns (a quarter of the soldiers dig) and burns more fuel, and it protects
    nothing on the first turn (the works are not dug yet)."""
    hold_all = _orders(postures=dict.fromkeys(SECTORS, "hold"))
    dig_all = _orders(postures=dict.fromkeys(SECTORS, "fortify"))
    c = compare((kursk, hold_all), (kursk, dig_all), runs=RUNS, turns=4)
    assert c.difference("enemy_casualties").negative, c.difference("enemy_casualties")
    first = compare((kursk, hold_all), (kursk, dig_all), runs=RUNS, turns=1).difference("own_casualties")
    assert first.low > -0.05 * first.a, first  # no protection on the day the digging starts
    from game.engine.directives import compile_orders

    fuel = []
    for orders in (hold_all, dig_all):
        st = model.initial_state(200)
        for _ in range(4):
            st, _, _ = advance(model, st, compile_orders(model.base, orders), 0)
        fuel.append(st.stocks[:, FUEL].mean())
    assert fuel[1] < fuel[0] - 5.0, fuel


def test_digging_where_the_enemy_is_not_attacking_pays(kursk) -> None:
    """The east is quiet early: fortifying it (while it is not assaulted) beats holding it."""
    c = _same(kursk, _orders(), _orders(postures={"sudzha": "fortify", "east": "fortify"}))
    assert c.difference("score").mean > -25, c.difference("score")


def test_counter_attacking_eight_to_one_burns_the_defenders(kursk) -> None:
    c = _same(kursk, _orders(), _orders(postures={"sudzha": "fortify", "south": "counter_attack"}))
    assert c.difference("own_casualties").positive and c.difference("score").negative


# --- ground: history's arc is possible, the town is not always last --------------------------------------


def test_the_town_is_not_always_the_last_sector_to_fall(model) -> None:
    runs = play_policy(model, STAY, RUNS)
    fell = runs.sector_fell.astype(float)
    fell[fell == 0] = np.inf
    s = model.base.sectors.ids.index("sudzha")
    lost = np.isfinite(fell[:, s])
    assert lost.any()
    others_later = (fell[lost] > fell[lost, s][:, None]).any(axis=1)
    # in games where the town falls, it is not always the last ground held (it always was, before)
    assert wilson(int(others_later.sum()), int(others_later.size))[0] > 0.05, others_later.mean()


def test_the_pipeline_group_fights_from_inside_the_town(kursk) -> None:
    """The ~800 who came up through the pipeline fight where they stand, whatever the force ratio, and put the
    town under pressure from inside: the attacker's progress into Sudzha jumps when they appear."""
    quiet = kursk.model_copy(deep=True)
    next(i for i in quiet.injects if i.id == "pipeline_infiltration").active = False
    progress, losses = [], []
    for sc in (quiet, kursk):
        model = Model(sc)
        s, u = model.base.sectors.ids.index("sudzha"), model.base.units.ids.index("ru_pipeline_group")
        st = model.initial_state(1000)
        lost = np.zeros(1000)
        for _ in range(12):
            params = model.variants(st)[0][0]
            st, out, _ = advance(
                model, st, STAY.directives(params, st), 0, purpose="batch.0", inject_purpose="batch.0.injects"
            )
            lost += out.unit_loss[:, u]
        progress.append(np.where(st.holder[:, s] == PLAYER, st.progress[:, s], 1.0))
        losses.append(lost)
    assert losses[0].sum() == 0 and losses[1].mean() > 50  # they fight (and bleed) inside the town
    mean, low, high = t_interval(progress[1] - progress[0])
    assert low > 0.1, (mean, low, high)


# --- decisions: the built-in plans explain the game; no fixed recipe wins ---------------------------------


@pytest.fixture(scope="module")
def builtin(kursk):
    model = Model(kursk)
    return {name: run_batch(model, pol, RUNS, seed=0) for name, pol in POLICIES.items()}


def test_the_adaptive_plan_is_the_best_built_in_plan(builtin) -> None:
    means = {n: r.score.mean() for n, r in builtin.items()}
    assert max(means, key=means.get) == "hold_then_withdraw", means
    assert means["hold_then_withdraw"] > means["delay_withdraw"] + 200  # leaving at once gives up the chip
    assert eta_squared([r.score for r in builtin.values()]) >= 0.5


@pytest.mark.parametrize(
    "recipe",
    [
        _orders(postures=dict.fromkeys(SECTORS, "fortify")),
        _orders(withdraw=True, postures=dict.fromkeys(SECTORS, "delay")),
        _orders(drones={"road_overwatch": 28}),
        _orders(
            postures=dict.fromkeys(SECTORS, "counter_attack"),
            drones={"strike": 20, "counter_drone": 4, "road_overwatch": 4},
        ),
        _orders(ew={"front": 5, "road": 1}),
    ],
    ids=[
        "fortify-everything",
        "withdraw-on-turn-1",
        "all-drones-on-the-road",
        "counter-attack-everywhere",
        "jammers-5-1",
    ],
)
def test_no_standing_recipe_beats_the_best_plan_in_nine_games_of_ten(kursk, builtin, recipe) -> None:
    r = run_batch(Model(kursk), recipe, RUNS, seed=0)
    wins = int((r.score > builtin["hold_then_withdraw"].score).sum())
    assert wilson(wins, RUNS)[1] < 0.9, wins / RUNS
