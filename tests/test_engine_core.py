"""The engine's core: determinism, common random numbers, the kernel against the pure-Python reference."""

from __future__ import annotations

import random

import numpy as np
import pytest
from engine_support import KURSK, SMALL
from engine_support import balanced_orders as orders
from reference_engine import plain, reference_turn

from game.engine.directives import compile_orders
from game.engine.factors import INDEX as FACTOR
from game.engine.game import Game
from game.engine.injects import apply as apply_injects
from game.engine.orders import EwAllocation
from game.engine.params import AMMUNITION, CAPTURED, CUT, DRONES, ENEMY, FOOD_MEDICAL, FUEL, KILLED, PLAYER, WOUNDED
from game.engine.rng import draw_noise, stream
from game.engine.sampling import binomial_from_uniform, poisson_from_normal
from game.engine.turn import resolve_turn
from game.scenario.load import load_scenario

FIXTURES = SMALL.parent


@pytest.fixture(scope="module")
def small():
    return load_scenario(SMALL)


def test_same_seed_same_orders_same_reports(small):
    a, b = Game(small, 11), Game(small, 11)
    for _ in range(4):
        ra, rb = a.play(orders()), b.play(orders())
        assert ra.model_dump() == rb.model_dump()
    assert a.intel() == b.intel()
    assert a.score() == b.score()


def test_different_seeds_differ(small):
    a, b = Game(small, 1), Game(small, 2)
    ra = [a.play(orders()).model_dump() for _ in range(3)]
    rb = [b.play(orders()).model_dump() for _ in range(3)]
    assert ra != rb


def test_noise_has_the_same_shape_whatever_the_orders(small):
    game = Game(small, 5)
    layout = game.params.layout
    one = draw_noise(layout, 50, stream(5, 1, "resolve"))
    two = draw_noise(layout, 50, stream(5, 1, "resolve"))
    assert np.array_equal(one.normals, two.normals) and np.array_equal(one.uniforms, two.uniforms)
    assert one.normals.shape == (layout.substeps, 50, 2, layout.sectors)


def test_the_normals_are_a_fine_table_of_the_standard_normal(small):
    """Table normals: symmetric, mean 0, variance 1 to 1e-5; a big draw has the normal's moments and tails."""
    from game.engine.rng import normal_table

    table = normal_table().astype(np.float64)
    assert table.shape == (65536,) and np.all(np.diff(table) > 0)
    assert np.array_equal(table, -table[::-1])
    assert abs(table.mean()) < 1e-12 and abs((table**2).mean() - 1.0) < 1e-5
    assert 4.3 < table[-1] < 4.5  # the last bin's mean: P(Z > 4.17) = 1 / 65,536
    z = draw_noise(Game(small, 1).params.layout, 20_000, stream(3, 1, "moments")).normals.astype(np.float64).ravel()
    se = 1.0 / np.sqrt(z.size)
    assert abs(z.mean()) < 4 * se and abs(z.var() - 1.0) < 4 * np.sqrt(2) * se
    assert abs((z**3).mean()) < 4 * np.sqrt(15) * se and abs((z**4).mean() - 3.0) < 4 * np.sqrt(96) * se
    assert abs((np.abs(z) > 1.96).mean() - 0.05) < 4 * np.sqrt(0.05 * 0.95) * se


def test_a_replication_keeps_its_dice_whichever_others_are_kept(small):
    layout = Game(small, 5).params.layout
    whole = draw_noise(layout, 40, stream(5, 2, "resolve"))
    rows = np.array([3, 17, 39])
    kept = draw_noise(layout, 40, stream(5, 2, "resolve"), rows)
    assert np.array_equal(kept.normals, whole.normals[:, rows]) and np.array_equal(kept.uniforms, whole.uniforms[rows])
    mask = np.zeros(40, bool)
    mask[rows] = True
    assert np.array_equal(draw_noise(layout, 40, stream(5, 2, "resolve"), mask).normals, kept.normals)
    assert all(block.flags.f_contiguous for block in kept.normals)  # each sub-step in the engine's layout


def test_common_random_numbers_two_plans_face_the_same_dice(small):
    """Orders that differ only on the road leave the fighting's dice, and so its losses, unchanged."""
    a, b = Game(small, 9), Game(small, 9)
    ra = a.play(orders(netting=False, ew=EwAllocation(front=2, road=0)))
    rb = b.play(orders(netting=True, ew=EwAllocation(front=2, road=2)))
    assert ra.losses == rb.losses
    # a forecast of two plans from the same state uses the same dice too: same fighting, different roads
    fa = a.forecast(orders(netting=False, ew=EwAllocation(front=2, road=0)), replications=300)
    fb = a.forecast(orders(netting=True, ew=EwAllocation(front=2, road=2)), replications=300)
    assert fa.own_losses == fb.own_losses and fa.enemy_losses == fb.enemy_losses


