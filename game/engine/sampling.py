"""Poisson and binomial variates as deterministic transforms of pre-drawn noise (for common random numbers).

A generator's own `poisson` consumes a variable amount of randomness, so two plans would stop
sharing dice after the first difference. Here every variate is a monotone function of one
pre-drawn normal or uniform:

* Poisson(lam) ≈ clip(floor(lam' + sqrt(lam')·Z + 1/2), 0, cap), the normal approximation with a
  continuity correction, where lam' is chosen so that the *mean* of the clipped, rounded variate is
  exactly lam (the correction matters below about 10; without it small means are biased upward by
  the clipping at zero). Monotone in lam for a fixed Z.
* Binomial(n, p) by inverse CDF on a uniform. While the rarer outcome is rare enough (mean about
  EXACT_BINOMIAL_MEAN or less), exactly: summing the probability mass term by term and stopping as
  soon as every replication is placed. Beyond that (a fuzzed scenario's thousands of trucks), the
  normal approximation with continuity and skewness corrections, clipped between exact bounds so
  that it never contradicts an exact case on either side of the switch. Either way a whole number in
  [0, n], non-decreasing in u, and in n and p for a fixed u (more trucks or a deadlier road on the
  same uniform never means fewer lost), with bounded work for any n.
"""

from __future__ import annotations

import math

import numpy as np

from .layout import column_positions

__all__ = [
    "EXACT_BINOMIAL_MEAN",
    "PoissonWork",
    "argmax_of_sum",
    "binomial_from_uniform",
    "poisson_from_normal",
    "poisson_mean_correction",
    "rowany",
    "rowdot",
    "rowmax",
    "rowmin",
    "rowsum",
    "rowwise_take",
]


def _clipped_rounded_mean(mu: float) -> float:
    """E[max(0, floor(mu + sqrt(mu)·Z + 1/2))] for Z standard normal."""
    if mu <= 0.0:
        return 0.0
    sigma = math.sqrt(mu)
    total = 0.0
    k = 1
    top = mu + 12.0 * sigma + 2.0
    while k <= top:
        # P(mu + sigma Z + 1/2 >= k)
        z = (mu + 0.5 - k) / sigma
        total += 0.5 * math.erfc(-z / math.sqrt(2.0))
        k += 1
    return total


def _build_table() -> tuple[np.ndarray, np.ndarray]:
    grid = (np.arange(0, 161) / 20.0) ** 2  # lam' from 0 to 64, dense near zero
    means = np.array([_clipped_rounded_mean(float(mu)) for mu in grid])
    # The map lam' -> mean is increasing; tabulate the correction lam' - mean as a function of mean.
    means = np.maximum.accumulate(means)
    return means, grid - means


_MEANS, _CORRECTION = _build_table()
_STEPS = 20  # table points per unit of sqrt(mean)
_TOP = 160  # the table covers means up to (_TOP / _STEPS)^2 = 64; beyond, the correction is zero
_TABLE = np.append(np.interp((np.arange(_TOP + 1) / _STEPS) ** 2, _MEANS, _CORRECTION), [0.0, 0.0])
_TABLE[_TOP:] = 0.0
_TABLE32 = _TABLE.astype(np.float32)
# per-interval slopes, precomputed once (the same subtraction the interpolation would do, so the same bits)
_SLOPE = np.append(_TABLE[1:] - _TABLE[:-1], 0.0)
_SLOPE32 = np.append(_TABLE32[1:] - _TABLE32[:-1], np.float32(0.0))
# each point's value and slope side by side, so that one gather fetches both
_PAIRS = np.ascontiguousarray(np.stack([_TABLE, _SLOPE], axis=1)).view(np.complex128).ravel()
_PAIRS32 = np.ascontiguousarray(np.stack([_TABLE32, _SLOPE32], axis=1)).view(np.complex64).ravel()


