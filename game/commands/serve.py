"""`salient serve [PATH] [--host H] [--port N] [--token T | --token-file F | --no-token]`: play in a web browser.

A classroom's server: each browser needs the address printed at start, which carries a random access
token; the page asks the trainee's name and keeps that trainee's games in a folder of their own
(`--trainees`, default `trainees/` in the data directory); finished games go to the class database.
Without a token the server answers only on this machine. How the server works: `game.serve`.

This module is also the process behind each browser (`python -m game.commands.serve`): it imports the
game ahead of time, waits for the server to hand it a browser, then plays.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import socket
import sys
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from game.errors import SalientError
from game.serve.access import MAX_SESSIONS

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MAX_META = 64 * 1024
"""Longest message the waiting session process accepts before its browser (a folder, a name, a size)."""


def register(subparsers: Any) -> None:
    """Add `serve` to the command line."""
    parser = subparsers.add_parser(
        "serve",
        help="serve the game to web browsers, e.g. a classroom (localhost only by default)",
        description="Serve Salient to web browsers with textual-serve. Prints the address to open, which "
        "carries a random access token: a browser without it is refused. Each trainee gives their name on "
        "the page and plays in a folder of their own under --trainees. Listens on 127.0.0.1 unless --host "
        "says otherwise; any other address needs the token. Works without internet access.",
    )
    parser.add_argument("path", nargs="?", metavar="PATH", help="scenario file to offer first")
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST}; 0.0.0.0: every network)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT}; 0: any free port, shown at start)",
    )
    parser.add_argument(
        "--public-url", default=None, metavar="URL", help="address the browser uses, when behind a proxy or tunnel"
    )
    token = parser.add_mutually_exclusive_group()
    token.add_argument(
        "--token", metavar="TOKEN", help="access token to require (default: a new random one; prefer --token-file)"
    )
    token.add_argument(
        "--token-file",
        metavar="FILE",
        help="read the access token from FILE, or write a new one there: the address stays the same across restarts",
    )
    token.add_argument(
        "--no-token", action="store_true", help="require no token (only when listening on this machine alone)"
    )
    parser.add_argument(
        "--trainees",
        metavar="DIR",
        help="folder holding one folder per trainee (default: trainees/ in the user data directory)",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="class database finished games are recorded in "
        "(default $SALIENT_DB, else class.sqlite3 in the user data directory)",
    )
    parser.add_argument(
        "--max-sessions",
        type=int,
        default=MAX_SESSIONS,
        metavar="N",
        help=f"games played at once, at most (default {MAX_SESSIONS}; each is a process of about 100 MB)",
    )
    parser.set_defaults(handler=run)


def play_command(path: str | None = None) -> str:
    """What each browser session plays: this Python, this package, `play` (shown when the server starts)."""
    parts = [sys.executable, "-m", "game.cli", "play"]
    if path:
        parts.append(path)
    return shlex.join(parts)


def session_command(path: str | None = None) -> str:
    """The process started for a browser: `play`, begun once the browser's trainee and size are known."""
    parts = [sys.executable, "-m", "game.commands.serve"]
    if path:
        parts.append(path)
    return shlex.join(parts)


def access_for(args: argparse.Namespace) -> Any:
    """The access rule these arguments ask for: a token (given, from a file, or new), or none on loopback only."""
    from game.serve.access import Access, checked_token, is_loopback, new_token, token_from_file

    if args.no_token:
        if not is_loopback(args.host):
            raise SalientError(
                f"--no-token is refused with --host {args.host}: anyone on that network could play and "
                "reach every trainee's games; leave out --no-token so a token is required"
            )
        token = None
    elif args.token is not None:
        token = checked_token(args.token, "--token")
    elif args.token_file is not None:
        token = token_from_file(Path(args.token_file).expanduser())
    else:
        token = new_token()
    return Access(token, args.public_url)


def build_server(args: argparse.Namespace) -> Any:
    """The server for these arguments (not started); refuses bad arguments with a plain message."""
    from game.classroom.db import default_db_path
    from game.record.paths import data_dir
    from game.serve.server import Classroom, SalientServer

    if not 0 <= args.port < 65536:
        raise SalientError(f"port {args.port} is not between 0 (any free port) and 65535")
    if args.public_url is not None and urlsplit(args.public_url).scheme not in ("http", "https"):
        raise SalientError(f"--public-url {args.public_url!r} must start with http:// or https://")
    path = None
    if args.path:
        from game.scenario.load import load_scenario

        scenario = Path(args.path).expanduser()
        if not scenario.is_file():
            raise SalientError(f"no scenario file at {scenario}")
        load_scenario(scenario)  # a bad scenario is reported here, once, not in every browser
        path = str(scenario.resolve())
    if args.max_sessions < 1:
        raise SalientError(f"--max-sessions must be 1 or more, not {args.max_sessions}")
    access = access_for(args)
    try:
        trainees = Path(args.trainees).expanduser() if args.trainees else data_dir() / "trainees"
        trainees.mkdir(parents=True, exist_ok=True)
        db = Path(args.db).expanduser() if args.db else default_db_path()
    except OSError as error:
        where = error.filename or args.trainees or "the data directory"
        why = "a file is in the way" if isinstance(error, FileExistsError | NotADirectoryError) else error.strerror
        raise SalientError(f"cannot keep the trainees' games in {where}: {why or error}") from None
    return SalientServer(
        play_command(path),
        session_command(path),
        access=access,
        classroom=Classroom(trainees.resolve(), db.resolve()),
        host=args.host,
        port=args.port,
        public_url=args.public_url,
        max_sessions=args.max_sessions,
    )


