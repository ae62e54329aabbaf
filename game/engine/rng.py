"""Every random number in the game, keyed by (seed, turn, purpose), drawn as fixed-shape arrays.

Why keyed streams
-----------------
`stream(seed, turn, purpose)` builds a fresh `numpy.random.Generator` from a
`SeedSequence` of the seed, the turn and a stable hash of the purpose. With an
instructor key the seed is `dice_seed(seed, secret)`, a larger number whose
high bits only the key's holder can compute. Nothing
depends on how many numbers an earlier call consumed, so a game replays bit for
bit from (scenario, seed, orders), a branch can re-run a turn with other
orders, and the forecast, the intelligence picture and the injects never
disturb the dice of the battle.

Common random numbers (what is shared, what cannot be)
------------------------------------------------------
A turn's noise is drawn *before* the turn is resolved, in shapes that depend
only on the scenario's structure (sub-steps, sectors, road segments) and on
the number of replications, never on the orders (`draw_noise`):

* `normals`, shape (substeps, R, 2, S), float32: one standard normal per sub-step, per
  side and per sector. Each side's losses in a sector during a sub-step are a
  Poisson variate obtained from this normal (see `game.engine.sampling`), so
  two different orders for the same turn face the *same* dice: if a sector was
  unlucky under one plan it is unlucky under the other, and the difference in
  outcomes is the effect of the orders, not of luck.

  Each normal is a 16-bit code from the generator's raw bytes mapped through a
  table of 65,536 equally likely values (the mean of the standard normal within
  each of 65,536 equal-probability bins): mean exactly 0, variance 1 − 1.5e-6,
  tails to ±4.39. Why: the ziggurat took a sixth of a batch turn, the table
  lookup takes a fifth of that, and the Poisson transform rounds to whole
  soldiers, far coarser than the table's steps. The codes come in memory order
  (sub-step, sector, side, replication), so the block is already in the
  engine's layout.
* `uniforms`, shape (R, M): the day and night convoy draws (a binomial by
  inverse CDF: more trucks or a more dangerous road on the same uniform never
  means fewer trucks lost), whether an air strike hits the road and which
  segment, and one repair draw per road segment.

Shared exactly: the noise of the same sector, side and sub-step; the convoy
uniforms; the air-strike and repair draws. Not shared: once the two plans have
diverged (a sector fell in one and not in the other, a unit moved), the same
normal drives a different fight, so coupling weakens over later turns; the
chance injects use their own stream ("injects") and see identical draws but
may fire in one branch and not the other when their conditions differ; the
forecast uses the purpose "forecast", so its replications are independent of
the game's own dice, and "forecast.picture" for the enemy it samples from the
trainee's intel picture; intelligence noise ("intel", "intel_bias") never
touches the battle.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from statistics import NormalDist

import numpy as np

from .layout import row_index, take_rows

__all__ = ["Noise", "NoiseLayout", "dice_seed", "draw_noise", "normal_table", "purpose_key", "stream"]

NORMAL_CODE_BYTES = 2
"""Bytes of randomness per normal: 16-bit codes (see the module doc)."""


def purpose_key(purpose: str) -> tuple[int, int]:
    """Two stable 32-bit words from a purpose string (Python's hash() is salted per process)."""
    digest = hashlib.blake2b(purpose.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest[:4], "little"), int.from_bytes(digest[4:], "little")


SECRET_SHIFT = 64
"""A secret is added above the 64 bits a seed normally uses: guessing the dice means guessing 128 secret bits."""


def dice_seed(seed: int, secret: bytes = b"") -> int:
    """The number every stream of a game is keyed by: the seed itself, or with a secret (an instructor key's
    contribution, given as bytes by the caller) the seed plus the secret's 128-bit digest above bit 64, so the
    dice cannot be reproduced from the seed alone. Without a secret nothing changes: same seed, same dice."""
    if seed < 0:
        raise ValueError(f"the seed must be non-negative, got {seed}")
    if not secret:
        return seed
    digest = hashlib.blake2b(secret, digest_size=16, person=b"salient-dice").digest()
    return seed + ((int.from_bytes(digest, "little") | 1) << SECRET_SHIFT)


def stream(seed: int, turn: int, purpose: str) -> np.random.Generator:
    """The generator for one purpose in one turn of one game."""
    if seed < 0 or turn < 0:
        raise ValueError(f"seed and turn must be non-negative, got seed={seed}, turn={turn}")
    words = [seed & 0xFFFFFFFF, seed >> 32, turn, *purpose_key(purpose)]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(words)))


