"""The narrow-axis reductions and gathers the kernel uses in place of numpy's per-row ones give the same bits;
the binomial on pre-drawn uniforms is exact where it can be, close where it cannot, and monotone everywhere."""

from __future__ import annotations

import math
import time
from decimal import Decimal, localcontext
from statistics import NormalDist

import numpy as np
import pytest

from game.engine import sampling
from game.engine.sampling import (
    EXACT_BINOMIAL_MEAN,
    binomial_from_uniform,
    poisson_from_normal,
    rowany,
    rowdot,
    rowmax,
    rowmin,
    rowsum,
    rowwise_take,
)


@pytest.mark.parametrize("width", [*range(20), 23, 31, 64, 127, 128, 200])
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


# Binomial(n, p) on pre-drawn uniforms (trucks lost on a convoy): exact below the switch point, the held
# normal approximation above it, monotone throughout.


def _reference_quantiles(n: int, p: float, u: np.ndarray) -> np.ndarray:
    """Smallest k with P(Bin(n, p) ≤ k) ≥ u, the CDF summed from math.comb in 60-digit decimals (p exactly
    the float given), then rounded to floats once."""
    with localcontext() as ctx:
        ctx.prec = 60
        dp = Decimal(p)
        dq = 1 - dp
        top = Decimal(float(u.max()))
        total, cdf = Decimal(0), []
        for k in range(n + 1):
            total += math.comb(n, k) * dp**k * dq ** (n - k)
            cdf.append(float(total))
            if total >= top:
                break
    return np.searchsorted(np.array(cdf), u, side="left").astype(float)


def _is_exact_case(n: float, p: float) -> bool:
    """The documented switch: exact while n·(-ln(1 - q)) ≤ EXACT_BINOMIAL_MEAN, q the rarer outcome's probability."""
    return n * -math.log1p(-min(p, 1.0 - p)) <= EXACT_BINOMIAL_MEAN


def _stratified(m: int) -> np.ndarray:
    """m uniforms, one in the middle of each of m equal bins: moments without sampling noise."""
    return (np.arange(m) + 0.5) / m


@pytest.mark.parametrize(
    "n, p",
    [
        (0, 0.3),
        (1, 0.5),
        (16, 0.12),
        (16, 0.93),
        (40, 0.7),
        (144, 0.5),
        (300, 0.28),
        (200, 0.61),
        (1000, 0.09),
        (5000, 0.985),
        (10**6, 9e-5),
        (10**7, 1e-6),
    ],
)
def test_binomial_below_the_switch_is_the_exact_inverse_cdf(n: int, p: float) -> None:
    assert _is_exact_case(n, p)  # every case here is on the exact side (several close to the switch)
    # (within 2^-40 of the end the sum runs towards, a uniform is summed as if 2^-40 from it: see sampling)
    u = np.concatenate([np.random.default_rng(n).random(20_000), [0.5, 2.0**-40, 1.0 - 2.0**-40]])
    got = binomial_from_uniform(np.full_like(u, n), np.full_like(u, p), u)
    assert np.array_equal(got, _reference_quantiles(n, p, u))


@pytest.mark.parametrize("p", [0.3, 0.7])
def test_binomial_of_thousands_of_trucks_has_the_binomial_mean_and_variance(p: float) -> None:
    # (1 - 0.3)^2100 underflows: a sum that starts from it finds no mass and answered 2,100 every time
    n = 2100
    assert not _is_exact_case(n, p)
    u = _stratified(100_000)
    x = binomial_from_uniform(np.full_like(u, n), np.full_like(u, p), u)
    assert ((x >= 0) & (x <= n) & (x == np.floor(x))).all()
    # a tenth of the continuity correction, and 0.5 % of n·p·(1 - p) = 441 (rounding to whole trucks adds 1/12)
    assert abs(x.mean() - n * p) < 0.05
    assert abs(x.var() / (n * p * (1 - p)) - 1.0) < 0.005


