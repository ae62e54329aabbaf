"""When something goes wrong: details to a log file, a plain message to the player, never a raw traceback."""

from __future__ import annotations

import datetime as dt
import platform
import sys
import traceback
from pathlib import Path

from game import __version__
from game.errors import SalientError
from game.narrative.safe_text import clean


def write_crash_log(error: BaseException | str, context: str = "") -> Path | None:
    """Write the traceback (or the error report given as text) and versions to `<data>/logs/crash-<time>.log`;
    None if even that fails."""
    try:
        from game.record.atomic import write_atomic
        from game.record.paths import logs_dir

        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        path = logs_dir() / f"crash-{stamp}.log"
        details = error if isinstance(error, str) else "".join(traceback.format_exception(error))
        return write_atomic(
            path,
            f"Salient {__version__} on Python {platform.python_version()} ({sys.platform})\n{context}\n\n{details}",
        )
    except Exception:
        return None


def without_locals(report: str) -> str:
    """Textual's error report without the panels of local variables it draws in each frame: a log the player
    sends on must not carry what was in memory (a passphrase typed a moment before, say)."""
    kept: list[str] = []
    closing = -1  # column of the open locals panel's corner, -1 when none is open
    for line in report.splitlines():
        if closing < 0 and " locals " in line and "╭" in line:
            closing = line.index("╭")
            continue
        if closing >= 0:
            if line[closing : closing + 1] == "╰":
                closing = -1
            continue
        kept.append(line)
    return "\n".join(kept)


def plain_cause(error: BaseException) -> SalientError | None:
    """The plain error behind a crash, if there is one: bad input found only once the game runs (a scenario
    number that overflows the model on turn 3) is the file's fault, told in its own words, not a bug to log.
    Looks through a failed worker (`.error`) and the exception's causes."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, SalientError):
            return current
        seen.add(id(current))
        inner = getattr(current, "error", None)
        current = inner if isinstance(inner, BaseException) else (current.__cause__ or current.__context__)
    return None


def stop_message(cause: SalientError, source: str | None, save: Path | None) -> str:
    """What the player reads when the game stopped on bad input: the file, the reason, and that the game is safe."""
    where = f"{clean(source)}: " if source else ""
    lines = [f"salient: {where}{clean(str(cause))}"]
    if save is not None:
        lines.append(f"Your game is saved up to the last finished turn: {save}")
    return "\n".join(lines)


def crash_message(log: Path | None, save: Path | None) -> str:
    """What the player reads after a crash: what happened, where the details are, that the game is safe."""
    lines = ["salient: something went wrong inside Salient and it had to stop."]
    lines.append(f"The details are in {log}" if log else "The details could not be written to a log file.")
    if save is not None:
        lines.append(f"Your game is safe up to the last finished turn: {save}")
        lines.append(f"Continue it with:  salient play --load {save}")
    if log is not None:
        lines.append("Please send the log file to whoever runs your course.")
    else:
        lines.append("Please tell whoever runs your course what you were doing when it stopped.")
    return "\n".join(lines)
