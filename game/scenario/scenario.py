"""The root scenario model and the checks that span several sections (ids, cross-references, paths)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, Field, TypeAdapter, ValidationError, ValidationInfo, model_validator

from .assertions import StatAssertion, assertion_problems
from .common import Strict, Text
from .drills import Drill, ExpertSolution, drill_problems
from .exploit_guard import ExploitGuard, exploit_guard_problems
from .forces import Combat, DroneType, Side
from .geography import MapSpec
from .injects import Inject, ScaleRate, SetRate, TeachingMoment
from .meta import Meta
from .narrative import Narrative, Provenance
from .opfor import Doctrine
from .problems import Path, Problem
from .scoring import Endings, Scoring
from .supply import Supply

SCHEMA_VERSION = 1


class Scenario(Strict):
    """A complete Salient scenario: everything the engine, the narrative and the debrief need."""

    schema_version: int = Field(default=SCHEMA_VERSION, ge=1, le=SCHEMA_VERSION)
    """Version of the scenario format."""
    meta: Meta
    """Identity, date, the trainee's side and the turn clock."""
    map: MapSpec
    """Places, sectors, roads and tracks."""
    drone_types: list[DroneType] = Field(default_factory=list, max_length=30)
    """Kinds of drone in play."""
    sides: list[Side] = Field(min_length=2, max_length=4)
    """The sides; exactly one is played by the trainee."""
    combat: Combat = Field(default_factory=Combat)
    """Global rates of the direct-fire model."""
    supply: Supply
    """The player's supply."""
    opfor: Doctrine
    """The opposing force's doctrine."""
    injects: list[Inject] = Field(default_factory=list, max_length=100)
    """Scenario events."""
    teaching_moments: list[TeachingMoment] = Field(default_factory=list, max_length=50)
    """Situations bookmarked in the debrief."""
    scoring: Scoring
    """Weights of the final score."""
    endings: Endings = Field(default_factory=Endings)
    """Thresholds that end the game early."""
    narrative: Narrative
    """Briefing, advisors and templates."""
    fact_sheet: str = ""
    """Path of the fact sheet, relative to this file, that `provenance` entries cite."""
    provenance: list[Provenance] = Field(default_factory=list, max_length=2000)
    """Where the numbers come from."""
    instructor_notes: Text = ""
    """Notes for the instructor only; never shown to the trainee."""
    drills: list[Drill] = Field(default_factory=list, max_length=50)
    """Decision drills put to the trainee before chosen turns end (rationale, ranking, estimate)."""
    expert: list[ExpertSolution] = Field(default_factory=list, max_length=200)
    """The instructor's answer key per turn, for the debrief and the class report; never shown in play."""
    assertions: list[StatAssertion] = Field(default_factory=list, max_length=100)
    """Statistical expectations tested by `salient check` (for example how often the road is cut)."""
    exploit_guard: ExploitGuard | None = None
    """How far a plan of one fixed rule may beat the expert solution before `salient check --strict` fails."""

    # --- convenient look-ups -------------------------------------------------------------

    @property
    def player(self) -> Side:
        """The side the trainee commands."""
        return next(s for s in self.sides if s.id == self.meta.player_side)

    @property
    def enemy(self) -> Side:
        """The side the doctrine commands."""
        return next(s for s in self.sides if s.id == self.opfor.side)

    def drone_type(self, type_id: str) -> DroneType:
        """The drone type with this id."""
        return next(d for d in self.drone_types if d.id == type_id)

    # --- cross-reference checks ----------------------------------------------------------

    @model_validator(mode="after")
    def _cross_references(self, info: ValidationInfo) -> Scenario:
        if isinstance(info.context, Mapping) and info.context.get(DEFER_REFERENCES):
            return self  # the caller runs `reference_problems` itself, to place each problem in the file
        problems = list(reference_problems(self))
        if problems:
            raise ValueError("; ".join(p.message for p in problems))
        return self


DEFER_REFERENCES = "defer_references"
"""Validation context key: with `{DEFER_REFERENCES: True}` the root model leaves its cross-reference checks
to an explicit call of `reference_problems`, which returns them as data."""


