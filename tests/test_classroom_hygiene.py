"""The instructor's headless packages never import Textual (only game/tui may), so they run in CI and batch jobs."""

from __future__ import annotations

import subprocess
import sys


def test_classroom_and_analysis_do_not_import_textual():
    code = (
        "import importlib, pkgutil, sys\n"
        "import game.classroom, game.analysis\n"
        "for pkg in (game.classroom, game.analysis):\n"
        "    for m in pkgutil.iter_modules(pkg.__path__):\n"
        "        importlib.import_module(f'{pkg.__name__}.{m.name}')\n"
        "import game.commands.check, game.commands.classroom, game.scenario.drills, game.scenario.assertions\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
