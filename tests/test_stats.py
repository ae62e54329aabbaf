"""The checker's intervals against SciPy over a grid, and refusals of input that cannot be."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest
from scipy import stats as scipy_stats  # type: ignore[import-untyped]

from game.analysis.stats import t_cdf, t_interval, t_quantile, wilson, z_value

CONFIDENCES = [0.5, 0.8, 0.9, 0.95, 0.99, 0.999]
DFS = [1, 2, 3, 5, 10, 29, 30, 100, 1_000, 100_000]


@pytest.mark.parametrize("confidence", CONFIDENCES)
def test_wilson_matches_scipy_over_a_grid(confidence: float) -> None:
    worst = 0.0
    for n in [1, 2, 5, 12, 50, 200, 1_000, 20_000]:
        for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
            low, high = wilson(k, n, confidence)
            want = scipy_stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
            worst = max(worst, abs(low - want.low), abs(high - want.high))
            assert 0.0 <= low <= k / n <= high <= 1.0
    assert worst < 1e-12


@pytest.mark.parametrize("df", DFS)
def test_t_quantile_and_cdf_match_scipy_over_a_grid(df: int) -> None:
    for p in [0.5005, 0.6, 0.75, 0.9, 0.95, 0.975, 0.99, 0.995, 0.9995]:
        want = float(scipy_stats.t.ppf(p, df))
        assert t_quantile(p, df) == pytest.approx(want, rel=1e-9, abs=1e-12)
        assert t_quantile(1.0 - p, df) == pytest.approx(-want, rel=1e-9, abs=1e-12)
    for t in [-40.0, -3.0, -1.0, -0.1, 0.0, 0.5, 2.0, 6.0]:
        assert t_cdf(t, df) == pytest.approx(float(scipy_stats.t.cdf(t, df)), rel=1e-9, abs=1e-13)


def test_t_interval_matches_scipy() -> None:
    rng = np.random.default_rng(7)
    for n in [2, 3, 10, 100]:
        x = rng.normal(50.0, 12.0, size=n)
        for confidence in CONFIDENCES:
            mean, low, high = t_interval(x, confidence)
            want_low, want_high = scipy_stats.t.interval(confidence, n - 1, loc=x.mean(), scale=scipy_stats.sem(x))
            assert low == pytest.approx(want_low, rel=1e-9)
            assert high == pytest.approx(want_high, rel=1e-9)
            assert mean == pytest.approx(float(x.mean()))


def test_infinite_degrees_of_freedom_give_the_normal_distribution() -> None:
    for p in [0.6, 0.975, 0.999]:
        assert t_quantile(p, math.inf) == NormalDist().inv_cdf(p)
    assert t_quantile(0.975, math.inf) == pytest.approx(1.959963984540054, rel=1e-15)
    assert t_cdf(1.0, math.inf) == NormalDist().cdf(1.0)
    assert z_value(0.95) == pytest.approx(1.959963984540054, rel=1e-15)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: wilson(7, 3), "more successes than trials (got 7 in 3)"),
        (lambda: wilson(-1, 3), "cannot be negative"),
        (lambda: wilson(0, -3), "cannot be negative"),
        (lambda: wilson(1, 3, 1.0), "confidence must lie strictly between 0 and 1 (got 1.0)"),
        (lambda: wilson(1, 3, 0.0), "confidence must lie strictly between 0 and 1"),
        (lambda: wilson(1, 3, math.nan), "confidence must lie strictly between 0 and 1"),
        (lambda: z_value(95), "confidence must lie strictly between 0 and 1 (got 95)"),
        (lambda: t_interval(np.array([1.0, 2.0]), -0.5), "confidence must lie strictly between 0 and 1"),
        (lambda: t_quantile(0.975, 0), "degrees of freedom must be greater than 0 (got 0)"),
        (lambda: t_quantile(0.975, -2.0), "degrees of freedom must be greater than 0"),
        (lambda: t_quantile(0.975, math.nan), "degrees of freedom must be greater than 0"),
        (lambda: t_cdf(1.0, 0), "degrees of freedom must be greater than 0"),
        (lambda: t_quantile(1.0, 5), "p must lie strictly between 0 and 1 (got 1.0)"),
    ],
)
def test_impossible_input_is_refused_with_a_clear_message(call: object, words: str) -> None:
    with pytest.raises(ValueError) as caught:
        call()  # type: ignore[operator]
    assert words in str(caught.value)


def test_no_data_gives_the_widest_interval() -> None:
    assert wilson(0, 0) == (0.0, 1.0)
