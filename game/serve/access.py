"""Who may use a served game: the access token, the page's origin, and each trainee's own folder.

The token is a random secret printed when the server starts; it is the first part of every address the
server answers (`/<token>/`), so a browser that was not given the address gets 403 and no game starts.
A websocket must also come from the page's own origin, so another site open in the same browser cannot
drive a game even on a machine where the token is known. Each trainee plays in a folder of their own,
named after them, so no one can list or continue another trainee's saves from the browser.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
import socket
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from game.errors import SalientError

TOKEN_BYTES = 18
"""Random bytes in a generated token (24 URL-safe characters)."""
TOKEN_MIN, TOKEN_MAX = 8, 128
TOKEN_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
"""Characters a given token may use: those that stand in an address unescaped."""
NAME_MAX = 40
"""Longest trainee name kept (longer names are cut)."""
MAX_SESSIONS = 60
"""Games played at once, by default: each is a Python process of about 100 MB."""
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def new_token() -> str:
    """A fresh random access token."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def checked_token(token: str, source: str) -> str:
    """`token` if it can stand in an address and is long enough; a plain error naming `source` otherwise."""
    if not TOKEN_MIN <= len(token) <= TOKEN_MAX:
        raise SalientError(f"{source}: the access token must be {TOKEN_MIN} to {TOKEN_MAX} characters long")
    if not set(token) <= TOKEN_CHARACTERS or not any(c.isalnum() for c in token):
        raise SalientError(
            f"{source}: the access token may use only letters, digits and - _ . ~ (some letters or digits)"
        )
    return token


def token_from_file(path: Path) -> str:
    """The token kept in `path` (its first line), or a new one written there (readable by its owner only).

    Keeping it in a file means a restarted server answers the same address, and the token is not shown
    to other users of the machine in the process list, as `--token` on the command line would be.
    """
    if not path.exists():
        token = new_token()
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                out.write(token + "\n")
        except OSError as error:
            raise SalientError(f"cannot write the access token to {path}: {error.strerror}") from error
        return token
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise SalientError(f"cannot read the access token from {path}: {reason}") from error
    lines = text.splitlines()
    return checked_token(lines[0].strip() if lines else "", str(path))


def is_loopback(host: str) -> bool:
    """True when `host` names only this machine (127.0.0.0/8, ::1, localhost): no one else can connect."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return False
    return bool(found) and all(ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in found)


def display_name(raw: str) -> str:
    """A trainee's name as the game records it: letters, digits, spaces and - _ . ' only, at most NAME_MAX long."""
    text = unicodedata.normalize("NFKC", raw)
    kept = "".join(c if c.isalnum() or c in "-_.' " else " " for c in text)
    return " ".join(kept.split())[:NAME_MAX].strip()


def folder_name(name: str) -> str:
    """The folder a trainee's games are kept in: the name in lower case, words joined by '-' ('' if none)."""
    words = ["".join(c for c in word if c.isalnum() or c in "-_") for word in display_name(name).casefold().split()]
    return "-".join(word for word in words if word).strip("-_")


@dataclass(frozen=True)
class Access:
    """What a request must carry: the token (None: none asked, loopback only) and an origin of this server."""

    token: str | None
    public_url: str | None = None

    @property
    def prefix(self) -> str:
        """The path every address of the server starts with: `/<token>` ('' without a token)."""
        return f"/{self.token}" if self.token else ""

    def path_allowed(self, path: str) -> bool:
        """The request's path starts with the token (compared in constant time)."""
        if self.token is None:
            return True
        first = path.split("/", 2)[1] if path.startswith("/") else ""
        return hmac.compare_digest(first.encode("utf-8", "replace"), self.token.encode("utf-8"))

    def origin_allowed(self, origin: str, host: str) -> bool:
        """`origin` (a browser's Origin header) is this server as the browser reached it (`host`) or its public URL."""
        allowed = {f"http://{host}".lower(), f"https://{host}".lower()}
        if self.public_url:
            public = urlsplit(self.public_url)
            allowed.add(f"{public.scheme}://{public.netloc}".lower())
        return origin.strip().lower() in allowed
