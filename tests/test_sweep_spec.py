"""Sweep files are checked like scenarios: every problem at file:line:col with its field, exit 1, no traceback;
the committed JSON Schema matches the model; the shipped Kursk sweep varies assumptions only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from game.analysis.sensitivity import origin_of
from game.cli import main
from game.engine.policies import POLICIES
from game.scenario.scenario import resolve_path
from game.scenario.schema import NEWER_KEYWORDS, _keywords
from game.scenario.sweep_spec import SWEEP_SCHEMA_FILE, SweepError, load_sweep, sweep_json_schema, sweep_schema_text
from game.scenario.yaml_safety import read_yaml

ROOT = Path(__file__).parent.parent
KURSK = ROOT / "scenarios" / "kursk-2025.yaml"
SHIPPED = ROOT / "scenarios" / "sweeps" / "kursk-assumptions.yaml"

GOOD = f"""\
scenario: {KURSK}
runs: 10
design:
  kind: grid
  levels: 2
parameters:
  - path: supply.convoys.trucks_available
    low: 12
    high: 24
policies: [hold]
"""


def _refusal(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> str:
    """Run `salient sweep` on the text; it must exit 1 with a plain message (returned) and no traceback."""
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["sweep", str(path), "--workers", "1", "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert not (tmp_path / "out.jsonl").exists()
    return err.strip()


def test_unknown_path_is_placed_at_the_path_with_a_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _refusal(tmp_path, GOOD.replace("convoys.trucks_available", "convoys.truck_available"), capsys)
    assert err == (
        f"salient: {tmp_path / 'bad.yaml'}:7:11: parameters[0].path: 'supply.convoys.truck_available' "
        "does not exist: `truck_available` is not in supply.convoys (did you mean `trucks_available`?)"
    )


def test_a_path_to_text_is_not_a_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _refusal(tmp_path, GOOD.replace("supply.convoys.trucks_available", "meta.title"), capsys)
    assert err.endswith(
        "bad.yaml:7:11: parameters[0].path: 'meta.title' is not a number in the scenario (a sweep varies numbers only)"
    )


def test_inverted_range_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _refusal(tmp_path, GOOD.replace("low: 12", "low: 30"), capsys)
    assert err.endswith("bad.yaml:7:5: parameters[0]: high (24) must be greater than low (30)")


def test_a_value_outside_the_fields_limits_is_placed_at_that_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        GOOD.replace("supply.convoys.trucks_available", "map.sectors.east.fortification")
        .replace("low: 12", "low: 0.5")
        .replace("high: 24", "high: 1.5")
    )
    err = _refusal(tmp_path, text, capsys)
    assert err.endswith(
        "bad.yaml:9:11: parameters[0].high: 1.5 is outside what the scenario allows: "
        "map.sectors.east.fortification must be at most 1 (got `1.5`)"
    )


def test_unknown_policy_names_the_known_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _refusal(tmp_path, GOOD.replace("policies: [hold]", "policies: [hold, stand_fast]"), capsys)
    assert err.endswith(
        f"bad.yaml:10:18: policies[1]: unknown policy `stand_fast` (policies: {', '.join(sorted(POLICIES))})"
    )


def test_unknown_design_is_placed_at_its_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _refusal(tmp_path, GOOD.replace("kind: grid", "kind: sobel"), capsys)
    assert err.endswith(
        "bad.yaml:4:9: design.kind: unknown design `sobel`: `kind` must be one of grid, latin, "
        "sobol; did you mean `sobol`?"
    )


def test_sobol_needs_a_power_of_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _refusal(tmp_path, GOOD.replace("kind: grid\n  levels: 2", "kind: sobol\n  base_samples: 100"), capsys)
    assert err.endswith("bad.yaml:4:3: design: base_samples must be a power of two (2, 4, 8, ..., got 100; try 128)")


def test_unknown_field_and_missing_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _refusal(tmp_path, GOOD.replace("runs: 10\n", "run: 10\n"), capsys)
    assert f"{tmp_path / 'bad.yaml'}:1:1: (top level): missing required field `runs`" in err
    assert "bad.yaml:2:1: (top level): unknown field `run` (did you mean `runs`?)" in err


def test_a_parameter_given_twice_is_placed_at_the_second(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    twice = GOOD.replace("policies:", "  - path: supply.convoys.trucks_available\n    values: [10, 20]\npolicies:")
    err = _refusal(tmp_path, twice, capsys)
    assert err.endswith(
        "bad.yaml:10:11: parameters[1].path: parameter 'supply.convoys.trucks_available' is given twice"
    )


def test_yaml_syntax_and_missing_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _refusal(tmp_path, GOOD.replace("policies: [hold]", "policies: [hold"), capsys)
    assert "bad.yaml:" in err and "YAML syntax error" in err
    err = _refusal(tmp_path, GOOD.replace(str(KURSK), "nowhere.yaml"), capsys)
    assert err == f"salient: {tmp_path / 'bad.yaml'}:1:11: scenario: no scenario file at {tmp_path / 'nowhere.yaml'}"


def test_a_good_file_loads_with_its_scenario() -> None:
    path = ROOT / "scenarios" / "sweeps" / "kursk-assumptions.yaml"
    loaded = load_sweep(path, POLICIES)
    assert loaded.scenario.meta.id == "kursk_2025"
    assert loaded.spec.points == loaded.spec.design.base_samples * (len(loaded.spec.parameters) + 2)  # type: ignore[union-attr]


def test_errors_are_sweep_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace("runs: 10", "runs: 0"), encoding="utf-8")
    with pytest.raises(SweepError) as caught:
        load_sweep(path, POLICIES)
    assert [(p.line, p.col, p.field, p.message) for p in caught.value.problems] == [
        (2, 7, "runs", "must be at least 1 (got `0`)")
    ]


# --- the schema ----------------------------------------------------------------------------------------------

REGENERATE = f"the sweep model changed: run `salient sweep --schema > {SWEEP_SCHEMA_FILE}` and commit the result"


def test_committed_schema_matches_the_model() -> None:
    committed = ROOT / SWEEP_SCHEMA_FILE
    assert committed.read_text(encoding="utf-8") == sweep_schema_text(), REGENERATE


def test_schema_is_draft_7_and_the_shipped_sweep_satisfies_it(capsys: pytest.CaptureFixture[str]) -> None:
    schema = sweep_json_schema()
    Draft7Validator.check_schema(schema)
    assert not _keywords(schema) & NEWER_KEYWORDS
    data = read_yaml(SHIPPED.read_text(encoding="utf-8")).data
    assert [e.message for e in Draft7Validator(schema).iter_errors(data)] == []
    assert main(["sweep", "--schema"]) == 0
    assert json.loads(capsys.readouterr().out) == schema


# --- the shipped Kursk sweep ------------------------------------------------------------------------------------


def test_kursk_sweep_varies_assumptions_only_around_their_values() -> None:
    loaded = load_sweep(SHIPPED, POLICIES)
    params = loaded.spec.parameters
    assert 6 <= len(params) <= 10
    assert SHIPPED.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=sweep.schema.json\n")
    for p in params:
        origin = origin_of(loaded.scenario, p.path)
        assert origin.kind == "assumption", p.path
        assert origin.entry == p.path, f"{p.path} should have its own provenance entry"
        value = resolve_path(loaded.scenario, p.path)
        assert value is not None and min(p.extremes) < value < max(p.extremes), p.path
        assert p.note
