"""Record finished games in the class database, never at the expense of the game itself.

The journal is written (and fsynced) turn by turn before anything here runs. Recording reads the journal
and writes one short transaction; when that fails (a locked or read-only database, a full disk) the
journal's path goes on a *pending* list in the user data directory and the caller gets a one-line warning,
so `salient class import --pending` can finish the job later.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from game.errors import SalientError
from game.record.atomic import write_atomic

from .db import ClassDB
from .records import build_record

if TYPE_CHECKING:
    from game.engine.report import Score

PENDING_NAME = "class-pending.txt"
FORECAST_REPLICATIONS = 500
"""Replications of the model's forecast computed for decision points the trainee did not forecast."""


def record_game(
    journal_path: str | Path,
    *,
    db_path: str | Path | None = None,
    score: Score | None = None,
    forecasts: dict[int, Any] | None = None,
    trainee: str | None = None,
    forecast_replications: int = FORECAST_REPLICATIONS,
) -> int:
    """Record one journal in the class database; returns the game's row id. Raises SalientError on failure.

    The journal is replayed once (with its umpire interventions) for what it cannot say by itself: the
    score when none is given, the model's forecast at decision points the trainee did not forecast, and
    the ground truth behind the teaching moments (see `replayed.py`).
    """
    from game.record.journal import load_journal

    from .replayed import replay_for_record

    loaded = load_journal(journal_path)
    if loaded.forged:  # a record the instructor key rejects: nothing of this game is trusted
        raise SalientError(f"not recorded: {loaded.forged}")
    if loaded.problems:  # a record that does not validate: the game after it cannot be trusted or replayed
        raise SalientError(f"not recorded: {loaded.damage_note()}")
    replay = replay_for_record(loaded, max(0, forecast_replications))
    rec = build_record(loaded, score=score, forecasts=forecasts, trainee=trainee, replay=replay)
    with ClassDB(db_path) as db:
        return db.record(rec)


def record_game_safely(journal_path: str | Path, **options: Any) -> str | None:
    """Like `record_game`, but a failure returns a warning (and queues the journal) instead of raising."""
    try:
        record_game(journal_path, **options)
    except (SalientError, OSError, ValueError) as error:
        queued = _queue(Path(journal_path))
        again = f"salient class import {journal_path}" if not queued else "salient class import --pending"
        return (
            f"the game is saved in {journal_path}, but it could not be added to the class record ({error}); "
            f"add it later with: {again}"
        )
    return None


def pending_path() -> Path:
    """The list of journals waiting to be recorded."""
    from game.record.paths import data_dir

    return data_dir() / PENDING_NAME


def pending() -> list[Path]:
    """Journals whose recording failed, oldest first, without duplicates."""
    try:
        lines = pending_path().read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    return [Path(p) for p in dict.fromkeys(line.strip() for line in lines) if p]


def forget_pending(done: Iterable[Path]) -> None:
    """Take recorded journals off the pending list."""
    done_set = {str(p) for p in done}
    left = [str(p) for p in pending() if str(p) not in done_set]
    path = pending_path()
    if left:
        write_atomic(path, "".join(f"{p}\n" for p in left))
    else:
        path.unlink(missing_ok=True)


def _queue(journal: Path) -> bool:
    try:
        fd = os.open(pending_path(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, f"{journal.resolve()}\n".encode())
        finally:
            os.close(fd)
    except OSError:
        return False
    return True
