"""The advisor's forecast is drawn from the trainee's intel picture, never from the true enemy, and stays calibrated.

Calibration figures: `.venv/bin/python -m pytest tests/test_forecast_fog.py -k calibrated -s` prints them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

import numpy as np
import pytest
from engine_support import KURSK, SMALL

from game.engine.directives import compile_orders
from game.engine.fog import INTEL_SIGMA, RECON_SHARPENING, Z90, enemy_by_sector, enemy_picture, facing_sector
from game.engine.forecast import run_forecast, sample_enemy
from game.engine.game import Game
from game.engine.params import CUT, ENEMY
from game.engine.policies import POLICIES
from game.engine.rng import stream
from game.scenario import Scenario
from game.scenario.load import load_scenario


@pytest.fixture(scope="module")
def small() -> Scenario:
    return load_scenario(SMALL)


def played(scenario: Scenario, seed: int, turns: int, policy: str = "hold") -> Game:
    game = Game(scenario, seed)
    for _ in range(turns):
        game.play(POLICIES[policy](game))
    return game


def whole_soldiers(game: Game) -> None:
    """Round the enemy's strengths and last turn's counts: moving soldiers between them is then exact arithmetic."""
    enemy = game.params.units.side == ENEMY
    game.state.strength[0, enemy] = np.round(game.state.strength[0, enemy])
    assert game.previous_enemy_by_sector is not None
    game.previous_enemy_by_sector = np.round(game.previous_enemy_by_sector)


def test_the_forecast_does_not_see_the_true_enemy(small):
    """Two games whose intel reads the same, one with half as many again of the enemy in its busiest sector."""
    a, b = played(small, 5, 1), played(small, 5, 1)
    whole_soldiers(a)
    whole_soldiers(b)
    p = b.params
    s = int(np.argmax(enemy_by_sector(p, b.state)[0]))
    there = facing_sector(p, b.state)[0] == s
    extra = np.round(0.5 * b.state.strength[0, there])
    b.state.strength[0, there] += extra
    assert b.previous_enemy_by_sector is not None
    b.previous_enemy_by_sector[s] -= extra.sum()  # half of a report is a turn old: the sector's estimate stays
    assert extra.sum() >= 100 and b.previous_enemy_by_sector[s] >= 0
    assert np.array_equal(facing_sector(p, a.state), facing_sector(p, b.state))

    assert a.intel() == b.intel()
    orders = POLICIES["hold"](a)
    assert a.forecast(orders, replications=300) == b.forecast(orders, replications=300)
    # the truth differs, and a forecast from it (the old advisor) would have told the trainee
    d = compile_orders(p, orders)
    truth_a = run_forecast(a.model, a.state, d, a.seed, 300, 1)
    truth_b = run_forecast(b.model, b.state, d, b.seed, 300, 1)
    assert truth_a.enemy_losses != truth_b.enemy_losses


def test_the_picture_is_the_intel_estimate(small):
    """The forecast's draws average the intel's figures and have its 5–95% bands: per sector, and for the total
    (whose figure is the sum of the sectors' figures)."""
    for turns in (0, 2):
        game = played(small, 8, turns)
        p = game.params
        told = game.intel()
        pic = enemy_picture(game)
        st = game.state.broadcast(20_000)
        sample_enemy(p, st, pic, stream(8, game.turn, "test.picture"))
        enemy = p.units.side == ENEMY
        total = st.strength[:, enemy].sum(axis=1)
        low, high = np.percentile(total, (5.0, 95.0))
        e = told.enemy_total
        assert (low, total.mean(), high) == pytest.approx((e.low, e.estimate, e.high), rel=0.03)
        assert e.estimate == sum(x.estimate for x in told.enemy_strength.values())
        if turns == 0:  # no report is a turn old yet: every sector's draws sit where its units stand
            by_sector = np.stack([st.strength[:, pic.facing == k].sum(axis=1) for k in range(p.S)], axis=1)
            for k, sid in enumerate(p.sectors.ids):
                x = told.enemy_strength[sid]
                low, high = np.percentile(by_sector[:, k], (5.0, 95.0))
                got = (low, by_sector[:, k].mean(), high)
                assert got == pytest.approx((x.low, x.estimate, x.high), rel=0.03, abs=0.5), sid
                if x.estimate > 50:
                    assert x.high / x.estimate == pytest.approx(np.exp(Z90 * pic.sigma - pic.sigma**2 / 2), rel=1e-3), (
                        sid
                    )


def test_the_spread_widens_with_intel_uncertainty(small):
    """From no doubt at all, through the intel's sigma with full recon and with none, to twice that: wider bands."""
    game = Game(small, 2)
    d = compile_orders(game.params, POLICIES["hold"](game))
    pic = enemy_picture(game)
    widths = []
    for sigma in (0.0, INTEL_SIGMA * (1.0 - RECON_SHARPENING), INTEL_SIGMA, 2.0 * INTEL_SIGMA):
        f = run_forecast(game.model, game.state, d, game.seed, 400, 1, picture=replace(pic, sigma=sigma))
        widths.append(f.enemy_losses.p95 - f.enemy_losses.p5)
    assert all(wider > 1.3 * narrower for narrower, wider in itertools.pairwise(widths)), widths
    # the same picture drawn again is the same forecast: its dice are the game's seed and turn
    orders = POLICIES["hold"](game)
    assert game.forecast(orders, replications=200) == game.forecast(orders, replications=200)


def test_a_road_already_cut_is_forecast_as_cut(small):
    """Every route cut at the start of the turn: the forecast says so, even where engineers may reopen it."""
    game = Game(small, 4)
    st = game.state
    st.damage[0, :] = CUT
    st.road_state[0, :] = CUT
    st.cut_clock[0] = 1
    f = game.forecast(POLICIES["hold"](game), replications=300)
    assert f.p_road_cut == 1.0 and f.p_supply_road_cut == 1.0


def test_the_road_shown_cut_is_not_every_route_cut(small):
    """The map's "cut" road while the track still serves: the road's own chance says so, the clock's does not."""
    game = Game(small, 4)
    p = game.params
    game.state.damage[0, p.roads.on_road] = CUT
    game.state.road_state[0, p.roads.on_road] = CUT
    f = game.forecast(POLICIES["hold"](game), replications=300)
    assert f.p_supply_road_cut == 1.0 and f.p_road_cut < 0.5


@dataclass
class Calibration:
    """Forecasts set against what then happened, over (game, turn) pairs."""

    pairs: int = 0
    inside: dict[str, int] = field(default_factory=lambda: {"own": 0, "enemy": 0})
    """Turns whose realised losses fell inside the forecast's 5–95% band."""
    expected: dict[str, float] = field(default_factory=lambda: {"route": 0.0, "road": 0.0})
    """Sum of the forecast chances of a cut: every route (p_road_cut), the supply road (p_supply_road_cut)."""
    variance: dict[str, float] = field(default_factory=lambda: {"route": 0.0, "road": 0.0})
    happened: dict[str, int] = field(default_factory=lambda: {"route": 0, "road": 0})

    def tolerance(self, key: str) -> float:
        """Three standard deviations of the number of cuts, plus 3% of the turns for the picture's blur.

        The picture is a noisy reading with no prior, so an event the truth makes certain (all the enemy
        converging on a sector that then falls and cuts every route) is forecast at less than 1: with the
        true enemy the forecast matches the cut rate, with the picture it has run 0–5 points low."""
        return 3.0 * float(np.sqrt(self.variance[key])) + 0.03 * self.pairs

    def __str__(self) -> str:
        bands = "; ".join(f"{k} losses in band {v}/{self.pairs} = {v / self.pairs:.1%}" for k, v in self.inside.items())
        cuts = "; ".join(
            f"{k} cut on {self.happened[k]} turns, forecast {self.expected[k]:.1f} ± {self.tolerance(k):.1f}"
            for k in self.expected
        )
        return f"{bands}; {cuts}"


def calibrate(scenario: Scenario, seeds: range, turns: int, replications: int) -> Calibration:
    """Forecast each turn every standing policy plays, then play it. A cut counts on the turn when it holds
    at its start or its end (what the forecast's chances are about).

    Each policy plays its own seeds: the analysts' bias is drawn per game, so the same seed under two
    policies that act alike would count the same luck twice."""
    out = Calibration()
    player, foe = scenario.meta.player_side, scenario.opfor.side
    for k, name in enumerate(POLICIES):
        for seed in seeds:
            game = Game(scenario, 1000 * k + seed)
            on_road = game.params.roads.on_road
            while not game.finished and game.turn <= turns:
                orders = POLICIES[name](game)
                f = game.forecast(orders, replications=replications)
                route_before = game.state.cut_clock[0] > 0
                road_before = bool((game.state.road_state[0, on_road] >= CUT).any())
                report = game.play(orders)
                out.pairs += 1
                out.inside["own"] += f.own_losses.p5 <= report.losses[player].total <= f.own_losses.p95
                out.inside["enemy"] += f.enemy_losses.p5 <= report.losses[foe].total <= f.enemy_losses.p95
                road_after = any(report.road_state[g] == "cut" for g in scenario.map.supply_route)
                assert f.p_supply_road_cut is not None
                for key, prob, cut in (
                    ("route", f.p_road_cut, route_before or report.road_cut_turns > 0),
                    ("road", f.p_supply_road_cut, road_before or road_after),
                ):
                    out.expected[key] += prob
                    out.variance[key] += prob * (1.0 - prob)
                    out.happened[key] += cut
    return out


@pytest.mark.parametrize("where, seeds, turns", [("small", range(12), 8), ("kursk", range(10), 6)])
def test_the_forecast_is_calibrated(where, seeds, turns, small):
    """The realised losses fall in the 5–95% band in 80–97% of (game, turn) pairs, and the road is cut about as
    often as forecast (within 3 standard deviations of the summed chances, plus 3% of the turns).

    Nominal coverage is 90%; the analysts' persistent bias, which their stated band leaves out by design
    (game.engine.fog), costs the enemy's losses a few points (about 85% on Kursk), hence the floor of 80%."""
    scenario = small if where == "small" else load_scenario(KURSK)
    got = calibrate(scenario, seeds, turns, replications=300)
    print(f"\n{where}: {got}")
    assert got.pairs >= 100
    for key, inside in got.inside.items():
        assert 0.80 <= inside / got.pairs <= 0.97, (key, str(got))
    for key, expected in got.expected.items():
        assert abs(got.happened[key] - expected) <= got.tolerance(key), (key, str(got))
