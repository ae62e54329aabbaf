"""Property tests: whatever the input, loading returns a Scenario or raises a positioned ScenarioError.

Three sources of input: raw bytes (alone and spliced into a valid file), YAML-ish text from a small grammar
of keys, values, anchors, aliases and tags, and structural mutations of the minimal scenario.
"""

from __future__ import annotations

import copy
import io
import math
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from game.scenario import Scenario
from game.scenario.load import ScenarioError, parse_scenario_bytes, parse_scenario_text
from game.scenario.yaml_safety import read_yaml

MINIMAL_TEXT = (Path(__file__).parent / "fixtures" / "minimal.yaml").read_text(encoding="utf-8")
MINIMAL_DATA = read_yaml(MINIMAL_TEXT).data
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _outcome(load: Any, text_lines: int | None = None) -> None:
    """Call `load`; only a Scenario or a ScenarioError with sane positions may come out."""
    try:
        result = load()
    except ScenarioError as error:
        event("refused: " + _kind(error.problems[0].message))
        assert error.problems
        for problem in error.problems:
            assert problem.line >= 1 and problem.col >= 1, problem
            if text_lines is not None:
                assert problem.line <= text_lines + 1, problem
            assert "please report" not in problem.message, problem
            assert problem.message.strip()
        return
    event("loaded")
    assert isinstance(result, Scenario)


def _kind(message: str) -> str:
    """A coarse label for hypothesis statistics (`--hypothesis-show-statistics`)."""
    return " ".join(message.split()[:3])


# --- (a) bytes --------------------------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=3000))
def test_arbitrary_bytes(data: bytes) -> None:
    _outcome(lambda: parse_scenario_bytes(data, source="fuzz.yaml"))


@FUZZ
@given(st.data())
def test_bytes_spliced_into_a_valid_file(data: st.DataObject) -> None:
    raw = MINIMAL_TEXT.encode()
    start = data.draw(st.integers(0, len(raw)))
    end = data.draw(st.integers(start, min(len(raw), start + 40)))
    patch = data.draw(st.binary(max_size=40) | st.text(":-[]{}&*!|>'\"#\n abc1.", max_size=40).map(str.encode))
    spliced = raw[:start] + patch + raw[end:]
    _outcome(lambda: parse_scenario_bytes(spliced, source="fuzz.yaml"), spliced.count(b"\n"))


# --- (b) YAML-ish text -------------------------------------------------------------------------------------

_KEYS = st.sampled_from(
    ["meta", "map", "sides", "id", "name", "units", "strength", "<<", "'quoted key'", "? ", "kind", "x", "", "-"]
)
_ANCHOR = st.sampled_from(["a", "b", "c"])
_SCALARS = st.one_of(
    st.sampled_from(
        [
            "yes",
            "no",
            "~",
            "null",
            ".nan",
            "-.inf",
            "0x1F",
            "0o17",
            "1e400",
            "2025-03-01",
            "''",
            '""',
            "'a: b'",
            "|",
            ">-",
            "9" * 120,
            "true",
            "3.5",
            "-1",
            "@x",
            "`y",
            "%z",
            "&",
            "*",
            "!",
            "[",
            "]",
            "{",
            "}",
            ",",
        ]
    ),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8),
    st.integers(-(10**6), 10**6).map(str),
)
_TAGS = st.sampled_from(
    ["", "", "", "!!str ", "!!int ", "!!python/object/apply:os.system ", "!custom ", "!!map ", "!!binary ", "! "]
)


@st.composite
def _value(draw: st.DrawFn) -> str:
    shape = draw(st.integers(0, 6))
    tag = draw(_TAGS)
    if shape == 0:
        return f"&{draw(_ANCHOR)} {tag}{draw(_SCALARS)}"
    if shape == 5:
        inner = draw(st.lists(st.one_of(_SCALARS, st.sampled_from(["*a", "*b", "&c [1, 2]", "{k: *a}"])), max_size=4))
        return f"&{draw(_ANCHOR)} [{', '.join(inner)}]"
    if shape == 1:
        return f"*{draw(_ANCHOR)}"
    if shape == 2:
        items = draw(st.lists(_SCALARS, max_size=4))
        return f"{tag}[{', '.join(items)}]"
    if shape == 3:
        pairs = draw(st.lists(st.tuples(_KEYS, _SCALARS), max_size=3))
        return f"{tag}{{{', '.join(f'{k}: {v}' for k, v in pairs)}}}"
    return f"{tag}{draw(_SCALARS)}"


@st.composite
def _yamlish(draw: st.DrawFn) -> str:
    lines = []
    indents = ["", "  ", "    ", "      ", " "] + (["\t"] if draw(st.integers(0, 9)) == 0 else [])
    for _ in range(draw(st.integers(0, 25))):
        indent = draw(st.sampled_from(indents))
        form = draw(st.integers(0, 7))
        key, value = draw(_KEYS), draw(_value())
        lines.append(
            indent
            + [f"{key}: {value}", f"- {value}", f"{key}:", f"- {key}: {value}", "# note", value, "---", "%YAML 1.2"][
                form
            ]
        )
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n"]))


@FUZZ
@given(_yamlish())
def test_yamlish_text(text: str) -> None:
    _outcome(lambda: parse_scenario_text(text, source="fuzz.yaml"), text.count("\n") + text.count("\r"))


# --- (c) mutations of the minimal scenario ------------------------------------------------------------------

_JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**9), 10**9),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
    ),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text("abcdefgh_", max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


_ALL_PATHS = _paths(MINIMAL_DATA)[1:]


def _mutated(data: Any, path: tuple[Any, ...], operation: str, new: Any, new_key: str) -> Any:
    mutant = copy.deepcopy(data)
    parent = mutant
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if operation == "delete":
        del parent[last]
    elif operation == "replace":
        parent[last] = new
    elif isinstance(parent[last], dict):
        parent[last][new_key] = new
    else:
        parent[last] = {new_key: new}
    return mutant


def _dump(data: Any) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


@FUZZ
@given(
    path=st.sampled_from(_ALL_PATHS),
    operation=st.sampled_from(["delete", "replace", "add"]),
    new=_JSON,
    new_key=st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10),
)
def test_mutated_minimal_scenario(path: tuple[Any, ...], operation: str, new: Any, new_key: str) -> None:
    text = _dump(_mutated(MINIMAL_DATA, path, operation, new, new_key))
    _outcome(lambda: parse_scenario_text(text, source="mutant.yaml"), text.count("\n"))


def test_mutation_helpers_round_trip() -> None:
    """The dump used by the mutation test reads back to the same data (so mutations mean what they say)."""
    assert read_yaml(_dump(MINIMAL_DATA)).data == MINIMAL_DATA
    assert math.isnan(read_yaml(_dump({"x": float("nan")})).data["x"])
