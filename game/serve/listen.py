"""The server's listening socket, opened before anything else starts so a bad address is one plain sentence."""

from __future__ import annotations

import errno
import socket

from game.errors import SalientError

BACKLOG = 128


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on `host`:`port`, or a SalientError saying why not (port taken, no such address...)."""
    if not 0 <= port < 65536:
        raise SalientError(f"port {port} is not between 0 (any free port) and 65535")
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError):
        raise SalientError(
            f"cannot listen on {host!r}: it is neither an address nor a name this machine can look up"
        ) from None
    family, kind, protocol, _, address = found[0]
    sock = socket.socket(family, kind, protocol)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart need not wait out TIME_WAIT
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError as error:
        sock.close()
        raise SalientError(_why(error, host, port)) from None
    sock.setblocking(False)
    return sock


def _why(error: OSError, host: str, port: int) -> str:
    if error.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use (another server is running there); choose another with --port"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {host}: it is not an address of this machine"
    if error.errno == errno.EACCES:
        return f"not allowed to listen on port {port} (ports below 1024 need administrator rights); choose another with --port"
    return f"cannot listen on {host} port {port}: {error.strerror or error}"
