"""Scenario loading: every refusal is a ScenarioError placed at file:line:col with a plain-words message."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from game.errors import SalientError
from game.scenario import Scenario
from game.scenario.load import (
    MAX_SHOWN,
    Problem,
    ScenarioError,
    load_scenario,
    parse_scenario_bytes,
    parse_scenario_text,
)
from game.scenario.problems import Problem as FoundProblem
from game.scenario.yaml_safety import MAX_DEPTH, read_yaml

BROKEN = Path(__file__).parent / "broken"

# Each file in tests/broken/ is tests/fixtures/minimal.yaml with one textual change.
# (file, line, col, field path, part of the message) of the problem the change must produce.
CASES = [
    # the file itself
    ("empty.yaml", 1, 1, "", "the file is empty"),
    ("comments_only.yaml", 1, 1, "", "holds no YAML data"),
    ("binary.yaml", 183, 28, "", "NUL bytes"),
    ("not_utf8.yaml", 7, 32, "", "not valid UTF-8 text (byte 0xe9)"),
    # YAML
    ("syntax_error.yaml", 7, 17, "", "YAML syntax error: a `: ` appears where YAML does not expect a key"),
    ("unclosed_bracket.yaml", 113, 13, "", "the list `[` opened at line 112, column 15"),
    ("tab_indent.yaml", 10, 1, "", "tab character is used for indentation"),
    ("not_mapping.yaml", 2, 1, "", "top level must be a mapping of sections"),
    ("python_tag.yaml", 7, 10, "", "the tag `!!python/object/apply:os.system` is not allowed"),
    ("custom_tag.yaml", 183, 19, "", "the tag `!include` is not allowed"),
    ("alias_bomb.yaml", 183, 280, "", "expand to more than 100,000 values"),
    ("undefined_alias.yaml", 11, 16, "", "the alias `*player` has no anchor `&player`"),
    ("deep_nesting.yaml", 183, 68, "", f"nested more than {MAX_DEPTH} levels deep"),
    ("duplicate_key.yaml", 14, 3, "meta.turns", "duplicate key `turns` (first given at line 13, column 3)"),
    ("two_documents.yaml", 184, 1, "", "more than one YAML document"),
    # the models
    ("unknown_key.yaml", 26, 9, "sides.ua.units.ua_mech", "unknown field `strenght` (did you mean `strength`?)"),
    ("missing_key.yaml", 22, 9, "sides.ua.units.ua_mech", "missing required field `name`"),
    ("wrong_type.yaml", 26, 19, "sides.ua.units.ua_mech.strength", "must be a whole number (got `four hundred`)"),
    ("yes_is_text.yaml", 13, 10, "meta.turns", "must be a whole number (got `yes`)"),
    ("fraction_turns.yaml", 13, 10, "meta.turns", "whole number, not a fraction (got `6.5`)"),
    ("probability_out_of_range.yaml", 78, 12, "drone_types.fpv_radio.p_hit", "must be at most 1 (got `1.5`)"),
    ("nan.yaml", 77, 23, "drone_types.fpv_radio.p_reach_unjammed", "finite number, not NaN or infinity (got `.nan`)"),
    ("inf.yaml", 84, 15, "drone_types.fpv_fibre.reach_km", "finite number, not NaN or infinity (got `.inf`)"),
    ("bad_enum.yaml", 25, 15, "sides.ua.units.ua_mech.type", "must be one of infantry, assault_infantry,"),
    ("bad_enum_key.yaml", 136, 5, "supply.consumption_per_100.assualt", "did you mean `assault`?"),
    ("bad_id.yaml", 49, 13, "sides.ru.units.KPA-1.id", "`KPA-1` is not a valid id"),
    ("bad_date.yaml", 9, 9, "meta.date", "must be a date written YYYY-MM-DD (got `2025-13-01`)"),
    ("bad_effect_kind.yaml", 152, 16, "injects.aid_halt.effects[1].kind", "`kind` must be one of scale_rate,"),
    (
        "fibre_jammable.yaml",
        89,
        25,
        "drone_types.fpv_fibre.jam_susceptibility",
        "a fibre_optic drone cannot be jammed: jam_susceptibility must be 0",
    ),
    # cross-references, checked once everything else is valid
    (
        "unknown_sector.yaml",
        33,
        19,
        "sides.ua.units.ua_reserve.location",
        "unit 'ua_reserve' location names sector 'west', which does not exist",
    ),
    ("duplicate_id.yaml", 28, 13, "sides.ua.units.ua_mech.id", "unit id 'ua_mech' is used 2 times"),
    ("wrong_player_side.yaml", 143, 9, "opfor.side", "meta.player_side and opfor.side are the same side"),
    # injects held to the limits of the numbers they change
    (
        "inject_zero_substeps.yaml",
        151,
        34,
        "injects.aid_halt.effects[0].target",
        "when it fires, 'combat.substeps_per_turn' would become 0: input should be greater than or equal to 1",
    ),
    (
        "inject_count_overflow.yaml",
        151,
        36,
        "injects.aid_halt.effects[0].target",
        "'supply.convoys.trucks_available' would become 1e+301: input should be less than or equal to 10000000",
    ),
]


def _problems(path: Path) -> list[Problem]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return caught.value.problems


def test_minimal_fixture_is_valid(minimal_path: Path) -> None:
    scenario = load_scenario(minimal_path)
    assert isinstance(scenario, Scenario)
    assert scenario.meta.title == "Minimal bridgehead"
    assert scenario.drone_type("fpv_fibre").jam_susceptibility == 0.0


def test_every_broken_file_has_an_expectation() -> None:
    on_disk = {p.name for p in BROKEN.iterdir()}
    assert on_disk == {case[0] for case in CASES}


@pytest.mark.parametrize(("name", "line", "col", "field", "words"), CASES, ids=[c[0] for c in CASES])
def test_broken_file_is_refused_at_the_right_place(name: str, line: int, col: int, field: str, words: str) -> None:
    path = BROKEN / name
    problems = _problems(path)
    matching = [p for p in problems if words in p.message]
    assert matching, f"no problem says {words!r}: {problems}"
    problem = matching[0]
    assert (problem.path, problem.line, problem.col, problem.field) == (str(path), line, col, field)


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_message_has_one_positioned_line_per_problem(name: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BROKEN / name)
    error = caught.value
    assert isinstance(error, SalientError)
    lines = str(error).splitlines()
    assert len(lines) == len(error.problems)
    for text, problem in zip(lines, error.problems, strict=True):
        assert text.startswith(f"{BROKEN / name}:{problem.line}:{problem.col}: ")
        assert problem.line >= 1 and problem.col >= 1


# --- the file system -----------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path / "nope.yaml")
    assert str(problem) == f"{tmp_path / 'nope.yaml'}:1:1: no such file"


def test_directory(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path)
    assert "is a directory" in problem.message


def test_sixteen_megabytes_refused_without_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"key: value\n" * (16 * 1024 * 1024 // 11))
    monkeypatch.setattr(Path, "open", lambda *a, **k: pytest.fail("the file was opened"))
    (problem,) = _problems(big)
    assert "limited to 1.0 MB" in problem.message


def test_sixteen_megabytes_of_text_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    import game.scenario.yaml_safety as yaml_safety

    monkeypatch.setattr(yaml_safety, "YAML", lambda *a, **k: pytest.fail("the text was parsed"))
    with pytest.raises(ScenarioError, match=r"larger than 1\.0 MB"):
        parse_scenario_text("a: b\n" * (16 * 1024 * 1024 // 5))


def test_utf8_byte_order_mark_is_accepted(minimal_text: str) -> None:
    scenario = parse_scenario_bytes(b"\xef\xbb\xbf" + minimal_text.encode())
    assert scenario.meta.id == "minimal"


def test_utf16_is_named() -> None:
    with pytest.raises(ScenarioError, match="UTF-16"):
        parse_scenario_bytes("meta: x\n".encode("utf-16"))


# --- safety --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "snippet",
    [
        "title: !!python/object/apply:os.system ['touch /tmp/salient-pwned']",
        "title: !!python/name:os.system",
        "title: !!python/object/new:os.system [x]",
        "meta: !!python/object:builtins.dict {a: 1}",
        "!!python/name:os.system : key",
        "title: !!binary aGVsbG8=",
        "title: !!timestamp 2025-03-01",
        "title: !!set {a, b}",
        "title: !Ref other",
        "title: !<tag:example.com,2025:thing> x",
    ],
)
def test_tags_are_refused_with_position(snippet: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario_text(f"# first\n{snippet}\n", source="t.yaml")
    (problem,) = caught.value.problems
    assert problem.line == 2
    assert "is not allowed" in problem.message


def test_python_tag_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(ScenarioError):
        parse_scenario_text(f"a: !!python/object/apply:os.system ['touch {marker}']\n")
    assert not marker.exists()


def test_standard_tags_are_plain_data() -> None:
    doc = read_yaml("a: !!str 12\nb: !!int '7'\nc: !!float 2\nd: !!bool true\ne: !!null ~\nf: !!map {x: 1}\n")
    assert doc.data == {"a": "12", "b": 7, "c": 2.0, "d": True, "e": None, "f": {"x": 1}}


def test_wrongly_tagged_value_is_refused() -> None:
    with pytest.raises(ScenarioError, match="not a valid value for the tag `!!int`"):
        parse_scenario_text("a: !!int twelve\n")


def test_alias_bomb_is_refused_quickly() -> None:
    levels = ["l0: &l0 [" + ", ".join(["lol"] * 10) + "]"]
    levels += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 12)]
    with pytest.raises(ScenarioError, match="alias bomb"):
        parse_scenario_text("\n".join(levels) + "\n")


def test_self_referencing_alias_is_refused() -> None:
    with pytest.raises(ScenarioError, match="refers to a value that contains it"):
        parse_scenario_text("a: &loop [1, *loop]\n")


def test_deep_block_nesting_is_refused() -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5)) + "  " * (MAX_DEPTH + 5) + "v\n"
    with pytest.raises(ScenarioError, match="levels deep") as caught:
        parse_scenario_text(text)
    assert caught.value.problems[0].line == MAX_DEPTH + 1


def test_very_deep_flow_nesting_is_refused_where_it_passes_the_limit() -> None:
    """Refused at the first bracket past the limit, not after reading 200,000 levels (speed belongs to the
    benchmarks; where the reader stops shows that it stops early)."""
    with pytest.raises(ScenarioError, match="levels deep") as caught:
        parse_scenario_text("a: " + "[" * 200_000 + "]" * 200_000)
    problem = caught.value.problems[0]
    assert (problem.line, problem.col) == (1, len("a: ") + MAX_DEPTH)


def test_duplicate_key_in_flow_mapping() -> None:
    with pytest.raises(ScenarioError, match="duplicate key `x`") as caught:
        parse_scenario_text("a: {x: 1, x: 2}\n")
    assert (caught.value.problems[0].line, caught.value.problems[0].col) == (1, 11)


def test_collection_as_key_is_refused() -> None:
    with pytest.raises(ScenarioError, match="a key must be a plain word"):
        parse_scenario_text("? [a, b]\n: c\n")


def test_huge_integer_is_refused() -> None:
    with pytest.raises(ScenarioError, match="more than 100 digits"):
        parse_scenario_text("a: " + "9" * 5000 + "\n")


def test_control_character_is_refused_with_position() -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario_text("a: 1\nb: x\x07y\n")
    problem = caught.value.problems[0]
    assert (problem.line, problem.col) == (2, 5)
    assert "U+0007" in problem.message


# --- YAML 1.2 and friendly extras ----------------------------------------------------------------------------


def test_yaml_1_2_scalars() -> None:
    doc = read_yaml("a: yes\nb: no\nc: on\nd: 0x1F\ne: 0o17\nf: .nan\ng: -.inf\nh: 2025-03-01\ni: ~\nj: 010\n")
    data = doc.data
    assert data["a"] == "yes" and data["b"] == "no" and data["c"] == "on"
    assert data["d"] == 31 and data["e"] == 15 and data["j"] == 10
    assert data["f"] != data["f"] and data["g"] == float("-inf")
    assert data["h"] == "2025-03-01" and data["i"] is None


def test_norway_stays_text(minimal_text: str) -> None:
    scenario = parse_scenario_text(minimal_text.replace("name: Ukrainian grouping", "name: no"))
    assert scenario.sides[0].name == "no"


def test_merge_keys_share_defaults(minimal_text: str) -> None:
    text = minimal_text.replace(
        "      - id: ua_mech\n        name: Mechanised battalion\n        nationality: ua\n",
        "      - &ua_defaults\n        id: ua_mech\n        name: Mechanised battalion\n        nationality: ua\n",
    ).replace(
        "      - id: ua_reserve\n        name: Reserve company\n        nationality: ua\n",
        "      - <<: *ua_defaults\n        id: ua_reserve\n        name: Reserve company\n",
    )
    scenario = parse_scenario_text(text)
    reserve = scenario.sides[0].units[1]
    assert (reserve.id, reserve.nationality, reserve.strength, reserve.in_reserve) == ("ua_reserve", "ua", 120, True)


def test_error_inside_merged_defaults_points_at_the_defaults() -> None:
    doc = read_yaml("base: &b {kind: x, size: 3}\nitem:\n  <<: *b\n  name: y\n")
    assert doc.data["item"] == {"name": "y", "kind": "x", "size": 3}
    assert doc.spots[("item", "size")].value == (1, 26)
    assert doc.spots[("item", "name")].key == (4, 3)


def test_positions_of_keys_and_values() -> None:
    doc = read_yaml("# c\nmeta:\n  id: x\nlist:\n  - 1\n  - {a: 2}\n")
    assert doc.spots[("meta", "id")] == ((3, 3), (3, 7))
    assert doc.spots[("list", 1, "a")] == ((6, 6), (6, 9))
    assert doc.spots[("list", 0)].key is None


# --- mapping pydantic errors --------------------------------------------------------------------------------


def test_missing_section_is_reported_at_the_top(minimal_text: str) -> None:
    text = minimal_text.replace("opfor:\n  side: ru\n  main_effort: [north]\n", "")
    with pytest.raises(ScenarioError) as caught:
        parse_scenario_text(text, source="m.yaml")
    (problem,) = caught.value.problems
    assert str(problem) == "m.yaml:4:1: (top level): missing required field `opfor`"


def test_unknown_key_without_close_match_lists_known_fields(minimal_text: str) -> None:
    text = minimal_text.replace("  turns: 6\n", "  turns: 6\n  weather: rain\n")
    with pytest.raises(ScenarioError) as caught:
        parse_scenario_text(text)
    (problem,) = caught.value.problems
    assert (problem.line, problem.col, problem.field) == (14, 3, "meta")
    assert problem.message.startswith("unknown field `weather` (known fields: date, difficulty,")


def test_unknown_key_inside_an_effect_suggests_from_that_effect(minimal_text: str) -> None:
    text = minimal_text.replace("factor: 0.67}", "factr: 0.67}")
    with pytest.raises(ScenarioError) as caught:
        parse_scenario_text(text)
    messages = [p.message for p in caught.value.problems]
    assert "unknown field `factr` (did you mean `factor`?)" in messages
    assert "missing required field `factor`" in messages


def test_several_cross_references_become_several_problems(minimal_text: str) -> None:
    text = minimal_text.replace("        location: north", "        location: east").replace(
        "  border_place: border", "  border_place: nowhere"
    )
    with pytest.raises(ScenarioError) as caught:
        parse_scenario_text(text)
    where = [(p.line, p.col, p.field) for p in caught.value.problems]
    assert where == [(27, 19, "sides.ua.units.ua_mech.location"), (131, 17, "map.border_place")]


def test_list_items_without_id_use_indices(minimal_text: str) -> None:
    text = minimal_text.replace("      places: [hamlet]", "      places: [hamlet, 7]")
    with pytest.raises(ScenarioError) as caught:
        parse_scenario_text(text)
    assert caught.value.problems[0].field == "map.sectors.north.places[1]"


def test_long_lists_of_problems_are_cut(minimal_text: str) -> None:
    text = minimal_text + "".join(f"extra_{i}: 1\n" for i in range(MAX_SHOWN + 10))
    with pytest.raises(ScenarioError) as caught:
        parse_scenario_text(text)
    assert len(caught.value.problems) == MAX_SHOWN + 10
    assert str(caught.value).splitlines()[-1] == "... and 10 more problems"


def test_a_reference_problem_is_placed_by_its_path_whatever_it_says(
    minimal_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message may name other fields, ids or sections, or hold "; ": only its path says where it goes."""
    import game.scenario.load as load

    def two_problems(scenario: Scenario) -> Iterator[FoundProblem]:
        yield FoundProblem(("map", "sectors", 1, "holder"), "meta.player_side: unit 'kpa_1' names road 'road_1'; odd")
        yield FoundProblem(("sides", 1, "units", 0, "supplies"), "sector 'north' holder is lonely")  # not written

    monkeypatch.setattr(load, "reference_problems", two_problems)
    with pytest.raises(ScenarioError) as caught:
        parse_scenario_text(minimal_text)
    assert [(p.line, p.col, p.field, p.message) for p in caught.value.problems] == [
        (49, 9, "sides.ru.units.kpa_1", "sector 'north' holder is lonely"),
        (113, 15, "map.sectors.south.holder", "meta.player_side: unit 'kpa_1' names road 'road_1'; odd"),
    ]


