"""`salient serve` in a real browser: headless Chromium opens the page, the title screen comes, a turn is played.

The browser is Debian's `chromium` (/usr/bin/chromium), driven through Playwright's Python API (the `test`
extra); Playwright's own browser downloads are never used. Without Chromium the browser tests are skipped
with the reason — unless `SALIENT_BROWSER_TESTS` is set (CI sets it), when a missing browser is a failure.

The page draws the terminal on a canvas, so the screen is read from xterm.js's own buffer: a script run
before the page's own catches the terminal object as textual-serve's page creates it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from game.narrative.fmt import count
from game.record.journal import load_journal

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"
REQUIRED = bool(os.environ.get("SALIENT_BROWSER_TESTS"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium reaches for Google's servers; on a closed network those calls hang or fail.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TOKEN = "browser-test-token-42"
SECONDS = 30.0
"""How long any one screen may take to appear (generous: CI machines are slow and shared)."""

CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    if (value && value.buffer && value.buffer.active) {
      window.__salientTerminal = value;
      delete Object.prototype.terminal;
    }
  },
});
"""
"""textual-serve's page keeps its xterm.js Terminal in `this.terminal`; this setter catches it, then goes away."""

READ_SCREEN = """() => {
  const terminal = window.__salientTerminal;
  if (!terminal) return null;
  const buffer = terminal.buffer.active;
  const rows = [];
  for (let y = 0; y < terminal.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
}"""


def chromium() -> str:
    """Chromium's path; skips (or fails, when the browser tests are required) without it or Playwright."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "Chromium is not installed (Debian: apt-get install chromium)"
        if REQUIRED:
            pytest.fail(f"{message}; SALIENT_BROWSER_TESTS is set, so the browser tests must run")
        pytest.skip(f"{message}; set SALIENT_BROWSER_TESTS=1 to make this a failure")
    if importlib.util.find_spec("playwright") is None:
        pytest.fail("Playwright is missing: install the test extra, pip install -e '.[test]'")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    """A running `salient serve` and what it left on disk."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, home: Path, log: Path) -> None:
        self.process, self.url, self.home, self.log = process, url, home, log

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]

    def sessions(self) -> set[int]:
        """Process ids of the game sessions the server has started (spare or playing)."""
        return {pid for pid in _descendants(self.process.pid) if b"game.commands.serve" in _argv(pid)}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """`salient serve scenarios/tutorial.yaml` on a free loopback port with a known token, its own data folder."""
    chromium()
    port, home, log = free_port(), tmp_path / "home", tmp_path / "serve.log"
    env = {**os.environ, "SALIENT_HOME": str(home)}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "game.cli", "serve", str(TUTORIAL), "--port", str(port), "--token", TOKEN],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Served(process, f"http://127.0.0.1:{port}/{TOKEN}/", home, log)
    try:
        deadline = time.monotonic() + SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"salient serve exited with {process.returncode}:\n{server.output()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"salient serve did not listen on port {port}:\n{server.output()}")
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Tab:
    """A Chromium tab on the served page, and every address it asked for."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.requests: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))


@contextmanager
def browser_tab(url: str, profile: Path) -> Iterator[Tab]:
    """Headless Chromium with a new empty profile, one tab loading `url`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=chromium(),
            args=CHROMIUM_FLAGS,
            headless=True,
            viewport={"width": 1280, "height": 960},
        )
        try:
            context.add_init_script(CATCH_TERMINAL)
            tab = Tab(context.new_page())
            tab.page.goto(url)
            yield tab
        finally:
            context.close()


def screen(tab: Tab) -> str:
    """The terminal's text as the page shows it, row by row."""
    return tab.page.evaluate(READ_SCREEN) or ""


def wait_for(tab: Tab, *texts: str, without: str | None = None, seconds: float = SECONDS) -> str:
    """The screen once it shows every one of `texts` (and not `without`); fails with the last screen seen."""
    deadline = time.monotonic() + seconds
    while True:
        shown = screen(tab)
        if all(text in shown for text in texts) and (without is None or without not in shown):
            return shown
        if time.monotonic() > deadline:
            pytest.fail(f"the page never showed {texts!r}; it showed:\n{shown}")
        time.sleep(0.1)


