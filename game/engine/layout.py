"""Memory layout of the engine's arrays: the replication axis comes first in the index and fastest in memory.

Every state and work array is indexed (R, …) but stored in Fortran (column-major) order, so the
R values of one unit, sector or side lie next to each other. Why: nearly every operation combines
a per-replication array with a per-unit or per-sector parameter of shape (U,) or (S,). With R
innermost, numpy runs one long loop per column; with R outermost (C order) it runs a loop of 5–14
elements per replication, three to four times slower at (10,000, 14), and a sum over units or
sectors adds whole contiguous columns instead of reducing thousands of short rows.

numpy keeps the layout through element-wise operations (their result follows their inputs), so
only the places that *create* arrays need care: use these helpers instead of `np.zeros((R, …))`,
`np.stack(…, axis=1)` or `x[:, None] * row` (which would all give C order and make every later
operation mixing the two layouts slower than either).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["column_positions", "columns", "empty", "fortran", "outer", "pad_column", "row_index", "take_rows", "zeros"]


def zeros(shape: tuple[int, ...], dtype: type | np.dtype = float) -> np.ndarray:
    """np.zeros in the engine's layout."""
    return np.zeros(shape, dtype=dtype, order="F")


def empty(shape: tuple[int, ...], dtype: type | np.dtype = float) -> np.ndarray:
    """np.empty in the engine's layout."""
    return np.empty(shape, dtype=dtype, order="F")


def fortran(a: np.ndarray) -> np.ndarray:
    """`a` in the engine's layout (no copy when it already is)."""
    return np.asfortranarray(a)


def columns(cols: Sequence[np.ndarray], dtype: type | np.dtype | None = None) -> np.ndarray:
    """np.stack(cols, axis=-1) in the engine's layout: each (R, …) input becomes one slice of the last axis."""
    first = cols[0]
    out = np.empty((*first.shape, len(cols)), dtype=dtype or np.result_type(*cols), order="F")
    for j, c in enumerate(cols):
        out[..., j] = c
    return out


def outer(x: np.ndarray, row: np.ndarray | float) -> np.ndarray:
    """x[:, None] * row as an (R, k) array in the engine's layout."""
    result: np.ndarray = np.multiply(x[:, None], row, order="F")
    return result


def pad_column(a: np.ndarray, value: bool | float) -> np.ndarray:
    """(R, k) → (R, k + 1) with `value` in the extra last column (the "none" sector of an index)."""
    out = np.full((a.shape[0], a.shape[1] + 1), value, dtype=a.dtype, order="F")
    out[:, :-1] = a
    return out


def row_index(rows: np.ndarray) -> np.ndarray:
    """Replication numbers from numbers or a boolean mask."""
    return np.flatnonzero(rows) if rows.dtype == bool else rows


def take_rows(a: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """a[rows] (replications by index or boolean mask) in the engine's layout, in a single pass."""
    return np.take(a.T, row_index(rows), axis=-1).T


def column_positions(index: np.ndarray) -> np.ndarray:
    """(J, R) flat positions index[r, j] · R + r: where column index[r, j], replication r sits in a
    column-major (R, K) array (for gathers from it, or for bincounts whose (K, R) result transposed is
    already in the engine's layout); computed in intp whatever the index's dtype."""
    R = index.shape[0]
    out: np.ndarray = np.multiply(
        index.T, R, dtype=np.intp
    )  # cast and multiply in one pass (astype, then * R, took two)
    out += _replication_numbers(R)
    return out


def _replication_numbers(R: int) -> np.ndarray:
    """arange(R) in intp, kept from one call to the next (a batch asks for the same few sizes every turn)."""
    cached = _NUMBERS.get(R)
    if cached is None:
        if len(_NUMBERS) > 64:
            _NUMBERS.clear()
        cached = _NUMBERS[R] = np.arange(R, dtype=np.intp)
        cached.flags.writeable = False
    return cached


_NUMBERS: dict[int, np.ndarray] = {}
