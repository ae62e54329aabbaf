"""`salient serve [--host 127.0.0.1] [--port 8000]`: play in a web browser through textual-serve.

Bound to localhost by default: the game is meant for the person at the machine (or an SSH tunnel),
not the network. Each browser tab gets its own `salient play` process.

Quick to the title screen: a session process spends most of its first second or two importing the
game. The server keeps one process started ahead of the next browser, imports done and waiting on
its input (`python -m game.commands.serve`); when a browser connects, the first thing the process
reads is that browser's terminal size, and only then does `salient play` begin. The next spare is
started as soon as that browser has its screen.

Offline: textual-serve's page template (1.1.x) loads the Roboto Mono font from fonts.googleapis.com,
although the font files ship in its own `static/fonts`. We serve a derived template in which that
link is replaced by an `@font-face` on the bundled file, so the page asks nothing of the internet.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shlex
import sys
from functools import cache
from pathlib import Path
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
SPARE_GRACE = 5.0
"""Seconds a browser's session gets to draw its first screen before the next spare starts regardless."""


def register(subparsers: Any) -> None:
    """Add `serve` to the command line."""
    parser = subparsers.add_parser(
        "serve",
        help="serve the game to a web browser (localhost only by default)",
        description="Serve Salient to a web browser with textual-serve. Listens on 127.0.0.1 unless --host "
        "says otherwise; open the printed address in a browser. Works without internet access.",
    )
    parser.add_argument("path", nargs="?", metavar="PATH", help="scenario file to offer first")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument(
        "--public-url", default=None, metavar="URL", help="address the browser uses, when behind a proxy or tunnel"
    )
    parser.set_defaults(handler=run)


def play_command(path: str | None = None) -> str:
    """What each browser session plays: this Python, this package, `play` (shown when the server starts)."""
    parts = [sys.executable, "-m", "game.cli", "play"]
    if path:
        parts.append(path)
    return shlex.join(parts)


def session_command(path: str | None = None) -> str:
    """The process started for a browser: `play_command`, begun once the browser's size is known."""
    parts = [sys.executable, "-m", "game.commands.serve"]
    if path:
        parts.append(path)
    return shlex.join(parts)


_REMOTE_FONT = re.compile(r"<link[^>]*fonts\.googleapis\.com[^>]*>", re.DOTALL)
_LOCAL_FONT = """<style>
      @font-face {
        font-family: "Roboto Mono";
        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf") format("truetype");
      }
    </style>"""


def offline_templates() -> Path:
    """A copy of textual-serve's page template that uses the bundled font instead of Google Fonts."""
    import textual_serve

    from game.record.paths import data_dir

    source = Path(textual_serve.__file__).parent / "templates" / "app_index.html"
    folder = data_dir() / "serve-templates"
    folder.mkdir(parents=True, exist_ok=True)
    page = _REMOTE_FONT.sub(_LOCAL_FONT, source.read_text(encoding="utf-8"))
    (folder / "app_index.html").write_text(page, encoding="utf-8")
    return folder


def build_server(args: argparse.Namespace) -> Any:
    """The server for these arguments (not started)."""
    from game.errors import SalientError

    if not 0 < args.port < 65536:
        raise SalientError(f"port {args.port} is not between 1 and 65535")
    return _server_class()(
        play_command(args.path),
        session_command(args.path),
        host=args.host,
        port=args.port,
        title="Salient",
        public_url=args.public_url,
        templates_path=offline_templates(),
    )


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    server = build_server(args)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"salient: warning: listening on {args.host}; anyone who can reach it can play", file=sys.stderr)
    server.serve()
    return 0