@dataclass(frozen=True)
class NoiseLayout:
    """Shapes of a turn's noise; fixed by the scenario's structure, independent of the orders."""

    substeps: int
    sectors: int
    segments: int

    # columns of the uniform block
    DAY: int = 0
    NIGHT: int = 1
    AIR_HIT: int = 2
    AIR_SEGMENT: int = 3
    REPAIR0: int = 4

    @property
    def columns(self) -> int:
        """Uniform columns per replication."""
        return self.REPAIR0 + self.segments


@dataclass(frozen=True)
class Noise:
    """One turn's dice for R replications. `normals` is None in the mean-field (expected value) mode."""

    normals: np.ndarray | None
    uniforms: np.ndarray

    @property
    def replications(self) -> int:
        """R."""
        return len(self.uniforms)

    def take(self, rows: np.ndarray) -> Noise:
        """The dice of a subset of replications."""
        index = row_index(rows)
        normals = None
        if self.normals is not None:  # (substeps, S, 2, R) in memory: one gather along the last axis
            normals = np.take(self.normals.transpose(0, 3, 2, 1), index, axis=-1).transpose(0, 3, 2, 1)
        return Noise(normals, take_rows(self.uniforms, index))

    @staticmethod
    def mean_field(layout: NoiseLayout, replications: int) -> Noise:
        """No randomness: expected losses, no road hits, no repairs by chance (u = 1)."""
        return Noise(None, np.ones((replications, layout.columns), order="F"))


def draw_noise(
    layout: NoiseLayout, replications: int, gen: np.random.Generator, rows: np.ndarray | None = None
) -> Noise:
    """Draw the whole turn's noise up front, in the same shapes whatever the orders.

    `rows`: keep only these replications (the others' dice are drawn all the same, so each
    replication's dice never depend on which others are kept)."""
    n, S = layout.substeps, layout.sectors
    raw = gen.bytes(NORMAL_CODE_BYTES * n * S * 2 * replications)
    codes = np.frombuffer(raw, dtype=np.dtype("<u2")).reshape(n, S, 2, replications)
    uniforms = gen.random((replications, layout.columns))
    if rows is not None:
        index = row_index(rows)
        codes, uniforms = np.take(codes, index, axis=-1), uniforms[index]
    table = normal_table()
    normals = np.empty(codes.shape, dtype=table.dtype)
    for i in range(n):  # a sub-step at a time: np.take first turns the 16-bit codes into machine-word indices (four
        # times their size), and a whole turn's worth would be a fresh multi-megabyte block, page-faulted every turn
        np.take(table, codes[i], out=normals[i])
    return Noise(
        normals.transpose(0, 3, 2, 1), np.asfortranarray(uniforms)
    )  # (substeps, R, 2, S) in the engine's layout


@cache
def normal_table() -> np.ndarray:
    """(65,536,) float32: the mean of a standard normal within each of 65,536 equal-probability bins."""
    bins = 1 << (8 * NORMAL_CODE_BYTES)
    unit = NormalDist()
    edges = np.array([unit.inv_cdf(i / bins) for i in range(1, bins)])
    density = np.concatenate([[0.0], np.exp(-0.5 * edges**2) / np.sqrt(2.0 * np.pi), [0.0]])
    result: np.ndarray = ((density[:-1] - density[1:]) * bins).astype(np.float32)
    return result
