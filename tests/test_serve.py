"""`salient serve` for a classroom, over HTTP: the access token, the Origin check, one folder per trainee,
and plain refusals for a used port, a bad host or an open address without a token.

The server runs in the test's event loop on an ephemeral loopback port (aiohttp's test server), with the
real session processes behind it, so a websocket that is let in gets the game's real title screen.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import stat
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp import test_utils

from game.cli import build_parser
from game.commands import serve
from game.errors import SalientError
from game.serve.access import Access, display_name, folder_name, is_loopback, token_from_file
from game.serve.server import FOREIGN, NO_TOKEN, SalientServer, WaitingSession

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"
TOKEN = "class-token-0123456789"
SECONDS = 40.0
"""How long a screen may take to come (session processes start Python; CI machines are slow and shared)."""
ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


@dataclass
class Served:
    client: test_utils.TestClient[aiohttp.web.Request, aiohttp.web.Application]
    server: SalientServer
    trainees: Path
    first_spare: WaitingSession | None

    @property
    def origin(self) -> str:
        return str(self.client.make_url("/").origin())


@pytest.fixture
async def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Served]:
    """The tutorial served with a known token on an ephemeral port; trainees' folders under tmp_path."""
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "instructor"))
    monkeypatch.delenv("SALIENT_DB", raising=False)
    trainees = tmp_path / "trainees"
    args = build_parser().parse_args(["serve", str(TUTORIAL), "--token", TOKEN, "--trainees", str(trainees)])
    server = serve.build_server(args)
    client = test_utils.TestClient(test_utils.TestServer(server.application()))
    await client.start_server()
    try:
        yield Served(client, server, trainees, server.spare)
    finally:
        await client.close()
        await sessions_gone()


async def sessions_gone() -> None:
    """Wait (a bounded time) until every session process this test started has ended and been reaped."""
    deadline = time.monotonic() + SECONDS
    while session_processes() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert session_processes() == set(), "session processes outlived the server"
    await asyncio.sleep(0.05)  # the loop hears of the last exit


