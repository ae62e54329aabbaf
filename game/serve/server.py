"""The web server behind `salient serve`: textual-serve's sessions and downloads, our own page and checks.

Built only on textual-serve's public API (the `Server` and `AppService` classes, their constructors,
`start`/`stop`/`run`, `send_bytes`/`send_meta`/`set_terminal_size`/`blur`/`focus`, `on_data`,
`handle_download`, `statics_path`, `download_manager`) and on aiohttp's. The application, its routes and
the page are ours, so the access token, the Origin check and the trainee's folder sit in front of
everything, and textual-serve's own HTML is never edited.

Quick to the title screen: a session process spends its first second or two importing the game. The
server keeps one process started ahead of the next browser, imports done and waiting on its input
(`python -m game.commands.serve`). When a browser connects, the process is told its trainee's folder,
then the browser's terminal size, and only then does `salient play` begin; the next spare is started
once that browser has its screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import jinja2
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager
from textual_serve.server import Server

from game.serve.access import MAX_SESSIONS, NAME_MAX, Access, display_name, folder_name

log = logging.getLogger("salient.serve")

TEMPLATES = Path(__file__).parent / "templates"
PAGE = "page.html"
SPARE_GRACE = 5.0
"""Seconds a browser's session gets to draw its first screen before the next spare starts regardless."""
HEARTBEAT = 15.0
SESSION_META = "salient-session"
"""Type of the first message a waiting session process reads: where its trainee's games go."""
STOP_WAIT = 10.0
"""Seconds a session process gets to end after it is told to quit."""

NO_TOKEN = "This game needs its full address, with the access token, as printed by `salient serve`.\n"
FOREIGN = "Refused: this request came from another site's page, not from the game's own page.\n"
FULL = "The server is running as many games as it allows; try again when someone has finished.\n"
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token is in the address: never pass it on
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True)
class Classroom:
    """Where each trainee's folder is made, and the class database their finished games are recorded in."""

    trainees: Path
    db: Path

    def home(self, name: str) -> Path:
        """The folder (the session's SALIENT_HOME) for the trainee called `name`; `name` must give a folder name."""
        folder = folder_name(name)
        if not folder:
            raise ValueError(f"no folder name in {name!r}")
        return self.trainees / folder


class WaitingSession(AppService):
    """A session whose process starts before its browser connects and plays once told who and how big."""

    def __init__(self, command: str, download_manager: DownloadManager) -> None:
        super().__init__(
            command,
            write_bytes=self._bytes_to_browser,
            write_str=self._text_to_browser,
            close=self._close_browser,
            download_manager=download_manager,
        )
        self.websocket: web.WebSocketResponse | None = None
        self.attached = asyncio.Event()
        self.first_screen = asyncio.Event()
        """Set once the process has sent its browser a screenful (not just terminal set-up codes)."""
        self.ended = asyncio.Event()

    async def open(self) -> None:
        """Start the process; it imports the game and waits for a browser."""
        await self.start(80, 24)

    def alive(self) -> bool:
        """The process has not ended (a spare can die while it waits, e.g. when killed from outside)."""
        return not self.ended.is_set()

    async def run(self) -> None:
        try:
            await super().run()
        finally:
            self.ended.set()

    async def attach(self, websocket: web.WebSocketResponse, home: Path, trainee: str, db: Path, size: Size) -> None:
        """Give the process to this browser: its trainee's folder and name first, then its terminal size."""
        self.websocket = websocket
        self.attached.set()
        await self.send_meta({"type": SESSION_META, "home": str(home), "trainee": trainee, "db": str(db)})
        await self.set_terminal_size(size.width, size.height)

    async def end(self) -> None:
        """Tell the process to quit and wait for it (a bounded time: the server must be able to stop)."""
        try:
            await asyncio.wait_for(self.stop(), timeout=STOP_WAIT)
        except TimeoutError:
            log.warning("a session process did not end within %.0f s of being told to", STOP_WAIT)

    async def on_data(self, payload: bytes) -> None:
        await super().on_data(payload)
        if len(payload) > 512:
            self.first_screen.set()

    async def _bytes_to_browser(self, data: bytes) -> None:
        await self.attached.wait()
        assert self.websocket is not None
        await self.websocket.send_bytes(data)

    async def _text_to_browser(self, data: str) -> None:
        await self.attached.wait()
        assert self.websocket is not None
        await self.websocket.send_str(data)

    async def _close_browser(self) -> None:
        if self.websocket is not None:
            await self.websocket.close()


