"""`salient play` and `salient serve` from the outside: arguments, bad input, exit codes, the server object."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from game.cli import build_parser, main
from game.commands import serve
from game.errors import SalientError

ROOT = Path(__file__).resolve().parent.parent


def salient(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SALIENT_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "game.cli", *args],
        capture_output=True,
        text=True,
        check=False,
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


def test_serve_builds_a_localhost_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path))
    args = build_parser().parse_args(["serve"])
    assert args.handler is serve.run
    server = serve.build_server(args)
    assert (server.host, server.port) == ("127.0.0.1", 8000)
    assert server.command.endswith("-m game.cli play")
    page = (Path(server.templates_path) / "app_index.html").read_text(encoding="utf-8")
    assert "googleapis" not in page and "RobotoMono-VariableFont_wght.ttf" in page
    assert (Path(server.statics_path) / "fonts" / "RobotoMono-VariableFont_wght.ttf").is_file()
    args = build_parser().parse_args(["serve", "scenarios/tutorial.yaml", "--host", "0.0.0.0", "--port", "8123"])
    server = serve.build_server(args)
    assert (server.host, server.port) == ("0.0.0.0", 8123)
    assert server.command.endswith("play scenarios/tutorial.yaml")


def test_serve_refuses_a_bad_port(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path))
    with pytest.raises(SalientError, match="port"):
        serve.build_server(argparse.Namespace(path=None, host="127.0.0.1", port=70000, public_url=None))