def session_processes() -> set[int]:
    """Children of this process running a game session (Linux /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) if entry.name.isdigit() else 0
            if parent == os.getpid() and b"game.commands.serve" in (entry / "cmdline").read_bytes():
                found.add(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


async def refused_websocket(served: Served, path: str, origin: str | None) -> int:
    """The HTTP status a websocket to `path` is refused with (fails if it is let in)."""
    headers = {"Origin": origin} if origin is not None else {}
    with pytest.raises(aiohttp.WSServerHandshakeError) as refusal:
        await served.client.ws_connect(path, headers=headers)
    return refusal.value.status


def nothing_started(served: Served) -> None:
    assert served.server.playing == {}
    assert served.server.spare is served.first_spare is not None  # the session made ready was given to no one
    assert not served.trainees.exists() or list(served.trainees.iterdir()) == []


async def test_without_the_token_the_page_and_the_websocket_are_refused(served: Served) -> None:
    for path in ("/", "/static/js/textual.js", "/ws/ann", f"/{TOKEN[:-1]}/"):
        answer = await served.client.get(path)
        assert answer.status == 403, path
        assert await answer.text() == NO_TOKEN
    assert await refused_websocket(served, "/ws/ann", served.origin) == 403
    nothing_started(served)
    bare = await served.client.get(f"/{TOKEN}", allow_redirects=False)
    assert (bare.status, bare.headers["Location"]) == (302, f"/{TOKEN}/")


async def test_a_wrong_token_is_refused(served: Served) -> None:
    answer = await served.client.get("/not-the-class-token/?trainee=ann")
    assert answer.status == 403
    assert await refused_websocket(served, "/not-the-class-token/ws/ann", served.origin) == 403
    assert await refused_websocket(served, f"/{TOKEN}x/ws/ann", served.origin) == 403
    nothing_started(served)


async def test_a_websocket_from_another_sites_page_is_refused(served: Served) -> None:
    path = f"/{TOKEN}/ws/ann"
    assert await refused_websocket(served, path, "http://evil.example") == 403
    assert await refused_websocket(served, path, "null") == 403
    assert await refused_websocket(served, path, None) == 403  # a browser always says where it comes from
    page = await served.client.get(f"/{TOKEN}/?trainee=ann", headers={"Origin": "http://evil.example"})
    assert page.status == 403 and await page.text() == FOREIGN
    posted = await served.client.post(f"/{TOKEN}/", headers={"Origin": served.origin})
    assert posted.status == 405  # nothing on the server changes state through a form or a script
    nothing_started(served)


async def test_the_page_asks_a_name_then_carries_the_token_and_stays_offline(served: Served) -> None:
    form = await served.client.get(f"/{TOKEN}/")
    assert form.status == 200
    text = await form.text()
    assert 'name="trainee"' in text and "websocket" not in text
    assert form.headers["Referrer-Policy"] == "no-referrer" and form.headers["X-Frame-Options"] == "DENY"

    empty = await served.client.get(f"/{TOKEN}/", params={"trainee": '<>"/'})
    assert "at least one letter or digit" in await empty.text() and 'value=""' in await empty.text()
    hostile = await served.client.get(f"/{TOKEN}/", params={"trainee": '<img src=x onerror="alert(1)">'})
    shown = await hostile.text()
    assert "<img" not in shown and "<title>Salient — img src x onerror alert 1</title>" in shown

    page = await served.client.get(f"/{TOKEN}/", params={"trainee": "Ann Kovalenko"})
    html = await page.text()
    host = served.client.make_url("/").host
    assert f'data-session-websocket-url="ws://{host}:{served.client.port}/{TOKEN}/ws/Ann%20Kovalenko"' in html
    assert "googleapis" not in html and "http://" not in html.replace(f"ws://{host}", "")
    for asset in re.findall(r'(?:href|src)="([^"]+)"', html):
        assert (await served.client.get(asset)).status == 200, asset  # every file the page needs, from here
    font = f"/{TOKEN}/static/fonts/RobotoMono-VariableFont_wght.ttf"
    assert font in html and (await served.client.get(font)).status == 200


class Screen:
    """A browser's side of a game: the keys it sends and the text of what the game draws."""

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse) -> None:
        self.websocket = websocket
        self.seen = b""

    async def wait_for(self, *texts: str) -> str:
        """The text drawn since the last keys, once it holds every one of `texts`; fails with what it held."""
        deadline = time.monotonic() + SECONDS
        while True:
            shown = ESCAPES.sub(b"", self.seen).decode("utf-8", "replace")
            if all(text in shown for text in texts):
                return shown
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"the game never drew {texts!r}; it drew:\n{shown[-3000:]}")
            try:
                message = await self.websocket.receive(timeout=min(left, 1.0))
            except TimeoutError:
                continue
            if message.type == aiohttp.WSMsgType.BINARY:
                self.seen += message.data
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                pytest.fail(f"the session ended before drawing {texts!r}:\n{shown[-3000:]}")

    async def press(self, *keys: str) -> None:
        self.seen = b""
        for key in keys:
            await self.websocket.send_str(json.dumps(["stdin", key]))


async def play(served: Served, trainee: str) -> aiohttp.ClientWebSocketResponse:
    path = f"/{TOKEN}/ws/{trainee}?width=200&height=50"
    return await served.client.ws_connect(path, headers={"Origin": served.origin})


async def test_the_right_token_from_the_games_own_page_gets_the_title_screen(served: Served) -> None:
    async with await play(served, "Ann") as websocket:
        await Screen(websocket).wait_for("S A L I E N T", "Tutorial: the Bilyi Yar crossroads", "Trainee Ann")
        assert list(served.server.playing) == ["ann"]
        second = await served.client.get(f"/{TOKEN}/", params={"trainee": "ann"})
        assert "already playing in another window" in await second.text()
        assert await refused_websocket(served, f"/{TOKEN}/ws/ANN", served.origin) == 409
        served.server.max_sessions = 1
        full = await served.client.get(f"/{TOKEN}/", params={"trainee": "Bob"})
        assert "running as many games as it allows" in await full.text()
        assert await refused_websocket(served, f"/{TOKEN}/ws/Bob", served.origin) == 503
        assert not (served.trainees / "bob").exists()
    assert (served.trainees / "ann").is_dir()


async def test_each_trainee_sees_only_their_own_saves(served: Served) -> None:
    async with await play(served, "Ann") as websocket:
        ann = Screen(websocket)
        await ann.wait_for("Trainee Ann", "Start (s)")
        await ann.press("s")
        await ann.wait_for("BRIEFING")
        await ann.press("\r")
        await ann.wait_for("Turn 1")
    ann_saves = served.trainees / "ann" / "saves"
    deadline = time.monotonic() + SECONDS
    while not list(ann_saves.glob("tutorial-*.jsonl")) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    assert len(list(ann_saves.glob("tutorial-*.jsonl"))) == 1

    async with await play(served, "Bob") as websocket:
        bob = Screen(websocket)
        await bob.wait_for("Trainee Bob")
        await bob.press("c")
        listing = await bob.wait_for("No saved games yet.", "Saves are kept in")
        assert str(served.trainees / "bob" / "saves") in listing and "Enter continues" not in listing
    assert list((served.trainees / "bob").rglob("*.jsonl")) == []

    async with await play(served, "Ann") as websocket:
        again = Screen(websocket)
        await again.wait_for("Trainee Ann")
        await again.press("c")
        await again.wait_for("Enter continues the highlighted game.", str(ann_saves))