def address(server: Any, port: int) -> str:
    """The address to open in a browser: the public URL, or this host and port; the token's path after it."""
    base = server.given_public_url
    if not base:
        host = server.host
        if host in ("0.0.0.0", "::", ""):
            host = socket.getfqdn()
        elif ":" in host:
            host = f"[{host}]"
        base = f"http://{host}:{port}"
    return f"{base.rstrip('/')}{server.access.prefix}/"


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    import asyncio
    import logging

    from game.serve.listen import listen

    server = build_server(args)
    sock = listen(args.host, args.port)
    logging.basicConfig(level=logging.WARNING, format="salient serve: %(message)s")

    def ready() -> None:
        print(f"salient: serving {server.command}", flush=True)
        print(f"salient: open {address(server, sock.getsockname()[1])}", flush=True)
        print(f"salient: each trainee's games are kept in {server.classroom.trainees}/<name>/saves", flush=True)
        print("salient: press Ctrl+C to stop", flush=True)

    try:
        asyncio.run(server.serve_on(sock, ready))
    finally:
        sock.close()
    return 0


@dataclass(frozen=True)
class Browser:
    """What the server tells a waiting session about the browser it now plays for."""

    width: int
    height: int
    home: str | None = None
    trainee: str | None = None
    db: str | None = None


def await_browser(fd: int = 0) -> Browser | None:
    """Wait for the server to hand this process a browser: its trainee's folder and name, then its terminal size.

    The server speaks textual-serve's protocol on our input: b"M", a 4-byte big-endian length, then JSON.
    Everything after the size is left for the game's own reader. Returns None if the input closes or the
    server says quit first (it stopped before any browser came).
    """
    session: dict[str, Any] = {}
    while True:
        header = _read_exactly(fd, 5)
        if header is None or header[:1] != b"M":
            return None
        size = int.from_bytes(header[1:], "big")
        payload = _read_exactly(fd, size) if size <= MAX_META else None
        if payload is None:
            return None
        try:
            meta = json.loads(payload)
        except ValueError:
            return None
        if not isinstance(meta, dict):
            return None
        if meta.get("type") == "salient-session":
            session = {key: str(meta[key]) for key in ("home", "trainee", "db") if meta.get(key) is not None}
        elif meta.get("type") == "resize":
            return Browser(int(meta["width"]), int(meta["height"]), **session)
        else:
            return None


def _read_exactly(fd: int, size: int) -> bytes | None:
    """`size` bytes from `fd`, read unbuffered so the game's own reader gets everything after them."""
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


_PRELOAD = ("game.classroom.guard", "game.tui.app", "game.tui.crash", "game.commands.play")
"""What `salient play` imports on its way to the title screen: loaded before the browser is waiting."""
_GREETING = b"__GANGLION__\n"
"""The line textual-serve waits for from a Textual app; a session that ends unused says it too, so the
server sees a session that ended rather than one that failed to start."""


def session_main(argv: list[str]) -> int:
    """A browser session's process: import the game now, play once a browser arrives, in its trainee's folder."""
    import importlib

    for module in _PRELOAD:
        importlib.import_module(module)
    browser = await_browser()
    if browser is None:
        os.write(1, _GREETING)
        return 0
    return _play(browser_play(browser, argv, os.environ))


INSTRUCTOR_ENV = "SALIENT_INSTRUCTOR_DIR"
"""The instructor's folder (key, full records), named outright when the data directory is elsewhere."""


def browser_play(browser: Browser, argv: list[str], environ: MutableMapping[str, str]) -> list[str]:
    """The `play` arguments for this browser, with `environ` set for it: its size, and its trainee's folder as
    the data directory while the instructor's folder stays the server's (so an instructor key still applies)."""
    from game.record.paths import ENV_VAR, data_dir

    environ["COLUMNS"], environ["ROWS"] = str(browser.width), str(browser.height)
    play_args = ["play", *argv]
    if browser.home:
        if not environ.get(INSTRUCTOR_ENV, "").strip():
            environ[INSTRUCTOR_ENV] = str(data_dir() / "instructor")  # the server's data directory, before the move
        environ[ENV_VAR] = browser.home
    if browser.trainee:
        play_args += ["--trainee", browser.trainee]
    if browser.db:
        play_args += ["--db", browser.db]
    return play_args


def _play(argv: list[str]) -> int:
    """`salient play` with these arguments, errors reported as the command line reports them."""
    from game.commands import play

    parser = argparse.ArgumentParser(prog="salient")
    play.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except SalientError as error:
        print(f"salient: {error}", file=sys.stderr)
        return error.exit_code


if __name__ == "__main__":
    sys.exit(session_main(sys.argv[1:]))
