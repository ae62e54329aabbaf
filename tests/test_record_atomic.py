"""Files replaced whole or not at all: a full disk or a failure midway keeps the old file and leaves no
temporary file behind (reports, schemas, journal headers, the pending list, crash logs)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from game.cli import main
from game.record import atomic
from game.record.atomic import write_atomic
from game.tui.crash import crash_message


def _disk_full(*_args: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_file_is_replaced_whole_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old report\n")
    assert write_atomic(target, "new report\r\n") == target
    assert target.read_bytes() == b"new report\r\n"  # written exactly as given
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_a_full_disk_keeps_the_old_file_and_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.md"
    target.write_text("old report\n")
    monkeypatch.setattr(atomic.os, "fsync", _disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, "x" * 100_000)
    assert target.read_text() == "old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_the_schema_command_on_a_full_disk_is_a_plain_error_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "scenario.schema.json"
    target.write_text("{}\n")
    monkeypatch.setattr(atomic.os, "fsync", _disk_full)
    assert main(["schema", "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert f"cannot write {target}: No space left on device" in err and "Traceback" not in err
    assert target.read_text() == "{}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_a_crash_without_a_log_does_not_ask_for_the_log(tmp_path: Path) -> None:
    save = tmp_path / "game.jsonl"
    without = crash_message(None, save)
    assert "could not be written to a log file" in without and "send the log file" not in without
    assert f"salient play --load {save}" in without
    with_log = crash_message(tmp_path / "crash.log", save)
    assert "send the log file" in with_log


def test_a_crash_log_on_a_full_disk_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from game.tui.crash import write_crash_log

    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(atomic.os, "fsync", _disk_full)
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        assert write_crash_log(error, "testing") is None
    logs = [p for p in (tmp_path / "home").rglob("*") if p.is_file()]
    assert logs == []  # no 0-byte crash log, no temporary file


def test_schema_written_for_real_matches_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "s.json"
    assert main(["schema", "-o", str(target)]) == 0
    capsys.readouterr()
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == target.read_text()
    assert os.listdir(tmp_path) == ["s.json"]


def test_a_replaced_file_gets_the_permissions_a_plain_open_gives(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = write_atomic(tmp_path / "report.md", "text\n")
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o644  # not the temporary file's 0600


def test_a_killed_writers_temporary_file_is_removed_by_the_next_write(tmp_path: Path) -> None:
    """kill -9 mid-write leaves `.NAME.xxxx.tmp`; the next write of NAME removes it once it is plainly stale,
    and leaves alone a fresh one (a writer still at work) and the temporaries of other files."""
    target = tmp_path / "game [1].jsonl"  # glob characters in the name are taken literally
    stale = tmp_path / ".game [1].jsonl.k1ll3d.tmp"
    fresh = tmp_path / ".game [1].jsonl.busy.tmp"
    other = tmp_path / ".other.jsonl.k1ll3d.tmp"
    for path in (stale, fresh, other):
        path.write_bytes(b'{"type": "header"')
    old = os.path.getmtime(stale) - atomic.STALE_SECONDS - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    write_atomic(target, "whole\n")
    assert target.read_text() == "whole\n"
    assert not stale.exists() and fresh.exists() and other.exists()
