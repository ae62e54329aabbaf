"""A sweep file: which numbers of a scenario to vary, over what ranges, by which design, under which plans.

A sweep asks "what if this assumption were different?" many times at once. The file names a scenario,
parameters by the same dotted paths injects and provenance use (list items by id), a design (a full grid,
a Latin hypercube, or Saltelli's extension of a Sobol' sequence for variance-based sensitivity), the
standing policies or orders files to play, the replications per design point and the outputs to keep.

Loading is as strict as for a scenario: the YAML is read by `yaml_safety`, every problem is placed at
`file:line:col` with its field path, and each parameter is checked against the scenario itself: the path must
lead to a number, and its extreme values (or each listed value) must keep the scenario valid. Policy names
are the engine's business, so the caller passes the names it knows.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

from .common import Id, ShortText, Strict
from .load import Problem, ScenarioError, _describe, _field_name, _value_message, _walk, load_scenario
from .scenario import Scenario, resolve_path
from .schema import draft7_schema, schema_file_text
from .yaml_safety import MAX_BYTES, Document, YamlRefusal, decode, read_yaml

SWEEP_SCHEMA_VERSION = 1
SWEEP_SCHEMA_FILE = "scenarios/sweeps/sweep.schema.json"
"""Where the committed JSON Schema of sweep files lives, relative to the project folder."""
MAX_POINTS = 1_000_000
"""Most design points a sweep may have (a grid grows as the product of its levels)."""

Output = Literal["score", "endings", "area_held", "own_losses", "enemy_losses", "road_cut"]
OUTPUTS: tuple[Output, ...] = ("score", "endings", "area_held", "own_losses", "enemy_losses", "road_cut")


class SweepError(ScenarioError):
    """A sweep file could not be loaded; one `path:line:col: field: message` line per problem."""


class Parameter(Strict):
    """One scenario number to vary: a range (`low`, `high`) or a list of `values`."""

    path: str = Field(min_length=1, max_length=200)
    """Dotted path of the number in the scenario (list items by id), as injects and provenance write it."""
    low: float | None = Field(default=None, allow_inf_nan=False)
    """Lowest value of the range."""
    high: float | None = Field(default=None, allow_inf_nan=False)
    """Highest value of the range."""
    values: list[float] | None = Field(default=None, min_length=1, max_length=1000)
    """The values to try, instead of a range."""
    note: ShortText | None = None
    """Why this range: what the number stands for and how far it may be wrong."""

    @model_validator(mode="after")
    def _range_or_values(self) -> Parameter:
        has_range = self.low is not None or self.high is not None
        if has_range and self.values is not None:
            raise ValueError("give either low and high, or values, not both")
        if not has_range and self.values is None:
            raise ValueError("give a range (low and high) or a list of values")
        if has_range and (self.low is None or self.high is None):
            raise ValueError(f"a range needs both low and high (missing {'low' if self.low is None else 'high'})")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"high ({self.high:g}) must be greater than low ({self.low:g})")
        if self.values is not None and len(set(self.values)) < len(self.values):
            raise ValueError("values repeat; list each value once")
        return self

    @property
    def extremes(self) -> list[float]:
        """The values that must keep the scenario valid: both ends of the range, or every listed value."""
        return list(self.values) if self.values is not None else [float(self.low or 0.0), float(self.high or 0.0)]


class Grid(Strict):
    """Every combination of the parameters' values (ranges are cut into `levels` evenly spaced values)."""

    kind: Literal["grid"]
    levels: int = Field(default=3, ge=2, le=100)
    """Values per range parameter, ends included."""


class Latin(Strict):
    """A Latin hypercube: `points` design points, each range cut into `points` strata sampled once."""

    kind: Literal["latin"]
    points: int = Field(ge=2, le=MAX_POINTS)
    """Number of design points."""


class Sobol(Strict):
    """Saltelli's design on a scrambled Sobol' sequence: `base_samples` × (parameters + 2) points, the
    design Sobol' first- and total-order indices are estimated from."""

    kind: Literal["sobol"]
    base_samples: int = Field(ge=2, le=65_536)
    """N of the design; a power of two, so the sequence keeps its balance."""

    @model_validator(mode="after")
    def _power_of_two(self) -> Sobol:
        n = self.base_samples
        if n & (n - 1):
            raise ValueError(f"base_samples must be a power of two (2, 4, 8, ..., got {n}; try {1 << n.bit_length()})")
        return self


