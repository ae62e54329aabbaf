"""Where two JSON values differ, as dotted paths: the heart of "the replay diverges at turn 4, field …"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .canonical import same_number


@dataclass(frozen=True)
class Difference:
    """One field whose recorded and replayed values are not the same."""

    path: str
    recorded: Any
    replayed: Any

    def describe(self) -> str:
        """`path: recorded X, replayed Y` with long values shortened."""
        return f"{self.path}: recorded {_short(self.recorded)}, replayed {_short(self.replayed)}"


_MISSING = "<missing>"


def _short(value: Any, limit: int = 80) -> str:
    text = value if value is _MISSING else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def differences(recorded: Any, replayed: Any, path: str = "", limit: int = 50) -> list[Difference]:
    """Every leaf where the two values differ (depth first, at most `limit`), keys in sorted order."""
    out: list[Difference] = []
    _walk(recorded, replayed, path, out, limit)
    return out


def _walk(a: Any, b: Any, path: str, out: list[Difference], limit: int) -> None:
    if len(out) >= limit:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            sub = f"{path}.{key}" if path else str(key)
            _walk(a.get(key, _MISSING), b.get(key, _MISSING), sub, out, limit)
        return
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(Difference(f"{path} (length)", len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b, strict=False)):  # a length difference is reported above
            _walk(x, y, f"{path}[{i}]", out, limit)
        return
    if not same_number(a, b):
        out.append(Difference(path or "(whole value)", a, b))
