"""The instructor key: made once and kept private, journals signed and checked, dice only the key can replay,
and a trainee's save that holds nothing the trainee may not see. Without a key nothing changes."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from game.cli import main
from game.engine.game import Game
from game.record.canonical import to_jsonable
from game.record.journal import Journal, load_journal, replay
from game.record.selfplay import play_journaled
from game.record.signing import games_dir, key_path, load_key
from game.scenario import Scenario
from game.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"
KURSK = ROOT / "scenarios" / "kursk-2025.yaml"


def defaults(game: Game):  # type: ignore[no-untyped-def]
    return game.default_orders()


@pytest.fixture
def instructor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An instructor's data directory with a key in it (this test's SALIENT_HOME)."""
    home = tmp_path / "instructor-home"
    monkeypatch.setenv("SALIENT_HOME", str(home))
    assert main(["class", "init"]) == 0
    return home


def tutorial(turns: int = 4) -> Scenario:
    data = load_scenario(TUTORIAL).model_dump(mode="json")
    data["meta"]["turns"] = turns
    return Scenario.model_validate(data)


def salient(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command line in its own process, as a user types it."""
    env = {**os.environ, "SALIENT_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-c", "import sys; from game.cli import main; sys.exit(main(sys.argv[1:]))", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


# --- salient class init ------------------------------------------------------------------------------


def test_class_init_makes_a_private_key_and_never_replaces_it_silently(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    assert main(["class", "init"]) == 0
    path = key_path()
    assert path.parent == tmp_path / "home" / "instructor"
    first = path.read_bytes()
    assert len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    capsys.readouterr()

    assert main(["class", "init"]) == 0
    out = capsys.readouterr()
    assert "already exists" in out.out and "--force" in out.err
    assert path.read_bytes() == first

    assert main(["class", "init", "--force"]) == 0
    out = capsys.readouterr()
    assert "warning" in out.err and "replaced" in out.err
    assert path.read_bytes() != first and len(path.read_bytes()) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_damaged_key_is_named_and_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    key_path().parent.mkdir(parents=True)
    key_path().write_bytes(b"short")
    result = salient(tmp_path / "home", "class", "init")
    assert result.returncode == 1
    assert str(key_path()) in result.stderr and "Traceback" not in result.stderr


# --- without a key: as before ------------------------------------------------------------------------


def test_without_a_key_saves_are_unsigned_and_the_dice_are_the_seeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    save = tmp_path / "g.jsonl"
    game = play_journaled(tutorial(), 11, save, defaults)
    assert b'"sig"' not in save.read_bytes() and b"instructor_copy" not in save.read_bytes()
    assert not (tmp_path / "home" / "instructor").exists()
    plain = Game(tutorial(), 11)
    for report in game.history:
        assert to_jsonable(plain.play(defaults(plain))) == to_jsonable(report)
    loaded = load_journal(save)
    assert loaded.intact and loaded.signed_by == "" and loaded.trainee_copy is None


# --- signatures --------------------------------------------------------------------------------------


def test_a_signed_save_verifies_and_replays_bit_for_bit(instructor: Path, tmp_path: Path) -> None:
    save = tmp_path / "g.jsonl"
    game = play_journaled(tutorial(), 11, save, defaults)
    key = load_key()
    assert key is not None
    for path in (save, *games_dir().iterdir()):
        lines = path.read_bytes().splitlines()
        assert all(re.search(rb',"sig":"' + key.id.encode() + rb'\.[0-9a-f]{64}"\}$', line) for line in lines)
    loaded = load_journal(save)
    assert loaded.intact and loaded.signed_by == key.id and loaded.forged == ""
    again = replay(loaded)  # checks every turn against the record
    assert [to_jsonable(r) for r in again.history] == [to_jsonable(r) for r in game.history]


def _edit_line(path: Path, number: int, old: bytes, new: bytes) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    assert old in lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    path.write_bytes(b"".join(lines))


def _full_record() -> Path:
    (full,) = games_dir().iterdir()
    return full


@pytest.mark.parametrize("where", ["trainee's save", "instructor's record"])
def test_an_edited_turn_is_named_by_file_and_line(instructor: Path, tmp_path: Path, where: str) -> None:
    save = tmp_path / "g.jsonl"
    play_journaled(tutorial(), 11, save, defaults)
    target = save if where == "trainee's save" else _full_record()
    _edit_line(target, 3, b'"turn":2', b'"turn":2,"note":"x"')
    for command in (["aar", str(save), "--no-luck"], ["class", "import", str(save), "--forecast", "0"]):
        result = salient(instructor, *command, *(["--db", str(tmp_path / "c.db")] if command[0] == "class" else []))
        assert result.returncode == 1, result.stderr
        assert f"line 3 of {target}" in result.stderr and "signature does not match" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_removed_record_breaks_the_chain_where_it_was(instructor: Path, tmp_path: Path) -> None:
    save = tmp_path / "g.jsonl"
    play_journaled(tutorial(), 11, save, defaults)
    full = _full_record()
    lines = full.read_bytes().splitlines(keepends=True)
    full.write_bytes(b"".join(lines[:2] + lines[3:]))  # turn 2 gone
    result = salient(instructor, "aar", str(save), "--no-luck")
    assert result.returncode == 1
    assert f"line 3 of {full}" in result.stderr and "one before it was removed" in result.stderr
    assert "Traceback" not in result.stderr


def test_signatures_stripped_by_hand_are_refused(instructor: Path, tmp_path: Path) -> None:
    save = tmp_path / "g.jsonl"
    play_journaled(tutorial(), 11, save, defaults)
    full = _full_record()
    full.write_bytes(re.sub(rb',"sig":"[^"]*"\}', b"}", full.read_bytes()))
    result = salient(instructor, "aar", str(full), "--no-luck")
    assert result.returncode == 1
    assert f"line 1 of {full} is not signed" in result.stderr and "Traceback" not in result.stderr


def test_a_forged_luck_analysis_is_never_trusted(instructor: Path, tmp_path: Path) -> None:
    save = tmp_path / "g.jsonl"
    play_journaled(tutorial(), 11, save, defaults)
    assert main(["aar", str(save), "--cache", "--replications", "20", "-o", str(tmp_path / "a.md")]) == 0
    full = _full_record()
    assert b'"type":"luck"' in full.read_bytes() and b'"type":"luck"' not in save.read_bytes()
    number = next(i for i, line in enumerate(full.read_bytes().splitlines(), 1) if b'"type":"luck"' in line)
    verdict = re.search(rb'"verdict":"([^"]*)"\},"sig"', full.read_bytes().splitlines()[number - 1])
    assert verdict is not None
    _edit_line(
        full, number, b'"verdict":"' + verdict.group(1) + b'"}', b'"verdict":"good judgement, but unlucky (FORGED)"}'
    )

    refused = salient(instructor, "aar", str(save), "--replications", "20")
    assert refused.returncode == 1 and f"line {number} of {full}" in refused.stderr
    assert "FORGED" not in refused.stdout and "Traceback" not in refused.stderr
    recomputed = salient(instructor, "aar", str(save), "--replications", "20", "--partial")
    assert recomputed.returncode == 0, recomputed.stderr
    assert "FORGED" not in recomputed.stdout and "Luck" in recomputed.stdout


# --- secret dice -------------------------------------------------------------------------------------


def test_a_trainee_without_the_key_cannot_preview_the_dice(instructor: Path, tmp_path: Path) -> None:
    trainee = tmp_path / "trainee-home"
    save = tmp_path / "g.jsonl"
    args = ("run", str(TUTORIAL), "--seed", "11", "--policy", "hold", "--json")
    first = salient(instructor, *args, "--save", str(save))
    second = salient(instructor, *args)
    theirs = salient(trainee, *args)
    assert first.returncode == second.returncode == theirs.returncode == 0
    assert first.stdout == second.stdout  # the key holder replays bit for bit
    assert json.loads(theirs.stdout) != json.loads(first.stdout)  # the same seed without the key: other dice

    branch = salient(trainee, "branch", str(save), "--turn", "2", "--policy", "hold", "--dry-run")
    assert branch.returncode == 1 and "Traceback" not in branch.stderr
    assert str(save) in branch.stderr and "instructor key" in branch.stderr
    ours = salient(instructor, "branch", str(save), "--turn", "2", "--policy", "delay_withdraw", "--dry-run")
    assert ours.returncode == 0, ours.stderr


# --- the trainee's copy ------------------------------------------------------------------------------


def test_the_trainees_save_holds_no_ground_truth(instructor: Path, tmp_path: Path) -> None:
    kursk = load_scenario(KURSK)
    save = tmp_path / "g.jsonl"
    play_journaled(kursk, 3, save, defaults, max_turns=2)
    text = save.read_text(encoding="utf-8")
    full = _full_record().read_text(encoding="utf-8")
    notes = kursk.instructor_notes.split()[:8]
    rationale = kursk.expert[0].rationale.split()[:8]
    enemy_units = [u.id for s in kursk.sides if s.id != kursk.meta.player_side for u in s.units]
    assert " ".join(notes) in " ".join(full.split()) and " ".join(rationale) in " ".join(full.split())
    assert " ".join(notes) not in " ".join(text.split())
    assert " ".join(rationale) not in " ".join(text.split())
    turns = [json.loads(line) for line in text.splitlines() if '"type":"turn"' in line]
    assert len(turns) == 2
    for turn in turns:
        assert not set(turn["report"]["unit_strength"]) & set(enemy_units)
        assert set(turn["report"]["losses"]) == {kursk.meta.player_side}
        assert all(e["visible_to"] == "trainee" for e in turn["report"]["events"])
        assert turn["intel"] is not None or turn["intel"] is None  # what the trainee was shown stays
        assert turn["orders"]
    full_turn = next(json.loads(line) for line in full.splitlines() if '"type":"turn"' in line)
    assert set(full_turn["report"]["unit_strength"]) & set(enemy_units)


def test_a_game_continues_from_the_trainees_save_through_the_full_record(instructor: Path, tmp_path: Path) -> None:
    save = tmp_path / "g.jsonl"
    play_journaled(tutorial(6), 11, save, defaults, max_turns=2)
    journal = Journal.open_existing(save)
    assert journal.full == _full_record() and journal.loaded is not None
    game = replay(journal.loaded)
    orders = defaults(game)
    journal.append_turn(game.turn, orders, game.intel(), None, game.play(orders))
    loaded = load_journal(save)
    assert loaded.intact and len(loaded.turns) == 3 and loaded.trainee_copy == save
    assert sum('"type":"turn"' in line for line in save.read_text().splitlines()) == 3


def test_the_trainees_copy_is_rebuilt_from_the_full_record_when_the_game_is_continued(
    instructor: Path, tmp_path: Path
) -> None:
    """Cutting the last turn off the copy (to play it again) changes nothing: the full record decides."""
    save = tmp_path / "g.jsonl"
    play_journaled(tutorial(6), 11, save, defaults, max_turns=3)
    lines = save.read_bytes().splitlines(keepends=True)
    save.write_bytes(b"".join(lines[:-1]))
    journal = Journal.open_existing(save)
    assert journal.next_turn == 4
    assert sum(b'"type":"turn"' in line for line in save.read_bytes().splitlines()) == 3


def test_the_trainees_review_shows_only_what_the_trainee_may_see(instructor: Path, tmp_path: Path) -> None:
    from game.debrief.aar import build_aar
    from game.debrief.render_md import render_markdown
    from game.debrief.trainee_view import for_trainee

    kursk = load_scenario(KURSK)
    save = tmp_path / "g.jsonl"
    play_journaled(kursk, 3, save, defaults, max_turns=3)
    loaded = load_journal(save)
    full = build_aar(loaded)
    theirs = for_trainee(full, loaded.scenario)
    enemy = kursk.opfor.side
    assert any(c.entity == enemy for c in full.series) and not any(c.entity == enemy for c in theirs.series)
    assert any(d.truth for d in full.decisions) and not any(d.truth for d in theirs.decisions)
    assert any("enemy losses" in line for line in full.happened)
    text = render_markdown(theirs)
    assert re.search(r"enemy losses [0-9]", render_markdown(full)) and not re.search(r"enemy losses [0-9]", text)
    for d in theirs.decisions:
        assert enemy not in d.report.losses and all(e.visible_to == "trainee" for e in d.report.events)
    assert all(t.visible_to == "trainee" for t in theirs.timeline)
    assert theirs.score == full.score  # the trainee's own result is theirs to see
