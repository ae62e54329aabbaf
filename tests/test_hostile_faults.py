"""Faults of the machine rather than the files: a data folder that cannot be written, a full disk, a writer killed
midway. Each command gives one plain sentence and exit 1, keeps the old file whole, and leaves no temporary file
or empty file behind; what a killed writer leaves does not break the next run.

Each case runs `salient` in a subprocess. Tests may run as root, which ignores file permissions, so an unwritable
folder is made in ways root cannot get round too: a path under a regular file, and a folder under /sys.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from game.engine.policies import POLICIES
from game.record.journal import load_journal
from game.record.selfplay import play_journaled
from game.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "fixtures" / "minimal.yaml"
DRIVER = ROOT / "tests" / "hostile" / "headless.py"
TIMEOUT_S = 90
FULL_AT = 4096
"""Bytes a process may write to one file in the full-disk cases (every report here is larger)."""


@pytest.fixture
def save(tmp_path: Path) -> Path:
    path = tmp_path / "game.jsonl"
    play_journaled(load_scenario(MINIMAL), 5, path, POLICIES["hold"], scenario_path=str(MINIMAL))
    return path


def salient(
    args: list[str], home: Path, *, preexec: Callable[[], None] | None = None, driver: bool = False
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SALIENT_HOME": str(home), "OPENBLAS_NUM_THREADS": "1"}
    env.pop("SALIENT_DB", None)
    head = [sys.executable, str(DRIVER)] if driver else [sys.executable, "-m", "game.cli"]
    return subprocess.run(
        [*head, *args], env=env, capture_output=True, text=True, timeout=TIMEOUT_S, preexec_fn=preexec, check=False
    )


def one_plain_sentence(done: subprocess.CompletedProcess[str]) -> str:
    """Exit 1 and a single `salient: …` line on stderr, no traceback; the line."""
    text = done.stdout + done.stderr
    assert done.returncode == 1, text
    assert "Traceback" not in text, text
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("salient: "), text
    return lines[0]


# --- a data folder that cannot be written ------------------------------------------------------------------


def _under_a_file(tmp_path: Path) -> Path:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be\n", encoding="utf-8")
    return blocker / "salient"


def _under_sys(tmp_path: Path) -> Path:
    folder = Path("/sys/salient-hostile-test")
    try:
        folder.mkdir()
    except OSError:
        return folder
    folder.rmdir()
    pytest.skip("/sys can be written here, so it cannot stand for a read-only folder")


def _read_only(tmp_path: Path) -> Path:
    if os.geteuid() == 0:
        pytest.skip("root ignores folder permissions; the other two ways cover an unwritable folder")
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o500)
    return folder / "salient"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


UNWRITABLE = {"under_a_file": _under_a_file, "under_sys": _under_sys, "read_only": _read_only}

COMMANDS = {
    "run --trainee": ["run", str(MINIMAL), "--seed", "1", "--policy", "hold", "--trainee", "bob"],
    "class report": ["class", "report"],
    "class import": ["class", "import", "{save}"],
    "class games": ["class", "games"],
    "serve": ["serve", "--port", "{port}"],
    "run --save": ["run", str(MINIMAL), "--seed", "1", "--policy", "hold", "--save", "{home}/saves/new.jsonl"],
    "aar -o": ["aar", "{save}", "--no-luck", "-o", "{home}/review.md"],
    "class report -o": ["class", "report", "--db", "{db}", "-o", "{home}/report.md"],
}


@pytest.mark.parametrize("way", sorted(UNWRITABLE))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_unwritable_data_folder_is_one_plain_sentence(command: str, way: str, tmp_path: Path, save: Path) -> None:
    home = UNWRITABLE[way](tmp_path)
    db = tmp_path / "class.sqlite3"
    if command == "class report -o":
        assert (
            salient(["class", "import", str(save), "--db", str(db), "--forecast", "0"], tmp_path / "ok").returncode == 0
        )
    args = [a.format(save=save, home=home, db=db, port=_free_port()) for a in COMMANDS[command]]
    line = one_plain_sentence(salient(args, home))
    assert str(home) in line or str(home.parent) in line, line


# --- a full disk ---------------------------------------------------------------------------------------------


def _full_disk(limit: int = FULL_AT) -> None:
    """A file may not grow past `limit` bytes; the write fails with EFBIG, as on a full disk, instead of the
    signal that would kill the process."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def _no_room() -> None:
    """Not even a short log fits."""
    _full_disk(64)


def test_aar_to_a_full_disk_keeps_the_old_review(tmp_path: Path, save: Path) -> None:
    review = tmp_path / "out" / "review.md"
    review.parent.mkdir()
    review.write_text("# the review written yesterday\n", encoding="utf-8")
    line = one_plain_sentence(salient(["aar", str(save), "--no-luck", "-o", str(review)], tmp_path, preexec=_full_disk))
    assert "cannot write" in line and str(review) in line
    assert review.read_text(encoding="utf-8") == "# the review written yesterday\n"
    assert [p.name for p in review.parent.iterdir()] == ["review.md"]  # no .tmp, no empty file


