"""Where Salient keeps the user's files: saves (journals) and crash logs.

One place decides it so the TUI, the command line and the tests agree. `SALIENT_HOME`
overrides the platform's user data directory (tests point it at a temporary folder).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import platformdirs

from game.errors import SalientError

ENV_VAR = "SALIENT_HOME"


class DataDirError(SalientError):
    """The user data directory (or a folder in it) cannot be created: read-only, full, or not a folder."""


def data_dir() -> Path:
    """The user data directory (created if missing): `$SALIENT_HOME`, else the platform's default."""
    override = os.environ.get(ENV_VAR, "").strip()
    return _made(Path(override).expanduser() if override else platformdirs.user_data_path("salient"))


def _subdir(name: str) -> Path:
    return _made(data_dir() / name)


def _made(path: Path) -> Path:
    """`path`, created if missing; a folder that cannot be made is one plain sentence, not a traceback."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataDirError(
            f"cannot use the data folder {path}: {why_not(error)} (set {ENV_VAR} to a folder you can write to)"
        ) from None
    return path


def why_not(error: OSError) -> str:
    """Why a folder could not be made, in plain words (`mkdir` says "File exists" when a file is in the way)."""
    if isinstance(error, (FileExistsError, NotADirectoryError)):
        return "a file is in the way where a folder should be"
    return str(error.strerror or error)


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
