"""`salient class init`: make the instructor key that signs journals and keeps the dice secret.

The key is 32 random bytes from the operating system's generator, written with mode 0600 in a 0700 folder of the
instructor's data directory. Making it again never replaces it silently: an existing key is kept unless the
instructor asks to rotate it, because every game signed with the old key can then no longer be checked or replayed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from game.errors import SalientError
from game.record.format import JournalError
from game.record.signing import KEY_BYTES, InstructorKey, key_path, load_key, write_key

__all__ = ["KeyOutcome", "init_key"]


@dataclass(frozen=True)
class KeyOutcome:
    """What `init_key` did: the key now in force, and whether it is new or replaced an old one."""

    key: InstructorKey
    created: bool
    replaced: str = ""
    """Id of the key that was rotated out ('' when none was)."""


def init_key(*, force: bool = False, path: Path | None = None) -> KeyOutcome:
    """Create the instructor key if there is none; with `force`, replace an existing (or damaged) one."""
    target = path or key_path()
    try:
        existing = load_key(target)
        damaged = ""
    except JournalError as error:
        existing, damaged = None, str(error)
    if (existing is not None or damaged) and not force:
        if damaged:
            raise SalientError(damaged)
        assert existing is not None
        return KeyOutcome(existing, created=False)
    old_id = existing.id if existing is not None else ("damaged" if damaged else "")
    try:
        write_key(target, secrets.token_bytes(KEY_BYTES))
    except OSError as error:
        raise SalientError(f"cannot write the instructor key {target}: {error.strerror or error}") from None
    key = load_key(target)
    assert key is not None
    return KeyOutcome(key, created=True, replaced=old_id)
