"""The version is written once, in pyproject.toml; the game reads it from the installed distribution."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import game
from game.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_the_version_is_the_one_in_pyproject(capsys: pytest.CaptureFixture[str]) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == game.DISTRIBUTION
    assert game.__version__ == project["version"]
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"salient {project['version']}"


def test_no_module_of_the_game_writes_the_version_itself() -> None:
    version = game.__version__
    written = [p for p in (ROOT / "game").rglob("*.py") if f'"{version}"' in p.read_text(encoding="utf-8")]
    assert written == []