def test_streams_are_independent_of_order_of_use():
    x = stream(3, 2, "resolve").random(4)
    stream(3, 2, "forecast").random(1000)
    assert np.array_equal(x, stream(3, 2, "resolve").random(4))
    assert not np.array_equal(x, stream(3, 3, "resolve").random(4))


def test_poisson_transform_is_unbiased_and_monotone():
    rng = np.random.default_rng(0)
    for lam in (0.05, 0.4, 2.0, 8.0, 40.0):
        z = rng.standard_normal(200_000)
        x = poisson_from_normal(np.full_like(z, lam), z, np.full_like(z, 1e9))
        assert abs(x.mean() - lam) < 4 * np.sqrt(lam / z.size) + 1e-3
    z = rng.standard_normal(1000)
    lo = poisson_from_normal(np.full_like(z, 3.0), z, np.full_like(z, 1e9))
    hi = poisson_from_normal(np.full_like(z, 3.5), z, np.full_like(z, 1e9))
    assert (hi >= lo).all()


def test_binomial_transform_matches_moments_and_is_monotone():
    u = np.random.default_rng(1).random(100_000)
    for n, q in ((20, 0.1), (40, 0.7), (5, 0.5)):
        x = binomial_from_uniform(np.full_like(u, n), np.full_like(u, q), u)
        assert abs(x.mean() - n * q) < 4 * np.sqrt(n * q * (1 - q) / u.size)
        assert abs(x.var() - n * q * (1 - q)) < 0.05 * n * q * (1 - q) + 0.01
    a = binomial_from_uniform(np.full_like(u, 20), np.full_like(u, 0.2), u)
    b = binomial_from_uniform(np.full_like(u, 25), np.full_like(u, 0.3), u)
    assert (b >= a).all()