def press(tab: Tab, *keys: str) -> None:
    """Keys pressed in the terminal, as a player presses them."""
    tab.page.focus("textarea.xterm-helper-textarea")
    for key in keys:
        tab.page.keyboard.press(key)


def type_text(tab: Tab, text: str) -> None:
    """Text typed into the terminal."""
    tab.page.focus("textarea.xterm-helper-textarea")
    tab.page.keyboard.type(text)


def test_the_tutorial_is_played_for_a_turn_in_the_browser(served: Served, tmp_path: Path) -> None:
    with browser_tab(served.url, tmp_path / "chromium-profile") as page:
        page.page.fill("#trainee", "Ann")  # the page asks the trainee's name first
        page.page.click("button[type=submit]")
        wait_for(page, "S A L I E N T", "Tutorial: the Bilyi Yar crossroads", "Start", "Trainee Ann")
        press(page, "s")  # the scenario given to `serve` is offered first
        wait_for(page, "BRIEFING", "BILYI YAR")
        press(page, "Enter")
        wait_for(page, "Turn 1", "e ends the turn")
        press(page, ":")
        wait_for(page, "^t Transcript", without="e End turn")  # the footer once the command line has the keys
        type_text(page, "order village fortify")
        press(page, "Enter")
        wait_for(page, "Village: fortify.")
        press(page, "Escape")
        wait_for(page, "e End turn")  # the keys are back with the game
        press(page, "e")
        wait_for(page, "End Turn 1", "Village fortify")
        press(page, "y")
        result = wait_for(page, "WHAT HAPPENED", "Turn 1", "Own casualties")

        saves = list((served.home / "trainees" / "ann" / "saves").glob("tutorial-*.jsonl"))  # Ann's own folder
        assert len(saves) == 1, f"expected one tutorial save, found {saves}"
        journal = load_journal(saves[0])
        assert [turn.turn for turn in journal.turns] == [1]
        played = journal.turns[0]
        assert played.orders.postures["village"] == "fortify"  # the order typed in the browser is the order played
        own = played.report.losses[journal.scenario.meta.player_side]
        shown = re.search(r"Own casualties \(true count\)\s+([\d,]+)", result)
        assert shown is not None and shown.group(1) == count(own.total)

        press(page, "Enter")
        wait_for(page, "Turn 2 —", "e End turn")
        origin = served.url.rstrip("/")
        assert [url for url in page.requests if not url.startswith(origin)] == []  # nothing asked of the internet


def test_a_session_is_ready_before_the_browser_asks(served: Served, tmp_path: Path) -> None:
    """The process behind the next browser tab is started ahead, so the page does not wait for Python to load."""
    ready = _wait_for_sessions(served, 1)
    with browser_tab(f"{served.url}?trainee=Bo", tmp_path / "chromium-profile") as page:
        wait_for(page, "S A L I E N T", "Tutorial: the Bilyi Yar crossroads")
        after = _wait_for_sessions(served, 2)
    assert ready < after  # the spare took the browser and is still playing; a new spare waits for the next

    served.process.terminate()  # stopping the server ends every session it started, the waiting one too
    assert served.process.wait(timeout=SECONDS) == 0
    deadline = time.monotonic() + SECONDS
    while left := {pid for pid in after if _argv(pid)[:1] not in ([], [b""])}:
        if time.monotonic() > deadline:
            pytest.fail(f"session processes {sorted(left)} outlived the server")
        time.sleep(0.1)


def _wait_for_sessions(served: Served, n: int) -> set[int]:
    deadline = time.monotonic() + SECONDS
    while len(sessions := served.sessions()) < n:
        if time.monotonic() > deadline:
            pytest.fail(f"expected {n} session process(es) of the server, found {len(sessions)}:\n{served.output()}")
        time.sleep(0.1)
    return sessions


def _descendants(pid: int) -> set[int]:
    """Every process below `pid` (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _argv(pid: int) -> list[bytes]:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return []
