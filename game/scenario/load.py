"""Load a scenario file into a `Scenario`, or explain every problem as `file:line:col: field.path: message`.

Reading the YAML safely (size, encoding, tags, aliases, depth, duplicate keys) is `yaml_safety`'s job;
this module runs pydantic on the plain data and turns each validation error into a positioned problem in
plain words: an unknown key is reported at the key, a missing key at its parent, a bad value at the value.
The checks of a model and the cross-reference checks of the scenario say where the fault is as a path into the
data (`problems.Problem`, `problems.FieldProblem`); that path is mapped to a line and column, never the wording.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from game.errors import SalientError

from .problems import FieldProblem
from .problems import Problem as FoundProblem
from .scenario import DEFER_REFERENCES, Scenario, reference_problems
from .yaml_safety import MAX_BYTES, Document, Path, YamlRefusal, decode, read_yaml

MAX_SHOWN = 50
"""Problems listed in an error message; the rest are counted (all stay in `ScenarioError.problems`)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file, at a 1-based line and column."""

    path: str
    """The file, as the user named it."""
    line: int
    col: int
    field: str
    """Dotted path of the field (list items by id when they have one, else `[index]`); empty for the file."""
    message: str
    """What is wrong, in plain words."""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}:"
        return f"{where} {self.field}: {self.message}" if self.field else f"{where} {self.message}"


class ScenarioError(SalientError):
    """A scenario file could not be loaded; the message has one `path:line:col: field: message` line per problem."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line, p.col))
        lines = [str(p) for p in self.problems[:MAX_SHOWN]]
        if len(self.problems) > MAX_SHOWN:
            lines.append(f"... and {len(self.problems) - MAX_SHOWN} more problems")
        super().__init__("\n".join(lines))


# --- entry points --------------------------------------------------------------------------------------------


def load_scenario(path: str | FilePath) -> Scenario:
    """Read and validate a scenario file; the size is checked before anything is read."""
    source = str(path)
    file_path = FilePath(path)
    try:
        if file_path.is_dir():
            raise _refuse(source, "is a directory, not a scenario file")
        size = file_path.stat().st_size
        if size > MAX_BYTES:
            raise _refuse(source, f"the file is {size / 1_000_000:.1f} MB; scenario files are limited to 1.0 MB")
        with file_path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise _refuse(source, "no such file") from None
    except PermissionError:
        raise _refuse(source, "permission denied: the file cannot be read") from None
    except OSError as error:
        raise _refuse(source, f"the file cannot be read ({error.strerror or error})") from None
    except ValueError:  # for example a NUL character in the path
        raise _refuse(source, "this is not a usable file name") from None
    return parse_scenario_bytes(data, source=source)


def parse_scenario_bytes(data: bytes, *, source: str = "<bytes>") -> Scenario:
    """Validate a scenario from raw bytes (checked for size, NUL bytes and UTF-8 first)."""
    try:
        text = decode(data)
    except YamlRefusal as refusal:
        raise ScenarioError([Problem(source, refusal.line, refusal.col, "", refusal.message)]) from None
    return parse_scenario_text(text, source=source)


def parse_scenario_text(text: str, *, source: str = "<string>") -> Scenario:
    """Validate a scenario from YAML text; raises `ScenarioError` and nothing else."""
    try:
        return _parse(text, source)
    except ScenarioError:
        raise
    except Exception as error:  # a defect of ours must still not become a traceback in the user's face
        message = f"could not be checked ({type(error).__name__}: {error}); please report this"
        raise _refuse(source, message) from error


def _refuse(source: str, message: str) -> ScenarioError:
    return ScenarioError([Problem(source, 1, 1, "", message)])


def _parse(text: str, source: str) -> Scenario:
    if not text.strip():
        raise _refuse(source, "the file is empty")
    try:
        doc = read_yaml(text)
    except YamlRefusal as refusal:
        raise ScenarioError([Problem(source, refusal.line, refusal.col, refusal.field, refusal.message)]) from None
    if not isinstance(doc.data, dict):
        pos = doc.spots[()].value
        got = _describe(doc.data)
        message = f"the top level must be a mapping of sections (meta:, map:, sides:, ...), not {got}"
        raise ScenarioError([Problem(source, pos.line, pos.col, "", message)])
    try:
        scenario = Scenario.model_validate(doc.data, context={DEFER_REFERENCES: True})
    except ValidationError as error:
        problems = [p for entry in error.errors(include_url=False) for p in _explain(entry, doc, source)]
        raise ScenarioError(problems) from None
    references = [_place(problem, doc, source) for problem in reference_problems(scenario)]
    if references:
        raise ScenarioError(references)
    return scenario


