"""Poisson and binomial variates as deterministic transforms of pre-drawn noise (for common random numbers).

A generator's own `poisson` consumes a variable amount of randomness, so two plans would stop
sharing dice after the first difference. Here every variate is a monotone function of one
pre-drawn normal or uniform:

* Poisson(lam) ≈ clip(floor(lam' + sqrt(lam')·Z + 1/2), 0, cap), the normal approximation with a
  continuity correction, where lam' is chosen so that the *mean* of the clipped, rounded variate is
  exactly lam (the correction matters below about 10; without it small means are biased upward by
  the clipping at zero). Monotone in lam for a fixed Z.
* Binomial(n, p) by inverse CDF on a uniform, summing the probability mass term by term and
  stopping as soon as every replication is placed. Exact, and monotone in n and p for a fixed u.
"""

from __future__ import annotations

import math

import numpy as np

from .layout import column_positions

__all__ = [
    "PoissonWork", "binomial_from_uniform", "poisson_from_normal", "poisson_mean_correction",
    "rowany", "rowdot", "rowmax", "rowmin", "rowsum", "rowwise_take",
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
        self.i = np.empty(shape, np.intp, order="F")
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
    whole = np.trunc(t, out=w.tmp)  # t ≥ 0: the same as int(t)
    i = w.i
    np.copyto(i, whole, casting="unsafe")
    t -= whole  # the fraction
    # i ≤ _TOP < len(table) - 1: "clip" never clips. np.take writes its `out` in C order, so it gets the
    # transposed view (C order whenever the buffers are in the engine's Fortran layout; no copy-back)
    point = np.take(pairs, i.T, out=w.pair.T, mode="clip").T  # value + slope·1j
    t *= point.imag
    out = np.add(lam, point.real, out=w.mu)
    out += t
    return out


def poisson_from_normal(
    lam: np.ndarray, z: np.ndarray, cap: np.ndarray, work: PoissonWork | None = None
) -> np.ndarray:
    """A Poisson(lam) variate from standard normals `z`, never above `cap` (mean-corrected, see module doc).

    With `work` (see `PoissonWork`), the result lives in `work.x` until the next call with the same work."""
    w = work if work is not None else PoissonWork(lam.shape, lam.dtype)
    mu = poisson_mean_correction(lam, w)
    x = np.sqrt(mu, out=w.x)
    x *= z
    x += mu
    x += 0.5
    np.floor(x, out=x)
    np.maximum(x, w.zero, out=x)
    np.minimum(x, cap, out=x)
    return x


def binomial_from_uniform(n: np.ndarray, p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Binomial(n, p) by inverse CDF on uniforms `u` (arrays broadcast to one shape; n whole numbers)."""
    n, p, u = np.broadcast_arrays(np.asarray(n, float), np.asarray(p, float), np.asarray(u, float))
    p = np.clip(p, 0.0, 1.0)
    flip = p > 0.5  # count the rarer outcome, for accuracy and an early stop
    q = np.where(flip, 1.0 - p, p)
    uu = np.where(flip, 1.0 - u, u)
    with np.errstate(divide="ignore", invalid="ignore"):
        pmf = np.where(q < 1.0, (1.0 - q) ** n, 0.0)
        ratio = np.where(q < 1.0, q / (1.0 - q), 0.0)
    cdf = pmf.copy()
    count = np.zeros_like(n)
    nmax = int(n.max()) if n.size else 0
    for k in range(nmax):
        above = uu > cdf
        if k % 4 == 0 and not above.any():
            break
        count += above
        pmf = pmf * (n - k) / (k + 1) * ratio
        cdf = cdf + pmf
    count = np.minimum(count, n)
    return np.where(flip, n - count, count)


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
        return a.sum(axis=-1, keepdims=keepdims)
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


def _fold_columns(ufunc: np.ufunc, a: np.ndarray) -> np.ndarray:
    """`ufunc.reduce(a, axis=-1)`, column by column in place when the last axis is narrow."""
    n = a.shape[-1]
    if n == 0 or n >= 4 * _NARROW:
        return ufunc.reduce(a, axis=-1)
    out = a[..., 0].copy()
    for j in range(1, n):
        ufunc(out, a[..., j], out=out)
    return out
