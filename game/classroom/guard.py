"""The umpire's passphrase: only a salted hash is kept, so nothing on screen or in memory dumps reveals it.

The instructor sets it when the game starts, from `$SALIENT_UMPIRE_PASSPHRASE` (removed from the
environment once read, so child processes and the trainee's shell never see it) or from a prompt
(`salient play --umpire`). Opening umpire mode asks for it again; after a few wrong tries the guard
waits before it accepts another, so guessing at the keyboard is slow.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Callable, MutableMapping

from game.errors import SalientError

ENV_VAR = "SALIENT_UMPIRE_PASSPHRASE"
MIN_LENGTH = 4
FREE_TRIES = 3
LOCKOUT_S = 30.0
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


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
    def from_passphrase(cls, passphrase: str, **options: Callable[[], float]) -> "UmpireGuard":
        """Hash a new passphrase with a fresh random salt."""
        if len(passphrase.strip()) < MIN_LENGTH:
            raise SalientError(f"the umpire passphrase must have at least {MIN_LENGTH} characters")
        salt = secrets.token_bytes(16)
        return cls(salt, _digest(passphrase, salt), **options)

    @classmethod
    def from_env(cls, environ: MutableMapping[str, str] | None = None) -> "UmpireGuard | None":
        """From `$SALIENT_UMPIRE_PASSPHRASE` (then removed from the environment); None when unset."""
        env = os.environ if environ is None else environ
        value = env.pop(ENV_VAR, None)
        return None if not value else cls.from_passphrase(value)

    @classmethod
    def from_prompt(cls, ask: Callable[[str], str] = getpass.getpass) -> "UmpireGuard":
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
