"""The sector-by-sector choices (where an enemy unit outside the player's ground aims, where defenders of a fallen
sector go) are worked out only for the units and sectors concerned; on a 40-sector map every number of every turn
is the one the whole replication × sector × sector computation gives."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from engine_support import KURSK, ROOT

import game.engine.opfor as opfor
import game.engine.territory as territory
from game.engine.params import ENEMY, FAR, PLAYER
from game.engine.policies import POLICIES
from game.engine.sampling import argmax_of_sum, argmax_of_sum_at, rowany, rowmax, rowwise_take
from game.engine.step import Model, advance

sys.path.insert(0, str(ROOT / "benchmarks"))
from scaled_scenario import scaled_copy

BIG = scaled_copy(KURSK, 8)


def test_the_forty_sector_copy_is_kursk_eight_times():
    assert len(BIG.map.sectors) == 40 and sum(len(s.units) for s in BIG.sides) == 112


def test_argmax_at_pairs_is_the_whole_argmax_there():
    rng = np.random.default_rng(0)
    table = rng.integers(-3, 3, (7, 9)).astype(float)  # small integers: many ties, the earlier column wins
    rows = np.asfortranarray(rng.integers(-3, 3, (50, 9)).astype(float))
    row, line = rng.integers(0, 50, 200), rng.integers(0, 7, 200)
    assert np.array_equal(argmax_of_sum_at(table, rows, row, line), argmax_of_sum(table, rows)[row, line])


def _dense_choose(p, held, defenders, lo, outside):
    """Every replication and every sector, as the doctrine's score is written."""
    weakness = 1.0 - defenders / (rowmax(defenders, keepdims=True) + 1.0)
    hops = p.sectors.dist.astype(float)
    connected = p.sectors.dist < FAR
    static = 4.0 * p.sectors.main_effort_rank[None, :] - 3.0 * np.maximum(hops - 1.0, 0.0) + 100.0 * (hops == 0)
    static = np.where(connected, static, -1e9)
    best = argmax_of_sum(static, np.where(held, 2.0 * weakness, -1e12))
    valid = (held.astype(float) @ connected.T.astype(float)) > 0
    return np.where(outside, rowwise_take(best, lo), lo), outside & rowwise_take(valid, lo)


def _dense_fall_back(p, fell, still, posture, loc, strength, defenders, retreat, overrun, new_loc):
    S = fell.shape[1]
    mine = p.side_units(PLAYER)
    stronger = defenders / (rowmax(defenders, keepdims=True) + 1.0)
    dest = argmax_of_sum(-1000.0 * p.sectors.dist, np.where(still, stronger, -np.inf))
    lr = loc[:, mine]
    fell_u = rowwise_take(fell, lr)
    dest_u = rowwise_take(dest, lr)
    hops = p.sectors.dist.ravel()[lr * S + dest_u]
    share = np.where(hops <= 1, territory.RETREAT_LOSS[rowwise_take(posture, lr)], territory.CUT_OFF_LOSS)
    over = fell_u & ~rowany(still)[:, None]
    retreat[:, mine] = np.where(fell_u, strength[:, mine] * np.where(over, territory.OVERRUN_LOSS, share), 0.0)
    overrun[:, mine] = over
    new_loc[:, mine] = np.where(fell_u & ~over, dest_u, lr)


def _play(policy: str, turns: int) -> list[dict[str, np.ndarray]]:
    model = Model(BIG)
    st = model.initial_state(300)
    seen = []
    for _ in range(turns):
        params = model.variants(st)[0][0]
        st, out, _ = advance(model, st, POLICIES[policy].directives(params, st), 11, purpose="scaling")
        seen.append(
            {
                **{f"state.{k}": v for k, v in vars(st).items() if isinstance(v, np.ndarray)},
                **{f"out.{k}": v for k, v in vars(out).items() if isinstance(v, np.ndarray)},
            }
        )
    return seen


@pytest.mark.parametrize("policy", ["hold", "hold_sudzha_road"])
def test_forty_sectors_play_the_same_turns_as_the_whole_computation(policy, monkeypatch):
    chosen: list[int] = []
    fell_back: list[int] = []
    choose, fall_back = opfor._choose, territory._fall_back

    def counting_choose(p, held, defenders, lo, outside):
        chosen.append(int(outside.sum()))
        return choose(p, held, defenders, lo, outside)

    def counting_fall_back(p, fell, *args):
        fell_back.append(int(fell.sum()))
        return fall_back(p, fell, *args)

    monkeypatch.setattr(opfor, "_choose", counting_choose)
    monkeypatch.setattr(territory, "_fall_back", counting_fall_back)
    ours = _play(policy, 14)
    assert sum(chosen) > 1000 and sum(fell_back) > 100  # both choices were made, many times
    monkeypatch.setattr(opfor, "_choose", _dense_choose)
    monkeypatch.setattr(territory, "_fall_back", _dense_fall_back)
    theirs = _play(policy, 14)
    for turn, (a, b) in enumerate(zip(ours, theirs, strict=True), start=1):
        assert a.keys() == b.keys()
        for key in a:
            assert np.array_equal(a[key], b[key], equal_nan=True), f"turn {turn}: {key}"
            assert a[key].dtype == b[key].dtype, f"turn {turn}: {key}"


def test_the_enemy_units_of_the_copies_are_the_enemys():
    p = Model(BIG).base
    assert int((p.units.side == ENEMY).sum()) == 8 * 8