Design = Annotated[Grid | Latin | Sobol, Field(discriminator="kind")]


class SweepSpec(Strict):
    """A sweep: a scenario, the numbers to vary, a design, the plans to play and the outcomes to keep."""

    schema_version: int = Field(default=SWEEP_SCHEMA_VERSION, ge=1, le=SWEEP_SCHEMA_VERSION)
    """Version of the sweep format."""
    title: ShortText | None = None
    """What the sweep asks, in a line (shown in the report)."""
    scenario: str = Field(min_length=1, max_length=500)
    """Path of the scenario file, relative to this file."""
    seed: int = Field(default=0, ge=0, le=2**63 - 1)
    """Seed of the dice: every design point plays on the same dice (common random numbers), and of the design."""
    runs: int = Field(ge=1, le=10_000_000)
    """Games per design point and plan."""
    turns: int | None = Field(default=None, ge=1, le=1000)
    """Play at most this many turns of each game (default: the scenario's turns)."""
    design: Design
    """How the design points are chosen: grid, latin or sobol."""
    parameters: list[Parameter] = Field(min_length=1, max_length=100)
    """The numbers to vary."""
    policies: list[Id] = Field(default_factory=list, max_length=50)
    """Built-in standing policies to play at every point."""
    orders: list[str] = Field(default_factory=list, max_length=50)
    """Orders files (relative to this file) to play at every point, beside the policies."""
    outputs: list[Output] = Field(default_factory=lambda: list(OUTPUTS), min_length=1, max_length=len(OUTPUTS))
    """Outcomes kept per point: score, endings, area_held, own_losses, enemy_losses, road_cut."""

    @model_validator(mode="after")
    def _consistent(self) -> SweepSpec:
        paths = [p.path for p in self.parameters]
        twice = next((p for i, p in enumerate(paths) if p in paths[:i]), None)
        if twice is not None:
            raise ValueError(f"parameter '{twice}' is given twice")
        if not self.policies and not self.orders:
            raise ValueError("name at least one plan: policies (built-in names) or orders (files)")
        for name, items in (("policies", self.policies), ("outputs", self.outputs)):
            again = next((x for i, x in enumerate(items) if x in items[:i]), None)
            if again is not None:
                raise ValueError(f"{name} lists '{again}' twice")
        if self.points > MAX_POINTS:
            raise ValueError(f"the design has {self.points:,} points; a sweep may have at most {MAX_POINTS:,}")
        return self

    @property
    def points(self) -> int:
        """Number of design points."""
        if isinstance(self.design, Grid):
            total = 1
            for p in self.parameters:
                total *= len(p.values) if p.values is not None else self.design.levels
            return total
        if isinstance(self.design, Latin):
            return self.design.points
        return self.design.base_samples * (len(self.parameters) + 2)


@dataclass(frozen=True)
class LoadedSweep:
    """A valid sweep file with its scenario loaded and every relative path made absolute."""

    spec: SweepSpec
    path: str
    """The sweep file, as the user named it."""
    scenario: Scenario
    scenario_path: FilePath
    orders: tuple[FilePath, ...]


# --- setting numbers in a scenario -------------------------------------------------------------------------


