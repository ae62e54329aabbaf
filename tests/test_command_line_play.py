"""`salient play` from the outside: arguments, bad input, exit codes (`salient serve`: tests/test_serve.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from game.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent


def salient(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SALIENT_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "game.cli", *args],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def test_no_arguments_means_play() -> None:
    args = build_parser().parse_args(["play"])
    assert args.command == "play" and args.path is None and args.seed is None and args.load is None
    args = build_parser().parse_args(["play", "x.yaml", "--seed", "7", "--trainee", "Ann", "--load", "g.jsonl"])
    assert (args.path, args.seed, args.trainee, args.load) == ("x.yaml", 7, "Ann", "g.jsonl")


def test_a_missing_scenario_is_a_plain_error(tmp_path: Path) -> None:
    done = salient("play", str(tmp_path / "nowhere.yaml"), home=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("salient: no scenario file at") and "Traceback" not in done.stderr


def test_an_invalid_scenario_gives_the_loaders_message(tmp_path: Path) -> None:
    done = salient("play", "tests/broken/bad_enum.yaml", home=tmp_path)
    assert done.returncode == 1
    assert "bad_enum.yaml:" in done.stderr and "Traceback" not in done.stderr


def test_a_damaged_save_is_a_plain_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("this is not a journal\n", encoding="utf-8")
    done = salient("play", "--load", str(bad), home=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("salient: ") and "Traceback" not in done.stderr
    assert bad.read_text(encoding="utf-8") == "this is not a journal\n"  # nothing was destroyed


def test_a_negative_seed_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["play", "--seed", "-3"]) == 1
    assert "seed" in capsys.readouterr().err