# Each change breaks one cross-reference of the minimal scenario: (old text, new text, expected field of the problem).
REFERENCE_BREAKS = [
    ("        location: north", "        location: east", "sides.ua.units.ua_mech.location"),
    ("  border_place: border", "  border_place: nowhere", "map.border_place"),
    ("      adjacent: [south, outside]", "      adjacent: [south, nowhere]", "map.sectors.north.adjacent[1]"),
    ("      screens: [road_1]", "      screens: [road_9]", "map.sectors.north.screens[0]"),
    ("  main_effort: [north]", "  main_effort: [west]", "opfor.main_effort[0]"),
    ("  supply_route: [road_1]", "  supply_route: [road_9]", "map.supply_route[0]"),
    ("      from_place: border", "      from_place: nowhere", "map.roads.road_1.from_place"),
    ("    objective: fibre_lesson", "    objective: nothing", "teaching_moments.ew_wasted.objective"),
    ("kind: town, x: 50, y: 40, holder: ua}", "kind: town, x: 50, y: 40, holder: xx}", "map.places.town.holder"),
    (
        "  - field: sides.ru.units.kpa_1.capture_propensity",
        "  - field: sides.ru.units.kpa_9.capture_propensity",
        "provenance[0].field",
    ),
]


DRILL = (
    "drills:\n  - id: d_road\n    turn: 2\n    options:\n"
    "      - {id: hold_it, label: Hold, orders: {postures: {nowhere: hold}}}\n"
    "      - {id: leave_it, label: Leave}\n"
    "expert:\n  - drill: d_road\n    ranking: [leave_it, hold_it, leave_it]\n    rationale: Leave.\n"
)
REFERENCE_BREAKS += [
    ("      target: town\n", "      target: castle\n", "scoring.objectives.keep_town.target"),
    (
        "  learning_objectives:\n",
        "  learning_objectives:\n    - id: fibre_lesson\n      title: The same objective twice\n",
        "meta.learning_objectives.fibre_lesson.id",  # counted as a set before, so never reported
    ),
    ("instructor_notes:", DRILL + "instructor_notes:", "drills.d_road.options.hold_it.orders.postures.nowhere"),
    ("instructor_notes:", DRILL + "instructor_notes:", "expert[0].ranking[2]"),
    (
        "instructor_notes:",
        "assertions:\n  - {policy: hold, metric: objective_met, target: keep_bridge, between: [0.2, 0.9]}\n"
        "instructor_notes:",
        "assertions[0].target",
    ),
]


