"""The instructor key: signatures on journal lines and the secret in the dice.

Why: a save is a file the trainee holds, and the scenario hash inside it is an integrity check anyone can
recompute. An instructor key (32 random bytes in the instructor's data directory, made by `salient class init`)
lets the instructor's copy of Salient tell a journal it wrote from one edited by hand, and keeps the dice of a
game out of reach of anyone who lacks the key.

Signatures are line-based so they stay out of the records' own fields: a signed line is the record's JSON with
`,"sig":"<key id>.<mac>"` spliced in before its closing brace, where the MAC is HMAC-SHA256 over the previous
line's MAC and the line without its signature. The chain makes an edited line, a line removed from the middle
and a line moved from another game all break the signature of the line where it happens. Readers without the
key strip the signatures and read the journal as before.

The dice: with a key, the seed material of a game's random streams includes HMAC(key, scenario hash + seed), so
`salient run` or `salient branch` on another machine (or under another account) cannot play the same dice.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from game.scenario import Scenario

from .canonical import sha256_hex, to_jsonable
from .format import JournalError
from .paths import ENV_VAR

__all__ = [
    "KEY_BYTES",
    "InstructorKey",
    "LineVerifier",
    "games_dir",
    "instructor_dir",
    "key_path",
    "load_key",
    "new_game_secret",
    "replay_secret",
    "sign_line",
    "split_signature",
    "tail_signature",
    "write_key",
]

KEY_BYTES = 32
KEY_FILE = "instructor.key"
ID_HEX = 16
_SIG = re.compile(rb',"sig":"([0-9a-f]{16})\.([0-9a-f]{64})"\}$')
_TAIL_BYTES = 256
"""Enough of a file's end to hold the last line's signature (the signature is the last thing on a line)."""


INSTRUCTOR_ENV = "SALIENT_INSTRUCTOR_DIR"
"""Names the instructor's folder directly: for games run on the instructor's behalf with another data directory
(a browser session of `salient serve`, say), which must still find the key and keep the full records."""


def _instructor_root() -> Path:
    """The instructor's folder, without creating anything (reading a journal never needs a writable home)."""
    named = os.environ.get(INSTRUCTOR_ENV, "").strip()
    if named:
        return Path(named).expanduser()
    override = os.environ.get(ENV_VAR, "").strip()
    root = Path(override).expanduser() if override else platformdirs.user_data_path("salient")
    return root / "instructor"


def instructor_dir() -> Path:
    """The instructor's folder (`instructor` in the user data directory), made private when created."""
    path = _instructor_root()
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def games_dir() -> Path:
    """The instructor's full records of games played under the key (the trainees' saves are copies)."""
    return instructor_dir() / "games"


def key_path() -> Path:
    """Where the instructor key lives: `instructor.key` in the instructor's folder (`$SALIENT_INSTRUCTOR_DIR`,
    else `instructor` in `$SALIENT_HOME` or the platform's user data directory)."""
    return _instructor_root() / KEY_FILE


@dataclass(frozen=True)
class InstructorKey:
    """The 32 secret bytes and the short public id that names them in signatures."""

    secret: bytes
    path: Path

    @property
    def id(self) -> str:
        """16 hex digits that name the key without revealing it (a rotated key has another id)."""
        return hmac.new(self.secret, b"salient key id", hashlib.sha256).hexdigest()[:ID_HEX]

    def mac(self, previous: bytes, unsigned_line: bytes) -> bytes:
        """HMAC-SHA256 (hex, as bytes) of a line chained to the previous line's MAC."""
        message = b"salient journal line\0" + previous + b"\0" + unsigned_line
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest().encode("ascii")

    def dice_secret(self, scenario_sha256: str, seed: int) -> bytes:
        """The secret the engine mixes into a game's seed: only the key's holder can derive it."""
        message = f"salient dice\0{scenario_sha256}\0{int(seed)}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).digest()


def load_key(path: Path | None = None) -> InstructorKey | None:
    """The instructor key on this machine, or None when there is none; JournalError for a damaged key file."""
    target = path or key_path()
    try:
        secret = target.read_bytes()
    except (FileNotFoundError, PermissionError):
        return None  # no key, or one this account may not read: either way this user does not hold it
    except OSError as error:
        raise JournalError(f"cannot read the instructor key {target}: {error.strerror or error}") from None
    if len(secret) != KEY_BYTES:
        raise JournalError(
            f"the instructor key {target} is {len(secret)} bytes, not {KEY_BYTES}: damaged "
            "(make a new one with `salient class init --force`)"
        )
    return InstructorKey(secret, target)


