"""`salient run`: reproducible JSON, clear errors for bad orders files and unknown policies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from game.cli import main

ROOT = Path(__file__).resolve().parents[1]
SMALL = str(ROOT / "tests" / "fixtures" / "engine_small.yaml")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["run", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_output_is_byte_for_byte_reproducible(capsys):
    code1, out1, _ = run(capsys, SMALL, "--seed", "4", "--policy", "hold", "--json")
    code2, out2, _ = run(capsys, SMALL, "--seed", "4", "--policy", "hold", "--json")
    assert code1 == code2 == 0
    assert out1 == out2
    data = json.loads(out1)
    assert data["turns"] and "score" in data and data["score"]["lines"]
    assert all("factors" in t and "events" in t for t in data["turns"])


def test_text_output_has_a_line_per_turn_and_the_score(capsys):
    code, out, _ = run(capsys, SMALL, "--seed", "1", "--policy", "hold_sudzha_road", "--turns", "2")
    assert code == 0
    assert out.count("turn ") >= 2 and "score" in out


def test_orders_file_list_and_mapping(tmp_path, capsys):
    listing = tmp_path / "orders.yaml"
    listing.write_text("- {postures: {centre: fortify}, convoys: {night: 10}}\n- {convoys: {day: 5}}\n")
    code, out, err = run(capsys, SMALL, "--seed", "2", "--orders", str(listing), "--turns", "3")
    assert code == 0, err
    mapping = tmp_path / "orders.json"
    mapping.write_text(json.dumps({"1": {"netting": True}, "3": {"withdraw": True}}))
    code, out, err = run(capsys, SMALL, "--seed", "2", "--orders", str(mapping), "--json")
    assert code == 0, err
    assert json.loads(out)["turns"][2]["orders"]["withdraw"] is True


@pytest.mark.parametrize(
    "content, expected",
    [
        ("- {drones: {strike: lots}}\n", "turn 1: drones.strike"),
        ("- {}\n- {postures: {nowhere: hold}}\n", "turn 2: there is no sector 'nowhere'"),
        ("- {convoys: {day: 500}}\n", "turn 1: 500 trucks are ordered"),
        ("[unclosed\n", "not valid YAML"),
        ("42\n", "expected a list of per-turn orders"),
    ],
)
def test_bad_orders_file_is_a_clear_message(tmp_path, capsys, content, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    code, out, err = run(capsys, SMALL, "--seed", "1", "--orders", str(path))
    assert code == 1
    assert str(path) in err and expected in err
    assert "Traceback" not in err


def test_unknown_policy_lists_the_policies(capsys):
    code, _, err = run(capsys, SMALL, "--seed", "1", "--policy", "charge")
    assert code == 1
    assert "unknown policy 'charge'" in err and "hold_sudzha_road" in err