class PoissonWork:
    """Work buffers for `poisson_from_normal` on arrays of one shape and dtype, reused call after call.

    A turn's sub-steps draw their losses on arrays of the same shape; fresh temporaries of that size
    would be mapped and page-faulted again on every call (they exceed glibc's mmap threshold).
    """

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype | type) -> None:
        self.t, self.mu, self.x, self.tmp = (np.empty(shape, dtype, order="F") for _ in range(4))
        self.i = np.empty(shape, np.int32, order="F")  # table positions (0.._TOP): float32 → int32 converts fast
        self.pair = np.empty(shape, np.complex64 if np.dtype(dtype) == np.float32 else np.complex128, order="F")
        # the bounds as whole arrays: numpy's minimum and maximum against a scalar are several times
        # slower than against an array of the same shape (no vectorised loop for a broadcast operand)
        self.top = np.full(shape, _TOP, dtype, order="F")
        self.zero = np.zeros(shape, dtype, order="F")


def poisson_mean_correction(lam: np.ndarray, work: PoissonWork | None = None) -> np.ndarray:
    """The lam' whose clipped, rounded normal variate has mean `lam` (a direct-indexed table on sqrt(lam)).

    With `work`, the result is written into `work.mu` (valid until the next call with the same work)."""
    f32 = lam.dtype == np.float32
    pairs = _PAIRS32 if f32 else _PAIRS
    w = work if work is not None else PoissonWork(lam.shape, lam.dtype)
    t = np.sqrt(lam, out=w.t)
    t *= _STEPS
    np.minimum(t, w.top, out=t)
    i = w.i
    np.copyto(i, t, casting="unsafe")  # t ≥ 0: truncation, int(t)
    whole = w.tmp
    np.copyto(whole, i)  # exact (at most _TOP): the same numbers as np.trunc(t), in two fast conversions
    t -= whole  # the fraction
    # i ≤ _TOP < len(table) - 1: "clip" never clips. np.take writes its `out` in C order, so it gets the
    # transposed view (C order whenever the buffers are in the engine's Fortran layout; no copy-back)
    point = np.take(pairs, i.T, out=w.pair.T, mode="clip").T  # value + slope·1j
    t *= point.imag
    out: np.ndarray = np.add(lam, point.real, out=w.mu)
    out += t
    return out


def poisson_from_normal(lam: np.ndarray, z: np.ndarray, cap: np.ndarray, work: PoissonWork | None = None) -> np.ndarray:
    """A Poisson(lam) variate from standard normals `z`, never above `cap` (mean-corrected, see module doc).

    With `work` (see `PoissonWork`), the result lives in `work.x` until the next call with the same work."""
    w = work if work is not None else PoissonWork(lam.shape, lam.dtype)
    mu = poisson_mean_correction(lam, w)
    x: np.ndarray = np.sqrt(mu, out=w.x)
    x *= z
    x += mu
    x += 0.5
    np.floor(x, out=x)
    np.maximum(x, w.zero, out=x)
    np.minimum(x, cap, out=x)
    return x


# Binomial variates on pre-drawn uniforms: the exact inverse CDF while the rarer outcome is rare enough
# to sum term by term, and beyond that a normal approximation held between exact bounds (`_held_normal`).
EXACT_BINOMIAL_MEAN = 100.0
"""The switch point: Bin(n, p) is exact while (1 - q)^n ≥ exp(-EXACT_BINOMIAL_MEAN), q = min(p, 1 - p),
i.e. while n·(-ln(1 - q)) — the mean of a Poisson variate that stochastically dominates Bin(n, q) —
is at most 100.

Why there. Below it the sum's first term is at least e^-100 ≈ 4e-44, far from underflow ((1 - q)^n
is 0 from n·(-ln(1 - q)) ≈ 745 on, and a sum that starts from 0 answers n: 2,100 trucks lost of
2,100 at p = 0.3), and every exact case is placed within `_EXACT_STEPS` terms, whatever n. Above it
n·q > 100 / (2 ln 2) = 72, so n·q·(1 - q) > 36 (at q = 1/2; about 100 for small q), where the normal
approximation with continuity and skewness corrections was, on every case measured (n up to 20,000
just past the switch), within one truck of the exact quantile, off by one on under 0.5 % of the
uniforms, total variation under 1e-3 (at n = 2,100, p = 0.3: mean off by 5e-5, variance by 0.02 %).
A higher switch would buy little accuracy for more terms per call."""