@dataclass(frozen=True)
class Size:
    """A browser terminal's size in cells, kept within sensible bounds."""

    width: int
    height: int

    @classmethod
    def of(cls, width: object, height: object) -> Size:
        return cls(_bounded(width, 80, 10, 1000), _bounded(height, 24, 5, 500))


def _bounded(value: object, default: int, low: int, high: int) -> int:
    if not isinstance(value, int | float | str) or isinstance(value, bool):
        return default  # anything a browser sends: what is not a number falls back
    try:
        number = int(value)
    except (ValueError, OverflowError):
        return default
    return min(max(number, low), high)


class SalientServer(Server):
    """textual-serve's server behind the access token and Origin check, one folder per trainee, a spare ready."""

    def __init__(
        self,
        command: str,
        session_command: str,
        *,
        access: Access,
        classroom: Classroom,
        host: str,
        port: int,
        public_url: str | None = None,
        title: str = "Salient",
        max_sessions: int = MAX_SESSIONS,
    ) -> None:
        super().__init__(command, host=host, port=port, title=title, public_url=public_url, templates_path=TEMPLATES)
        self.session_command = session_command
        self.access = access
        self.classroom = classroom
        self.given_public_url = public_url
        self.max_sessions = max_sessions
        self.spare: WaitingSession | None = None
        self.playing: dict[str, web.WebSocketResponse | None] = {}
        """Folder of each trainee playing now → their websocket (None while it opens): one window each."""
        self._refills: set[asyncio.Task[None]] = set()
        self.pages = jinja2.Environment(loader=jinja2.FileSystemLoader(self.templates_path), autoescape=True)

    def application(self) -> web.Application:
        """The aiohttp application: every route under the token's prefix, behind `guard`."""
        app = web.Application(middlewares=[self.guard])
        prefix = self.access.prefix
        routes = [
            web.get(f"{prefix}/", self.handle_index),
            web.get(f"{prefix}/ws/{{trainee}}", self.handle_websocket),
            web.static(f"{prefix}/static", self.statics_path),
            # textual.js asks for downloads at /download/<key>, without the prefix; the key is a random
            # name only the session's own page is told.
            web.get("/download/{key}", self.handle_download),
        ]
        if prefix:
            routes.append(web.get(prefix, self._to_index))
        app.add_routes(routes)
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def serve_on(self, sock: socket.socket, ready: Callable[[], None] = lambda: None) -> None:
        """Answer on the listening socket `sock` until SIGINT or SIGTERM; `ready` runs once requests are answered."""
        runner = web.AppRunner(self.application(), handle_signals=False, access_log=None)
        await runner.setup()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            await web.SockSite(runner, sock).start()
            ready()
            await stop.wait()
        finally:
            await runner.cleanup()

    @web.middleware
    async def guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Every request: GET only, no foreign Origin, the token first in the path; safe headers on the answer."""
        if request.method not in ("GET", "HEAD"):
            raise web.HTTPMethodNotAllowed(request.method, ["GET", "HEAD"])
        origin = request.headers.get("Origin")
        if origin is not None and not self.access.origin_allowed(origin, request.host):
            log.warning("refused a request from %s made by a page of %s", request.remote, origin[:200])
            raise web.HTTPForbidden(text=FOREIGN)
        if not request.path.startswith("/download/") and not self.access.path_allowed(request.path):
            log.warning("refused a request from %s without the access token", request.remote)
            raise web.HTTPForbidden(text=NO_TOKEN)
        response = await handler(request)
        if not response.prepared:
            response.headers.update(PAGE_HEADERS)
        return response

    async def _to_index(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"{self.access.prefix}/")

    async def handle_index(self, request: web.Request) -> web.Response:
        """The page: asks the trainee's name, then (with `?trainee=NAME`) shows the game's terminal."""
        base = self.given_public_url.rstrip("/") if self.given_public_url else ""
        context: dict[str, object] = {
            "title": self.title,
            "static_url": f"{base}{self.access.prefix}/static/",
            "font_size": _bounded(request.query.get("fontsize"), 16, 8, 40),
            "name_max": NAME_MAX,
        }
        asked = request.query.get("trainee")
        if asked is not None:
            name = display_name(asked)
            context["asked"] = name
            if not folder_name(name):
                context["problem"] = "Please give a name with at least one letter or digit."
            elif folder_name(name) in self.playing:
                context["problem"] = f"{name} is already playing in another window; close that one first."
            elif self.full():
                context["problem"] = FULL.strip()
            else:
                context["trainee"] = name
                context["websocket_url"] = self._websocket_url(request, name)
        page = self.pages.get_template(PAGE).render(context)
        return web.Response(text=page, content_type="text/html")

    def full(self) -> bool:
        """As many games are being played as the server allows (each is a process of its own)."""
        return len(self.playing) >= self.max_sessions

    def _websocket_url(self, request: web.Request, name: str) -> str:
        if self.given_public_url:
            public = urlsplit(self.given_public_url)
            scheme, base = public.scheme, f"{public.netloc}{public.path.rstrip('/')}"
        else:
            scheme, base = request.scheme, request.host
        ws = "wss" if scheme == "https" else "ws"
        return f"{ws}://{base}{self.access.prefix}/ws/{quote(name, safe='')}"

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """A browser's game: refused unless from the page's own origin; played in the trainee's own folder."""
        origin = request.headers.get("Origin")
        if origin is None or not self.access.origin_allowed(origin, request.host):
            log.warning(
                "refused a websocket from %s: its page's origin is %s", request.remote, (origin or "not given")[:200]
            )
            raise web.HTTPForbidden(text=FOREIGN)
        name = display_name(request.match_info["trainee"])
        folder = folder_name(name)
        if not folder:
            raise web.HTTPBadRequest(text="A trainee name with at least one letter or digit is needed.\n")
        if folder in self.playing:
            raise web.HTTPConflict(text=f"{name} is already playing in another window.\n")
        if self.full():
            log.warning(
                "refused a game for %s: %d games are being played, the most --max-sessions allows",
                name,
                self.max_sessions,
            )
            raise web.HTTPServiceUnavailable(text=FULL)
        home = self.classroom.home(name)
        try:
            home.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            log.error("cannot make the folder %s for %s: %s", home, name, error.strerror)
            raise web.HTTPInternalServerError(text=f"The server cannot keep games for {name}.\n") from None
        self.playing[folder] = None
        try:
            websocket = web.WebSocketResponse(heartbeat=HEARTBEAT)
            await websocket.prepare(request)
            self.playing[folder] = websocket
            try:
                session = await self._take_spare()
            except OSError as error:  # e.g. no process can be started now: this browser is told, the server goes on
                log.error("cannot start a game for %s: %s", name, error)
                await websocket.close(code=1011, message=b"the server cannot start a game now")
                return websocket
            try:
                size = Size.of(request.query.get("width"), request.query.get("height"))
                await session.attach(websocket, home, name, self.classroom.db, size)
                await _relay(websocket, session)
            finally:
                await session.end()
                await websocket.close()
        finally:
            del self.playing[folder]
        return websocket

    async def on_startup(self, app: web.Application) -> None:
        await self._refill()

    async def on_shutdown(self, app: web.Application) -> None:
        """Close every browser's connection (each game is told to quit) and end the waiting spare."""
        for task in self._refills:
            task.cancel()
        for websocket in list(self.playing.values()):
            if websocket is not None:
                await websocket.close(code=1001, message=b"server stopping")
        if self.spare is not None:
            await self.spare.end()
            self.spare = None

    async def _refill(self, after: WaitingSession | None = None) -> None:
        """Start the next spare, once the session `after` (if any) has drawn its first screen."""
        if after is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(after.first_screen.wait(), timeout=SPARE_GRACE)
        spare = WaitingSession(self.session_command, self.download_manager)
        try:
            await spare.open()
        except OSError as error:  # the next browser then starts its own process, and says why if it fails
            log.error("could not start a session ahead of the next browser: %s", error)
            return
        if self.spare is None:
            self.spare = spare
        else:  # another refill got there first
            await spare.end()

    async def _take_spare(self) -> WaitingSession:
        """The ready session if there is one (a fresh one otherwise); the next spare follows."""
        session, self.spare = self.spare, None
        if session is None or not session.alive():
            session = WaitingSession(self.session_command, self.download_manager)
            await session.open()
        task = asyncio.create_task(self._refill(after=session))
        self._refills.add(task)
        task.add_done_callback(self._refills.discard)
        return session


async def _relay(websocket: web.WebSocketResponse, session: AppService) -> None:
    """The browser's messages to the session (keys, size, focus), until the browser goes; junk is ignored."""
    async for message in websocket:
        if message.type != WSMsgType.TEXT:
            continue
        try:
            envelope = json.loads(message.data)
        except ValueError:
            continue
        if not isinstance(envelope, list) or not envelope:
            continue
        kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
        if kind == "stdin" and isinstance(data, str):
            await session.send_bytes(data.encode("utf-8"))
        elif kind == "resize" and isinstance(data, dict):
            size = Size.of(data.get("width"), data.get("height"))
            await session.set_terminal_size(size.width, size.height)
        elif kind == "ping":
            await websocket.send_json(["pong", data])
        elif kind == "blur":
            await session.blur()
        elif kind == "focus":
            await session.focus()