# --- from a pydantic error to positioned problems ---------------------------------------------------------------


def _explain(entry: ErrorDetails, doc: Document, source: str) -> list[Problem]:
    loc: tuple[Any, ...] = tuple(entry["loc"])
    kind: str = entry["type"]
    ctx: dict[str, Any] = entry.get("ctx") or {}
    path, rest = _walk(doc.data, loc)
    spot = doc.spots.get(path) or doc.spots[()]
    shown = _field_name(doc.data, path)
    if kind == "extra_forbidden":
        pos = spot.key or spot.value
        return [Problem(source, *pos, _field_name(doc.data, path[:-1]), _unknown_field(loc))]
    if kind in {"missing", "union_tag_not_found"}:
        name = "kind" if kind == "union_tag_not_found" else str(rest[-1] if rest else loc[-1])
        pos = spot.key or spot.value
        return [Problem(source, *pos, shown, f"missing required field `{name}`")]
    if "[key]" in rest:
        return [Problem(source, *(spot.key or spot.value), shown, "key " + _value_message(kind, ctx, entry))]
    if kind == "union_tag_invalid":
        tag_spot = doc.spots.get((*path, "kind"), spot)
        tags = ", ".join(re.findall(r"'([^']*)'", ctx.get("expected_tags", "")))
        message = f"`kind` must be one of {tags} (got `{ctx.get('tag')}`)"
        return [Problem(source, *tag_spot.value, _field_name(doc.data, (*path, "kind")), message)]
    if kind in {"value_error", "assertion_error"}:
        error = ctx.get("error")
        field = (error.field,) if isinstance(error, FieldProblem) else ()
        return [_place(FoundProblem((*path, *field), _error_text(entry)), doc, source)]
    return [Problem(source, *spot.value, shown, _value_message(kind, ctx, entry))]


def _walk(data: Any, loc: tuple[Any, ...]) -> tuple[Path, list[Any]]:
    """Follow a pydantic location through the data; parts not found there (union tags, missing keys) are left over."""
    path: list[str | int] = []
    rest: list[Any] = []
    node = data
    for part in loc:
        in_mapping = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_mapping or in_list:
            node = node[part]
            path.append(part)
        else:
            rest.append(part)
    return tuple(path), rest


def _field_name(data: Any, path: Path) -> str:
    """`sides.ru.units.kpa_1.strength`: list items by their id when they have one, `[i]` otherwise."""
    shown = ""
    node = data
    for part in path:
        if isinstance(part, int):
            node = node[part]
            ident = node.get("id") if isinstance(node, dict) else None
            shown += f".{ident}" if isinstance(ident, str) and ident else f"[{part}]"
        else:
            node = node[part]
            shown += f".{part}"
    return shown.lstrip(".") or "(top level)"


def _error_text(entry: ErrorDetails) -> str:
    error = (entry.get("ctx") or {}).get("error")
    text = str(error) if error is not None else str(entry.get("msg", ""))
    return re.sub(r"^(Value error|Assertion failed), ", "", text)


def _unknown_field(loc: tuple[Any, ...]) -> str:
    name = str(loc[-1])
    known = sorted({f for model in _models_at(loc[:-1]) for f in model.model_fields})
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.7)
    hint = f" (did you mean `{close[0]}`?)" if close else ""
    if not close and known:
        hint = f" (known fields: {', '.join(known[:15])}{', ...' if len(known) > 15 else ''})"
    return f"unknown field `{name}`{hint}"


def _models_at(loc: tuple[Any, ...]) -> list[type[BaseModel]]:
    """The model classes a location can point into (several while a union is undecided)."""
    models: list[type[BaseModel]] = [Scenario]
    for part in loc:
        if not isinstance(part, str):
            continue
        owners = [m for m in models if part in m.model_fields]
        if owners:
            models = [inner for m in owners for inner in _models_in(m.model_fields[part].annotation)]
            continue
        tagged = [m for m in models if _tag_of(m) == part]
        if tagged:
            models = tagged
    return models


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _models_in(arg)]