def _duplicates(kind: str, items: Iterable[tuple[Path, str]]) -> Iterator[Problem]:
    """One problem per id used more than once, at the second item that uses it."""
    paths: dict[str, list[Path]] = {}
    for path, ident in items:
        paths.setdefault(ident, []).append(path)
    for ident, where in paths.items():
        if len(where) > 1:
            yield Problem((*where[1], "id"), f"{kind} id '{ident}' is used {len(where)} times")


def _unknown(path: Path, what: str, ident: str | None, known: set[str], kind: str) -> Iterator[Problem]:
    if ident is not None and ident not in known:
        choices = ", ".join(sorted(known)[:12]) or "none defined"
        yield Problem(path, f"{what} names {kind} '{ident}', which does not exist (known: {choices})")


_SUPPORT_GROUPS = ("drone_teams", "electronic_warfare", "artillery", "air")


def reference_problems(sc: Scenario) -> Iterator[Problem]:
    """Every broken reference between sections, each at the place in the data that makes it."""
    places = {p.id for p in sc.map.places}
    sectors = {s.id for s in sc.map.sectors}
    roads = {r.id for r in sc.map.roads}
    sides = {s.id for s in sc.sides}
    dtypes = {d.id for d in sc.drone_types}
    units = {u.id for side in sc.sides for u in side.units}
    objectives = {o.id for o in sc.meta.learning_objectives}

    yield from _duplicates("place", ((("map", "places", i), p.id) for i, p in enumerate(sc.map.places)))
    yield from _duplicates("sector", ((("map", "sectors", i), s.id) for i, s in enumerate(sc.map.sectors)))
    yield from _duplicates("road", ((("map", "roads", i), r.id) for i, r in enumerate(sc.map.roads)))
    yield from _duplicates("side", ((("sides", i), s.id) for i, s in enumerate(sc.sides)))
    yield from _duplicates("drone type", ((("drone_types", i), d.id) for i, d in enumerate(sc.drone_types)))
    yield from _duplicates(
        "unit",
        ((("sides", i, "units", j), u.id) for i, side in enumerate(sc.sides) for j, u in enumerate(side.units)),
    )
    yield from _duplicates("inject", ((("injects", i), inj.id) for i, inj in enumerate(sc.injects)))
    yield from _duplicates(
        "objective", ((("scoring", "objectives", i), o.id) for i, o in enumerate(sc.scoring.objectives))
    )
    yield from _duplicates(
        "learning objective",
        ((("meta", "learning_objectives", i), o.id) for i, o in enumerate(sc.meta.learning_objectives)),
    )
    yield from _duplicates(
        "support group",
        (
            (("sides", i, group, j), g.id)
            for i, side in enumerate(sc.sides)
            for group in _SUPPORT_GROUPS
            for j, g in enumerate(getattr(side, group))
        ),
    )

    yield from _unknown(("meta", "player_side"), "meta.player_side", sc.meta.player_side, sides, "side")
    yield from _unknown(("opfor", "side"), "opfor.side", sc.opfor.side, sides, "side")
    if sc.meta.player_side == sc.opfor.side:
        yield Problem(("opfor", "side"), "meta.player_side and opfor.side are the same side")
    players = [s.id for s in sc.sides if s.controlled_by == "player"]
    if players != [sc.meta.player_side]:
        wrong = next(
            (i for i, s in enumerate(sc.sides) if (s.id == sc.meta.player_side) != (s.controlled_by == "player")),
            None,
        )
        yield Problem(
            ("meta", "player_side") if wrong is None else ("sides", wrong, "controlled_by"),
            f"exactly the player side '{sc.meta.player_side}' must have controlled_by: player (found {players})",
        )

    for i, p in enumerate(sc.map.places):
        yield from _unknown(("map", "places", i, "holder"), f"place '{p.id}' holder", p.holder, sides, "side")
    seen_in: dict[str, str] = {}
    for i, s in enumerate(sc.map.sectors):
        at: Path = ("map", "sectors", i)
        yield from _unknown((*at, "holder"), f"sector '{s.id}' holder", s.holder, sides, "side")
        for k, pid in enumerate(s.places):
            yield from _unknown((*at, "places", k), f"sector '{s.id}' places", pid, places, "place")
            if pid in seen_in:
                yield Problem(
                    (*at, "places", k), f"place '{pid}' is in both sector '{seen_in[pid]}' and sector '{s.id}'"
                )
            seen_in[pid] = s.id
        for k, sid in enumerate(s.adjacent):
            yield from _unknown((*at, "adjacent", k), f"sector '{s.id}' adjacent", sid, sectors, "sector")
        for k, rid in enumerate(s.screens):
            yield from _unknown((*at, "screens", k), f"sector '{s.id}' screens", rid, roads, "road segment")
    for i, r in enumerate(sc.map.roads):
        at = ("map", "roads", i)
        yield from _unknown((*at, "from_place"), f"road '{r.id}' from_place", r.from_place, places, "place")
        yield from _unknown((*at, "to_place"), f"road '{r.id}' to_place", r.to_place, places, "place")
        if r.from_place == r.to_place:
            yield Problem((*at, "to_place"), f"road '{r.id}' starts and ends at the same place")
    for route_name in ("supply_route", "track_route"):
        for k, rid in enumerate(getattr(sc.map, route_name)):
            yield from _unknown(("map", route_name, k), f"map.{route_name}", rid, roads, "road segment")
    yield from _unknown(("map", "border_place"), "map.border_place", sc.map.border_place, places, "place")

    for i, side in enumerate(sc.sides):
        for j, u in enumerate(side.units):
            at = ("sides", i, "units", j, "location")
            yield from _unknown(at, f"unit '{u.id}' location", u.location, sectors, "sector")
        for j, g in enumerate(side.drone_teams):
            at = ("sides", i, "drone_teams", j, "drone_type")
            yield from _unknown(at, f"drone teams '{g.id}' drone_type", g.drone_type, dtypes, "drone type")

    for k, sid in enumerate(sc.opfor.main_effort):
        yield from _unknown(("opfor", "main_effort", k), "opfor.main_effort", sid, sectors, "sector")

    for i, inj in enumerate(sc.injects):
        for k, cond in enumerate(inj.trigger.conditions):
            if cond.metric in {"sector_held", "place_held", "road_state_index"}:
                at = ("injects", i, "trigger", "conditions", k)
                known = {"sector_held": sectors, "place_held": places, "road_state_index": roads}[cond.metric]
                if cond.target is None:
                    yield Problem(at, f"inject '{inj.id}': condition on {cond.metric} needs a target")
                yield from _unknown(
                    (*at, "target"), f"inject '{inj.id}' condition", cond.target, known, cond.metric.split("_")[0]
                )
        for k, eff in enumerate(inj.effects):
            at = ("injects", i, "effects", k)
            if isinstance(eff, (ScaleRate, SetRate)):
                old = resolve_path(sc, eff.target)
                if old is None:
                    yield Problem(
                        (*at, "target"),
                        f"inject '{inj.id}': effect target '{eff.target}' is not a number in this scenario",
                    )
                    continue
                problem = path_value_problem(
                    sc, eff.target, old * eff.factor if isinstance(eff, ScaleRate) else eff.value
                )
                if problem is not None:
                    yield Problem((*at, "target"), f"inject '{inj.id}': when it fires, {problem}")
            for attr, known, kind in (
                ("road", roads, "road segment"),
                ("side", sides, "side"),
                ("unit", units, "unit"),
            ):
                yield from _unknown((*at, attr), f"inject '{inj.id}' effect", getattr(eff, attr, None), known, kind)

    for i, tm in enumerate(sc.teaching_moments):
        at = ("teaching_moments", i, "objective")
        yield from _unknown(at, f"teaching moment '{tm.id}' objective", tm.objective, objectives, "learning objective")

    for i, obj in enumerate(sc.scoring.objectives):
        at = ("scoring", "objectives", i)
        targets = {"hold_place": places, "hold_sector": sectors, "keep_road_open": roads}.get(obj.kind)
        if targets is not None:
            if obj.target is None:
                yield Problem(at, f"objective '{obj.id}' of kind {obj.kind} needs a target")
            yield from _unknown((*at, "target"), f"objective '{obj.id}' target", obj.target, targets, "target")

    yield from drill_problems(sc)
    yield from assertion_problems(sc)
    yield from exploit_guard_problems(sc)

    for i, entry in enumerate(sc.provenance):
        if resolve_path(sc, entry.field, numbers_only=False) is None:
            yield Problem(
                ("provenance", i, "field"), f"provenance field '{entry.field}' does not exist in this scenario"
            )