def _chernoff_cap(lam: float, log_tail: float) -> int:
    """Smallest k > lam whose Chernoff bound on P(Poisson(lam) ≥ k), e^-lam (e·lam/k)^k, is below e^log_tail."""
    k = math.floor(lam) + 1
    while -lam + k * (1.0 + math.log(lam / k)) >= log_tail:
        k += 1
    return k


_EXACT_STEPS = _chernoff_cap(EXACT_BINOMIAL_MEAN, -64.0 * math.log(2.0))
"""Terms the exact sum may need (209): every exact case is stochastically below Poisson(EXACT_BINOMIAL_MEAN),
which exceeds this with probability under 2^-64, far below the uniforms' resolution (`_V_TOP`)."""

_V_TOP = 1.0 - 2.0**-40
"""The exact sum stops at this level: it carries rounding errors near 1e-14 and might never reach
1 - 2^-53 (a sum waiting for it would run on to n and answer n). So a uniform within 2^-40 of the
end the sum runs towards (1, or 0 when p > 1/2) gives the count at 2^-40 from it: 1e-12 per draw."""

_U_EDGE = 2.0**-53
"""Uniforms are clipped to [_U_EDGE, 1 - _U_EDGE] before the inverse normal CDF (|z| ≤ 8.2)."""


def _exact_limit(n: np.ndarray) -> np.ndarray:
    """Largest q ≤ 1 with (1 - q)^n ≥ exp(-EXACT_BINOMIAL_MEAN): the rarer outcome's probability up to which
    Bin(n, q) is drawn exactly."""
    with np.errstate(divide="ignore"):
        return -np.expm1(-EXACT_BINOMIAL_MEAN / n)


