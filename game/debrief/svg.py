"""Hand-written inline SVG charts for the HTML report: no plotting library, no fonts or scripts to fetch.

Lines differ by dash pattern and marker shape as well as colour, so a chart printed in black and white
(or read by someone who does not see colour) still tells its series apart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from .axes import nice_axis

COLOURS = ("#1f5fa8", "#c0392b", "#2e7d32", "#8e44ad", "#d35400", "#555555", "#00838f", "#6d4c41")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2", "10 4", "3 6")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "circle", "square", "triangle")


@dataclass(frozen=True)
class Line:
    """One series of a chart."""

    label: str
    values: Sequence[float]


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    s = 3.2
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{s:.1f}" fill="{colour}"/>'
    if kind == "square":
        return f'<rect x="{x - s:.1f}" y="{y - s:.1f}" width="{2 * s:.1f}" height="{2 * s:.1f}" fill="{colour}"/>'
    if kind == "triangle":
        return (
            f'<polygon points="{x:.1f},{y - s - 0.8:.1f} {x - s:.1f},{y + s:.1f} {x + s:.1f},{y + s:.1f}" '
            f'fill="{colour}"/>'
        )
    if kind == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - s - 0.8:.1f} {x + s:.1f},{y:.1f} {x:.1f},{y + s + 0.8:.1f} '
            f'{x - s:.1f},{y:.1f}" fill="{colour}"/>'
        )
    return (
        f'<path d="M{x - s:.1f},{y - s:.1f}L{x + s:.1f},{y + s:.1f}M{x - s:.1f},{y + s:.1f}L{x + s:.1f},{y - s:.1f}" '
        f'stroke="{colour}" stroke-width="1.6"/>'
    )


def legend_columns(labels: Sequence[str], width: float) -> int:
    """How many legend columns fit `width` (1 to 3): a sample line, a gap and the longest label (about 6.2 px a
    character at 11 px) must fit each column."""
    longest = max((len(label) for label in labels), default=0)
    return max(1, min(3, int(width // (longest * 6.2 + 40)) if longest else 3))


def line_chart(
    title: str,
    xs: Sequence[float],
    lines: Sequence[Line],
    *,
    y_label: str = "",
    x_label: str = "turn",
    width: int = 640,
    height: int = 240,
    y_zero: bool = True,
) -> str:
    """An SVG line chart with axes, round ticks and a legend; values that are not finite are skipped."""
    left, right = 64, 16
    plot_w = width - left - right
    columns = legend_columns([line.label for line in lines], plot_w)
    top, bottom = 30, 40 + 16 * ((len(lines) + columns - 1) // columns)
    height += 16 * ((len(lines) + columns - 1) // columns) - 16 if len(lines) > columns else 0
    plot_h = height - top - bottom
    y_axis = nice_axis([v for line in lines for v in line.values], zero=y_zero)
    lo, hi = y_axis.low, y_axis.high
    x0, x1 = (min(xs), max(xs)) if xs else (0, 1)
    x1 = x1 if x1 > x0 else x0 + 1
    x_axis = nice_axis([x0, x1], count=8, whole=all(float(x).is_integer() for x in xs))

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * plot_w

    def py(y: float) -> float:
        return top + (hi - y) / (hi - lo or 1) * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for t, label in zip(y_axis.ticks, y_axis.labels, strict=True):
        y = py(t)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(label)}</text>')
    for t, label in zip(x_axis.ticks, x_axis.labels, strict=True):
        if x0 <= t <= x1:
            x = px(t)
            out.append(f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 4}" stroke="#333"/>')
            out.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{escape(label)}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#333"/>')
    out.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h + 30}" text-anchor="middle">{escape(x_label)}</text>'
    )
    if y_label:
        out.append(
            f'<text transform="translate(14,{top + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle">'
            f"{escape(y_label)}</text>"
        )
    for i, line in enumerate(lines):
        colour, dash, marker = COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)], MARKERS[i % len(MARKERS)]
        # a what-if branch ends earlier than the original game, so its line is shorter than the x axis
        points = [
            (px(x), py(v))
            for x, v in zip(xs, line.values, strict=False)
            if isinstance(v, (int, float)) and math.isfinite(v)
        ]
        if points:
            d = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>')
            step = max(1, len(points) // 12)
            out.extend(_marker(marker, x, y, colour) for x, y in points[::step])
        lx = left + (i % columns) * (plot_w / columns)
        ly = top + plot_h + 44 + 16 * (i // columns)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{lx:.1f}" y1="{ly - 4}" x2="{lx + 24:.1f}" y2="{ly - 4}" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/>'
        )
        out.append(_marker(marker, lx + 12, ly - 4, colour))
        out.append(f'<text x="{lx + 30:.1f}" y="{ly}">{escape(line.label)}</text>')
    out.append("</svg>")
    return "".join(out)


def histogram_chart(
    title: str,
    counts: Sequence[int],
    edges: Sequence[float],
    *,
    marker: float | None = None,
    marker_label: str = "",
    x_label: str = "",
    width: int = 640,
    height: int = 190,
) -> str:
    """A histogram (counts per bin between `edges`), with a dashed vertical line where the actual outcome fell."""
    left, right, top, bottom = 48, 16, 28, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    lo, hi = (float(edges[0]), float(edges[-1])) if len(edges) >= 2 else (0.0, 1.0)
    if marker is not None and math.isfinite(marker):
        lo, hi = min(lo, marker), max(hi, marker)
    if hi <= lo:
        hi = lo + 1.0
    top_count = max(counts, default=0) or 1

    def px(x: float) -> float:
        return left + (x - lo) / (hi - lo) * plot_w

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for c, a, b in zip(counts, edges[:-1], edges[1:], strict=True):
        h = c / top_count * plot_h
        x0, x1 = px(float(a)), px(float(b))
        out.append(
            f'<rect x="{x0:.1f}" y="{top + plot_h - h:.1f}" width="{max(x1 - x0 - 1, 0.5):.1f}" '
            f'height="{h:.1f}" fill="#9bb7d4" stroke="#1f5fa8" stroke-width="0.5"/>'
        )
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#333"/>')
    x_axis = nice_axis([lo, hi], count=6)
    for t, label in zip(x_axis.ticks, x_axis.labels, strict=True):
        if lo <= t <= hi:
            out.append(f'<text x="{px(t):.1f}" y="{top + plot_h + 14}" text-anchor="middle">{escape(label)}</text>')
    if x_label:
        out.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h + 30}" text-anchor="middle">{escape(x_label)}</text>'
        )
    if marker is not None and math.isfinite(marker):
        x = px(marker)
        out.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#c0392b" '
            f'stroke-width="2" stroke-dasharray="5 3"/>'
        )
        anchor = "end" if x > left + plot_w * 0.7 else "start"
        dx = -4 if anchor == "end" else 4
        out.append(
            f'<text x="{x + dx:.1f}" y="{top + 10}" fill="#c0392b" text-anchor="{anchor}">{escape(marker_label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
