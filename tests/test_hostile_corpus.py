"""The hostile corpus (tests/hostile/): every command on every hostile file, each in its own process.

What a hostile scenario, save, orders file or class database may do to Salient: make a command fail with exit 1
and a plain message naming the file. What it may not: a traceback, another exit code, a raw terminal escape on
the screen or in a written report, a run past the time limit or the memory limit, or a change to any other save
in the saves folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "hostile"))

from build import HOSTILE_NAME, build_all
from manifest import CASES, COMMANDS, HEADLESS, READ_ONLY, Case

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "fixtures" / "minimal.yaml"
KURSK = ROOT / "scenarios" / "kursk-2025.yaml"
ORDERS = ROOT / "tests" / "fixtures" / "orders" / "orders_once.yaml"
DRIVER = ROOT / "tests" / "hostile" / "headless.py"
TIMEOUT_S = 90
"""Wall-clock limit of one step (generous: the machine running the tests may be loaded)."""
MEMORY_BYTES = 1536 * 1024 * 1024
"""Address-space limit of one step (1.5 GB)."""
RAW_ESCAPE = re.compile("[\x1b\x9b\u202a-\u202e\u2066-\u2069]")
"""ESC, CSI and the bidi overrides: none may reach the terminal or a written report."""


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The generated part of the corpus (journals, orders files, databases), made once per test session."""
    folder = tmp_path_factory.mktemp("hostile")
    old = os.environ.get("SALIENT_HOME")
    os.environ["SALIENT_HOME"] = str(folder / "home")
    try:
        return build_all(folder / "files")
    finally:
        if old is None:
            os.environ.pop("SALIENT_HOME", None)
        else:
            os.environ["SALIENT_HOME"] = old


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def run_step(step: tuple[str, ...], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """One `salient` process (or the headless app driver), limited in time and memory."""
    if step[0] == HEADLESS:
        argv = [sys.executable, str(DRIVER), *step[1:]]
    else:
        argv = [sys.executable, "-m", "game.cli", *step]
    return subprocess.run(
        argv,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        errors="backslashreplace",
        timeout=TIMEOUT_S,
        preexec_fn=_limits,
        check=False,
    )


def _pairs() -> list[object]:
    out: list[object] = []
    for case in CASES:
        for command in case.commands:
            out.append(pytest.param(case, command, id=f"{case.name}-{command}"))
    return out


@dataclass
class Outcome:
    """What one command did to one hostile file."""

    hostile: Path
    steps: list[tuple[tuple[str, ...], tuple[str, ...], subprocess.CompletedProcess[str]]]
    """(template, argv, result) for each step run (the run stops at the first step over time)."""
    hostile_before: str = ""
    hostile_after: str = ""
    timed_out: str = ""
    others_before: dict[str, str] = field(default_factory=dict)
    others_after: dict[str, str] = field(default_factory=dict)
    left_tmp: list[str] = field(default_factory=list)
    written: dict[str, str] = field(default_factory=dict)
    """Reports the steps wrote (out.*), by name."""


def attack(case: Case, command: str, built: dict[str, Path], folder: Path) -> Outcome:
    """Run `command` on the case's file with its own home and saves folder in `folder`."""
    home = folder / "home"
    saves = home / "saves"
    saves.mkdir(parents=True)
    for n in (1, 2):  # the other saves that must come through untouched
        shutil.copyfile(built["intact"], saves / f"other-{n}.jsonl")
    hostile = case.file(built)
    if case.kind in ("journal", "db"):
        target = (saves if case.kind == "journal" else folder) / hostile.name
        shutil.copyfile(hostile, target)
        hostile = target
    journal = folder / "game.jsonl"
    shutil.copyfile(built["intact"], journal)
    outcome = Outcome(hostile, [], hostile_before=hashlib.sha256(hostile.read_bytes()).hexdigest())
    outcome.others_before = {name: digest for name, digest in _digests(saves).items() if name != hostile.name}
    env = {
        **os.environ,
        "SALIENT_HOME": str(home),
        "SALIENT_DB": str(folder / "class.sqlite3"),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",
    }
    env.pop("SALIENT_UMPIRE_PASSPHRASE", None)
    values = {
        "file": str(hostile),
        "scenario": str(MINIMAL),
        "kursk": str(KURSK),
        "journal": str(journal),
        "db": str(folder / "fresh.sqlite3"),
        "out": str(folder / "out"),
        "name": HOSTILE_NAME,
        "orders": str(ORDERS),
    }
    for step in COMMANDS[command]:
        argv = tuple(part.format(**values) for part in step)
        try:
            outcome.steps.append((step, argv, run_step(argv, env, folder)))
        except subprocess.TimeoutExpired:
            outcome.timed_out = " ".join(argv)[:300]
            break
    outcome.others_after = _digests(saves)
    outcome.hostile_after = hashlib.sha256(hostile.read_bytes()).hexdigest() if hostile.exists() else ""
    outcome.left_tmp = [p.name for p in saves.iterdir() if ".tmp" in p.name]
    for written in folder.glob("out.*"):
        if written.suffix != ".jsonl":
            outcome.written[written.name] = written.read_text(encoding="utf-8", errors="replace")
    return outcome


@pytest.fixture(scope="session")
def outcomes(
    request: pytest.FixtureRequest, built: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], Future[Outcome]]:
    """Every selected (case, command) started at once on a pool as wide as the machine: the subprocesses are
    independent, and most of their time is starting Python."""
    chosen = [
        item.callspec.params
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_hostile_file" and hasattr(item, "callspec")
    ]
    pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))
    request.addfinalizer(pool.shutdown)
    return {
        (p["case"].name, p["command"]): pool.submit(
            attack, p["case"], p["command"], built, tmp_path_factory.mktemp(f"{p['case'].name}-{p['command']}")
        )
        for p in chosen
    }