def _exact_count(n: np.ndarray, q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Smallest k with P(Bin(n, q) ≤ k) ≥ v, summing the mass term by term (q ≤ 1/2, within `_exact_limit`)."""
    pmf = np.exp(n * np.log1p(-q))
    ratio = q / (1.0 - q)
    cdf = pmf.copy()
    v = np.minimum(v, _V_TOP)
    count = np.zeros_like(n)
    steps = min(int(n.max()), _EXACT_STEPS) if n.size else 0
    for k in range(steps):
        above = v > cdf
        if k % 4 == 0 and not above.any():
            break
        count += above
        pmf = pmf * (n - k) / (k + 1) * ratio
        cdf = cdf + pmf
    result: np.ndarray = np.minimum(count, n)
    return result


def _last_exact_n(q: np.ndarray) -> np.ndarray:
    """Largest whole n with q ≤ _exact_limit(n) (one rounding step either way after the closed form)."""
    m: np.ndarray = np.floor(EXACT_BINOMIAL_MEAN / -np.log1p(-q))
    m -= q > _exact_limit(m)
    m += q <= _exact_limit(m + 1.0)
    return m


def _inverse_normal_cdf(u: np.ndarray) -> np.ndarray:
    """Φ⁻¹(u) for u in (0, 1), vectorised: Wichura's AS241, the algorithm (and coefficients) of
    statistics.NormalDist.inv_cdf, which works on one number at a time."""
    u = np.asarray(u, float)
    q = u - 0.5
    central = np.abs(q) <= 0.425
    r = 0.180625 - q * q
    num = (
        (
            (
                (
                    (
                        ((2.5090809287301226727e3 * r + 3.3430575583588128105e4) * r + 6.7265770927008700853e4) * r
                        + 4.5921953931549871457e4
                    )
                    * r
                    + 1.3731693765509461125e4
                )
                * r
                + 1.9715909503065514427e3
            )
            * r
            + 1.3314166789178437745e2
        )
        * r
        + 3.3871328727963666080e0
    ) * q
    den = (
        (
            (
                (
                    ((5.2264952788528545610e3 * r + 2.8729085735721942674e4) * r + 3.9307895800092710610e4) * r
                    + 2.1213794301586595867e4
                )
                * r
                + 5.3941960214247511077e3
            )
            * r
            + 6.8718700749205790830e2
        )
        * r
        + 4.2313330701600911252e1
    ) * r + 1.0
    x = num / den
    if central.all():
        return x
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.sqrt(-np.log(np.where(q <= 0.0, u, 1.0 - u)))
    s = r - 1.6
    num = (
        (
            (
                (
                    ((7.7454501427834140764e-4 * s + 2.27238449892691845833e-2) * s + 2.41780725177450611770e-1) * s
                    + 1.27045825245236838258e0
                )
                * s
                + 3.64784832476320460504e0
            )
            * s
            + 5.76949722146069140550e0
        )
        * s
        + 4.63033784615654529590e0
    ) * s + 1.42343711074968357734e0
    den = (
        (
            (
                (
                    ((1.05075007164441684324e-9 * s + 5.47593808499534494600e-4) * s + 1.51986665636164571966e-2) * s
                    + 1.48103976427480074590e-1
                )
                * s
                + 6.89767334985100004550e-1
            )
            * s
            + 1.67638483018380384940e0
        )
        * s
        + 2.05319162663775882187e0
    ) * s + 1.0
    mid = num / den
    t = r - 5.0
    num = (
        (
            (
                (
                    ((2.01033439929228813265e-7 * t + 2.71155556874348757815e-5) * t + 1.24266094738807843860e-3) * t
                    + 2.65321895265761230930e-2
                )
                * t
                + 2.96560571828504891230e-1
            )
            * t
            + 1.78482653991729133580e0
        )
        * t
        + 5.46378491116411436990e0
    ) * t + 6.65790464350110377720e0
    den = (
        (
            (
                (
                    ((2.04426310338993978564e-15 * t + 1.42151175831644588870e-7) * t + 1.84631831751005468180e-5) * t
                    + 7.86869131145613259100e-4
                )
                * t
                + 1.48753612908506148525e-2
            )
            * t
            + 1.36929880922735805310e-1
        )
        * t
        + 5.99832206555887937690e-1
    ) * t + 1.0
    tail = np.where(r <= 5.0, mid, num / den)
    return np.where(central, x, np.where(q < 0.0, -tail, tail))


def _normal_count(n: np.ndarray, p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Bin(n, p) quantile at u by the normal approximation with continuity and skewness corrections
    (Cornish–Fisher: x = np + σz + (1 - 2p)(z² - 1)/6, σ² = np(1 - p); the count is the k with x in
    (k - 1/2, k + 1/2]). Non-decreasing in n, p and u wherever it is used (there n > 144 and σ > 6, and
    for |z| ≤ 8.2 the derivatives of x in n, p and z are then positive)."""
    z = _inverse_normal_cdf(np.clip(u, _U_EDGE, 1.0 - _U_EDGE))
    x = n * p + np.sqrt(n * p * (1.0 - p)) * z + (1.0 - 2.0 * p) * (z * z - 1.0) / 6.0
    result: np.ndarray = np.clip(np.ceil(x - 0.5), 0.0, n)
    return result


def binomial_from_uniform(n: np.ndarray, p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Binomial(n, p) by inverse CDF on uniforms `u` (arrays broadcast to one shape; n whole numbers):
    exact while the rarer outcome is rare enough to sum (`EXACT_BINOMIAL_MEAN`), else the normal approximation
    held between exact bounds. Whole numbers in [0, n], non-decreasing in n, p and u (module doc)."""
    n, p, u = np.broadcast_arrays(np.asarray(n, float), np.asarray(p, float), np.asarray(u, float))
    if not n.any():  # no trials anywhere (no trucks sent by night, say): the sum below would stop at once at 0
        return np.zeros(n.shape)
    p = np.clip(p, 0.0, 1.0)
    flip = p > 0.5  # count the rarer outcome, for accuracy and an early stop
    q = np.where(flip, 1.0 - p, p)
    v = np.where(flip, 1.0 - u, u)
    exact = q <= _exact_limit(n)
    if exact.all():  # always, for convoys of the sizes scenarios have (16 trucks: n·ln 2 ≈ 11)
        count = _exact_count(n, q, v)
        return np.where(flip, n - count, count)
    out = np.empty(n.shape)
    near = _exact_count(n[exact], q[exact], v[exact])
    out[exact] = np.where(flip[exact], n[exact] - near, near)
    far = ~exact
    out[far] = _held_normal(n[far], p[far], q[far], u[far])
    return out


def _held_normal(n: np.ndarray, p: np.ndarray, q: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The normal approximation for cases past the switch, clipped between exact bounds so that the
    whole map stays monotone where it crosses the switch (an approximation alone is a truck off on
    some uniforms, and would step back there). With q_n = _exact_limit(n):

    * below: every exact case (n', p') ≤ (n, p) gives at most max(e(n, q_n), e(m, p) if p > 1/2), e the
      exact quantile and m the last exact n at this p. For p' ≤ 1/2 that is Klenke & Mattner (2010):
      for n' ≤ n, Bin(n', a) ≤st Bin(n, b) iff (1 - a)^n' ≥ (1 - b)^n, here ≥ e^-EXACT_BINOMIAL_MEAN;
    * above: every exact case (n', p') ≥ (n, p) has p' ≥ 1 - q_n, so gives at least e(n, 1 - q_n).

    Both bounds bracket the true quantile, so the clip only ever moves the approximation towards it,
    and each is an exact sum at a mean near EXACT_BINOMIAL_MEAN: bounded work whatever n."""
    qn = _exact_limit(n)
    high = p > 0.5
    m = _last_exact_n(q[high])
    k = len(n)
    counts = _exact_count(
        np.concatenate([n, n, m]), np.concatenate([qn, qn, q[high]]), np.concatenate([u, 1.0 - u, 1.0 - u[high]])
    )
    lo, hi = counts[:k], n - counts[k : 2 * k]
    lo[high] = np.maximum(lo[high], m - counts[2 * k :])
    result: np.ndarray = np.minimum(np.maximum(_normal_count(n, p, u), lo), hi)
    return result


def rowwise_take(table: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """table[r, idx[r, j]] for every r, j, as an (R, J) array in Fortran order (see `game.engine.layout`).

    One flat np.take on the column-major positions (much faster than take_along_axis); gathering into
    the transposed shape makes the result replication-fastest without a copy."""
    return np.take(table.ravel(order="F"), column_positions(idx)).T


# Reductions over a narrow last axis (sectors, sides, segments, drone types). numpy reduces each
# row separately, which costs far more than the few additions in it; combining the columns with
# whole-array operations does the same arithmetic once per column. `rowsum` is bit for bit
# `a.sum(axis=-1)`: numpy adds fewer than 8 elements left to right, starting from 0.0, and 8 to 127
# elements as eight running sums combined pairwise (tests/test_engine_sampling.py). In the engine's
# replication-fastest layout (game.engine.layout) every column is contiguous, so this is also the fast way.
_NARROW = 8
_PAIRWISE_BLOCK = 128


def rowsum(a: np.ndarray, keepdims: bool = False) -> np.ndarray:
    """`a.sum(axis=-1)` with the same bits, fast for a narrow last axis (and for up to 127 columns)."""
    n = a.shape[-1]
    if n == 0 or n >= _PAIRWISE_BLOCK or a.dtype.kind != "f":
        result: np.ndarray = a.sum(axis=-1, keepdims=keepdims)
        return result
    if n < _NARROW:
        out = a[..., 0] + 0.0  # numpy's sum starts from 0.0 (so -0.0 becomes 0.0 there too)
        for j in range(1, n):
            out += a[..., j]
    else:  # numpy's pairwise order for 8 ≤ n < 128: eight running sums, combined as a tree, then the tail
        r = [a[..., j].copy() for j in range(8)]
        for i in range(8, n - n % 8, 8):
            for j in range(8):
                r[j] += a[..., i + j]
        out = (r[0] + r[1]) + (r[2] + r[3])
        out += (r[4] + r[5]) + (r[6] + r[7])
        for i in range(n - n % 8, n):
            out += a[..., i]
        out = 0.0 + out
    return out[..., None] if keepdims else out


def rowdot(a: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """`a @ weights` for a short weight vector, summed in `rowsum`'s fixed order rather than by BLAS,
    whose order depends on the machine's kernels and the array's layout (the same game must give the
    same bits everywhere)."""
    return rowsum(a * weights)


def rowany(a: np.ndarray) -> np.ndarray:
    """`a.any(axis=-1)` for a boolean array, fast for a narrow last axis."""
    return _fold_columns(np.logical_or, a)


def rowmax(a: np.ndarray, keepdims: bool = False) -> np.ndarray:
    """`a.max(axis=-1)` (no NaN in the engine's arrays), fast for a narrow last axis."""
    out = _fold_columns(np.maximum, a)
    return out[..., None] if keepdims else out


def rowmin(a: np.ndarray) -> np.ndarray:
    """`a.min(axis=-1)` (no NaN in the engine's arrays), fast for a narrow last axis."""
    return _fold_columns(np.minimum, a)


def argmax_of_sum(table: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """(R, K) `(table[None] + rows[:, None, :]).argmax(axis=-1)` for a (K, S) table and (R, S) rows (no NaN): for
    each row and each line of the table, the first column where the sum is largest. Column by column, on all K lines
    at once (the same additions, and a running maximum), without the (R, K, S) sum: numpy's argmax reduces its
    R × K short rows one by one."""
    R, S = rows.shape
    out = np.zeros((R, table.shape[0]), dtype=np.intp, order="F")
    best = np.add(table[:, 0], rows[:, 0, None], order="F")
    value = np.empty_like(best)
    for j in range(1, S):
        np.add(table[:, j], rows[:, j, None], out=value)
        np.copyto(out, j, where=value > best)  # strictly greater: a tie keeps the earlier column
        np.maximum(best, value, out=best)
    return out


def argmax_of_sum_at(table: np.ndarray, rows: np.ndarray, row: np.ndarray, line: np.ndarray) -> np.ndarray:
    """(N,) `argmax_of_sum(table, rows)[row, line]` for N (row, line) pairs, with the same additions and the same
    tie rule, computing only the pairs asked for: O(N × S) instead of O(R × K × S) when few rows and lines matter
    (the sectors a unit must choose from, the sectors that fell this turn)."""
    out = np.zeros(row.shape, dtype=np.intp)
    best = table[:, 0][line] + rows[:, 0][row]
    for j in range(1, rows.shape[1]):
        value = table[:, j][line] + rows[:, j][row]
        np.copyto(out, j, where=value > best)  # strictly greater: a tie keeps the earlier column
        np.maximum(best, value, out=best)
    return out


def _fold_columns(ufunc: np.ufunc, a: np.ndarray) -> np.ndarray:
    """`ufunc.reduce(a, axis=-1)`, column by column in place when the last axis is narrow."""
    n = a.shape[-1]
    if n == 0 or n >= 4 * _NARROW:
        result: np.ndarray = ufunc.reduce(a, axis=-1)
        return result
    out = a[..., 0].copy()
    for j in range(1, n):
        ufunc(out, a[..., j], out=out)
    return out