def salient_serve(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SALIENT_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "game.cli", "serve", *args],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def one_plain_sentence(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("salient: "), done.stderr
    return lines[0]


def test_a_port_in_use_is_one_plain_sentence(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        message = one_plain_sentence(salient_serve("--port", str(port), home=tmp_path))
    assert f"port {port} on 127.0.0.1 is already in use" in message


@pytest.mark.parametrize(
    ("host", "says"),
    [
        ("no-such-host.invalid", "neither an address nor a name"),
        ("192.0.2.1", "not an address of this machine"),  # TEST-NET-1: never this machine's
        ("300.1.1.1", "neither an address nor a name"),
    ],
)
def test_a_bad_host_is_one_plain_sentence(tmp_path: Path, host: str, says: str) -> None:
    assert says in one_plain_sentence(salient_serve("--host", host, "--port", "0", home=tmp_path))


def test_a_bad_scenario_or_public_url_is_refused_before_serving(tmp_path: Path) -> None:
    assert "no scenario file at" in one_plain_sentence(salient_serve(str(tmp_path / "none.yaml"), home=tmp_path))
    done = salient_serve("tests/broken/bad_enum.yaml", home=tmp_path)
    assert done.returncode == 1 and "bad_enum.yaml:" in done.stderr and "Traceback" not in done.stderr
    message = one_plain_sentence(salient_serve("--public-url", "javascript:alert(1)", home=tmp_path))
    assert "must start with http:// or https://" in message


def test_an_open_address_without_a_token_is_refused(tmp_path: Path) -> None:
    message = one_plain_sentence(salient_serve("--host", "0.0.0.0", "--no-token", home=tmp_path))
    assert "--no-token is refused with --host 0.0.0.0" in message and "anyone on that network" in message


def test_without_a_token_only_this_machine_is_served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path))
    server = serve.build_server(build_parser().parse_args(["serve", "--no-token"]))
    assert server.access.token is None and serve.address(server, 8000) == "http://127.0.0.1:8000/"
    server = serve.build_server(build_parser().parse_args(["serve", "--host", "0.0.0.0"]))
    assert server.access.token is not None and len(server.access.token) >= 24
    assert serve.address(server, 8123).endswith(f":8123/{server.access.token}/")


def test_serve_builds_a_localhost_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path))
    args = build_parser().parse_args(["serve"])
    assert args.handler is serve.run
    server = serve.build_server(args)
    assert (server.host, server.port) == ("127.0.0.1", 8000)
    assert server.command.endswith("-m game.cli play")
    assert server.classroom.trainees == (tmp_path / "trainees").resolve() and server.classroom.trainees.is_dir()
    assert (Path(server.statics_path) / "fonts" / "RobotoMono-VariableFont_wght.ttf").is_file()
    args = build_parser().parse_args(["serve", "scenarios/tutorial.yaml", "--host", "0.0.0.0", "--port", "8123"])
    server = serve.build_server(args)
    assert (server.host, server.port) == ("0.0.0.0", 8123)
    assert server.command.endswith(f"play {TUTORIAL}")  # wherever the sessions run, the same file
    with pytest.raises(SalientError, match="port 70000 is not between 0"):
        serve.build_server(build_parser().parse_args(["serve", "--port", "70000"]))
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(SalientError, match=f"cannot keep the trainees' games in {tmp_path / 'file'}"):
        serve.build_server(build_parser().parse_args(["serve", "--trainees", str(tmp_path / "file" / "t")]))


def test_the_printed_address_carries_the_token(tmp_path: Path) -> None:
    env = {**os.environ, "SALIENT_HOME": str(tmp_path)}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "game.cli", "serve", "--port", str(port), "--token-file", str(tmp_path / "token")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(2)]
        token = (tmp_path / "token").read_text(encoding="utf-8").strip()
        assert lines[1].strip() == f"salient: open http://127.0.0.1:{port}/{token}/"
        assert stat.S_IMODE((tmp_path / "token").stat().st_mode) == 0o600
    finally:
        process.terminate()
        assert process.wait(timeout=SECONDS) == 0