@pytest.mark.parametrize(("old", "new", "field"), REFERENCE_BREAKS, ids=[b[2] for b in REFERENCE_BREAKS])
def test_every_reference_problem_has_a_path_written_in_the_file(
    minimal_text: str, monkeypatch: pytest.MonkeyPatch, old: str, new: str, field: str
) -> None:
    """The checks name the exact place in the data, and rewording every message moves nothing."""
    import game.scenario.load as load
    from game.scenario.scenario import DEFER_REFERENCES, reference_problems

    assert minimal_text.count(old) == 1
    text = minimal_text.replace(old, new)
    doc = read_yaml(text)
    found = list(reference_problems(Scenario.model_validate(doc.data, context={DEFER_REFERENCES: True})))
    assert found and all(problem.path in doc.spots for problem in found), found
    with pytest.raises(ScenarioError) as caught:
        parse_scenario_text(text)
    placed = [(p.line, p.col, p.field) for p in caught.value.problems]
    assert field in [f for _, _, f in placed]

    def reworded(scenario: Scenario) -> Iterator[FoundProblem]:
        for problem in reference_problems(scenario):
            yield replace(problem, message="meta.player_side and opfor.side: sector 'south' names place 'town'")

    monkeypatch.setattr(load, "reference_problems", reworded)
    with pytest.raises(ScenarioError) as again:
        parse_scenario_text(text)
    assert [(p.line, p.col, p.field) for p in again.value.problems] == placed


