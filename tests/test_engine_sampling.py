"""The narrow-axis reductions the kernel uses in place of numpy's per-row ones give the same bits."""

from __future__ import annotations

import numpy as np
import pytest

from game.engine.sampling import poisson_from_normal, rowany, rowmax, rowmin, rowsum


@pytest.mark.parametrize("width", range(0, 12))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rowsum_is_numpy_sum_bit_for_bit(width: int, dtype: type) -> None:
    rng = np.random.default_rng(width)
    for shape in ((300, width), (20, 3, width)):
        x = (rng.standard_normal(shape) * rng.exponential(1e3, shape)).astype(dtype)
        x[rng.random(shape) < 0.2] = -0.0  # numpy's sum starts from 0.0: a row of -0.0 sums to +0.0
        want = x.sum(axis=-1)
        got = rowsum(x)
        assert got.dtype == want.dtype
        assert np.array_equal(got, want)
        assert np.array_equal(np.signbit(got), np.signbit(want))
        assert np.array_equal(rowsum(x, keepdims=True), x.sum(axis=-1, keepdims=True))


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
