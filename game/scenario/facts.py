"""The fact sheet behind a scenario (`seeds/*.yaml`): its facts, and the dated history the model must reproduce.

Why a model and not raw YAML: `salient hindcast` and the tests read the sheet as data, so a misspelt key, a
history point without a source or a date that is not a date must be an error at its line, never a silent
gap. A history point says what an observer could see at a moment (ground held, who holds a place, the state
of the road, whether the grouping still fights), with a tolerance as wide as the source is vague.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from .common import Id, NonNegative, ShortText, Strict, Text
from .load import Problem, ScenarioError
from .meta import Meta
from .scenario import Scenario
from .yaml_safety import MAX_BYTES, Document, YamlRefusal, decode, read_yaml

MIDDAY = 12
"""Hour taken for a history point that gives only a date: the middle of the day it names."""

Url = Annotated[str, Field(pattern=r"^https://\S+$", max_length=500)]
Confidence = Literal["high", "medium", "low"]
RoadStateName = Literal["open", "contested", "interdicted", "cut"]
StatusName = Literal["fighting", "withdrawn", "encircled", "destroyed", "bridgehead_fell"]
"""How the grouping stands: still fighting (also when the game ran out of time), or how its game ended."""


class FactSheetError(ScenarioError):
    """A fact sheet could not be loaded; one `path:line:col: field: message` line per problem."""


class Fact(Strict):
    """One fact the scenario's numbers are built from."""

    id: Annotated[str, Field(pattern=r"^f_[a-z0-9_]+$", max_length=60)]
    """Identifier cited by the scenario's `provenance` entries."""
    figure: int | float | str
    """The number, or a short text when the fact is not a single number."""
    numbers: dict[str, float] | None = None
    """The figure broken into named numbers, for tests and tools."""
    meaning: Text = Field(min_length=1)
    """What the fact says, in our own words."""
    drives: list[str] = Field(min_length=1)
    """Scenario field paths the fact sets."""
    source: Literal["article"] | Url
    """`article` (the seed article) or the URL of the public source."""
    confidence: Confidence
    """How far the figure can be trusted as data."""
    notes: Text = Field(min_length=1)
    """Caveats, and where sources differ."""


class _Point(Strict):
    """What every history point carries: when, what was seen, and who saw it."""

    id: Annotated[str, Field(pattern=r"^h_[a-z0-9_]+$", max_length=60)]
    """Identifier shown in the hindcast table."""
    date: dt.date
    """Day of the observation (YYYY-MM-DD)."""
    hour: int | None = Field(default=None, ge=0, le=23)
    """Hour of the day when it matters; midday when not given."""
    what: Text = Field(min_length=1)
    """What was observed, in our own words."""
    source: Url
    """The public source (a URL from shared/seed/CONTEXT.md)."""
    confidence: Confidence
    """How far the observation can be trusted."""
    notes: Text = ""
    """Why the tolerance is what it is; where sources disagree."""

    @property
    def moment(self) -> dt.datetime:
        """The date and hour of the observation."""
        return dt.datetime.combine(self.date, dt.time(MIDDAY if self.hour is None else self.hour))


class AreaHeld(_Point):
    """Square miles the grouping held at the moment."""

    kind: Literal["area_held"]
    sq_mi: NonNegative
    """The reported figure."""
    tolerance_sq_mi: NonNegative
    """How far either side of it the truth may lie, given how precise the source is."""


class Holder(_Point):
    """Which side held a place at the moment."""

    kind: Literal["holder"]
    place: Id
    """A place id of the scenario's map."""
    side: Id
    """A side id of the scenario."""


class FirstSectorLost(_Point):
    """The collapse begins: the first sector of the bridgehead is lost around the moment."""

    kind: Literal["first_sector_lost"]
    within_hours: int = Field(ge=0, le=240)
    """How many hours either side of the moment history allows."""


class RoadState(_Point):
    """How the supply road stood at the moment: its worst stretch, from open to cut."""

    kind: Literal["road_state"]
    states: list[RoadStateName] = Field(min_length=1)
    """The road states the sources allow."""


class RoadUsable(_Point):
    """Whether some route to the border (the road or the tracks) could still be used at the moment."""

    kind: Literal["road_usable"]
    usable: bool


class Status(_Point):
    """Whether the grouping still fought in the bridgehead at the moment, or how it had ended."""

    kind: Literal["status"]
    statuses: list[StatusName] = Field(min_length=1)
    """The statuses the sources allow."""


HistoryPoint = Annotated[
    AreaHeld | Holder | FirstSectorLost | RoadState | RoadUsable | Status, Field(discriminator="kind")
]


class FactSheet(Strict):
    """A scenario's fact sheet: the facts its numbers come from and the history it is held against."""

    title: ShortText
    scenario: str = Field(min_length=1)
    """Path of the scenario the sheet serves, relative to the sheet."""
    article: str = ""
    """Path of the seed article, relative to the sheet."""
    facts: list[Fact] = Field(min_length=1)
    history: list[HistoryPoint] = Field(default_factory=list, max_length=200)
    """Dated observations of the real events, checked by `salient hindcast`."""

    @model_validator(mode="after")
    def _unique_ids(self) -> FactSheet:
        for kind, ids in (("fact", [f.id for f in self.facts]), ("history point", [h.id for h in self.history])):
            seen: set[str] = set()
            for ident in ids:
                if ident in seen:
                    raise ValueError(f"{kind} id '{ident}' is used twice")
                seen.add(ident)
        return self


# --- the clock ---------------------------------------------------------------------------------------------