def test_a_token_file_keeps_the_address_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "token"
    first = token_from_file(path)
    assert token_from_file(path) == first and len(first) >= 24
    path.write_text("short\n", encoding="utf-8")
    with pytest.raises(SalientError, match=r"token.*8 to 128 characters"):
        token_from_file(path)
    for bad in ("has spaces in it", "........", "tok/en/../../x"):
        path.write_text(bad + "\n", encoding="utf-8")
        with pytest.raises(SalientError, match=f"{path}: the access token may use only letters, digits"):
            token_from_file(path)
    with pytest.raises(SalientError, match="cannot write the access token"):
        token_from_file(tmp_path / "no" / "such" / "folder" / "token")


def test_trainee_names_become_safe_folder_names() -> None:
    assert folder_name("Ann Kovalenko") == folder_name("ann  kovalenko") == "ann-kovalenko"
    assert folder_name("../../etc/passwd") == "etc-passwd"
    assert folder_name("[b]bob[/b]") == "b-bob-b"
    assert folder_name("Олена") == "олена"
    assert folder_name("\x1b]52;c;bad\x07") == "52-c-bad"
    assert folder_name("..") == folder_name("   ") == folder_name("<>") == ""
    assert len(display_name("x" * 10_000)) == 40
    assert display_name("Ann\u202eevil") == "Ann evil"


def test_loopback_is_told_from_open_addresses() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("::") and not is_loopback("192.0.2.1")


def test_the_origin_must_be_this_server() -> None:
    access = Access("t" * 20, public_url="https://class.example.org/salient/")
    assert access.origin_allowed("http://127.0.0.1:8000", "127.0.0.1:8000")
    assert access.origin_allowed("https://class.example.org", "10.0.0.5:8000")
    assert not access.origin_allowed("http://evil.example", "127.0.0.1:8000")
    assert not access.origin_allowed("http://127.0.0.1:8001", "127.0.0.1:8000")
    assert access.path_allowed("/" + "t" * 20 + "/ws/ann") and not access.path_allowed("/ws/ann")


def test_a_waiting_session_learns_its_trainee_and_size_and_leaves_the_rest() -> None:
    def meta(data: Mapping[str, object]) -> bytes:
        payload = json.dumps(data).encode()
        return b"M" + len(payload).to_bytes(4, "big") + payload

    keys = b"D" + (3).to_bytes(4, "big") + b"abc"
    session = {"type": "salient-session", "home": "/srv/trainees/ann", "trainee": "Ann", "db": "/srv/class.sqlite3"}
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, meta(session) + meta({"type": "resize", "width": 142, "height": 47}) + keys)
        browser = serve.await_browser(read_end)
        assert browser == serve.Browser(142, 47, "/srv/trainees/ann", "Ann", "/srv/class.sqlite3")
        assert os.read(read_end, 100) == keys  # the game's own reader gets everything after the size
        os.write(write_end, meta({"type": "quit"}))
        assert serve.await_browser(read_end) is None  # the server stopped before any browser came
        os.write(write_end, b"M" + (10**9).to_bytes(4, "big"))
        assert serve.await_browser(read_end) is None  # nor does a huge message get read
    finally:
        os.close(read_end)
        os.close(write_end)


def test_a_session_plays_in_its_trainees_folder_and_keeps_the_instructors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "instructor-home"))
    browser = serve.Browser(100, 30, str(tmp_path / "trainees" / "ann"), "Ann", str(tmp_path / "class.sqlite3"))
    environ = {"SALIENT_HOME": str(tmp_path / "instructor-home")}
    args = serve.browser_play(browser, ["scenarios/tutorial.yaml"], environ)
    assert args == ["play", "scenarios/tutorial.yaml", "--trainee", "Ann", "--db", str(tmp_path / "class.sqlite3")]
    assert environ == {
        "SALIENT_HOME": str(tmp_path / "trainees" / "ann"),
        "SALIENT_INSTRUCTOR_DIR": str(tmp_path / "instructor-home" / "instructor"),
        "COLUMNS": "100",
        "ROWS": "30",
    }
    named = {"SALIENT_INSTRUCTOR_DIR": "/srv/instructor"}
    serve.browser_play(browser, [], named)
    assert named["SALIENT_INSTRUCTOR_DIR"] == "/srv/instructor"  # an instructor's folder named outright stays