def write_key(path: Path, secret: bytes) -> None:
    """Write a key readable by its owner only (mode 0600 from the start, never wider), replacing any old one."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    temp.unlink(missing_ok=True)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, secret)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(temp, 0o600)
    os.replace(temp, path)


def sign_line(key: InstructorKey, previous: bytes, line: bytes) -> tuple[bytes, bytes]:
    """(signed line, its MAC) for a record line `{...}\\n` chained after the line whose MAC is `previous`."""
    body = line.rstrip(b"\n")
    mac = key.mac(previous, body)
    return body[:-1] + b',"sig":"' + key.id.encode("ascii") + b"." + mac + b'"}\n', mac


def split_signature(chunk: bytes) -> tuple[bytes, str, bytes]:
    """(the line without its signature, key id, MAC); the id and MAC are empty for an unsigned line."""
    match = _SIG.search(chunk)
    if match is None:
        return chunk, "", b""
    return chunk[: match.start()] + b"}", match.group(1).decode("ascii"), match.group(2)


def tail_signature(path: Path) -> tuple[str, bytes]:
    """(key id, MAC) of the last line of a journal file, or ("", b"") when that line is not signed."""
    with open(path, "rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - _TAIL_BYTES))
        tail = handle.read().rstrip(b"\n")
    _, key_id, mac = split_signature(tail)
    return key_id, mac


class LineVerifier:
    """Checks the signature chain of one journal as its lines are read, with this machine's key (if any)."""

    def __init__(self, key: InstructorKey | None, name: str) -> None:
        self.key = key
        self.name = name
        self.signed_by = ""
        """Id of the key the header was signed with ('' for an unsigned journal)."""
        self.previous = b""
        self._body, self._key_id, self._mac = b"", "", b""

    def header(self, chunk: bytes) -> bytes:
        """The first line without its signature (checked later with `check_header`)."""
        self._body, self.signed_by, self.previous = split_signature(chunk)
        return self._body

    def check_header(self) -> None:
        """After `header`: JournalError when this machine's key does not accept the first line."""
        if self.key is None:
            return
        if not self.signed_by:
            raise JournalError(
                f"line 1 of {self.name} is not signed with the instructor key: the game was played without "
                "the key, or its signatures were removed"
            )
        if self.signed_by != self.key.id:
            raise JournalError(
                f"line 1 of {self.name} is signed with another instructor key (id {self.signed_by}; this "
                f"machine's key is {self.key.id}): it cannot be checked or replayed here"
            )
        if not hmac.compare_digest(self.previous, self.key.mac(b"", self._body)):
            raise JournalError(f"line 1 of {self.name}: its signature does not match: the header was edited")

    def record(self, chunk: bytes) -> bytes:
        """A record line without its signature (checked later with `problem`)."""
        body, self._key_id, self._mac = split_signature(chunk)
        self._body = body
        return body

    def problem(self, index: int) -> str | None:
        """After `record`: why the line's signature is not accepted, or None (the chain moves on)."""
        if self.key is None or not self.signed_by:
            return None
        if not self._key_id:
            return f"line {index} of {self.name} is not signed: a record added or changed by hand"
        if self._key_id != self.key.id or not hmac.compare_digest(self._mac, self.key.mac(self.previous, self._body)):
            return (
                f"line {index} of {self.name}: its signature does not match: the record was edited, "
                "or one before it was removed"
            )
        self.previous = self._mac
        return None


def new_game_secret(scenario: Scenario, seed: int) -> bytes:
    """The dice secret for a game about to start: b'' without a key (the dice of the seed alone)."""
    key = load_key()
    return b"" if key is None else key.dice_secret(sha256_hex(to_jsonable(scenario)), seed)


def replay_secret(signed_by: str, scenario_sha256: str, seed: int, name: str) -> bytes:
    """The dice secret of a recorded game: b'' for an unsigned journal; JournalError when its key is not here."""
    if not signed_by:
        return b""
    key = load_key()
    if key is None:
        raise JournalError(
            f"{name} was played under an instructor key (id {signed_by}) that is not on this machine: its dice "
            "come from that key, so only the instructor can replay, review or branch it"
        )
    if key.id != signed_by:
        raise JournalError(
            f"{name} was played under another instructor key (id {signed_by}; this machine's key is {key.id}): "
            "its dice cannot be replayed here"
        )
    return key.dice_secret(scenario_sha256, seed)
