"""Formatting helpers and safe template filling: an instructor's typo must never crash a game.

Templates come from scenario files (`narrative.templates`), so they are untrusted text: only plain
`{name}` and `{name:spec}` fields are allowed (no attribute access, no indexing, no huge widths);
anything else, or a missing name, makes `safe_format` return the fallback line instead.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Mapping, Sequence

_PLAIN_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SPEC_NUMBER = re.compile(r"\d+")
_MAX_WIDTH = 120


class _StrictFormatter(string.Formatter):
    """A formatter that refuses attribute access, indexing and absurd field widths."""

    def get_field(self, field_name: str, args: object, kwargs: Mapping[str, object]) -> tuple[object, str]:
        if not _PLAIN_FIELD.match(field_name):
            raise KeyError(field_name)
        return kwargs[field_name], field_name

    def format_field(self, value: object, format_spec: str) -> str:
        if any(int(n) > _MAX_WIDTH for n in _SPEC_NUMBER.findall(format_spec)):
            raise ValueError("format width too large")
        text: str = super().format_field(value, format_spec)
        return text


_FORMATTER = _StrictFormatter()


def safe_format(template: str, values: Mapping[str, object], fallback: str) -> str:
    """Fill `template` with `values`; on any problem (unknown name, bad spec) return `fallback`."""
    try:
        return _FORMATTER.vformat(template, (), dict(values))
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        return fallback


def whole(value: float) -> int:
    """A count rounded to a whole number, halves away from zero (2.5 → 3, not Python's 2)."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def count(value: float) -> str:
    """A head count or tally for people: rounded, with thousands separators ("1,250")."""
    return f"{whole(value):,}"


NOUNS: dict[str, str] = {
    "soldier": "soldiers",
    "man": "men",
    "casualty": "casualties",
    "truck": "trucks",
    "sortie": "sorties",
    "team": "teams",
    "drone": "drones",
    "convoy": "convoys",
    "turn": "turns",
    "wounded": "wounded",
}
"""Singular → plural of the things the game counts (irregular ones included)."""
_SINGULAR = {plural: singular for singular, plural in NOUNS.items() if plural != singular}


def plural(noun: str, n: int) -> str:
    """`noun` (singular) agreeing with n: plural("soldier", 1) → "soldier", plural("man", 3) → "men"."""
    return noun if abs(n) == 1 else NOUNS.get(noun, noun + "s")


def counted(value: float, noun: str) -> str:
    """A whole count with its noun agreeing: "1 soldier", "1,250 soldiers", "0 trucks"."""
    n = whole(value)
    return f"{n:,} {plural(noun, n)}"


_ONE_PLURAL = re.compile(r"(?<![\d.,])([-−]?1) (" + "|".join(sorted(_SINGULAR, key=len, reverse=True)) + r")\b")


def agree(text: str) -> str:
    """Text with "1 soldiers", "1 men", "1 trucks" made singular (templates are written for the plural)."""
    return _ONE_PLURAL.sub(lambda m: f"{m.group(1)} {_SINGULAR[m.group(2)]}", text)


def split_whole(parts: Sequence[float], total: float | None = None) -> list[int]:
    """Whole numbers for `parts` that add up to the whole `total` (default: their sum), each as near its part
    as it can be (largest remainders get the odd units), so "8 (2 killed, 5 wounded, 0 captured)" cannot happen."""
    target = whole(sum(parts) if total is None else total)
    floors = [math.floor(max(p, 0.0)) for p in parts]
    short = target - sum(floors)
    order = sorted(range(len(parts)), key=lambda i: (-(max(parts[i], 0.0) - floors[i]), i))
    if short >= 0:
        for i in order[:short] if short <= len(parts) else order:
            floors[i] += 1
        if short > len(parts):
            floors[order[0]] += short - len(parts)
        return floors
    for i in reversed(order):  # the parts add to more than the total: take from the smallest remainders
        while short < 0 and floors[i] > 0:
            floors[i] -= 1
            short += 1
    return floors


def tonnes(value: float) -> str:
    """Tonnes to one decimal below ten, whole above ("4.5 t", "120 t")."""
    return f"{value:,.1f} t" if abs(value) < 10 else f"{round(value):,} t"


def percent(p: float) -> str:
    """A probability or share as a whole percentage ("35%"); tiny non-zero values read "<1%"."""
    if 0 < p < 0.005:
        return "<1%"
    return f"{round(100 * p)}%"


def spread(estimate: float, low: float, high: float) -> str:
    """An estimate with its range: "about 1,800 (1,200–2,500)"."""
    return f"about {count(estimate)} ({count(low)}–{count(high)})"


def humanise(ident: str) -> str:
    """An identifier in plain words: "counter_attack" → "counter-attack", "road_overwatch" → "road overwatch"."""
    if ident in ("counter_attack", "counter_drone"):
        return ident.replace("_", "-")
    return ident.replace("_", " ")


def short_name(name: str) -> str:
    """The part of a name before a colon: "North: the Loknya line" → "North" (for narrow columns)."""
    return name.split(":", 1)[0].strip() or name


def bar(share: float, width: int, full: str = "█", empty: str = "·") -> str:
    """A horizontal bar `width` cells wide filled to `share` (0–1), readable without colour."""
    share = min(max(share, 0.0), 1.0)
    filled = round(share * width)
    return full * filled + empty * (width - filled)