@pytest.mark.parametrize(("case", "command"), _pairs())
def test_hostile_file(case: Case, command: str, outcomes: dict[tuple[str, str], Future[Outcome]]) -> None:
    outcome = outcomes[(case.name, command)].result()
    assert not outcome.timed_out, f"over {TIMEOUT_S} s: {outcome.timed_out}"
    for step, argv, done in outcome.steps:
        said = done.stdout + done.stderr
        where = (
            f"{' '.join(argv)[:300]}\nexit {done.returncode}\n--- stdout\n{done.stdout[-3000:]}\n"
            f"--- stderr\n{done.stderr[-3000:]}"
        )
        assert "Traceback" not in said, where
        assert done.returncode in (0, 1), where
        if command in case.exit_code and len(outcome.steps) == 1:
            assert done.returncode == case.exit_code[command], where
        if done.returncode == 1 and case.kind == "options":
            assert re.search(r"--[a-z]+ must be", said), f"the message does not name the option\n{where}"
        elif done.returncode == 1:
            named = [outcome.hostile] if "{file}" in step else [Path(a) for a in argv if "/" in a]
            assert any(p.name in said for p in named), f"the message does not name the file\n{where}"
        assert not RAW_ESCAPE.search(said), f"a raw escape reached the terminal\n{where}"
        for words in case.never_says:
            assert words not in said, where
        if command in case.says:
            assert case.says[command] in said, where
    for name, text in outcome.written.items():
        assert not RAW_ESCAPE.search(text), f"a raw escape was written to {name}"
    after = {name: outcome.others_after.get(name) for name in outcome.others_before}
    assert after == outcome.others_before, "another save was changed"
    if command in READ_ONLY:
        assert outcome.hostile_after == outcome.hostile_before, f"{command} changed the file it only reads"
    assert not outcome.left_tmp, f"temporary files were left in the saves folder: {outcome.left_tmp}"


def test_a_journal_cut_before_its_last_newline_keeps_every_turn_after_a_branch(
    built: dict[str, Path], tmp_path: Path
) -> None:
    """`branch` on a journal whose last line lacks its newline: the branch goes on a line of its own and the
    game's six turns (its ending) are all still read back."""
    from game.record.journal import load_journal

    save = tmp_path / "cut.jsonl"
    shutil.copyfile(built["cut_before_final_newline"], save)
    env = {**os.environ, "SALIENT_HOME": str(tmp_path / "home")}
    done = run_step(("branch", str(save), "--turn", "2", "--policy", "hold"), env, tmp_path)
    assert done.returncode == 0, done.stderr
    loaded = load_journal(save)
    assert loaded.intact and len(loaded.turns) == 6 and len(loaded.branches) == 1
    lines = save.read_bytes().split(b"\n")
    assert [json.loads(line)["type"] for line in lines if line][-2:] == ["turn", "branch"]


HELP_CAPS = {
    ("aar",): ("64 MB", "16 MB", "50 levels", "100,000"),
    ("branch",): ("64 MB", "16 MB", "50 levels"),
    ("play",): ("64 MB", "200 characters", "2**63 - 1"),
    ("run",): ("50 levels", "200 characters", "2**63 - 1"),
    ("check",): ("50 levels", "10,000,000"),
    ("hindcast",): ("50 levels", "1,000,000"),
    ("class", "import"): ("64 MB", "200 characters", "100,000"),
}


@pytest.mark.parametrize("command", sorted(HELP_CAPS), ids=" ".join)
def test_every_cap_is_stated_in_help(command: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    """The limits a hostile file or option meets are the ones `--help` promises, read from the code's own caps."""
    from game.cli import main
    from game.record.format import MAX_NAME_CHARS, MAX_SEED
    from game.record.journal import MAX_JOURNAL_BYTES, MAX_LINE_BYTES
    from game.scenario.yaml_safety import MAX_BYTES, MAX_DEPTH

    assert (MAX_JOURNAL_BYTES, MAX_LINE_BYTES) == (64 * 1024 * 1024, 16 * 1024 * 1024)
    assert (MAX_BYTES, MAX_DEPTH, MAX_NAME_CHARS, MAX_SEED) == (1_000_000, 50, 200, 2**63 - 1)
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for cap in HELP_CAPS[command]:
        assert cap in text, (command, cap)


def test_an_error_names_the_file_once_and_carries_no_escape() -> None:
    """An error from deep in the model is told with the file the command read; one that names a file already,
    or is about an option, is left as it is; escapes quoted from a file never reach the terminal."""
    import argparse

    from game.cli import plain_message
    from game.errors import SalientError

    run = argparse.Namespace(path="s/x.yaml", orders="o/plan.json")
    assert plain_message(SalientError("overflow on turn 1"), run) == "s/x.yaml: overflow on turn 1"
    assert plain_message(SalientError("o/plan.json: turn 1: bad"), run) == "o/plan.json: turn 1: bad"
    assert plain_message(SalientError("--runs must be a whole number"), run) == "--runs must be a whole number"
    aar = argparse.Namespace(save="g.jsonl", expert=None)
    # escapes quoted from a file are made visible, never sent: the reader sees what the file holds
    assert plain_message(SalientError("name \x1b]0;pwned\x07 \u202eevil"), aar) == (
        "g.jsonl: name \\x1b]0;pwned\\x07 \\u202eevil"
    )
