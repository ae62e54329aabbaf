"""The map as a grid of characters: places, roads by state, sector names — meaning carried by glyphs.

Headless so it can be tested and printed in a transcript; the TUI only colours the tags. Every
distinction the colours make is also made by a glyph: ■ ours / □ enemy, and = ~ ! X for the
road's state (· for an open field track).
"""

from __future__ import annotations

from dataclasses import dataclass

from game.scenario import Scenario

from .describe import ROAD_GLYPH
from .fmt import short_name
from .picture import Picture

OWN, ENEMY = "■", "□"
TRACK_OPEN = "·"
LEGEND = f"{OWN} ours  {ENEMY} enemy   road: = open  ~ contested  ! interdicted  X cut   {TRACK_OPEN} track"


@dataclass(frozen=True)
class Run:
    """A stretch of characters sharing one tag (for example `road-cut`, `place-own`, `sector-enemy`)."""

    text: str
    tag: str


def draw_map(scenario: Scenario, pic: Picture, width: int, height: int) -> list[list[Run]]:
    """The map drawn into `width` × `height` cells, as rows of tagged runs."""
    width, height = max(width, 10), max(height, 3)
    grid: list[list[tuple[str, str]]] = [[(" ", "")] * width for _ in range(height)]
    places = {p.id: p for p in scenario.map.places}
    label_room = min(12, width // 4)
    xs = [p.x for p in places.values()]
    ys = [p.y for p in places.values()]

    def cell(x: float, y: float) -> tuple[int, int]:
        span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
        col = round((x - min(xs)) / span_x * (width - 1 - label_room))
        row = round((y - min(ys)) / span_y * (height - 1))
        return col, row

    side = scenario.meta.player_side
    for road in sorted(scenario.map.roads, key=lambda r: r.kind != "track"):
        state = pic.road_state.get(road.id, road.state)
        glyph = TRACK_OPEN if road.kind == "track" and state == "open" else ROAD_GLYPH[state]
        a, b = cell(places[road.from_place].x, places[road.from_place].y), cell(
            places[road.to_place].x, places[road.to_place].y)
        for col, row in _line(a, b)[1:-1]:
            grid[row][col] = (glyph, f"{road.kind}-{state}")
    spots = {pid: cell(p.x, p.y) for pid, p in places.items()}
    taken: set[tuple[int, int]] = set()
    for pid, place in places.items():
        col, row = spots[pid]
        held = pic.place_holder.get(pid, place.holder) == side
        _write(grid, row, col, OWN if held else ENEMY, "place-own" if held else "place-enemy")
        taken.add((col, row))
    for pid in sorted(places, key=lambda p: _RANK.get(places[p].kind, 9)):
        _label(grid, taken, spots[pid], places[pid].name)
    for sector in scenario.map.sectors:
        spots = [cell(places[p].x, places[p].y) for p in sector.places if p in places]
        if spots:
            held = pic.sector_holder.get(sector.id, sector.holder) == side
            _place_label(grid, spots, f"{short_name(sector.name).upper()} {OWN if held else ENEMY}",
                         "sector-own" if held else "sector-enemy")
    return [_runs(row) for row in grid]


def map_text(scenario: Scenario, pic: Picture, width: int = 60, height: int = 14) -> str:
    """The map as plain text with its legend (for transcripts and tests)."""
    rows = ["".join(run.text for run in row).rstrip() for row in draw_map(scenario, pic, width, height)]
    return "\n".join([*rows, LEGEND])


_RANK: dict[str, int] = {"town": 0, "border": 1, "crossing": 2, "bridge": 3, "village": 4, "base": 5}
"""Which places get their names written first when the map is crowded."""


def _label(grid: list[list[tuple[str, str]]], taken: set[tuple[int, int]], at: tuple[int, int], name: str) -> None:
    """Write a place's name beside its mark without covering another mark or name (shortened with … if need be)."""
    col, row = at

    def room(cols: range) -> int:
        """Free cells in this direction, keeping one blank before the next mark or name."""
        for n, c in enumerate(cols):
            if (c, row) in taken:
                return max(0, n - 1)
        return len(cols)

    right, left = room(range(col + 1, len(grid[0]))), room(range(col - 1, -1, -1))
    after, before = f" {name}", f"{name} "
    if len(after) <= right or (len(before) > left and right >= left and right >= 4):
        shown = after if len(after) <= right else after[: right - 1] + "…"
        start = col + 1
    elif len(before) <= left or left >= 4:
        shown = before if len(before) <= left else name[: left - 2] + "… "
        start = col - len(shown)
    else:
        return
    _write(grid, row, start, shown, "label")
    taken.update((c, row) for c in range(start, start + len(shown)))


def _place_label(grid: list[list[tuple[str, str]]], spots: list[tuple[int, int]], text: str, tag: str) -> None:
    """Write a sector's name near its places, only on free cells (with a blank on each side)."""
    height, width = len(grid), len(grid[0])
    centre = sum(c for c, _ in spots) // len(spots) - len(text) // 2
    rows = [min(r for _, r in spots) - 1, max(r for _, r in spots) + 1, min(r for _, r in spots) - 2]
    for row in (r for r in rows if 0 <= r < height):
        for shift in (0, -4, 4, -8, 8, -12, 12):
            col = max(0, min(width - len(text), centre + shift))
            cells = range(max(0, col - 1), min(width, col + len(text) + 1))
            if all(grid[row][c][0] == " " for c in cells):
                _write(grid, row, col, text, tag)
                return


def _write(grid: list[list[tuple[str, str]]], row: int, col: int, text: str, tag: str) -> None:
    for i, ch in enumerate(text):
        if 0 <= col + i < len(grid[row]):
            grid[row][col + i] = (ch, tag)


def _runs(row: list[tuple[str, str]]) -> list[Run]:
    runs: list[Run] = []
    for ch, tag in row:
        if runs and runs[-1].tag == tag:
            runs[-1] = Run(runs[-1].text + ch, tag)
        else:
            runs.append(Run(ch, tag))
    return runs


def _line(a: tuple[int, int], b: tuple[int, int]) -> list[tuple[int, int]]:
    """Cells on the straight line from a to b (Bresenham), both ends included."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = abs(x1 - x0), -abs(y1 - y0)
    sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
    err, cells = dx + dy, []
    while True:
        cells.append((x0, y0))
        if (x0, y0) == (x1, y1):
            return cells
        e2 = 2 * err
        if e2 >= dy:
            err += dy
            x0 += sx
        if e2 <= dx:
            err += dx
            y0 += sy
