"""Files replaced whole or not at all.

A report, a schema or a log written in place is empty or half-written if the disk fills or the program is
killed midway, and the old copy is already gone. Writing beside the target and renaming over it keeps either
the old file or the new one, never a mixture, and the temporary file is removed whatever goes wrong.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

STALE_SECONDS = 600.0
"""A temporary file of the same target older than this was left by a writer that was killed (kill -9, power
cut): no write of ours takes minutes. It is removed before the next write of that file."""


def write_atomic(path: str | os.PathLike[str], data: str | bytes, *, encoding: str = "utf-8") -> Path:
    """Write `data` to `path` through a temporary file in the same folder, fsynced, then renamed over it.

    Text is written exactly as given (no newline translation). Raises OSError, leaving the old file (if any)
    untouched and no temporary file behind. Returns the path written."""
    target = Path(path)
    payload = data.encode(encoding) if isinstance(data, str) else data
    folder = target.parent if str(target.parent) else Path(".")
    remove_stale(folder, target.name)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        os.chmod(temp, 0o666 & ~_umask())  # the permissions a plain `open` gives, not the temporary file's 0600
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_folder(folder)
    return target


def remove_stale(folder: Path, name: str, now: float | None = None) -> list[Path]:
    """Remove the temporary files a killed writer of `name` left in `folder` (older than STALE_SECONDS);
    returns what was removed. Younger ones may belong to a writer still at work and are left alone."""
    removed: list[Path] = []
    cutoff = (time.time() if now is None else now) - STALE_SECONDS
    try:
        candidates = list(folder.glob(f".{glob_escape(name)}.*.tmp"))
    except OSError:
        return removed
    for temp in candidates:
        try:
            if temp.is_file() and temp.stat().st_mtime < cutoff:
                temp.unlink()
                removed.append(temp)
        except OSError:
            continue  # gone already, or not ours to remove: the write goes on regardless
    return removed


def glob_escape(name: str) -> str:
    """`name` with glob's special characters taken literally."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def _umask() -> int:
    """The process's file-creation mask (read by setting it, then putting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it (not on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


__all__ = ["STALE_SECONDS", "remove_stale", "write_atomic"]