def test_a_models_own_check_names_its_field_not_its_words(minimal_text: str) -> None:
    """`FieldProblem` says which field is wrong; the message may name any other field without moving it."""
    from game.scenario.problems import FieldProblem

    assert issubclass(FieldProblem, ValueError)
    text = minimal_text.replace(
        "      - id: ua_mech\n",
        "      - id: ua_mech\n        drone_vulnerability: 0.2\n        drone_vulnerability_floor: 0.5\n",
    )
    with pytest.raises(ScenarioError) as caught:
        parse_scenario_text(text, source="m.yaml")
    (problem,) = caught.value.problems
    assert (problem.line, problem.col, problem.field) == (24, 36, "sides.ua.units.ua_mech.drone_vulnerability_floor")
    assert problem.message == "drone_vulnerability_floor must not exceed drone_vulnerability"


def test_scenario_validated_without_the_loader_still_refuses_broken_references(minimal_text: str) -> None:
    doc = read_yaml(minimal_text.replace("        location: north", "        location: east"))
    with pytest.raises(ValueError, match="unit 'ua_mech' location names sector 'east', which does not exist"):
        Scenario.model_validate(doc.data)


def test_folded_block_text_reads_as_plain_words() -> None:
    """A `>` block folds its lines into spaces, with no stray control characters."""
    from game.scenario.yaml_safety import read_yaml

    doc = read_yaml('note: >-\n  first line\n  second line\nliteral: |\n  a\n  b\nquoted: "bell \\a kept"\n')
    assert doc.data["note"] == "first line second line"
    assert doc.data["literal"] == "a\nb\n"
    assert doc.data["quoted"] == "bell \a kept"


def test_an_id_written_as_a_key_is_pointed_at_the_key(minimal_text: str) -> None:
    text = minimal_text.replace("instructor_notes:", DRILL + "instructor_notes:")
    with pytest.raises(ScenarioError) as caught:
        parse_scenario_text(text)
    (problem,) = [p for p in caught.value.problems if "posture" in p.message]
    line = text.splitlines()[problem.line - 1]
    assert line[problem.col - 1 :].startswith("nowhere: hold")
    assert (
        problem.message
        == "drill 'd_road' option 'hold_it': orders give a posture to sector 'nowhere', which does not exist"
    )
