"""The journal's on-disk format: one JSON object per line, the header first, then records by `type`.

    {"type": "header", "format": "salient-journal", "version": 1, "created": ..., "salient": "0.2.0",
     "scenario_id": ..., "scenario_path": ..., "scenario_sha256": ..., "seed": 42, "trainee": ..., "scenario": {...}}
    {"type": "turn", "turn": 1, "written": ..., "orders": {...}, "intel": {...}|null, "forecast": {...}|null,
     "report": {...}}
    {"type": "branch", "id": "b1", "label": ..., "from_turn": 5, "source": {...}, "turns": [...], ...}

Each record type is a typed model in `records.py`. Readers keep records of types they do not know without
interpreting them, so new record types need no new version. The version changes only when a known record
changes meaning.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from game.errors import SalientError

from .records import (
    FORMAT_NAME,
    FORMAT_VERSION,
    MAX_NAME_CHARS,
    MAX_SEED,
    BranchRecord,
    BranchTurn,
    Header,
    RecordError,
    TurnRecord,
    parse_record,
)

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MAX_NAME_CHARS",
    "MAX_SEED",
    "BranchRecord",
    "BranchTurn",
    "Header",
    "JournalError",
    "TurnRecord",
    "now_iso",
    "parse_header",
]


class JournalError(SalientError):
    """A journal that cannot be read, continued or replayed; the message says where and why."""


def now_iso() -> str:
    """The current UTC time, to the second, as ISO 8601 (`2025-03-07T06:00:00Z`)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_header(raw: dict[str, Any], name: str = "the journal") -> Header:
    """The header of the journal `name`; JournalError for a foreign, newer or damaged one (naming the field)."""
    if raw.get("type") != "header" or raw.get("format") != FORMAT_NAME:
        raise JournalError(f"{name} is not a Salient journal (its first line is not a Salient journal header)")
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise JournalError(f"the header of {name} (line 1) has no valid format version")
    if version > FORMAT_VERSION:
        raise JournalError(
            f"{name} was written by a newer Salient (journal format version {version}; this version "
            f"reads up to {FORMAT_VERSION}): upgrade Salient to open it"
        )
    try:
        header = parse_record(raw)
    except RecordError as error:
        raise JournalError(f"{name}, line 1: {error}") from None
    assert isinstance(header, Header)
    return header
