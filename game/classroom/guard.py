"""The umpire's passphrase: only a salted hash is kept, so nothing on screen or in memory dumps reveals it.

The instructor sets it when the game starts, from a prompt (`salient play --umpire`), from a file named by
`$SALIENT_UMPIRE_PASSPHRASE_FILE`, or from `$SALIENT_UMPIRE_PASSPHRASE`. A process's starting environment stays
readable in /proc/<pid>/environ however the program edits `os.environ`, so a passphrase given in the environment
is hashed at once and the program starts itself again without it (`scrub_environment`); the hash reaches the new
process through an inherited pipe, never the environment. Opening umpire mode asks for the passphrase again;
after a few wrong tries the guard waits before it accepts another, so guessing at the keyboard is slow.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import os
import secrets
import sys
import time
from collections.abc import Callable, MutableMapping, Sequence
from pathlib import Path

from game.errors import SalientError

ENV_VAR = "SALIENT_UMPIRE_PASSPHRASE"
FILE_VAR = "SALIENT_UMPIRE_PASSPHRASE_FILE"
HASH_FD_VAR = "SALIENT_UMPIRE_HASH_FD"
"""Set by `scrub_environment` for the restarted process: the pipe its salted hash waits in."""
MIN_LENGTH = 4
FREE_TRIES = 3
LOCKOUT_S = 30.0
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
_SALT_BYTES = 16


def _digest(passphrase: str, salt: bytes) -> bytes:
    return hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, **_SCRYPT)


class UmpireGuard:
    """Checks a passphrase against a salted scrypt hash; holds nothing else."""

    def __init__(self, salt: bytes, digest: bytes, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._salt = salt
        self._digest = digest
        self._clock = clock
        self._failures = 0
        self._locked_until = 0.0

    @classmethod
    def from_passphrase(cls, passphrase: str, **options: Callable[[], float]) -> UmpireGuard:
        """Hash a new passphrase with a fresh random salt."""
        if len(passphrase.strip()) < MIN_LENGTH:
            raise SalientError(f"the umpire passphrase must have at least {MIN_LENGTH} characters")
        salt = secrets.token_bytes(_SALT_BYTES)
        return cls(salt, _digest(passphrase, salt), **options)

    @classmethod
    def from_env(cls, environ: MutableMapping[str, str] | None = None) -> UmpireGuard | None:
        """The guard the instructor set outside the program, or None: the hash `scrub_environment` passed on,
        else the passphrase in the file `$SALIENT_UMPIRE_PASSPHRASE_FILE` names, else
        `$SALIENT_UMPIRE_PASSPHRASE`. Each variable is removed once read."""
        env = os.environ if environ is None else environ
        fd = env.pop(HASH_FD_VAR, None)
        if fd is not None:
            return cls._from_pipe(fd)
        named = env.pop(FILE_VAR, None)
        if named:
            return cls.from_passphrase(_read_passphrase_file(Path(named)))
        value = env.pop(ENV_VAR, None)
        return None if not value else cls.from_passphrase(value)

    @classmethod
    def _from_pipe(cls, fd_text: str) -> UmpireGuard:
        try:
            fd = int(fd_text)
            data = os.read(fd, _SALT_BYTES + int(_SCRYPT["dklen"]) + 1)
            os.close(fd)
        except (ValueError, OSError):
            raise SalientError("the umpire passphrase was lost when the program restarted; set it again") from None
        if len(data) != _SALT_BYTES + _SCRYPT["dklen"]:
            raise SalientError("the umpire passphrase was lost when the program restarted; set it again")
        return cls(data[:_SALT_BYTES], data[_SALT_BYTES:])

    @classmethod
    def from_prompt(cls, ask: Callable[[str], str] = getpass.getpass) -> UmpireGuard:
        """Ask for the passphrase twice on the terminal (not echoed)."""
        first = ask("Umpire passphrase: ")
        if ask("Again, to confirm: ") != first:
            raise SalientError("the two passphrases differ; umpire mode is not set")
        return cls.from_passphrase(first)

    def wait_s(self) -> float:
        """Seconds before another attempt is accepted (0 when one is)."""
        return max(0.0, self._locked_until - self._clock())

    def check(self, attempt: str) -> bool:
        """True for the right passphrase; wrong tries beyond the free ones lock the guard for a while."""
        if self.wait_s() > 0:
            return False
        ok = hmac.compare_digest(_digest(attempt, self._salt), self._digest)
        if ok:
            self._failures = 0
            return True
        self._failures += 1
        if self._failures >= FREE_TRIES:
            self._locked_until = self._clock() + LOCKOUT_S
        return False

    def __repr__(self) -> str:
        return "UmpireGuard(<salted hash>)"


def _read_passphrase_file(path: Path) -> str:
    """The first line of the instructor's passphrase file, in plain words when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not readable as UTF-8 text"
        raise SalientError(f"{path}: cannot read the umpire passphrase ({reason}); set by ${FILE_VAR}") from None
    lines = text.splitlines()
    return lines[0] if lines else ""


def scrub_environment(
    program: Sequence[str] | None = None,
    environ: MutableMapping[str, str] | None = None,
    execve: Callable[[str, list[str], dict[str, str]], object] = os.execve,
) -> None:
    """When `$SALIENT_UMPIRE_PASSPHRASE` is set, hash it and start the program again without it.

    The new process gets the salted hash through an inherited pipe (`$SALIENT_UMPIRE_HASH_FD`), so the
    passphrase never stays in any process's starting environment. `program`: the arguments after the
    interpreter (default: this command line again). Returns without doing anything where there is no
    /proc-style environment to hide from (not POSIX) or when the variable is unset."""
    env = os.environ if environ is None else environ
    value = env.get(ENV_VAR)
    if not value or os.name != "posix":
        return
    guard = UmpireGuard.from_passphrase(value)
    read_end, write_end = os.pipe()
    os.write(write_end, guard._salt + guard._digest)
    os.close(write_end)
    os.set_inheritable(read_end, True)
    clean = {k: v for k, v in env.items() if k != ENV_VAR}
    clean[HASH_FD_VAR] = str(read_end)
    args = list(program) if program is not None else ["-m", "game.cli", *sys.argv[1:]]
    execve(sys.executable, [sys.executable, *args], clean)
