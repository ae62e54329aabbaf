"""Chart axes both renderers share: round ticks 1, 2 or 5 times a power of ten apart, labels without float noise,
and a range that always covers the data.

Ticks are whole multiples of the step (k × step, rounded to the step's decimals), never a running sum, so
a label reads "10" and not "9.9999995". The SVG charts and the terminal's plots take their axes from here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

STEPS = (1.0, 2.0, 5.0, 10.0)


@dataclass(frozen=True)
class Axis:
    """One axis: its ends (the first and last tick), the ticks, and their labels."""

    low: float
    high: float
    ticks: list[float]
    labels: list[str]


def nice_step(span: float, intervals: int) -> float:
    """The smallest 1-2-5 step that cuts `span` into at most `intervals` pieces."""
    raw = span / max(intervals, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in STEPS if m * power >= raw * (1 - 1e-12))


def decimals_of(step: float) -> int:
    """Decimals a label needs to show ticks `step` apart exactly (0 for whole steps)."""
    return max(0, -math.floor(math.log10(step) + 1e-9))


def tick_label(value: float, decimals: int) -> str:
    """A tick's label: thousands separators, the step's decimals, never "-0"."""
    text = f"{value:,.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text[1:].replace(",", "")) == 0 else text


def nice_axis(values: Iterable[float], *, zero: bool = False, count: int = 5, whole: bool = False) -> Axis:
    """An axis whose ticks cover every finite value (and 0 when `zero`), with at most about `count` ticks.

    `whole` keeps the step at 1 or more (turns, trucks). A flat series gets a range around its value.
    """
    finite = [float(v) for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    if zero:
        low, high = min(low, 0.0), max(high, 0.0)
    if high - low <= 1e-5 * max(1.0, abs(low), abs(high)):  # flat, or flat but for float noise
        low = high = (low + high) / 2
        spread = abs(low) * 0.1 or 1.0
        low, high = (low, low + spread) if zero and low >= 0 else (low - spread, high + spread)
    step = nice_step(high - low, max(count - 1, 1))
    if whole:
        step = max(step, 1.0)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    decimals = decimals_of(step)
    ticks = [round(k * step, decimals) for k in range(first, last + 1)]
    return Axis(ticks[0], ticks[-1], ticks, [tick_label(t, decimals) for t in ticks])
