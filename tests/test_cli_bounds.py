"""How many games a command may be asked for: stated in --help, refused plainly past it, before any work."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.cli import main

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = str(ROOT / "scenarios" / "tutorial.yaml")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["check", TUTORIAL, "--runs", "100000000"],
            "--runs must be a whole number from 1 to 10,000,000 (got 100,000,000)",
        ),
        (["check", TUTORIAL, "--runs", "0"], "--runs must be a whole number from 1 to 10,000,000 (got 0)"),
        (
            ["aar", "no-such-save.jsonl", "--replications", "1000000000"],
            "--replications must be a whole number from 2 to 100,000 (got 1,000,000,000)",
        ),
        (
            ["class", "import", "no-such-save.jsonl", "--forecast", "1000000000"],
            "--forecast must be a whole number from 0 to 100,000 (got 1,000,000,000)",
        ),
    ],
)
def test_absurd_numbers_of_games_are_refused_at_once(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SALIENT_DB", str(tmp_path / "class.sqlite3"))
    assert main(args) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        (["check"], "at most 10,000,000"),
        (["hindcast"], "at most 1,000,000"),
        (["aar"], "from 2 to 100,000"),
        (["class", "import"], "at most 100,000"),
    ],
)
def test_help_states_the_limit(command: list[str], shown: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    assert shown in " ".join(capsys.readouterr().out.split())
