"""The journal file: header checks, whole-line appends, torn tails, damage, foreign and newer files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from game.engine.orders import Orders
from game.engine.report import Casualties, Estimate, Intel, SupplyReport, TurnReport
from game.errors import SalientError
from game.record import paths
from game.record.canonical import sha256_hex
from game.record.format import FORMAT_VERSION
from game.record.journal import Journal, JournalError, load_journal, parse_journal_bytes
from game.scenario.load import load_scenario

FIXTURE = Path(__file__).parent / "fixtures" / "minimal.yaml"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(FIXTURE)


def fake_report(turn: int, ending: str | None = None) -> TurnReport:
    """A hand-made report: the journal does not care whether the engine made it."""
    return TurnReport(
        turn=turn,
        orders=Orders(postures={"north": "fortify"}),
        events=[],
        losses={"ua": Casualties(killed=turn * 1.5, wounded=2.25), "ru": Casualties(killed=10.0 / 3)},
        unit_strength={"ua_mech": 400 - turn * 3.75, "kpa_1": 900 - turn * 10.1},
        sector_holder={"north": "ua", "south": "ua", "outside": "ru"},
        place_holder={"town": "ua"},
        road_state={"road_1": "open"},
        fortification={"north": 0.1 * turn},
        area_held_sq_mi=80.0 - turn,
        supply=SupplyReport(trucks_sent=4, delivered_t=12.5, stocks={"ammunition_t": 90.0}),
        factors=[],
        ending=ending,
    )


def fake_intel(turn: int) -> Intel:
    e = Estimate(estimate=900.0, low=700.0, high=1100.0)
    return Intel(
        turn=turn,
        enemy_strength={"north": e},
        enemy_total=e,
        own_losses_last_turn=e,
        enemy_losses_last_turn=e,
        road_threat="high",
        notes=["fibre-optic drones near the road"],
    )


def write_game(path: Path, scenario, turns: int = 3, ending_on_last: bool = False) -> Journal:
    journal = Journal.create(path, scenario, str(FIXTURE), seed=7, trainee="Cadet Hrytsenko")
    for t in range(1, turns + 1):
        ending = "time" if ending_on_last and t == turns else None
        journal.append_turn(t, Orders(postures={"north": "fortify"}), fake_intel(t), None, fake_report(t, ending))
    return journal


def test_paths_follow_salient_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    assert paths.data_dir() == tmp_path / "home"
    assert paths.saves_dir().is_dir() and paths.logs_dir().is_dir()
    first = paths.new_save_path("kursk_2025", 42)
    assert (
        first.parent == paths.saves_dir()
        and first.name.startswith("kursk_2025-")
        and first.name.endswith("-seed42.jsonl")
    )
    first.write_text("x")
    second = paths.new_save_path("kursk_2025", 42)
    assert second != first and not second.exists()


def test_header_and_turns_round_trip(tmp_path, scenario):
    path = tmp_path / "game.jsonl"
    write_game(path, scenario, turns=3)
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["type"] == "header" and header["format"] == "salient-journal" and header["version"] == FORMAT_VERSION
    assert header["seed"] == 7 and header["trainee"] == "Cadet Hrytsenko" and header["scenario_id"] == "minimal"
    assert header["scenario_sha256"] == sha256_hex(header["scenario"])
    assert [json.loads(line)["type"] for line in lines[1:]] == ["turn"] * 3
    loaded = load_journal(path)
    assert loaded.intact and [t.turn for t in loaded.turns] == [1, 2, 3]
    assert loaded.turns[1].report == fake_report(2)
    assert loaded.turns[0].intel == fake_intel(1) and loaded.turns[0].forecast is None
    assert loaded.scenario == scenario


def test_no_temporary_files_left_and_existing_file_refused(tmp_path, scenario):
    path = tmp_path / "game.jsonl"
    write_game(path, scenario, turns=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["game.jsonl"]
    with pytest.raises(JournalError, match="already exists"):
        Journal.create(path, scenario, None, seed=1)
    Journal.create(path, scenario, None, seed=1, overwrite=True)
    assert load_journal(path).turns == []


def test_append_refuses_out_of_sequence_and_after_the_end(tmp_path, scenario):
    journal = write_game(tmp_path / "g.jsonl", scenario, turns=2)
    with pytest.raises(JournalError, match="expects turn 3"):
        journal.append_turn(5, Orders(), None, None, fake_report(5))
    journal.append_turn(3, Orders(), None, None, fake_report(3, "withdrawn"))
    with pytest.raises(JournalError, match="has ended"):
        journal.append_turn(4, Orders(), None, None, fake_report(4))


def test_every_cut_of_the_last_record_keeps_the_whole_turns(tmp_path, scenario):
    path = tmp_path / "g.jsonl"
    write_game(path, scenario, turns=3)
    data = path.read_bytes()
    last_start = data.rstrip(b"\n").rfind(b"\n") + 1
    for cut in range(last_start, len(data) + 1):
        loaded = parse_journal_bytes(data[:cut])
        whole = cut >= len(data) - 1  # only the newline missing: the record itself is whole
        assert [t.turn for t in loaded.turns] == ([1, 2, 3] if whole else [1, 2]), cut
        assert loaded.torn == (last_start < cut < len(data) - 1), cut
        assert not loaded.problems


def test_open_existing_truncates_a_torn_tail_and_keeps_the_bytes(tmp_path, scenario):
    path = tmp_path / "g.jsonl"
    write_game(path, scenario, turns=3)
    data = path.read_bytes()
    cut = len(data) - 40
    path.write_bytes(data[:cut])
    journal = Journal.open_existing(path)
    assert journal.next_turn == 3 and "cut short" in journal.recovered
    backup = tmp_path / "g.jsonl.torn"
    assert data[:cut].endswith(backup.read_bytes())
    journal.append_turn(3, Orders(), None, None, fake_report(3))
    loaded = load_journal(path)
    assert loaded.intact and [t.turn for t in loaded.turns] == [1, 2, 3]


def test_open_existing_adds_a_missing_final_newline(tmp_path, scenario):
    path = tmp_path / "g.jsonl"
    write_game(path, scenario, turns=2)
    whole = path.read_bytes()
    path.write_bytes(whole[:-1])
    journal = Journal.open_existing(path)
    assert journal.next_turn == 3 and journal.recovered == ""
    journal.append_turn(3, Orders(), None, None, fake_report(3))
    assert [t.turn for t in load_journal(path).turns] == [1, 2, 3]
    assert path.read_bytes().startswith(whole) and b"\n\n" not in path.read_bytes()


def test_nul_filled_tail_counts_as_torn(tmp_path, scenario):
    path = tmp_path / "g.jsonl"
    write_game(path, scenario, turns=2)
    path.write_bytes(path.read_bytes() + b"\x00" * 512)
    loaded = load_journal(path)
    assert loaded.torn and len(loaded.turns) == 2
    Journal.open_existing(path)
    assert load_journal(path).intact


def test_damage_in_the_middle_keeps_the_turns_before_it(tmp_path, scenario):
    path = tmp_path / "g.jsonl"
    write_game(path, scenario, turns=4)
    lines = path.read_bytes().split(b"\n")
    lines[3] = lines[3][:50] + b"#garbage#" + lines[3][60:]
    path.write_bytes(b"\n".join(lines))
    loaded = load_journal(path)
    assert [t.turn for t in loaded.turns] == [1, 2] and not loaded.torn
    assert "line 4" in loaded.problems[0] and "2 whole turn" in loaded.damage_note()
    with pytest.raises(JournalError, match="cannot continue"):
        Journal.open_existing(path)


def test_turn_out_of_sequence_is_a_problem(tmp_path, scenario):
    path = tmp_path / "g.jsonl"
    write_game(path, scenario, turns=3)
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], lines[1], lines[3], lines[2]]) + "\n")
    loaded = load_journal(path)
    assert [t.turn for t in loaded.turns] == [1] and "out of sequence" in loaded.problems[0]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"hello world\n", "not a Salient journal"),
        (b'{"type": "header", "format": "something-else", "version": 1}\n', "not a Salient journal"),
        (b"\x89PNG\r\n\x1a\n", "not a Salient journal"),
    ],
)
def test_foreign_files_are_refused(tmp_path, content, message):
    path = tmp_path / "x.jsonl"
    path.write_bytes(content)
    with pytest.raises(JournalError, match=message) as info:
        load_journal(path)
    assert isinstance(info.value, SalientError)


def test_newer_version_and_edited_scenario_are_refused(tmp_path, scenario):
    path = tmp_path / "g.jsonl"
    write_game(path, scenario, turns=1)
    lines = path.read_text().splitlines()
    header = json.loads(lines[0])
    newer = dict(header, version=FORMAT_VERSION + 1)
    path.write_text("\n".join([json.dumps(newer), *lines[1:]]) + "\n")
    with pytest.raises(JournalError, match="newer Salient"):
        load_journal(path)
    edited = dict(header)
    edited["scenario"] = dict(header["scenario"], instructor_notes="changed by hand")
    path.write_text("\n".join([json.dumps(edited), *lines[1:]]) + "\n")
    with pytest.raises(JournalError, match="does not match its recorded hash"):
        load_journal(path)


def test_scenario_that_no_longer_validates_is_a_clear_error(tmp_path, scenario):
    path = tmp_path / "g.jsonl"
    write_game(path, scenario, turns=2)
    lines = path.read_text().splitlines()
    header = json.loads(lines[0])
    header["scenario"]["meta"]["turns"] = 0  # what a stricter future model would refuse
    header["scenario_sha256"] = sha256_hex(header["scenario"])
    path.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n")
    loaded = load_journal(path)
    assert len(loaded.turns) == 2  # the records are still readable
    with pytest.raises(JournalError, match=r"no longer validates.*meta\.turns"):
        _ = loaded.scenario


def test_unknown_record_types_are_kept(tmp_path, scenario):
    path = tmp_path / "g.jsonl"
    journal = write_game(path, scenario, turns=1)
    journal.append_record("note", {"turn": 2, "action": "fire inject aid_halt"})
    journal.append_turn(2, Orders(), None, None, fake_report(2))
    loaded = load_journal(path)
    assert loaded.intact and len(loaded.turns) == 2
    assert loaded.others[0]["type"] == "note" and loaded.others[0]["action"] == "fire inject aid_halt"
    assert [r.type for r in loaded.unknown] == ["note"] and not loaded.interventions


LUCK_KEY = {"turns": 3, "replications": 10, "horizon": 1, "cases": [], "salient": "0", "scenario_sha256": "0" * 64}


@pytest.mark.parametrize(
    ("record", "payload"), [("branch-like note", {"value": 1}), ("luck", {"key": LUCK_KEY, "report": {}})]
)
def test_a_record_never_joins_a_line_cut_before_its_newline(tmp_path, scenario, record, payload):
    """`salient aar` and `branch` append to a journal they did not open for play: the cut newline must not
    make their record and the game's last turn one torn line."""
    path = tmp_path / "g.jsonl"
    write_game(path, scenario, turns=3, ending_on_last=True)
    path.write_bytes(path.read_bytes()[:-1])
    loaded = load_journal(path)
    assert loaded.missing_newline and loaded.finished
    writer = Journal(loaded.path, loaded.header, len(loaded.turns) + 1, len(loaded.branches), loaded.finished)
    writer.append_record(record, payload)
    again = load_journal(path)
    assert not again.torn and not again.problems
    assert [t.turn for t in again.turns] == [1, 2, 3] and again.finished
    assert [r["type"] for r in again.others] == [record]
    assert path.read_bytes().endswith(b"\n")


def test_a_line_longer_than_any_record_is_damage_not_a_memory_sink(tmp_path, scenario, monkeypatch):
    from game.record import journal as journal_module

    path = tmp_path / "g.jsonl"
    write_game(path, scenario, turns=2)
    whole = path.read_bytes()
    monkeypatch.setattr(journal_module, "MAX_LINE_BYTES", len(whole.splitlines()[0]) + 10)
    path.write_bytes(whole + b'{"type":"note","pad":"' + b"x" * (len(whole) + 100) + b'"}\n')
    loaded = load_journal(path)
    assert [t.turn for t in loaded.turns] == [1, 2]
    assert loaded.problems and "line 4" in loaded.problems[0] and "longer than any record" in loaded.problems[0]


def test_a_file_far_larger_than_any_save_is_refused_before_it_is_read(tmp_path, scenario, monkeypatch):
    from game.record import journal as journal_module

    path = tmp_path / "g.jsonl"
    write_game(path, scenario, turns=1)
    monkeypatch.setattr(journal_module, "MAX_JOURNAL_BYTES", 100)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the whole file was read"))
    with pytest.raises(JournalError, match=r"far larger than any saved game"):
        load_journal(path)