def turn_at(meta: Meta, when: dt.date | dt.datetime) -> int:
    """The turn in play at `when` (a bare date means its midday): turn 1 starts on `meta.date` at
    `meta.start_hour` and each lasts `meta.turn_hours`; a moment before the game gives 0 or less."""
    moment = when if isinstance(when, dt.datetime) else dt.datetime.combine(when, dt.time(MIDDAY))
    start = dt.datetime.combine(meta.date, dt.time(meta.start_hour))
    hours = (moment - start).total_seconds() / 3600.0
    return math.floor(hours / meta.turn_hours) + 1


def turn_start(meta: Meta, turn: int) -> dt.datetime:
    """When a turn begins (turn `meta.turns + 1` is the moment the game ends)."""
    start = dt.datetime.combine(meta.date, dt.time(meta.start_hour))
    return start + dt.timedelta(hours=meta.turn_hours * (turn - 1))


# --- loading -------------------------------------------------------------------------------------------------


def load_fact_sheet(path: str | Path, scenario: Scenario | None = None) -> FactSheet:
    """Read and validate a fact sheet; with `scenario`, also check that history names its places and sides."""
    source = str(path)
    try:
        with Path(path).open("rb") as handle:
            doc = read_yaml(decode(handle.read(MAX_BYTES + 1)))  # decode refuses anything over the limit
    except FileNotFoundError:
        raise _refuse(source, "no such fact sheet") from None
    except OSError as error:
        raise _refuse(source, f"the file cannot be read ({error.strerror or error})") from None
    except YamlRefusal as refusal:
        raise FactSheetError([Problem(source, refusal.line, refusal.col, refusal.field, refusal.message)]) from None
    if not isinstance(doc.data, dict):
        raise _refuse(source, "the top level must be a mapping (title:, facts:, ...)")
    try:
        sheet = FactSheet.model_validate(doc.data)
    except ValidationError as error:
        raise FactSheetError([_problem(source, doc, e) for e in error.errors(include_url=False)]) from None
    problems = _against(sheet, scenario, doc, source) if scenario is not None else []
    if problems:
        raise FactSheetError(problems)
    return sheet


def _refuse(source: str, message: str) -> FactSheetError:
    return FactSheetError([Problem(source, 1, 1, "", message)])


def _against(sheet: FactSheet, sc: Scenario, doc: Document, source: str) -> list[Problem]:
    """History points that name a place or side the scenario does not have."""
    places = [p.id for p in sc.map.places]
    sides = [s.id for s in sc.sides]
    out: list[Problem] = []
    for i, point in enumerate(sheet.history):
        if not isinstance(point, Holder):
            continue
        for field, value, known in (("place", point.place, places), ("side", point.side, sides)):
            if value not in known:
                spot = doc.spots.get(("history", i, field)) or doc.spots[("history", i)]
                out.append(
                    Problem(
                        source,
                        *spot.value,
                        f"history.{point.id}.{field}",
                        f"the scenario has no {field} '{value}' ({', '.join(known)})",
                    )
                )
    return out


def _problem(source: str, doc: Document, entry: Any) -> Problem:
    """A pydantic error placed at the key or value it concerns, in plain words."""
    loc = tuple(entry["loc"])
    path: tuple[str | int, ...] = ()
    node = doc.data
    for part in loc:  # follow the location as far as the data goes (union tags and missing keys are not in it)
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
            path = (*path, part)
    spot = doc.spots.get(path) or doc.spots[()]
    kind = entry["type"]
    if kind == "extra_forbidden":
        return Problem(source, *(spot.key or spot.value), _name(doc.data, path[:-1]), f"unknown field `{loc[-1]}`")
    if kind == "missing":
        return Problem(source, *(spot.key or spot.value), _name(doc.data, path), f"missing required field `{loc[-1]}`")
    if kind == "union_tag_invalid":
        tags = (entry.get("ctx") or {}).get("expected_tags", "")
        at = doc.spots.get((*path, "kind"), spot)
        return Problem(source, *at.value, _name(doc.data, (*path, "kind")), f"must be one of {tags}")
    if kind == "union_tag_not_found":
        return Problem(source, *(spot.key or spot.value), _name(doc.data, path), "missing required field `kind`")
    twice = re.search(r"id '([^']*)' is used twice", str(entry.get("msg", "")))
    if twice and not path:
        section = "facts" if "fact id" in str(entry["msg"]) else "history"
        items = [
            i
            for i, item in enumerate(doc.data.get(section) or [])
            if isinstance(item, dict) and item.get("id") == twice.group(1)
        ]
        id_spot = doc.spots.get((section, items[-1], "id")) if items else None
        if id_spot is not None:
            return Problem(
                source, *id_spot.value, f"{section}.{twice.group(1)}.id", f"id '{twice.group(1)}' is used twice"
            )
    got = entry.get("input")
    shown = f" (got `{got}`)" if isinstance(got, (str, int, float, bool)) else ""
    message = str(entry.get("msg", "is not valid")).removeprefix("Value error, ")
    return Problem(source, *spot.value, _name(doc.data, path), message[:1].lower() + message[1:] + shown)


def _name(data: Any, path: tuple[str | int, ...]) -> str:
    """`history.h_area_13mar.sq_mi`: list items by their id when they have one."""
    parts: list[str] = []
    node = data
    for part in path:
        node = node[part]
        if not isinstance(part, int):
            parts.append(part)
            continue
        ident = node.get("id") if isinstance(node, dict) else None
        parts.append(ident if isinstance(ident, str) and ident else f"[{part}]")
    return ".".join(parts).replace(".[", "[") or "(top level)"