def _tag_of(model: type[BaseModel]) -> str | None:
    field = model.model_fields.get("kind")
    args = get_args(field.annotation) if field is not None else ()
    return args[0] if len(args) == 1 and isinstance(args[0], str) else None


def _value_message(kind: str, ctx: dict[str, Any], entry: ErrorDetails) -> str:
    """Pydantic's message for a bad value, rewritten in plain words with what was given."""
    got = _describe(entry.get("input"))
    if kind in {"literal_error", "enum"}:
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        close = difflib.get_close_matches(str(entry.get("input")), allowed, n=1, cutoff=0.6)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        return f"must be one of {', '.join(allowed)} (got {got}{hint})"
    simple = {
        "int_type": "must be a whole number",
        "int_parsing": "must be a whole number",
        "int_from_float": "must be a whole number, not a fraction",
        "float_type": "must be a number",
        "float_parsing": "must be a number",
        "finite_number": "must be a finite number, not NaN or infinity",
        "bool_type": "must be true or false",
        "bool_parsing": "must be true or false",
        "string_type": "must be text (put it in quotes if it looks like a number or a date)",
        "list_type": "must be a list",
        "dict_type": "must be a mapping of fields",
        "model_type": "must be a mapping of fields",
        "model_attributes_type": "must be a mapping of fields",
        "date_type": "must be a date written YYYY-MM-DD",
        "date_parsing": "must be a date written YYYY-MM-DD",
        "date_from_datetime_parsing": "must be a date written YYYY-MM-DD",
        "date_from_datetime_inexact": "must be a date without a time of day",
    }
    bounds = {
        "greater_than_equal": ("must be at least", "ge"),
        "greater_than": ("must be greater than", "gt"),
        "less_than_equal": ("must be at most", "le"),
        "less_than": ("must be less than", "lt"),
    }
    if kind in simple and entry.get("input") is None:
        return f"has no value; it {simple[kind].split(' (')[0]}"
    if kind in simple:
        return f"{simple[kind]} (got {got})"
    if kind in bounds:
        words, key = bounds[kind]
        return f"{words} {_number(ctx.get(key))} (got {got})"
    if kind == "string_too_short":
        length = ctx.get("min_length", 1)
        return "must not be empty" if length == 1 else f"must have at least {length} characters"
    if kind == "string_too_long":
        return f"is too long: at most {ctx.get('max_length')} characters (has {len(str(entry.get('input')))})"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == r"^[a-z][a-z0-9_]*$":
            return f"{got} is not a valid id: use lower-case letters, digits and underscores, starting with a letter"
        return f"{got} does not match the pattern {ctx.get('pattern')}"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s) (has {ctx.get('actual_length')})"
    if kind == "too_long":
        return f"allows at most {ctx.get('max_length')} items (has {ctx.get('actual_length')})"
    message = str(entry.get("msg", "is not valid"))
    return message[:1].lower() + message[1:]


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _describe(value: Any) -> str:
    """A short, readable rendering of what the file gave."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, (int, float)):
        return f"`{value!r}`".replace("inf", ".inf").replace("nan", ".nan")
    if isinstance(value, str):
        return f"`{value[:40]}{'...' if len(value) > 40 else ''}`"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


# --- problems found by the checks: placed by their path, never by their wording ----------------------------------


def _place(problem: FoundProblem, doc: Document, source: str) -> Problem:
    """The file position of a problem's path: the deepest part of it the file writes (a default is not written,
    so a problem with a defaulted field is placed at the item that left it out)."""
    path = problem.path
    while path and path not in doc.spots:
        path = path[:-1]
    spot = doc.spots.get(path) or doc.spots[()]
    exact = path == problem.path
    pos = spot.key if problem.on_key and exact and spot.key is not None else spot.value
    return Problem(source, *pos, _field_name(doc.data, path), problem.message)


def _at(data: Any, path: Path) -> Any:
    node = data
    for part in path:
        node = node[part]
    return node