def scenario_with(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """A new, validated scenario with numbers set at dotted paths (whole numbers stay whole, rounded as the
    engine's `set_path` rounds them); raises `ValueError` in plain words when the result is not a valid scenario."""
    data = scenario.model_dump(mode="python")
    for path, value in values.items():
        _set(data, path, value)
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise ValueError(_first_message(error, data)) from None


def _set(data: Any, path: str, value: float) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        node = next(item for item in node if item.get("id") == part) if isinstance(node, list) else node[part]
    old = node[parts[-1]]
    node[parts[-1]] = round(value) if isinstance(old, int) and not isinstance(old, bool) else float(value)


def _first_message(error: ValidationError, data: Any) -> str:
    entry = error.errors(include_url=False)[0]
    path, _ = _walk(data, tuple(entry["loc"]))
    if entry["type"] in {"value_error", "assertion_error"}:
        text = str((entry.get("ctx") or {}).get("error", entry.get("msg", "")))
        return re.sub(r"^(Value error|Assertion failed), ", "", text).split("; ")[0]
    return f"{_field_name(data, path)} {_value_message(entry['type'], entry.get('ctx') or {}, entry)}"


# --- loading -------------------------------------------------------------------------------------------------


def load_sweep(path: str | FilePath, policies: Collection[str]) -> LoadedSweep:
    """Read and check a sweep file (and the scenario it names); `policies` are the built-in policy names."""
    source = str(path)
    try:
        with FilePath(path).open("rb") as handle:
            doc = read_yaml(decode(handle.read(MAX_BYTES + 1)))  # decode refuses anything over the limit
    except (FileNotFoundError, NotADirectoryError):
        raise _refuse(source, "no such sweep file") from None
    except IsADirectoryError:
        raise _refuse(source, "is a directory, not a sweep file") from None
    except OSError as error:
        raise _refuse(source, f"the file cannot be read ({error.strerror or error})") from None
    except YamlRefusal as refusal:
        raise SweepError([Problem(source, refusal.line, refusal.col, refusal.field, refusal.message)]) from None
    if not isinstance(doc.data, dict):
        pos = doc.spots[()].value
        raise SweepError(
            [
                Problem(
                    source,
                    pos.line,
                    pos.col,
                    "",
                    "the top level must be a mapping (scenario:, "
                    f"parameters:, design:, ...), not {_describe(doc.data)}",
                )
            ]
        )
    try:
        spec = SweepSpec.model_validate(doc.data)
    except ValidationError as error:
        raise SweepError([_explain(e, doc, source) for e in error.errors(include_url=False)]) from None
    folder = FilePath(path).parent
    scenario_path = folder / spec.scenario
    if not scenario_path.is_file():
        raise SweepError([_at(doc, source, ("scenario",), f"no scenario file at {scenario_path}")])
    scenario = load_scenario(scenario_path)  # its own problems name its own file
    problems = list(_against(spec, scenario, doc, source, policies, folder))
    if problems:
        raise SweepError(problems)
    return LoadedSweep(spec, source, scenario, scenario_path, tuple(folder / o for o in spec.orders))


def _refuse(source: str, message: str) -> SweepError:
    return SweepError([Problem(source, 1, 1, "", message)])


def _at(doc: Document, source: str, path: tuple[str | int, ...], message: str) -> Problem:
    spot = doc.spots.get(path) or doc.spots[()]
    return Problem(source, *spot.value, _field_name(doc.data, path), message)


def _against(
    spec: SweepSpec, sc: Scenario, doc: Document, source: str, policies: Collection[str], folder: FilePath
) -> Iterator[Problem]:
    """What the sweep asks of the scenario and the engine that they cannot give."""
    for i, param in enumerate(spec.parameters):
        if resolve_path(sc, param.path) is None:
            yield _at(doc, source, ("parameters", i, "path"), _no_number(sc, param.path))
            continue
        for value in param.extremes:
            try:
                scenario_with(sc, {param.path: value})
            except ValueError as error:
                key = "values" if param.values is not None else ("low" if value == param.low else "high")
                yield _at(
                    doc, source, ("parameters", i, key), f"{value:g} is outside what the scenario allows: {error}"
                )
                break
    known = sorted(policies)
    for i, name in enumerate(spec.policies):
        if name not in policies:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"did you mean `{close[0]}`? " if close else ""
            yield _at(doc, source, ("policies", i), f"unknown policy `{name}` ({hint}policies: {', '.join(known)})")
    for i, name in enumerate(spec.orders):
        if not (folder / name).is_file():
            yield _at(doc, source, ("orders", i), f"no orders file at {folder / name}")
    if "road_cut" in spec.outputs and not sc.map.supply_route:
        yield _at(
            doc,
            source,
            ("outputs", spec.outputs.index("road_cut")),
            "road_cut needs a supply road (map.supply_route), and this scenario has none",
        )


def _no_number(sc: Scenario, path: str) -> str:
    """Why a path is refused: it leads nowhere (with the nearest valid step), or to something not a number."""
    if resolve_path(sc, path, numbers_only=False) is not None:
        return f"'{path}' is not a number in the scenario (a sweep varies numbers only)"
    parts = path.split(".")
    for depth in range(len(parts) - 1, -1, -1):
        parent = resolve_path(sc, ".".join(parts[:depth]), numbers_only=False) if depth else sc
        if parent is None:
            continue
        names = _children(parent)
        close = difflib.get_close_matches(parts[depth], names, n=1, cutoff=0.6)
        where = ".".join(parts[:depth]) or "the scenario"
        hint = f"did you mean `{close[0]}`?" if close else f"known there: {', '.join(names[:12])}"
        return f"'{path}' does not exist: `{parts[depth]}` is not in {where} ({hint})"
    return f"'{path}' does not exist in the scenario"


def _children(node: Any) -> list[str]:
    if isinstance(node, BaseModel):
        return list(type(node).model_fields)
    if isinstance(node, dict):
        return [str(k) for k in node]
    if isinstance(node, list):
        return [str(getattr(item, "id", "")) for item in node if getattr(item, "id", None)]
    return []


# --- from a pydantic error to a positioned problem --------------------------------------------------------------


def _explain(entry: ErrorDetails, doc: Document, source: str) -> Problem:
    loc: tuple[Any, ...] = tuple(entry["loc"])
    kind: str = entry["type"]
    path, rest = _walk(doc.data, loc)
    spot = doc.spots.get(path) or doc.spots[()]
    shown = _field_name(doc.data, path)
    if kind == "extra_forbidden":
        known = sorted({f for model in _models_at(loc[:-1]) for f in model.model_fields})
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.7)
        hint = f"did you mean `{close[0]}`?" if close else f"known fields: {', '.join(known)}"
        return Problem(
            source, *(spot.key or spot.value), _field_name(doc.data, path[:-1]), f"unknown field `{loc[-1]}` ({hint})"
        )
    if kind in {"missing", "union_tag_not_found"}:
        name = "kind" if kind == "union_tag_not_found" else str(rest[-1] if rest else loc[-1])
        return Problem(source, *(spot.key or spot.value), shown, f"missing required field `{name}`")
    if kind == "union_tag_invalid":
        at = doc.spots.get((*path, "kind"), spot)
        ctx = entry.get("ctx") or {}
        tags = ", ".join(re.findall(r"'([^']*)'", str(ctx.get("expected_tags", ""))))
        close = difflib.get_close_matches(str(ctx.get("tag")), tags.split(", "), n=1, cutoff=0.6)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        return Problem(
            source,
            *at.value,
            _field_name(doc.data, (*path, "kind")),
            f"unknown design `{ctx.get('tag')}`: `kind` must be one of {tags}{hint}",
        )
    if kind in {"value_error", "assertion_error"}:
        text = re.sub(
            r"^(Value error|Assertion failed), ", "", str((entry.get("ctx") or {}).get("error", entry["msg"]))
        )
        named = re.search(r"'([^']*)'", text)
        target = _item_naming(doc, path, named.group(1)) if named else None
        at = doc.spots[target] if target else spot
        return Problem(source, *at.value, _field_name(doc.data, target or path), text)
    return Problem(source, *spot.value, shown, _value_message(kind, entry.get("ctx") or {}, entry))


