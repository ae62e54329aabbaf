"""The journal's on-disk format: one JSON object per line, the header first, then records by `type`.

    {"type": "header", "format": "salient-journal", "version": 1, "created": ..., "salient": "0.2.0",
     "scenario_id": ..., "scenario_path": ..., "scenario_sha256": ..., "seed": 42, "trainee": ..., "scenario": {...}}
    {"type": "turn", "turn": 1, "written": ..., "orders": {...}, "intel": {...}|null, "forecast": {...}|null,
     "report": {...}}
    {"type": "branch", "id": "b1", "label": ..., "from_turn": 5, "source": {...}, "turns": [...], ...}

Readers keep records of types they do not know (umpire interventions, notes) without interpreting them,
so new record types need no new version. The version changes only when a known record changes meaning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from game.engine.orders import Orders
from game.engine.report import Forecast, Intel, TurnReport
from game.errors import SalientError

FORMAT_NAME = "salient-journal"
FORMAT_VERSION = 1
MAX_NAME_CHARS = 200
"""Longest trainee name a save, the class database and the commands accept: a name is a label on a report, and
a name of megabytes would make every report of the class that large."""
MAX_SEED = 2**63 - 1
"""Largest seed a game may have: the class database keeps it as a 64-bit integer."""


class JournalError(SalientError):
    """A journal that cannot be read, continued or replayed; the message says where and why."""


def now_iso() -> str:
    """The current UTC time, to the second, as ISO 8601 (`2025-03-07T06:00:00Z`)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _need(raw: dict[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    value = raw.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ValueError(f"{what} has no valid '{key}'")
    return value


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _validation_text(error: ValidationError, what: str) -> str:
    first = error.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{what}.{loc}: {first['msg']}{more}"


@dataclass(frozen=True)
class Header:
    """The first line: what game this is (scenario, seed, trainee) and which format wrote it."""

    version: int
    created: str
    salient: str
    scenario_id: str
    scenario_path: str | None
    scenario_sha256: str
    seed: int
    trainee: str
    scenario: dict[str, Any]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Header:
        """Check the format name and version; raise JournalError for a foreign or newer file."""
        if raw.get("type") != "header" or raw.get("format") != FORMAT_NAME:
            raise JournalError("this is not a Salient journal (its first line is not a Salient journal header)")
        version = raw.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise JournalError("the journal header has no valid format version")
        if version > FORMAT_VERSION:
            raise JournalError(
                f"this journal was written by a newer Salient (journal format version {version}; this version "
                f"reads up to {FORMAT_VERSION}): upgrade Salient to open it"
            )
        try:
            scenario = _need(raw, "scenario", dict, "the header")
            meta = scenario.get("meta") if isinstance(scenario.get("meta"), dict) else {}
            seed = _need(raw, "seed", int, "the header")
            if not 0 <= seed <= MAX_SEED:
                raise ValueError(f"its seed is not a whole number from 0 to {MAX_SEED}")
            trainee = str(raw.get("trainee", ""))
            if len(trainee) > MAX_NAME_CHARS:
                raise ValueError(f"its trainee name is longer than {MAX_NAME_CHARS} characters")
            return cls(
                version=version,
                created=str(raw.get("created", "")),
                salient=str(raw.get("salient", "")),
                scenario_id=str(raw.get("scenario_id") or meta.get("id", "")),
                scenario_path=raw.get("scenario_path") if isinstance(raw.get("scenario_path"), str) else None,
                scenario_sha256=_need(raw, "scenario_sha256", str, "the header"),
                seed=seed,
                trainee=trainee,
                scenario=scenario,
                raw=raw,
            )
        except ValueError as error:
            raise JournalError(f"the journal header is damaged: {error}") from None


@dataclass(frozen=True)
class TurnRecord:
    """One played turn: the orders, what the trainee was shown, and what happened (raw JSON kept for replay checks)."""

    turn: int
    written: str
    orders: Orders
    intel: Intel | None
    forecast: Forecast | None
    report: TurnReport
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> TurnRecord:
        """Validate a `turn` line; ValueError in plain words when it is not a whole, valid record."""
        turn = _need(raw, "turn", int, "the turn record")
        what = f"turn {turn}"
        try:
            orders = Orders.model_validate(_need(raw, "orders", dict, what))
            intel = None if raw.get("intel") is None else Intel.model_validate(raw["intel"])
            forecast = None if raw.get("forecast") is None else Forecast.model_validate(raw["forecast"])
            report = TurnReport.model_validate(_need(raw, "report", dict, what))
        except ValidationError as error:
            raise ValueError(_validation_text(error, what)) from None
        if report.turn != turn:
            raise ValueError(f"{what}: its report is for turn {report.turn}")
        return cls(turn, str(raw.get("written", "")), orders, intel, forecast, report, raw)


@dataclass(frozen=True)
class BranchTurn:
    """One turn of a what-if branch."""

    turn: int
    orders: Orders
    report: TurnReport
    raw: dict[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class BranchRecord:
    """A what-if branch: from `from_turn` on, other orders on the same dice. Never part of the score."""

    id: str
    label: str
    created: str
    from_turn: int
    source: dict[str, Any]
    turns: list[BranchTurn]
    score: dict[str, Any]
    notes: list[str]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> BranchRecord:
        """Validate a `branch` line; ValueError in plain words when it is not whole and valid."""
        ident = _need(raw, "id", str, "the branch record")
        what = f"branch {ident}"
        turns: list[BranchTurn] = []
        try:
            for item in _need(raw, "turns", list, what):
                if not isinstance(item, dict):
                    raise ValueError(f"{what} has a turn that is not an object")
                turns.append(
                    BranchTurn(
                        _need(item, "turn", int, what),
                        Orders.model_validate(item.get("orders")),
                        TurnReport.model_validate(item.get("report")),
                        item,
                    )
                )
        except ValidationError as error:
            raise ValueError(_validation_text(error, what)) from None
        return cls(
            id=ident,
            label=str(raw.get("label", "")),
            created=str(raw.get("created", "")),
            from_turn=_need(raw, "from_turn", int, what),
            source=_mapping(raw.get("source")),
            turns=turns,
            score=_mapping(raw.get("score")),
            notes=[n for n in _list(raw.get("notes")) if isinstance(n, str)],
            raw=raw,
        )