def resolve_path(model: BaseModel, path: str, *, numbers_only: bool = True) -> Any | None:
    """Follow a dotted path (list items named by id) into the scenario; None when it leads nowhere.

    With `numbers_only`, the path must end at an int or float (not a bool).
    """
    node: Any = model
    for part in path.split("."):
        if isinstance(node, BaseModel):
            if part not in type(node).model_fields:
                return None
            node = getattr(node, part)
        elif isinstance(node, dict):
            if part not in node:
                return None
            node = node[part]
        elif isinstance(node, list):
            node = next((item for item in node if getattr(item, "id", None) == part), None)
            if node is None:
                return None
        else:
            return None
    if numbers_only and (isinstance(node, bool) or not isinstance(node, (int, float))):
        return None
    return node


@cache
def _field_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    """A validator for one field of a model, with the field's own limits (ge, le, int, finite)."""
    field = model.model_fields[name]
    # the type is built at run time from the field's own annotation and limits, which mypy cannot follow
    return TypeAdapter(Annotated[field.annotation, *field.metadata])  # type: ignore[arg-type]


def path_value_problem(model: BaseModel, path: str, value: float) -> str | None:
    """Why `value` cannot stand at the dotted `path` of the scenario (the field's own limits), or None.

    Injects and the umpire change scenario numbers after the file was checked; they are held to the same
    limits as the file, so an absurd value stops with its path named instead of overflowing the model."""
    if not math.isfinite(value):
        return f"'{path}' would become {value:g}, which is not a finite number"
    parts = path.split(".")
    parent = resolve_path(model, ".".join(parts[:-1]), numbers_only=False) if len(parts) > 1 else model
    if not isinstance(parent, BaseModel) or parts[-1] not in type(parent).model_fields:
        return None
    old = getattr(parent, parts[-1])
    candidate: float | int = round(value) if isinstance(old, int) and not isinstance(old, bool) else value
    try:
        _field_adapter(type(parent), parts[-1]).validate_python(candidate)
    except ValidationError as error:
        return f"'{path}' would become {value:g}: {error.errors()[0]['msg'].lower()}"
    return None


