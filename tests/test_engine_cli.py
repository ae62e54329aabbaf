"""`salient run`: reproducible JSON, clear errors for bad orders files and unknown policies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from game.cli import main

ROOT = Path(__file__).resolve().parents[1]
SMALL = str(ROOT / "tests" / "fixtures" / "engine_small.yaml")
KURSK_PATH = str(ROOT / "scenarios" / "kursk-2025.yaml")


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
    [  # expected: what follows the file's name (line:column of the item or field, the turn, the field)
        ("- {drones: {strike: lots}}\n", ":1:21: turn 1: drones.strike"),
        ("- {}\n- {postures: {nowhere: hold}}\n", ":2:3: turn 2: there is no sector 'nowhere'"),
        ("- {convoys: {day: 500}}\n", ":1:3: turn 1: 500 trucks are ordered"),
        ("turns:\n  - {netting: true}\n  - {convoys: {day: 500}}\n", ":3:5: turn 2: 500 trucks are ordered"),
        ("1:\n  netting: true\n  bogus: 3\n", ":3:3: turn 1: bogus: Extra inputs"),
        ("1: {}\nsoon: {}\n", ":2:1: 'soon' is not a turn number"),
        ("turns:\n  1: {}\n  2: {postures: {nowhere: hold}}\n", ":3:6: turn 2: there is no sector 'nowhere'"),
        ("turns:\n  1: {}\n  soon: {}\n", ":3:3: 'soon' is not a turn number"),
        ("- 5\n", ":1:3: turn 1: expected a set of orders"),
        ("[unclosed\n", ":2:1: not valid YAML"),
        ("!!python/object:os.system {}\n", ":1:1: not valid YAML: the tag"),
        ("42\n", ":1:1: expected a list of per-turn orders"),
    ],
)
def test_bad_orders_file_is_a_clear_message(tmp_path, capsys, content, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    code, _out, err = run(capsys, SMALL, "--seed", "1", "--orders", str(path))
    assert code == 1
    assert f"{path}{expected}" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("deep.json", "[" * 100_000 + "]" * 100_000, ": not valid orders: values are nested far more than 50 levels"),
        ("deep.yaml", "a: " + "[" * 100_000 + "]" * 100_000, ":1:53: not valid YAML: values are nested more than 50"),
        ("huge.yaml", "# " + "x" * 2_000_000 + "\n", ": 2,000,003 bytes; an orders file is limited to 1.0 MB"),
    ],
)
def test_hostile_orders_files_are_refused_plainly(tmp_path, capsys, name, content, expected):
    path = tmp_path / name
    path.write_text(content)
    code, out, err = run(capsys, SMALL, "--seed", "1", "--orders", str(path))
    assert code == 1 and out == ""
    assert f"{path}{expected}" in err
    assert "Traceback" not in err


def test_standing_orders_are_traced_to_the_item_that_gave_them(tmp_path):
    from game.commands.run import OrdersFile

    path = tmp_path / "standing.yaml"
    path.write_text("1: {}\n4: {netting: true}\n")
    chooser = OrdersFile(path)
    assert chooser.describe(1) == f"{path}:1:4: turn 1"
    assert chooser.describe(3) == f"{path}:1:4: turn 3"  # turn 1's orders stand until turn 4
    assert chooser.describe(6) == f"{path}:2:4: turn 6"


def test_unknown_policy_lists_the_policies(capsys):
    code, _, err = run(capsys, SMALL, "--seed", "1", "--policy", "charge")
    assert code == 1
    assert "unknown policy 'charge'" in err and "hold_sudzha_road" in err


def test_run_help_names_every_built_in_policy(capsys):
    from game.commands.run import POLICY_NAMES
    from game.engine.policies import POLICIES

    assert set(POLICY_NAMES) == set(POLICIES)
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert all(name in shown for name in POLICIES)


def test_a_posture_for_a_sector_since_lost_stands_as_in_play(tmp_path, capsys):
    """An orders file's postures stand for the turns after, as a trainee's do: once a named sector falls its
    posture is dropped (as in play), instead of the run stopping with 'no longer held'."""
    orders = tmp_path / "stand.yaml"
    orders.write_text("- {postures: {north: hold, south: hold, sudzha: hold, west: hold, east: hold}}\n")
    code, out, err = run(capsys, KURSK_PATH, "--seed", "0", "--orders", str(orders), "--json")
    assert code == 0, err
    turns = json.loads(out)["turns"]
    lost = [t for t in turns if t["sector_holder"]["north"] != "ua"]
    assert lost, "the north must fall in this game for the test to mean anything"
    later = [t for t in turns if t["turn"] > lost[0]["turn"]]
    assert later and all("north" not in t["orders"]["postures"] for t in later)
