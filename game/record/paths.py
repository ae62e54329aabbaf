"""Where Salient keeps the user's files: saves (journals) and crash logs.

One place decides it so the TUI, the command line and the tests agree. `SALIENT_HOME`
overrides the platform's user data directory (tests point it at a temporary folder).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import platformdirs

ENV_VAR = "SALIENT_HOME"


def data_dir() -> Path:
    """The user data directory (created if missing): `$SALIENT_HOME`, else the platform's default."""
    override = os.environ.get(ENV_VAR, "").strip()
    path = Path(override).expanduser() if override else platformdirs.user_data_path("salient")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _subdir(name: str) -> Path:
    path = data_dir() / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def saves_dir() -> Path:
    """Folder of saved games (journals)."""
    return _subdir("saves")


def logs_dir() -> Path:
    """Folder of crash logs."""
    return _subdir("logs")


def new_save_path(scenario_id: str, seed: int, *, now: dt.datetime | None = None) -> Path:
    """A fresh journal path, `<saves>/<scenario-id>-<timestamp>-seed<seed>.jsonl`, never an existing file.

    The timestamp is local time to the second; a counter is added if two games start in the same second.
    """
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    folder = saves_dir()
    base = f"{scenario_id}-{stamp}-seed{seed}"
    path = folder / f"{base}.jsonl"
    n = 2
    while path.exists():
        path = folder / f"{base}-{n}.jsonl"
        n += 1
    return path
