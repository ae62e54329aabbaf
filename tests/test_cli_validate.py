"""`salient validate`: summaries for good files, positioned problems for bad ones, exit 0/1/2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from game.cli import main

TESTS = Path(__file__).parent
ROOT = TESTS.parent
BROKEN = sorted((TESTS / "broken").iterdir())
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def _salient(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command line in a child process, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "game.cli", *args], capture_output=True, text=True, check=False, timeout=60, cwd=ROOT
    )


def test_valid_file_prints_a_summary(minimal_path: Path) -> None:
    result = _salient("validate", str(minimal_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f'{minimal_path}: ok — "Minimal bridgehead", 6 turns of 12 h, 4 places, 3 sectors, 3 units\n'
    )
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("python_tag.yaml", ":7:10: the tag `!!python/object/apply:os.system` is not allowed"),
        ("alias_bomb.yaml", ":183:280: anchors and aliases"),
        ("binary.yaml", ":183:28: the file contains NUL bytes"),
        ("unknown_key.yaml", ":26:9: sides.ua.units.ua_mech: unknown field `strenght`"),
    ],
)
def test_broken_file_in_a_subprocess(name: str, where: str) -> None:
    result = _salient("validate", f"tests/broken/{name}")
    assert result.returncode == 1
    assert f"tests/broken/{name}{where}" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("path", BROKEN, ids=[p.name for p in BROKEN])
def test_every_broken_file_exits_1_in_process(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"{path}:")
    assert "Traceback" not in err


def test_mixed_files_exit_1_and_report_both(minimal_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = TESTS / "broken" / "nan.yaml"
    assert main(["validate", str(minimal_path), str(bad)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith(f"{minimal_path}: ok")
    assert f"{bad}:77:23:" in err
    assert err.rstrip().endswith("1 of 2 files are invalid")


def test_quoted_glob_is_expanded_here(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(TESTS / "fixtures" / "*.yaml")]) == 0
    assert "minimal.yaml: ok" in capsys.readouterr().out


def test_missing_file_and_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "absent.yaml"), str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'absent.yaml'}:1:1: no such file" in err
    assert f"{tmp_path}:1:1: is a directory" in err


def test_sixteen_megabyte_file_in_a_subprocess(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: 1\n" * (16 * 1024 * 1024 // 5))
    result = _salient("validate", str(big))
    assert result.returncode == 1
    assert "limited to 1.0 MB" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_path_is_a_usage_error() -> None:
    result = _salient("validate")
    assert result.returncode == 2
    assert "usage:" in result.stderr


def test_shipped_scenarios_are_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert {"kursk-2025.yaml", "tutorial.yaml"} <= {p.name for p in SCENARIOS}, "the shipped scenarios are missing"
    code = main(["validate", *map(str, SCENARIOS)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.count(": ok — ") == len(SCENARIOS)
