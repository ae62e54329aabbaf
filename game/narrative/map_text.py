"""The map as a grid of characters: places, roads by state, sector names — meaning carried by glyphs.

Headless so it can be tested and printed in a transcript; the TUI only colours the tags. Every
distinction the colours make is also made by a glyph: ■ ours / □ enemy, and = ~ ! X for the
road's state (· for an open field track).
"""

from __future__ import annotations

import re
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
        a, b = (
            cell(places[road.from_place].x, places[road.from_place].y),
            cell(places[road.to_place].x, places[road.to_place].y),
        )
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
        _label(grid, taken, spots[pid], label_forms(places[pid].name, pid))
    for sector in scenario.map.sectors:
        sector_spots = [spots[p] for p in sector.places if p in spots]
        if sector_spots:
            held = pic.sector_holder.get(sector.id, sector.holder) == side
            _place_label(
                grid,
                sector_spots,
                f"{short_name(sector.name).upper()} {OWN if held else ENEMY}",
                "sector-own" if held else "sector-enemy",
            )
    return [_runs(row) for row in grid]


def map_text(scenario: Scenario, pic: Picture, width: int = 60, height: int = 14) -> str:
    """The map as plain text with its legend (for transcripts and tests)."""
    rows = ["".join(run.text for run in row).rstrip() for row in draw_map(scenario, pic, width, height)]
    return "\n".join([*rows, LEGEND])


_RANK: dict[str, int] = {"town": 0, "border": 1, "crossing": 2, "bridge": 3, "village": 4, "base": 5}
"""Which places get their names written first when the map is crowded."""


def label_forms(name: str, place_id: str = "") -> list[str]:
    """A place's name from longest to shortest, each a deliberate abbreviation — never cut mid-word.

    The full name; without a bracketed qualifier ("Novenke (UA)" → "Novenke"); then each word
    shortened, last word first, to its first syllable and a full stop ("Goncharovka" → "Gonch.",
    "Kazachya Loknya" → "Kaz. Loknya"), the way printed maps abbreviate. Words with digits or hyphens
    stay whole. Last, a one-word id shorter than all of these — the word `look` takes ("checkpoint").
    """
    forms = [name]
    plain = re.sub(r"\s*\([^)]*\)", "", name).strip()
    if plain and plain != name:
        forms.append(plain)
    words = plain.split(" ") if plain else name.split(" ")
    for i in range(len(words) - 1, -1, -1):
        short = _abbreviate(words[i])
        if short != words[i]:
            words = [*words[:i], short, *words[i + 1 :]]
            forms.append(" ".join(words))
    if place_id.isalpha() and len(place_id) < min(len(f) for f in forms):
        forms.append(place_id)
    return list(dict.fromkeys(forms))


_VOWELS = set("aeiouyAEIOUYаеёиоуыэюяАЕЁИОУЫЭЮЯ")


def _abbreviate(word: str) -> str:
    """A word cut after its first syllable's consonants, with a full stop ("Goncharovka" → "Gonch.").

    At least three letters are kept; a word that would not get two cells shorter is left whole.
    """
    if not word.isalpha():  # road numbers, hyphenated names, signs stay whole
        return word
    i, n = 0, len(word)
    while True:
        while i < n and word[i] not in _VOWELS:  # consonants before the vowel
            i += 1
        while i < n and word[i] in _VOWELS:  # the vowel(s)
            i += 1
        while i < n and word[i] not in _VOWELS and word[i].isalpha():  # the consonants after it
            i += 1
        if i >= 3 or i >= n:
            break
    cut = word[:i] + "."
    return cut if len(cut) <= len(word) - 2 else word


def _label(
    grid: list[list[tuple[str, str]]], taken: set[tuple[int, int]], at: tuple[int, int], forms: list[str]
) -> None:
    """Write a place's name near its mark without covering another mark or name.

    On the mark's row first (right, else left; a road under the name gives way to it), in the
    longest of `forms` that fits (see `label_forms`); else on the row above or below, over blank cells only.
    A name with no room at all is left off: its mark stays, and `look` names every place.
    """
    height, width = len(grid), len(grid[0])
    col, row = at

    def free(r: int, start: int, text: str) -> bool:
        """Room for `text` at (r, start): no mark or name under it or right beside it; off the row, blank cells."""
        if not 0 <= r < height or start < 0 or start + len(text) > width:
            return False
        margin = range(max(0, start - 1), min(width, start + len(text) + 1))
        return all((c, r) not in taken for c in margin) and (
            r == row or all(grid[r][c][0] == " " for c in range(start, start + len(text)))
        )

    on_row = [(f" {form}", row, col + 1) for form in forms] + [(f"{form} ", row, col - len(form) - 1) for form in forms]
    on_row.sort(key=lambda x: forms.index(x[0].strip()))  # a longer form on either side before a shorter one
    around = [
        (form, r, start)
        for form in forms
        for r in (row - 1, row + 1)
        for start in (col, col - len(form) + 1, col - len(form) // 2)
    ]
    for text, r, start in on_row + around:
        if free(r, start + (text[0] == " "), text.strip()) if r == row else free(r, start, text):
            _write(grid, r, start, text, "label")
            taken.update((c, r) for c in range(start, start + len(text)))
            return


def _place_label(grid: list[list[tuple[str, str]]], spots: list[tuple[int, int]], text: str, tag: str) -> None:
    """Write a sector's name near its places, only on free cells (with a blank on each side)."""
    height, width = len(grid), len(grid[0])
    centre = sum(c for c, _ in spots) // len(spots) - len(text) // 2
    top, bottom = min(r for _, r in spots), max(r for _, r in spots)
    rows = [top - 1, bottom + 1, top - 2, bottom + 2, *range(top, bottom + 1)]
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
