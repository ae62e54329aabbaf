"""The text of a Textual SVG screenshot, line by line and column by column, to assert on what a user reads."""

from __future__ import annotations

import html
import re

TEXT = re.compile(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)" textLength="([\d.]+)"[^>]*>([^<]*)</text>')


def screen_lines(svg: str) -> list[str]:
    """Each screen row as a string, characters at their columns (spaces where nothing was drawn)."""
    cells = [
        (float(x), float(y), float(length), html.unescape(text).replace("\xa0", " "))
        for x, y, length, text in TEXT.findall(svg)
    ]
    widths = [length / len(text) for _, _, length, text in cells if text.strip() and len(text) > 3]
    char = min(widths) if widths else 12.2
    rows: dict[float, dict[int, str]] = {}
    for x, y, _, text in cells:
        row = rows.setdefault(y, {})
        for i, c in enumerate(text.rstrip("\n")):
            row[round(x / char) + i] = c
    out = []
    for y in sorted(rows):
        row = rows[y]
        out.append("".join(row.get(i, " ") for i in range(max(row, default=-1) + 1)).rstrip())
    return out
