"""The layers of DESIGN.md hold: the import-linter contracts in pyproject.toml pass, and they catch a breach.

The contracts replace hand-written subprocess checks: they see every import, also those inside functions
and under TYPE_CHECKING, and name the line that breaks a layer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)} if pythonpath else None
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_code_keeps_every_import_contract() -> None:
    assert LINT_IMPORTS.exists(), "import-linter is a test dependency: pip install -e '.[test]'"
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "named"),
    [
        # the cycle that replay once had: applying umpire interventions by reaching up into the classroom
        ("record/replay.py", "from game.classroom.umpire import Umpire", "game.record.replay -> game.classroom.umpire"),
        # the scenario checking orders through the engine, one layer up
        ("scenario/drills.py", "from game.engine.orders import OrdersError", "game.scenario.drills -> game.engine"),
        # Textual outside the TUI
        ("engine/state.py", "import textual.app", "game.engine.state -> textual"),
        ("tui/session.py", "from game.tui.app import SalientApp", "game.tui.session -> game.tui.app"),
    ],
)
def test_a_breach_inside_a_function_is_caught_and_named(tmp_path: Path, module: str, line: str, named: str) -> None:
    shutil.copytree(ROOT / "game", tmp_path / "game", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "game" / module
    target.write_text(target.read_text() + f"\n\ndef _breach() -> None:\n    {line}\n", encoding="utf-8")
    done = _lint(tmp_path, pythonpath=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert named in done.stdout, done.stdout