def test_a_class_report_to_a_full_disk_leaves_nothing_behind(tmp_path: Path, save: Path) -> None:
    db = tmp_path / "class.sqlite3"
    assert salient(["class", "import", str(save), "--db", str(db), "--forecast", "0"], tmp_path).returncode == 0
    with closing(sqlite3.connect(db)) as conn:  # a reader of a WAL database writes its index file: not here
        conn.execute("PRAGMA journal_mode = DELETE")
    out = tmp_path / "out"
    out.mkdir()
    done = salient(
        ["class", "report", "--db", str(db), "-o", str(out / "r.html"), "--format", "html"],
        tmp_path,
        preexec=_full_disk,
    )
    assert "cannot write" in one_plain_sentence(done)
    assert list(out.iterdir()) == []


def test_a_new_game_on_a_full_disk_leaves_no_empty_save(tmp_path: Path) -> None:
    saves = tmp_path / "saves"
    saves.mkdir()
    args = ["run", str(MINIMAL), "--seed", "1", "--policy", "hold", "--save", str(saves / "g.jsonl")]
    line = one_plain_sentence(salient(args, tmp_path, preexec=_full_disk))
    assert "g.jsonl" in line
    assert list(saves.iterdir()) == []


CRASH = """
import sys
from game.commands.play import run_app
from game.tui.app import SalientApp

def boom(self):
    raise RuntimeError("a bug deep inside")

SalientApp.on_mount = boom
sys.exit(run_app(None, 1, "", headless=True))
"""


def test_a_crash_on_a_full_disk_does_not_ask_for_a_log_that_was_never_written(tmp_path: Path) -> None:
    env = {**os.environ, "SALIENT_HOME": str(tmp_path / "home"), "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", CRASH],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        preexec_fn=_no_room,
        check=False,
    )
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr, done.stderr
    assert "something went wrong inside Salient" in done.stderr
    assert "could not be written to a log file" in done.stderr
    assert "send the log file" not in done.stderr
    logs = tmp_path / "home" / "logs"
    assert not logs.exists() or list(logs.iterdir()) == []  # no empty crash log, no temporary file


def test_a_crash_with_room_on_the_disk_points_at_its_log(tmp_path: Path) -> None:
    """The same crash with room to write: the log exists, holds the traceback, and the message names it."""
    env = {**os.environ, "SALIENT_HOME": str(tmp_path / "home"), "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", CRASH], env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
    )
    assert done.returncode == 1, done.stderr
    [log] = (tmp_path / "home" / "logs").iterdir()
    assert "RuntimeError: a bug deep inside" in log.read_text(encoding="utf-8")
    assert str(log) in done.stderr and "send the log file" in done.stderr


# --- a writer killed midway ---------------------------------------------------------------------------------

KILLED = """
import os, signal, sys
from game.cli import main

def die(fd):
    os.kill(os.getpid(), signal.SIGKILL)  # killed after the header is written, before it is moved into place

os.fsync = die
main(sys.argv[1:])
"""


def test_a_header_write_killed_midway_does_not_break_the_next_run(tmp_path: Path, save: Path) -> None:
    home = tmp_path / "home"
    saves = home / "saves"
    saves.mkdir(parents=True)
    shutil.copyfile(save, saves / "other.jsonl")
    target = saves / "g.jsonl"
    run = ["run", str(MINIMAL), "--seed", "2", "--policy", "hold", "--save", str(target)]
    env = {**os.environ, "SALIENT_HOME": str(home), "OPENBLAS_NUM_THREADS": "1"}
    killed = subprocess.run(
        [sys.executable, "-c", KILLED, *run], env=env, capture_output=True, timeout=TIMEOUT_S, check=False
    )
    assert killed.returncode == -signal.SIGKILL
    stale = [p for p in saves.iterdir() if p.name.endswith(".tmp")]
    assert stale and not target.exists()  # what the kill left: a temporary file, no save

    from game.tui.files import find_saves

    assert [s.path.name for s in find_saves(saves)] == ["other.jsonl"]  # the title screen ignores it
    launch = salient(["play"], home, driver=True)
    assert launch.returncode == 0 and "Traceback" not in launch.stdout + launch.stderr, launch.stderr
    again = salient(run, home)
    assert again.returncode == 0, again.stderr
    loaded = load_journal(target)
    assert loaded.intact and loaded.finished and loaded.header.seed == 2
    aar = salient(["aar", str(target), "--no-luck", "--format", "json"], home)
    assert aar.returncode == 0 and json.loads(aar.stdout)


# --- salient serve on a port it cannot have -----------------------------------------------------------------


@pytest.mark.parametrize("how", ["used_port", "bad_host"])
def test_serve_refuses_a_port_it_cannot_have_in_one_sentence(how: str, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        args = ["serve", "--port", port] if how == "used_port" else ["serve", "--host", "no-such-host.invalid"]
        line = one_plain_sentence(salient(args, tmp_path / "home"))
    assert (port if how == "used_port" else "no-such-host.invalid") in line
