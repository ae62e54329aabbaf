"""Every journal record is a typed model: what Salient writes validates, junk is refused by line and field in
every command that reads a save, and records of unknown types are kept as written and ignored."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from game.classroom.drills import DrillAnswer, journal_answer
from game.classroom.umpire import Umpire
from game.cli import main
from game.engine.game import Game
from game.engine.policies import POLICIES
from game.record.branch import branch_from_journal, store_branch
from game.record.format import JournalError
from game.record.journal import Journal, load_journal
from game.record.records import (
    BranchRecord,
    DraftRecord,
    DrillRecord,
    Header,
    Intervention,
    LuckRecord,
    OtherRecord,
    RecordError,
    TurnRecord,
    parse_record,
)
from game.scenario import Scenario
from game.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"
LUCK_KEY = {
    "turns": 3,
    "replications": 10,
    "horizon": 1,
    "cases": ["hold"],
    "salient": "0",
    "scenario_sha256": "0" * 64,
}


@pytest.fixture(scope="module")
def tutorial() -> Scenario:
    return load_scenario(TUTORIAL)


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory, tutorial: Scenario) -> tuple[Path, dict[str, Any]]:
    """A three-turn game with one record of every type Salient writes, and a valid branch record (not stored)."""
    path = tmp_path_factory.mktemp("saves") / "game.jsonl"
    game = Game(tutorial, 11)
    journal = Journal.create(path, tutorial, str(TUTORIAL), 11, "Ana")
    umpire = Umpire(game, journal)
    for turn in range(1, 4):
        if turn == 2:
            umpire.intervene("change_stock", "fuel_t", -2.0, "a leaking tank")
            answer = DrillAnswer(
                drill="d1",
                turn=2,
                rationale="the road matters most",
                ranking=["a", "b"],
                chosen="a",
                estimate=0.3,
                question="Will the road be cut?",
                metric="p_road_cut",
                model_p=0.25,
                started="2025-01-01T00:00:00Z",
                elapsed_s=12.5,
                time_limit_s=60,
                late=False,
            )
            journal_answer(journal, answer)
        orders = POLICIES["hold"](game)
        journal.append_turn(turn, orders, game.intel(), None, game.play(orders))
    journal.append_record("luck", {"key": LUCK_KEY, "report": {}})
    journal.append_record("draft", {"turn": 4, "orders": game.default_orders().model_dump(mode="json")})
    branch = branch_from_journal(load_journal(path), 2, policy="hold", max_turns=1)
    return path, branch.record


def test_every_record_salient_writes_validates_as_its_type(played: tuple[Path, dict[str, Any]]) -> None:
    path, branch = played
    loaded = load_journal(path)
    assert loaded.intact
    assert isinstance(loaded.header, Header) and loaded.header.seed == 11 and loaded.header.trainee == "Ana"
    assert [type(t) for t in loaded.turns] == [TurnRecord] * 3
    assert [type(r) for r in loaded.records] == [Intervention, DrillRecord, LuckRecord, DraftRecord]
    (iv,) = loaded.interventions
    assert (iv.kind, iv.target, iv.value, iv.turn, iv.seq) == ("change_stock", "fuel_t", -2.0, 2, 1)
    (drill,) = loaded.drills
    assert drill.estimate is not None and drill.estimate.p == 0.3 and not drill.imposed
    assert loaded.drills_put() == {"d1": 2}
    assert loaded.luck[0].key.cases == ["hold"]
    assert loaded.drafts[0].turn == 4
    record = parse_record(branch)
    assert isinstance(record, BranchRecord) and record.from_turn == 2 and len(record.turns) == 1
    assert record.turns[0].raw == branch["turns"][0]  # replay compares the JSON as written


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (
            {"type": "drill", "drill": "d1", "turn": "soon"},
            "the drill record, field turn: Input should be a valid integer",
        ),
        ({"type": "drill", "drill": "d1", "turn": 2, "estimate": {"metric": "p_road_cut", "p": 7}}, "field estimate.p"),
        ({"type": "drill", "drill": "d1", "turn": 2, "ranking": ["x"] * 101}, "field ranking"),
        ({"type": "umpire", "kind": "set_stock", "target": "fuel_t", "value": float("inf"), "reason": "r"}, "value"),
        ({"type": "umpire", "kind": "set_stock", "target": "fuel_t", "value": 1, "reason": " "}, "needs a reason"),
        ({"type": "umpire", "kind": "teleport", "target": "x", "reason": "r"}, "field kind"),
        ({"type": "luck", "key": {**LUCK_KEY, "replications": -1}, "report": {}}, "field key.replications"),
        ({"type": "draft", "turn": 2, "orders": {"postures": {"north": "run"}}}, "field orders.postures.north"),
        ({"type": "branch", "id": "b1", "from_turn": 1, "turns": [], "notes": 5}, "the branch record, field notes"),
        ({"type": "branch", "id": "b1", "from_turn": 1, "turns": [], "notes": ["x" * 20_001]}, "field notes.0"),
        ({"type": "turn", "turn": -3}, "the record of turn -3, field turn"),
    ],
)
def test_junk_records_are_refused_naming_the_field(raw: dict[str, Any], words: str) -> None:
    with pytest.raises(RecordError) as caught:
        parse_record(raw)
    assert words in str(caught.value)


def test_an_unknown_type_is_kept_as_written() -> None:
    raw = {"type": "note", "text": "from a later Salient", "numbers": [1, 2.5]}
    record = parse_record(raw)
    assert isinstance(record, OtherRecord) and record.type == "note" and record.raw is raw


def _with_lines(played: tuple[Path, dict[str, Any]], folder: Path, edit: str) -> Path:
    """A copy of the played save with one kind of junk in it."""
    source, branch = played
    path = folder / "junk.jsonl"
    lines = source.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    if edit == "negative seed":
        header["seed"] = -1
    elif edit == "branch notes 5":
        lines.insert(3, json.dumps({**branch, "notes": 5}))
    elif edit == "junk drill":
        lines.insert(3, json.dumps({"type": "drill", "drill": "d1", "turn": "soon"}))
    elif edit == "junk umpire":
        lines.insert(3, '{"type": "umpire", "kind": "set_stock", "target": "fuel_t", "value": 1e999, "reason": "r"}')
    path.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n", encoding="utf-8")
    return path


JUNK = {
    "negative seed": ("line 1", "field seed"),
    "branch notes 5": ("line 4", "field notes"),
    "junk drill": ("line 4", "field turn"),
    "junk umpire": ("line 4", "field value"),
}


@pytest.mark.parametrize("edit", sorted(JUNK))
@pytest.mark.parametrize("command", ["aar", "branch", "play", "class import"])
def test_every_command_refuses_a_junk_record_by_file_line_and_field(
    played: tuple[Path, dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    edit: str,
) -> None:
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    path = _with_lines(played, tmp_path, edit)
    before = path.read_bytes()
    argv = {
        "aar": ["aar", str(path), "--no-luck"],
        "branch": ["branch", str(path), "--turn", "1", "--policy", "hold"],
        "play": ["play", "--load", str(path)],
        "class import": ["class", "import", str(path), "--db", str(tmp_path / "class.sqlite3")],
    }[command]
    assert main(argv) == 1
    err = capsys.readouterr().err
    line, field = JUNK[edit]
    assert str(path) in err and line in err and field in err, err
    assert "Traceback" not in err
    assert path.read_bytes() == before


def test_the_title_screen_lists_a_junk_save_without_failing(
    played: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    from game.tui.files import find_saves

    for edit in JUNK:
        folder = tmp_path / edit.replace(" ", "-")
        folder.mkdir()
        _with_lines(played, folder, edit)
        shutil.copy(played[0], folder / "good.jsonl")
        labels = sorted(s.label for s in find_saves(folder))
        assert len(labels) == 2 and any("seed 11 · turn 4 next · Ana" in label for label in labels), labels
        junk = next(label for label in labels if label.startswith("junk.jsonl") or "damaged" in label)
        assert ("cannot be read" in junk and "seed" in junk) if edit == "negative seed" else "damaged" in junk


def test_an_unknown_record_survives_a_stored_branch_and_is_ignored_by_replay(
    played: tuple[Path, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "note.jsonl"
    note = '{"type":"note",  "text":"kept \\u00e9 as written", "n": 1.50}\n'
    path.write_bytes(played[0].read_bytes() + note.encode())
    loaded = load_journal(path)
    assert loaded.intact and [r.type for r in loaded.unknown] == ["note"]
    store_branch(loaded, branch_from_journal(loaded, 3, policy="hold", max_turns=1))
    data = path.read_bytes()
    assert data.startswith(played[0].read_bytes() + note.encode())  # the note's bytes are untouched
    again = load_journal(path)
    assert again.intact and len(again.branches) == 1 and again.unknown[0].raw["n"] == 1.5
    assert main(["aar", str(path), "--no-luck"]) == 0  # replay and review read past it


def test_the_writer_refuses_a_record_readers_would_refuse(played: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    path = tmp_path / "w.jsonl"
    shutil.copy(played[0], path)
    before = path.read_bytes()
    journal = Journal.open_existing(path)
    with pytest.raises(JournalError, match="field turn"):
        journal.append_record("drill", {"drill": "d1", "turn": 0})
    with pytest.raises(JournalError, match="field notes"):
        journal.append_branch({**played[1], "notes": "not a list"})
    assert path.read_bytes() == before
