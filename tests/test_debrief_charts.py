"""Chart axes read like a person drew them: ticks 1, 2 or 5 times a power of ten apart, labels without float noise,
a range that covers every value; the HTML report's SVG charts take the same axes."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from game.debrief.svg import Line, histogram_chart, line_chart

SERIES = {
    "flat area (tutorial)": [10.0] * 7,
    "area lost (Kursk)": [76.0] * 8 + [70.0] * 8 + [50.0] * 6 + [20.0, 0.0],
    "losses with one bad turn": [0.0, 0.3, 2.1, 1.2, 900.0],
    "score changes": [-1.5, 0.2, 1.4, -0.7],
    "float noise": [9.9999995, 10.0, 10.0000001],
    "big numbers": [14814.0, 9110.0, 24090.0],
    "tiny": [0.0012, 0.0031],
}


def is_round_step(step: float) -> bool:
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
    return any(abs(mantissa - m) < 1e-6 for m in (1.0, 2.0, 5.0))


def check_ticks(labels: list[str], values: list[float], zero: bool) -> None:
    """Labels are numbers an equal 1-2-5 step apart, each written with the decimals the step needs, covering values."""
    ticks = [float(label.replace(",", "")) for label in labels]
    assert len(ticks) >= 2, labels
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0], rtol=1e-9, atol=0), labels
    assert is_round_step(float(steps[0])), labels
    decimals = max(0, -math.floor(math.log10(steps[0]) + 1e-9))
    for label in labels:
        assert label == f"{float(label.replace(',', '')):,.{decimals}f}" or label == "0", labels
    finite = values + ([0.0] if zero else [])
    assert ticks[0] <= min(finite) and ticks[-1] >= max(finite), (labels, values)


def y_labels(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end">([^<]*)</text>', svg)


@pytest.mark.parametrize("name", list(SERIES))
@pytest.mark.parametrize("zero", [True, False])
def test_svg_line_chart_ticks_are_round_and_cover_the_data(name: str, zero: bool) -> None:
    values = SERIES[name]
    svg = line_chart(name, list(range(len(values))), [Line(name, values)], y_zero=zero)
    check_ticks(y_labels(svg), values, zero)
    x_labels = re.findall(r'text-anchor="middle">([^<]*)</text>', svg)
    assert all(label.isdigit() for label in x_labels if label != "turn")  # whole turns


def test_svg_histogram_ticks_are_round() -> None:
    edges = list(np.linspace(-0.3, 11.7, 21))
    svg = histogram_chart("outcomes", [1] * 20, edges, marker=0.7)
    labels = re.findall(r'y="\d+(?:\.\d+)?" text-anchor="middle">([^<]*)</text>', svg)
    check_ticks(labels, [float(labels[0]), float(labels[-1])], zero=False)  # the ticks inside the bins' range


def test_nice_axis_over_many_ranges() -> None:
    """A thousand ranges of every size and sign, from the game's seeded generator style (fixed seed)."""
    from game.debrief.axes import nice_axis

    rng = np.random.default_rng(12)
    for _ in range(1000):
        scale = 10.0 ** rng.integers(-3, 6)
        values = list(rng.normal(rng.normal(0, 3) * scale, scale * rng.random(), size=rng.integers(1, 30)))
        zero = bool(rng.random() < 0.5)
        axis = nice_axis(values, zero=zero)
        check_ticks(axis.labels, values, zero)
        assert axis.low == axis.ticks[0] and axis.high == axis.ticks[-1] and 2 <= len(axis.ticks) <= 12
    whole = nice_axis([0.0, 3.0], count=8, whole=True)
    assert whole.labels == ["0", "1", "2", "3"]


def test_legend_columns_fit_the_chart() -> None:
    from game.debrief.svg import legend_columns

    labels = ["Supply delivered", "Stock of ammunition", "Stock of fuel", "Stock of food medical"]
    columns = legend_columns(labels, 560)
    assert columns * (max(map(len, labels)) * 6.2 + 40) <= 560 and columns >= 2
    assert legend_columns(["x" * 200], 560) == 1