def _outcomes(
    scenario,
    turns_before: int,
    reps: int = 3000,
    ref_reps: int = 1500,
    withdraw: bool = False,
    cut_for: int = 0,
    starve: bool = False,
    postures: dict[str, str] | None = None,
    inject: str | None = None,
    fallen: dict[str, str] | None = None,
    ammunition: float | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The outcomes of the kernel and of the reference, by name, on the same turn, after `turns_before` turns of
    the default orders; `withdraw` orders the withdrawal from the first turn, `inject` fires that scenario inject
    (by id) just before the turn checked, `fallen` hands each sector to the enemy first and moves the player's
    units there to the sector named, `cut_for` cuts every road segment and sets the encirclement clock to that
    many turns first, `postures` orders these postures (in the sectors still held) on the turn checked,
    `starve` empties the fuel and the food and medical stocks first and sends no convoy, `ammunition` leaves that
    many tonnes of ammunition on hand."""
    game = Game(scenario, 5)
    p = game.params

    def plan():  # the default orders of the turn: they keep the postures of the sectors still held
        return game.default_orders().model_copy(update={"withdraw": withdraw})

    for _ in range(turns_before):
        game.play(plan())
    if inject:
        injects = p.scenario.injects
        fire = np.zeros((1, len(injects)), dtype=bool, order="F")
        fire[0, [i.id for i in injects].index(inject)] = True
        apply_injects(p, game.state, fire)
    for lost, to in (fallen or {}).items():
        sector = p.sectors.ids.index(lost)
        game.state.holder[:, sector] = ENEMY
        game.state.loc[(game.state.loc == sector) & (p.units.side == PLAYER)] = p.sectors.ids.index(to)
    if cut_for:
        game.state.damage[:] = CUT
        game.state.road_state[:] = CUT
        game.state.cut_clock[:] = cut_for
    given = plan()
    if postures:
        given = given.model_copy(
            update={
                "postures": {
                    **given.postures,
                    **{sector: posture for sector, posture in postures.items() if sector in given.postures},
                }
            }
        )
    if starve:  # and no convoys this turn, so nothing refills them
        game.state.stocks[:, [FUEL, FOOD_MEDICAL]] = 0.0
        given = given.model_copy(update={"convoys": given.convoys.model_copy(update={"day": 0, "night": 0})})
    if ammunition is not None:
        game.state.stocks[:, AMMUNITION] = ammunition
    assert not game.state.ended[0]
    d = compile_orders(p, given)
    st = game.state.broadcast(reps)
    new, out = resolve_turn(p, st, d, draw_noise(p.layout, reps, stream(1, st.turn, "check")))
    mine, theirs = p.units.side == PLAYER, p.units.side == ENEMY
    grew = new.casualties - st.casualties  # this turn's change in the books, by side and kind
    arrived = new.arrived - st.arrived
    kernel = {
        "own_losses": out.losses[:, PLAYER].sum(axis=1),
        "enemy_losses": out.losses[:, ENEMY].sum(axis=1),
        # the books: died of wounds move to killed, wounded left behind at a withdrawal to captured
        "own_killed": grew[:, PLAYER, KILLED],
        "own_wounded": grew[:, PLAYER, WOUNDED],
        "own_captured": grew[:, PLAYER, CAPTURED],
        "enemy_killed": grew[:, ENEMY, KILLED],
        "enemy_captured": grew[:, ENEMY, CAPTURED],
        "trucks_lost": out.trucks_lost,
        "delivered": out.delivered,
        "effectiveness": out.effectiveness,
        "area_held": new.area_held(p),
        "sectors_fell": out.fell.sum(axis=1).astype(float),
        "progress": new.progress.sum(axis=1),
        # the end of the turn: the wounded, fresh soldiers, morale, breaking, digging, stocks, the road, endings
        "died_of_wounds": out.died_of_wounds,
        "wounded_pending": new.wounded_pending,
        "own_strength": new.strength[:, mine].sum(axis=1),
        "enemy_strength": new.strength[:, theirs].sum(axis=1),
        "own_reference": new.reference[:, mine].sum(axis=1),
        "enemy_reference": new.reference[:, theirs].sum(axis=1),
        "own_broken": out.newly_broken[:, mine].sum(axis=1).astype(float),
        "enemy_broken": out.newly_broken[:, theirs].sum(axis=1).astype(float),
        "own_morale": new.morale[:, mine].sum(axis=1),
        "enemy_morale": new.morale[:, theirs].sum(axis=1),
        "own_arrived": arrived[:, PLAYER],
        "enemy_arrived": arrived[:, ENEMY],
        "fortification": new.fort.sum(axis=1),
        "fortification_built": out.factors[:, FACTOR["fortification.built"]],
        "ammunition": new.stocks[:, AMMUNITION],
        "drones": new.stocks[:, DRONES],
        "fuel": new.stocks[:, FUEL],
        "food_medical": new.stocks[:, FOOD_MEDICAL],
        "road_damage": new.damage.sum(axis=1).astype(float),
        "road_state": new.road_state.sum(axis=1).astype(float),
        "cut_start": out.route_cut_start.astype(float),
        "cut_end": out.route_cut.astype(float),
        "cut_clock": new.cut_clock,
        "road_share": new.road_share,
        "paused": (new.paused > 0).sum(axis=1).astype(float),  # enemy units sitting the next turn out
        "paused_turns": new.paused.sum(axis=1).astype(float),  # consolidating (2 turns) or regrouping (1)
        "orderly": new.orderly.astype(float),
        "ended": new.ended.astype(float),
    }
    rng = random.Random(7)
    pp = plain(p)
    refs = [reference_turn(p, game.state, d, rng, pp=pp) for _ in range(ref_reps)]
    assert set(refs[0]) == set(kernel)
    return kernel, {key: np.array([r[key] for r in refs]) for key in kernel}


def _cross_check(scenario, turns_before: int, **options) -> None:
    """Kernel and reference agree on the mean of every outcome (`_outcomes` for the options)."""
    kernel, reference = _outcomes(scenario, turns_before, **options)
    for key, a in kernel.items():
        b = reference[key]
        se = np.sqrt(a.var() / a.size + b.var() / b.size)
        # means agree within 4.5 standard errors (plus a hair for quantities that are nearly constant)
        assert abs(a.mean() - b.mean()) <= 4.5 * se + 1e-6 + 0.002 * abs(b.mean()), (key, a.mean(), b.mean(), se)


def test_kernel_agrees_with_the_pure_python_reference(small):
    _cross_check(small, turns_before=0)
    _cross_check(small, turns_before=2)
    _cross_check(small, turns_before=3)  # every enemy unit back in the fight after consolidating and regrouping


def test_kernel_agrees_with_the_reference_at_the_endings(small):
    """The turn the grouping gets out (exit losses, the wounded left behind; on foot without fuel), a road cut for
    too long, and the last sector falling (the grouping breaks out, many taken prisoner)."""
    clock = small.supply.encirclement_clock_turns
    _cross_check(small, turns_before=small.endings.withdrawal_turns - 1, reps=2000, ref_reps=1000, withdraw=True)
    _cross_check(
        small, turns_before=small.endings.withdrawal_turns - 1, reps=2000, ref_reps=1000, withdraw=True, starve=True
    )
    _cross_check(small, turns_before=1, reps=2000, ref_reps=1000, cut_for=clock)
    _cross_check(small, turns_before=4, reps=2000, ref_reps=1000)


def test_kernel_agrees_with_the_reference_in_a_shortage(small):
    """No fuel, food or medicine: slower evacuation, more wounded dying, lower morale; then short of ammunition
    as well, in the fight: weaker fire, rationed (the line dug in uses less than it has), silent guns, and no
    digging without fuel."""
    _cross_check(small, turns_before=1, reps=2000, ref_reps=1000, starve=True)
    _cross_check(
        small,
        turns_before=0,
        reps=2000,
        ref_reps=1000,
        starve=True,
        ammunition=8.0,
        postures=dict.fromkeys(("centre", "north", "east", "corridor"), "fortify"),
    )


def test_kernel_agrees_with_the_reference_in_every_posture(small):
    """Digging under fire, a counter-attack, a delay and a sector given up; later the town dug in under assault and a
    counter-attack in the corridor."""
    _cross_check(
        small,
        turns_before=0,
        postures={"east": "fortify", "north": "counter_attack", "centre": "delay", "corridor": "withdraw"},
    )
    _cross_check(small, turns_before=3, postures={"centre": "fortify", "corridor": "counter_attack"})


def test_kernel_agrees_with_the_reference_in_a_pocket(small):
    """The town lost before the turn and its battalion in the north: the tracks end in enemy hands, the road reaches
    only the junction, and most of the line stands in a pocket no route feeds (the encirclement clock ticks)."""
    _cross_check(small, turns_before=0, reps=2000, ref_reps=1000, fallen={"centre": "north"})


def test_kernel_agrees_with_the_reference_when_units_break(small):
    """Every unit breaking at a fifth of its strength lost: assaults break, broken defenders give up their
    sectors and are taken prisoner, the attacker regroups sooner."""
    brittle = small.model_copy(deep=True)
    for side in brittle.sides:
        for unit in side.units:
            unit.breaking_point = 0.2
    _cross_check(brittle, turns_before=0, reps=2000, ref_reps=1000)


def test_kernel_agrees_with_reference_on_kursk():
    kursk = load_scenario(KURSK)
    _cross_check(kursk, turns_before=1, reps=2000, ref_reps=1000)
    # infiltrators come up inside the town: no force ratio, all of them in contact, behind the works
    _cross_check(kursk, turns_before=1, reps=2000, ref_reps=1000, inject="pipeline_infiltration")


def test_mean_field_mode_is_deterministic(small):
    from game.engine.step import Model, advance

    model = Model(small)
    st = model.initial_state(3)
    d = compile_orders(model.base, orders())
    _new, out, _ = advance(model, st, d, 4, mean_field=True)
    assert np.allclose(out.losses[0], out.losses[1]) and np.allclose(out.losses[1], out.losses[2])


def test_initial_state_is_writable_and_never_aliases_the_parameters(small):
    from game.engine.batch import run_batch
    from game.engine.policies import POLICIES
    from game.engine.step import Model

    model = Model(small)
    for R in (1, 3):
        st = model.initial_state(R)
        for name, value in st.arrays().items():
            assert value.flags.writeable, name
            assert not np.shares_memory(value, model.base.units.strength0), name
    # a batch of a single replication, played to the end, leaves the parameters untouched
    before = model.base.units.strength0.copy()
    run_batch(model, POLICIES["hold"], 1, seed=1, chunk=1)
    assert np.array_equal(model.base.units.strength0, before)


def test_an_inject_changes_only_the_replications_where_it_fired(small):
    """Every kind of state effect lands on the firing rows, exactly, and leaves the others' numbers alone."""
    from game.engine import injects as inj
    from game.engine.params import ROAD_STATES
    from game.engine.step import Model
    from game.scenario.injects import Inject

    sc = small.model_copy(deep=True)
    road, sector = sc.map.roads[0].id, sc.map.sectors[0].id
    unit = next(u for u in sc.sides[0].units)
    sc.injects.append(
        Inject.model_validate(
            {
                "id": "everything",
                "title": "Everything at once",
                "trigger": {"turn": 1},
                "effects": [
                    {"kind": "change_stock", "stock": "fuel_t", "delta": -5.0},
                    {"kind": "set_road_state", "road": road, "state": "interdicted"},
                    {"kind": "change_morale", "side": sc.sides[0].id, "delta": -0.1},
                    {"kind": "change_strength", "unit": unit.id, "delta": -40.0},
                    {"kind": "scale_rate", "target": f"map.roads.{road}.speed_kmh", "factor": 0.5},
                    {"kind": "set_rate", "target": f"map.sectors.{sector}.fortification", "value": 0.9},
                ],
            }
        )
    )
    model = Model(sc)
    p = model.base
    before = model.initial_state(4)
    st = before.copy()
    fire = np.zeros((4, len(sc.injects)), dtype=bool, order="F")
    fire[[1, 3], -1] = True
    inj.apply(p, st, fire)
    hit, spared = np.array([1, 3]), np.array([0, 2])
    for name, value in st.arrays().items():
        assert np.array_equal(value[spared], getattr(before, name)[spared]), name
    g, s, u = p.roads.ids.index(road), p.sectors.ids.index(sector), p.units.ids.index(unit.id)
    assert np.array_equal(st.stocks[hit, FUEL], np.maximum(0.0, before.stocks[hit, FUEL] - 5.0))
    interdicted = ROAD_STATES.index("interdicted")
    assert (st.road_state[hit, g] == interdicted).all() and (st.damage[hit, g] == interdicted).all()
    mine = p.units.side == PLAYER
    assert np.allclose(st.morale[np.ix_(hit, mine)], np.clip(before.morale[np.ix_(hit, mine)] - 0.1, 0.0, 1.0))
    assert np.array_equal(st.morale[np.ix_(hit, ~mine)], before.morale[np.ix_(hit, ~mine)])
    assert np.array_equal(st.strength[hit, u], before.strength[hit, u] - 40.0)
    assert np.array_equal(st.road_speed[hit, g], np.maximum(before.road_speed[hit, g] * 0.5, 0.1))
    assert (st.fort[hit, s] == 0.9).all() and (st.fired[hit, -1] == 1).all()


def test_soldiers_an_inject_takes_count_in_the_turns_losses(small):
    """The turn's report (and the intel and debrief built on it) adds up to the totals the score counts."""
    from game.scenario.injects import Inject

    sc = small.model_copy(deep=True)
    unit = next(u for u in sc.sides[0].units)
    sc.injects.append(
        Inject.model_validate(
            {
                "id": "strike",
                "title": "A strike on the command post",
                "trigger": {"turn": 2},
                "effects": [{"kind": "change_strength", "unit": unit.id, "delta": -40.0}],
            }
        )
    )
    game = Game(sc, 7)
    for _ in range(3):
        report = game.play(game.default_orders())
        assert ("strike" in report.injects_fired) == (report.turn == 2)
    side = sc.sides[0].id
    reported = sum(r.losses[side].total for r in game.history)
    assert reported == pytest.approx(float(game.state.casualties[0, PLAYER].sum()))
    assert game.history[1].losses[side].total >= 40.0  # the 40 are in turn 2's losses, beside the fighting's


def test_a_rate_inject_that_compounds_past_the_limits_stops_with_its_name(tmp_path):
    """The file allows each firing, but a repeatable ×100 on a whole number of trucks passes the limit on its
    fourth firing: the game stops naming the inject and the path, instead of spinning or overflowing."""
    from game.engine.params import InjectLimitError

    text = (FIXTURES / "minimal.yaml").read_text()
    old = "    trigger: {turn: 3}\n    effects:\n      - {kind: scale_rate, target: supply.border_resupply_t_per_turn, factor: 0.67}\n"
    assert old in text
    path = tmp_path / "grow.yaml"
    path.write_text(
        text.replace(
            old,
            "    repeatable: true\n    trigger: {after_turn: 1}\n    effects:\n"
            "      - {kind: scale_rate, target: supply.convoys.trucks_available, factor: 100}\n",
        )
    )
    game = Game(load_scenario(path), seed=1)
    for _ in range(3):
        game.play(game.default_orders())
    assert game.params.convoys.trucks_available == 10 * 100**3
    with pytest.raises(
        InjectLimitError,
        match=r"inject 'aid_halt' fired 4 times: 'supply\.convoys\.trucks_available' would become 1e\+09",
    ):
        game.play(game.default_orders())
