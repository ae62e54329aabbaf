"""The committed `scenario.schema.json` matches the models, is draft-7, and agrees with the loader."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from game.cli import main
from game.scenario.schema import NEWER_KEYWORDS, SCHEMA_FILE, _keywords, scenario_json_schema, schema_text
from game.scenario.yaml_safety import read_yaml

TESTS = Path(__file__).parent
ROOT = TESTS.parent
COMMITTED = ROOT / SCHEMA_FILE
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
REGENERATE = "the models changed: run `salient schema -o scenario.schema.json` and commit the result"


def _validator() -> Draft7Validator:
    return Draft7Validator(scenario_json_schema(), format_checker=Draft7Validator.FORMAT_CHECKER)


def _plain(path: Path) -> Any:
    """The data as the loader sees it (YAML 1.2: dates stay strings, as in JSON)."""
    return read_yaml(path.read_text(encoding="utf-8")).data


def test_committed_schema_matches_the_models() -> None:
    assert COMMITTED.exists(), REGENERATE
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == scenario_json_schema(), REGENERATE
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), REGENERATE


def test_schema_is_valid_draft_7() -> None:
    schema = scenario_json_schema()
    Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["$id"] and schema["title"]
    assert not _keywords(schema) & NEWER_KEYWORDS
    assert "discriminator" not in json.dumps(schema)


def test_every_reference_resolves() -> None:
    schema = scenario_json_schema()
    refs = set(re.findall(r'"\$ref": "#/definitions/([^"]+)"', json.dumps(schema)))
    assert refs and refs <= set(schema["definitions"])


def test_minimal_scenario_satisfies_the_schema(minimal_path: Path) -> None:
    errors = [e.message for e in _validator().iter_errors(_plain(minimal_path))]
    assert errors == []


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_shipped_scenario_satisfies_the_schema(path: Path) -> None:
    errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator().iter_errors(_plain(path))]
    assert errors == []


@pytest.mark.parametrize("path", [TESTS / "fixtures" / "minimal.yaml", *SCENARIOS], ids=lambda p: p.name)
def test_first_line_points_editors_at_the_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, f"{path.name}: line 1 should be `# yaml-language-server: $schema=<relative path>`"
    assert (path.parent / match.group(1)).resolve() == COMMITTED.resolve()


@pytest.mark.parametrize(
    "name",
    [
        "unknown_key.yaml",
        "missing_key.yaml",
        "wrong_type.yaml",
        "yes_is_text.yaml",
        "probability_out_of_range.yaml",
        "bad_enum.yaml",
        "bad_enum_key.yaml",
        "bad_id.yaml",
        "bad_date.yaml",
        "bad_effect_kind.yaml",
    ],
)
def test_editor_flags_what_the_loader_refuses(name: str) -> None:
    assert list(_validator().iter_errors(_plain(TESTS / "broken" / name)))


def test_schema_command_writes_stdout_and_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == schema_text()
    target = tmp_path / "out.schema.json"
    assert main(["schema", "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == schema_text()
    assert [p.name for p in tmp_path.iterdir()] == ["out.schema.json"]


def test_schema_command_reports_unwritable_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "-o", str(tmp_path / "no" / "such" / "dir.json")]) == 1
    assert "salient: cannot write" in capsys.readouterr().err
