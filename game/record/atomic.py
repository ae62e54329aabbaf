"""Files replaced whole or not at all.

A report, a schema or a log written in place is empty or half-written if the disk fills or the program is
killed midway, and the old copy is already gone. Writing beside the target and renaming over it keeps either
the old file or the new one, never a mixture, and the temporary file is removed whatever goes wrong.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: str | os.PathLike[str], data: str | bytes, *, encoding: str = "utf-8") -> Path:
    """Write `data` to `path` through a temporary file in the same folder, fsynced, then renamed over it.

    Text is written exactly as given (no newline translation). Raises OSError, leaving the old file (if any)
    untouched and no temporary file behind. Returns the path written."""
    target = Path(path)
    payload = data.encode(encoding) if isinstance(data, str) else data
    folder = target.parent if str(target.parent) else Path(".")
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


__all__ = ["write_atomic"]