def _item_naming(doc: Document, under: tuple[str | int, ...], value: str) -> tuple[str | int, ...] | None:
    """For a check of the whole file ("parameter 'x' is given twice"), the last place that writes the value."""
    hits = [p for p in doc.spots if p[: len(under)] == under and len(p) > len(under) and _value(doc.data, p) == value]
    return hits[-1] if hits else None


def _value(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _models_at(loc: tuple[Any, ...]) -> list[type[BaseModel]]:
    """The models a location points into (the design is any of its kinds until its `kind` is known)."""
    models: list[type[BaseModel]] = [SweepSpec]
    for part in loc:
        if not isinstance(part, str):
            continue
        if part in {"grid", "latin", "sobol"}:
            kinds: dict[str, type[BaseModel]] = {"grid": Grid, "latin": Latin, "sobol": Sobol}
            models = [kinds[part]]
        elif part == "design":
            models = [Grid, Latin, Sobol]
        elif part == "parameters":
            models = [Parameter]
    return models


# --- JSON Schema ---------------------------------------------------------------------------------------------


def sweep_json_schema() -> dict[str, Any]:
    """The draft-7 JSON Schema of sweep files, made as the scenario schema is (game.scenario.schema)."""
    return draft7_schema(SweepSpec, f"urn:salient:sweep:v{SWEEP_SCHEMA_VERSION}", "Salient sweep")


def sweep_schema_text() -> str:
    """The schema as the committed file holds it."""
    return schema_file_text(sweep_json_schema())
