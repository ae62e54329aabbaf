"""Names for the engine's numpy arrays by what they hold (the dtype is part of the contract)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
"""Quantities: soldiers, tonnes, km, shares, turn counts."""
Codes = npt.NDArray[np.int8]
"""Small codes: a side, a posture, a road state, an ending."""
Flags = npt.NDArray[np.bool_]
"""Yes/no per replication, unit, sector or road segment."""
Indices = npt.NDArray[np.int64]
"""Positions along another axis: a unit's sector, a place's sector, a hop count."""
