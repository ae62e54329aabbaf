"""The narrow-axis reductions and gathers the kernel uses in place of numpy's per-row ones give the same bits."""

from __future__ import annotations

import numpy as np
import pytest

from game.engine.sampling import poisson_from_normal, rowany, rowdot, rowmax, rowmin, rowsum, rowwise_take


@pytest.mark.parametrize("width", [*range(0, 20), 23, 31, 64, 127, 128, 200])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
def test_rowsum_is_numpy_sum_bit_for_bit(width: int, dtype: type, order: str) -> None:
    rng = np.random.default_rng(width)
    for shape in ((300, width), (20, 3, width)):
        x = (rng.standard_normal(shape) * rng.exponential(1e3, shape)).astype(dtype)
        x[rng.random(shape) < 0.2] = -0.0  # numpy's sum starts from 0.0: a row of -0.0 sums to +0.0
        x[:3] = -0.0
        x = np.asarray(x, order=order)
        # below 128 columns: numpy's per-row summation of a C-order array (pairwise from 8 columns),
        # whatever the layout; from 128 on rowsum is numpy's own sum of the array as it is
        want = (np.ascontiguousarray(x) if width < 128 else x).sum(axis=-1)
        got = rowsum(x)
        assert got.dtype == want.dtype
        assert np.array_equal(got, want)
        assert np.array_equal(np.signbit(got), np.signbit(want))
        assert np.array_equal(rowsum(x, keepdims=True), want[..., None])


@pytest.mark.parametrize("width", range(1, 12))
def test_rowany_rowmax_rowmin_match_numpy(width: int) -> None:
    x = np.random.default_rng(width).standard_normal((200, width))
    assert np.array_equal(rowmax(x), x.max(axis=-1))
    assert np.array_equal(rowmax(x, keepdims=True), x.max(axis=-1, keepdims=True))
    assert np.array_equal(rowmin(x), x.min(axis=-1))
    assert np.array_equal(rowany(x > 1.5), (x > 1.5).any(axis=-1))


def test_poisson_from_normal_keeps_its_inputs_and_caps() -> None:
    rng = np.random.default_rng(0)
    lam = rng.exponential(5.0, (1000, 2, 5)).astype(np.float32)
    z = rng.standard_normal(lam.shape).astype(np.float32)
    cap = np.full(lam.shape, 4.0, dtype=np.float32)
    lam0, z0 = lam.copy(), z.copy()
    x = poisson_from_normal(lam, z, cap)
    assert np.array_equal(lam, lam0) and np.array_equal(z, z0)  # the in-place work never touches the inputs
    assert x.dtype == np.float32 and (x >= 0).all() and (x <= 4).all() and (x == np.floor(x)).all()


def test_rowdot_is_the_fixed_order_sum_of_products() -> None:
    rng = np.random.default_rng(3)
    a = np.asfortranarray(rng.exponential(100.0, (500, 14)))
    w = rng.random(14) < 0.5
    assert np.array_equal(rowdot(a, w), np.ascontiguousarray(a * w).sum(axis=-1))
    assert np.allclose(rowdot(a, w), a @ w, rtol=1e-14)


@pytest.mark.parametrize("table_order", ["C", "F"])
@pytest.mark.parametrize("index_order", ["C", "F"])
def test_rowwise_take_gathers_each_rows_entries_into_the_engine_layout(table_order: str, index_order: str) -> None:
    rng = np.random.default_rng(4)
    table = np.asarray(rng.random((50, 6)), order=table_order)
    idx = np.asarray(rng.integers(0, 6, (50, 14)), order=index_order)
    got = rowwise_take(table, idx)
    assert np.array_equal(got, np.take_along_axis(table, idx, axis=1))
    assert got.flags.f_contiguous  # replication axis fastest (game.engine.layout)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64])
def test_rowwise_take_positions_do_not_overflow_small_index_types(dtype: type) -> None:
    rng = np.random.default_rng(5)
    table = rng.random((40_000, 6))
    idx = rng.integers(0, 6, (40_000, 3)).astype(dtype)  # 40,000 × 6 positions overflow int8 and int16
    assert np.array_equal(rowwise_take(table, idx), np.take_along_axis(table, idx.astype(np.intp), axis=1))