def test_binomial_just_past_the_switch_stays_within_a_truck_of_the_exact_quantile() -> None:
    u = _stratified(20_000)
    for n, p in ((145, 0.5), (230, 0.36), (1200, 0.085), (2100, 0.3), (460, 0.78)):
        assert not _is_exact_case(n, p)
        x = binomial_from_uniform(np.full_like(u, n), np.full_like(u, p), u)
        exact = _reference_quantiles(n, p, u)
        assert np.abs(x - exact).max() <= 1
        assert (x != exact).mean() < 0.01


@pytest.mark.parametrize("p", [0.3, 1e-4, 0.999])
def test_binomial_of_ten_million_trucks_is_quick_and_centred(p: float) -> None:
    n = 1e7
    u = _stratified(20_000)
    start = time.perf_counter()
    x = binomial_from_uniform(np.full_like(u, n), np.full_like(u, p), u)
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0  # about 0.05 s: the work is bounded whatever n (the old sum ran n terms)
    assert abs(x.mean() - n * p) < 0.05
    assert abs(x.var() / (n * p * (1 - p)) - 1.0) < 0.01


def test_binomial_is_monotone_in_u_n_and_p_across_the_switch() -> None:
    rng = np.random.default_rng(11)
    u = np.sort(np.concatenate([rng.random(128), [0.0, 2.0**-53, 0.5, 1.0 - 2.0**-53]]))
    crossed = set()

    def check(n: np.ndarray, p: np.ndarray, axis: int) -> None:
        x = binomial_from_uniform(n[..., None], p[..., None], u)
        assert ((x >= 0) & (x <= n[..., None]) & (x == np.floor(x))).all()
        assert (np.diff(x, axis=axis) >= 0).all()  # along the axis that varies (n or p)
        assert (np.diff(x, axis=-1) >= 0).all()  # along u
        crossed.update(_is_exact_case(a, b) for a, b in zip(n.ravel(), p.ravel(), strict=True))

    # along n, every whole number, through the switch on both sides of p = 1/2 and for a rare outcome
    for p in (0.3, 0.45, 0.5, 0.55, 0.7, 0.95):
        n = np.arange(0.0, 400.0)
        check(n, np.full_like(n, p), 0)
    n = np.arange(4_850.0, 5_050.0)
    check(n, np.full_like(n, 0.02), 0)
    # along p, through the switch (twice, around 1/2) for n just past it and far past it
    p = np.linspace(0.0, 1.0, 1025)
    for n in (100, 144, 145, 160, 217, 400, 2100, 10**5):
        check(np.full_like(p, n), p, 0)
    assert crossed == {True, False}


def test_vectorised_inverse_normal_cdf_is_the_standard_librarys() -> None:
    u = np.concatenate([np.linspace(0.0, 1.0, 20_001)[1:-1], [2.0**-53, 1e-300, 0.075, 0.925, 1.0 - 2.0**-53]])
    want = np.array([NormalDist().inv_cdf(float(x)) for x in u])
    got = sampling._inverse_normal_cdf(u)
    assert np.allclose(got, want, rtol=4e-16, atol=4e-16)


def test_argmax_of_sum_is_numpys_argmax_of_the_sum():
    """The column-by-column argmax used for target choice and retreats equals numpy's argmax of the full sum,
    ties (first column wins), -inf and signed zeros included."""
    from game.engine.sampling import argmax_of_sum

    rng = np.random.default_rng(5)
    for R, K, S in ((1, 1, 1), (7, 3, 5), (200, 6, 6), (50, 4, 9)):
        table = rng.integers(-3, 4, (K, S)).astype(float)  # small integers: many ties
        rows = rng.integers(-3, 4, (R, S)).astype(float)
        table[rng.random((K, S)) < 0.2] = -np.inf
        rows[rng.random((R, S)) < 0.1] = -0.0
        expected = (table[None] + rows[:, None, :]).argmax(axis=-1)
        assert np.array_equal(argmax_of_sum(table, rows), expected)