def set_path(model: BaseModel, path: str, value: float) -> None:
    """Set the number at a dotted scenario path (list items by id), keeping ints as ints.

    Raises ValueError, naming the path, when the value breaks the field's limits (see `path_value_problem`)."""
    problem = path_value_problem(model, path, value)
    if problem is not None:
        raise ValueError(problem)
    parts = path.split(".")
    parent = resolve_path(model, ".".join(parts[:-1]), numbers_only=False) if len(parts) > 1 else model
    if parent is None:
        raise KeyError(path)
    last = parts[-1]
    old = parent[last] if isinstance(parent, dict) else getattr(parent, last)
    new: float | int = round(value) if isinstance(old, int) and not isinstance(old, bool) else float(value)
    if isinstance(parent, dict):
        parent[last] = new
    else:
        object.__setattr__(parent, last, new)


def numeric_leaves(node: Any, path: str = "") -> Iterator[tuple[str, float]]:
    """Every int or float (not bool) below a model, with its dotted path (list items named by id, else index).

    Provenance checks walk these to prove every number of a scenario says where it comes from.
    """
    if isinstance(node, bool) or node is None:
        return
    if isinstance(node, (int, float)):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from numeric_leaves(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from numeric_leaves(value, f"{path}.{key}")
    elif isinstance(node, (list, tuple)):
        for index, item in enumerate(node):
            yield from numeric_leaves(item, f"{path}.{getattr(item, 'id', None) or index}")