@cache
def _server_class() -> type:
    """textual-serve's server, keeping a session process ready for the next browser.

    Built on first use so that `salient --help` does not import the web stack.
    """
    from asyncio.subprocess import Process

    from aiohttp import web
    from textual_serve.app_service import AppService
    from textual_serve.server import Server, log, to_int

    class WaitingSession(AppService):
        """A session whose process starts before its browser connects and plays once told the browser's size."""

        def __init__(self, command: str, server: Server) -> None:
            super().__init__(
                command,
                write_bytes=self._write_bytes,
                write_str=self._write_str,
                close=self._close,
                download_manager=server.download_manager,
                debug=server.debug,
            )
            self.websocket: web.WebSocketResponse | None = None
            self.first_screen = asyncio.Event()
            """Set once the process has sent its browser a screenful (not just terminal set-up codes)."""

        async def open(self) -> None:
            """Start the process; it imports the game and waits."""
            await self._open_app_process()

        def alive(self) -> bool:
            """The process is running (a spare can die while it waits, e.g. when killed from outside)."""
            return self._process is not None and self._process.returncode is None

        async def start(self, width: int, height: int) -> None:
            """Hand the process to the attached browser: its size first, then the game's output."""
            if not self.alive():
                await self._open_app_process(width, height)
            await self.set_terminal_size(width, height)
            self._task = asyncio.create_task(self.run())

        async def discard(self) -> None:
            """End a process no browser took: closing its input tells it the server has gone."""
            process: Process | None = self._process
            if process is None or process.returncode is not None:
                return
            assert process.stdin is not None
            process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), timeout=5)
            except TimeoutError:
                process.kill()
                await process.wait()

        async def on_data(self, payload: bytes) -> None:
            await super().on_data(payload)
            if len(payload) > 512:
                self.first_screen.set()

        async def _write_bytes(self, data: bytes) -> None:
            assert self.websocket is not None
            await self.websocket.send_bytes(data)

        async def _write_str(self, data: str) -> None:
            assert self.websocket is not None
            await self.websocket.send_str(data)

        async def _close(self) -> None:
            assert self.websocket is not None
            await self.websocket.close()

    class SalientServer(Server):
        """textual-serve's server with one session process kept ready for the next browser."""

        def __init__(self, command: str, session: str, **options: Any) -> None:
            super().__init__(command, **options)
            self.session = session
            self.spare: WaitingSession | None = None
            self._refills: set[asyncio.Task[None]] = set()

        async def on_startup(self, app: web.Application) -> None:
            await super().on_startup(app)
            await self._refill()

        async def on_shutdown(self, app: web.Application) -> None:
            for task in self._refills:
                task.cancel()
            if self.spare is not None:
                await self.spare.discard()
                self.spare = None

        async def _refill(self, after: WaitingSession | None = None) -> None:
            """Start the next spare, once the session `after` (if any) has drawn its first screen."""
            if after is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(after.first_screen.wait(), timeout=SPARE_GRACE)
            spare = WaitingSession(self.session, self)
            try:
                await spare.open()
            except OSError as error:  # the next browser then starts its own process, and says why if it fails
                log.error("could not start a session ahead of the next browser: %s", error)
                return
            if self.spare is None:
                self.spare = spare
            else:  # another refill got there first
                await spare.discard()

        def _take_spare(self) -> WaitingSession:
            """The ready session if there is one (a fresh one otherwise); the next spare follows."""
            session, self.spare = self.spare, None
            if session is None:
                session = WaitingSession(self.session, self)
            task = asyncio.create_task(self._refill(after=session))
            self._refills.add(task)
            task.add_done_callback(self._refills.discard)
            return session

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            """textual-serve's websocket handler, with the session taken ready rather than started now."""
            websocket = web.WebSocketResponse(heartbeat=15)
            width = to_int(request.query.get("width", "80"), 80)
            height = to_int(request.query.get("height", "24"), 24)
            session: WaitingSession | None = None
            try:
                await websocket.prepare(request)
                session = self._take_spare()
                session.websocket = websocket
                await session.start(width, height)
                try:
                    await self._process_messages(websocket, session)
                finally:
                    await session.stop()
            except asyncio.CancelledError:
                await websocket.close()
            except Exception as error:
                log.exception(error)
            finally:
                if session is not None:
                    await session.stop()
            return websocket

    return SalientServer


def await_browser(fd: int = 0) -> bool:
    """Wait for the server to hand this process a browser; take the terminal size it sends first.

    The server speaks textual-serve's protocol on our input: b"M", a 4-byte big-endian length, then JSON.
    Returns False if the input closes first (the server stopped before any browser came).
    """
    header = _read_exactly(fd, 5)
    if header is None:
        return False
    payload = _read_exactly(fd, int.from_bytes(header[1:], "big"))
    if payload is None:
        return False
    meta = json.loads(payload) if header[:1] == b"M" else {}
    if meta.get("type") == "resize":
        os.environ["COLUMNS"], os.environ["ROWS"] = str(int(meta["width"])), str(int(meta["height"]))
    return True


def _read_exactly(fd: int, size: int) -> bytes | None:
    """`size` bytes from `fd`, read unbuffered so the game's own reader gets everything after them."""
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


_PRELOAD = ("game.classroom.guard", "game.tui.app", "game.tui.crash")
"""What `salient play` imports on its way to the title screen: loaded before the browser is waiting."""


def session_main(argv: list[str]) -> int:
    """A browser session's process: import the game now, play once a browser arrives."""
    import importlib

    for module in _PRELOAD:
        importlib.import_module(module)
    from game.cli import main

    if not await_browser():
        return 0
    return main(["play", *argv])


if __name__ == "__main__":
    sys.exit(session_main(sys.argv[1:]))
