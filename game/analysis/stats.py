"""Confidence intervals for the scenario checker: Wilson for proportions, Student's t for means.

Why these: a Wilson interval stays inside [0, 1] and behaves at 0% and 100% (the normal approximation
collapses to a point there, which would make an assertion about a rare ending pass or fail on nothing);
the t interval is right for means of a few dozen runs as well as of thousands. SciPy is not a dependency,
so the t quantile comes from the regularised incomplete beta function (continued fraction), to ~1e-10;
tests/test_stats.py checks both intervals against SciPy over a grid. Impossible input is refused with a
ValueError that says what was given, rather than a math domain error or a silently wrong number.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:  # also refuses NaN
        raise ValueError(f"confidence must lie strictly between 0 and 1 (got {confidence!r})")


def _check_df(df: float) -> None:
    if not df > 0.0:  # also refuses NaN
        raise ValueError(f"degrees of freedom must be greater than 0 (got {df!r})")


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile (1.96 for 95%)."""
    _check_confidence(confidence)
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def wilson(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion; (0, 1) when there is no data.

    Refuses counts that cannot be (negative, or more successes than trials) with a ValueError naming them."""
    if n < 0 or successes < 0:
        raise ValueError(f"counts cannot be negative (got {successes} successes in {n} trials)")
    if successes > n:
        raise ValueError(f"there cannot be more successes than trials (got {successes} in {n})")
    _check_confidence(confidence)
    if n == 0:
        return 0.0, 1.0
    z = z_value(confidence)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # at 0 or n successes the bound is exactly 0 or 1; rounding must not leave the observed share outside
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-14:
            break
    return h


def _betainc(a: float, b: float, x: float, y: float) -> float:
    """Regularised incomplete beta I_x(a, b), given x and y = 1 - x each computed without cancellation."""
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(y))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, y) / b


def t_cdf(t: float, df: float) -> float:
    """Student's t distribution function (the normal one for infinite degrees of freedom)."""
    _check_df(df)
    if math.isinf(df):
        return NormalDist().cdf(t)
    t2 = t * t
    if t2 < df:  # near the centre: the upper tail from I_{t²/(df+t²)}(1/2, df/2), free of the 1 - x cancellation
        half = 0.5 * _betainc(0.5, df / 2.0, t2 / (df + t2), df / (df + t2))
        return 0.5 + half if t > 0 else 0.5 - half
    tail = 0.5 * _betainc(df / 2.0, 0.5, df / (df + t2), t2 / (df + t2))
    return 1.0 - tail if t > 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The t value below which a share p of the distribution lies (bisection on the exact CDF)."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must lie strictly between 0 and 1 (got {p!r})")
    _check_df(df)
    if math.isinf(df):
        return NormalDist().inv_cdf(p)
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        hi *= 2.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * max(1.0, hi):
            break
    return (lo + hi) / 2.0


def t_interval(x: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): the t interval of the mean; no spread gives a point, a single value no bounds."""
    _check_confidence(confidence)
    n = int(x.size)
    if n == 0:
        return math.nan, -math.inf, math.inf
    mean = float(x.mean())
    if n == 1:
        return mean, -math.inf, math.inf
    sd = float(x.std(ddof=1))
    half = t_quantile(0.5 + confidence / 2.0, n - 1) * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def eta_squared(groups: list[np.ndarray]) -> float | None:
    """Share of the total variance explained by the group (the policy): SS_between / SS_total."""
    groups = [g for g in groups if g.size]
    if len(groups) < 2:
        return None
    everything = np.concatenate(groups)
    total = float(((everything - everything.mean()) ** 2).sum())
    if total == 0.0:
        return None
    between = sum(g.size * (float(g.mean()) - float(everything.mean())) ** 2 for g in groups)
    return between / total
