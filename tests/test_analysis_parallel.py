"""Chunks of a batch on a process pool give the games of a serial run, bit for bit; the checker's memory does not
grow with the number of games beyond one score a game."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from engine_support import KURSK

from game.analysis.check import check_scenario
from game.analysis.drill_check import check_drill
from game.analysis.orders_plan import load_plans
from game.analysis.parallel import ChunkPool, Setup, run_batch_parallel
from game.analysis.render import as_json, as_text
from game.analysis.runs import ChunkTask, play_policy, tally_chunk
from game.analysis.stats import t_interval
from game.analysis.tally import Tally, by_turn
from game.cli import main
from game.engine.batch import run_batch
from game.engine.params import ENDINGS
from game.engine.policies import POLICIES
from game.engine.step import Model
from game.scenario.load import load_scenario

FIXTURES = Path(__file__).parent / "fixtures"
BASE = FIXTURES / "check_base.yaml"


def _same_batches(a, b) -> None:
    for name in (
        "score",
        "own_casualties",
        "enemy_casualties",
        "area_held",
        "delivered",
        "trucks_lost",
        "turns_played",
        "ending",
    ):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
        assert getattr(a, name).dtype == getattr(b, name).dtype, name
    assert a.score_lines.keys() == b.score_lines.keys()
    assert all(np.array_equal(a.score_lines[k], b.score_lines[k]) for k in a.score_lines)
    assert a.replication_turns == b.replication_turns


def test_a_batch_can_start_at_any_chunk():
    sc = load_scenario(BASE)
    whole = run_batch(sc, POLICIES["hold"], 300, seed=5, chunk=100)
    middle = run_batch(sc, POLICIES["hold"], 200, seed=5, chunk=100, first_chunk=1)  # chunks 1 and 2
    assert np.array_equal(middle.score, whole.score[100:])
    assert np.array_equal(middle.ending, whole.ending[100:])
    assert not np.array_equal(whole.score[:100], whole.score[100:200])  # each chunk has its own dice


@pytest.mark.parametrize("plan", ["hold_then_withdraw", "delay_withdraw"])
def test_a_batch_on_two_workers_is_the_serial_batch(plan):
    sc = load_scenario(KURSK)
    serial = run_batch(sc, POLICIES[plan], 700, seed=3, chunk=200)
    _same_batches(run_batch_parallel(sc, plan, 700, seed=3, chunk=200, workers=2), serial)
    _same_batches(run_batch_parallel(sc, plan, 700, seed=3, chunk=200, workers=1), serial)


def test_the_check_report_on_two_workers_is_the_serial_report():
    """Kursk (policies, injects, assertions, both drill keys), in chunks of 90 games."""
    sc = load_scenario(KURSK)
    serial = check_scenario(sc, runs=250, seed=2, workers=1, chunk=90)
    pooled = check_scenario(sc, runs=250, seed=2, workers=2, chunk=90)
    assert as_text(pooled) == as_text(serial) and as_json(pooled) == as_json(serial)
    assert sum(n.startswith("drill '") for n in serial.notes) == 2 and len(serial.assertions) == 14


def test_orders_files_on_two_workers_play_the_serial_games():
    """The workers read the orders files themselves and play them under the same labels."""
    sc = load_scenario(BASE)
    trainee = FIXTURES / "orders" / "orders_trainee.yaml"
    plans = load_plans(sc, [trainee, trainee], taken=POLICIES)
    serial = check_scenario(sc, runs=150, seed=1, policies=["hold"], plans=plans, workers=1, chunk=64)
    pooled = check_scenario(sc, runs=150, seed=1, policies=["hold"], plans=plans, workers=2, chunk=64)
    assert as_json(pooled) == as_json(serial)
    assert [p.policy for p in pooled.policies] == ["hold", "orders_trainee", "orders_trainee#2"]


def test_the_streamed_figures_are_those_of_the_observed_games():
    """Tallies of three chunks, joined, against the same games kept one by one (play_policy)."""
    sc = load_scenario(BASE)
    horizon = sc.meta.turns
    runs = play_policy(Model(sc), POLICIES["hold_sudzha_road"], 300, seed=4, chunk=128)
    context = ChunkPool(Setup(sc), workers=1).context
    tally = Tally.join(
        [
            tally_chunk(context, ChunkTask("hold_sudzha_road", k, n, horizon, 4))
            for k, n in ((0, 128), (1, 128), (2, 44))
        ]
    )
    assert np.array_equal(tally.score, runs.score)
    assert tally.turns_played / 300 == float(runs.turns_played.mean())
    assert list(tally.endings) == [int((runs.ending == code).sum()) for code in range(len(ENDINGS))]
    assert tally.objectives == {k: int(v.sum()) for k, v in runs.objectives.items()}
    for turn in (1, 4, horizon, None):
        upto = horizon if turn is None else turn
        assert by_turn(tally.first_cut, turn) == int(((runs.first_cut > 0) & (runs.first_cut <= upto)).sum())
        fell = (runs.sector_fell > 0) & (runs.sector_fell <= upto)
        assert list(by_turn(tally.sector_fell, turn)) == list(fell.sum(axis=0))
        fired = (runs.inject_first > 0) & (runs.inject_first <= upto)
        assert list(by_turn(tally.inject_first, turn)) == list(fired.sum(axis=0))
    assert by_turn(tally.first_cut, horizon) > 0 and tally.sector_fell.sum() > tally.sector_fell[:, 0].sum()
    for series, kept in ((tally.area, runs.area), (tally.own_losses, runs.own_losses)):
        for t in range(horizon + 1):
            mean, low, high = series.interval(t)
            want = t_interval(kept[:, t])
            assert mean == pytest.approx(want[0], rel=1e-12, abs=1e-9)
            assert (low, high) == (
                pytest.approx(want[1], rel=1e-12, abs=1e-9),
                pytest.approx(want[2], rel=1e-12, abs=1e-9),
            )


def test_the_checkers_memory_does_not_grow_with_the_games():
    """A chunk of 100 games and one of 1,000 reduce to arrays of the same sizes, except one score a game."""
    sc = load_scenario(BASE)
    context = ChunkPool(Setup(sc), workers=1).context
    small, big = (tally_chunk(context, ChunkTask("hold", 0, n, sc.meta.turns, 0)) for n in (100, 1000))
    assert small.score.size == 100 and big.score.size == 1000
    for name in ("endings", "first_cut", "sector_fell", "inject_first"):
        assert getattr(small, name).shape == getattr(big, name).shape, name
    assert small.area.mean.shape == big.area.mean.shape == (sc.meta.turns + 1,)
    assert int(big.endings.sum()) == 1000


def test_the_drill_checks_memory_does_not_grow_with_the_games():
    """A drill's check over 200 games or 600 (in chunks of 100) holds counts and moments, nothing per game."""
    sc = load_scenario(KURSK)
    drill = sc.drills[0]
    small, big = (check_drill(sc, drill, POLICIES["hold_then_withdraw"], runs=n, chunk=100) for n in (200, 600))
    for check in (small, big):
        held = [v for o in check.options.values() for v in vars(o).values()] + list(check.pairs.values())
        assert not any(isinstance(v, np.ndarray) for v in held)
        assert all(m.mean.shape == (1,) for m in [*check.pairs.values(), *(o.score for o in check.options.values())])
    assert sum(o.games for o in big.options.values()) > sum(o.games for o in small.options.values())


def test_workers_must_be_at_least_one(capsys):
    assert main(["check", str(BASE), "--runs", "10", "--workers", "0"]) == 1
    err = capsys.readouterr().err
    assert "--workers must be at least 1" in err and "Traceback" not in err


def test_the_command_prints_the_same_report_on_one_worker_or_two(capsys):
    argv = ["check", str(BASE), "--runs", "200", "--seed", "3"]
    assert main([*argv, "--workers", "1"]) == main([*argv, "--workers", "2"])
    one, two = capsys.readouterr().out.split("Scenario check:")[1:]
    assert one == two and "200 games per policy" in one
