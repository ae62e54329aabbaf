"""Benchmark of `salient serve`: opening the page in a browser to the title screen.

    .venv/bin/python benchmarks/bench_serve.py [--runs 7] [--chromium /usr/bin/chromium]

Starts `salient serve` on a free loopback port, then opens the page `--runs` times in headless Chromium
(Debian's `chromium`, driven by Playwright; a new empty profile each time) and measures, in the page's
own clock, from the start of navigation to the terminal showing the title screen with its scenarios
listed. Between runs it waits for the server's next session process to be ready, as a person opening
a tab some seconds later would find it. Target: ≤ 2 s on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Catch the page's xterm.js Terminal, then note (in the page's clock) the frame where the title is listed.
WATCH = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    if (value && value.buffer && value.buffer.active) { window.__terminal = value; delete Object.prototype.terminal; }
  },
});
const watch = () => {
  const terminal = window.__terminal;
  if (terminal) {
    const buffer = terminal.buffer.active;
    let text = "";
    for (let y = 0; y < terminal.rows; y++) {
      const line = buffer.getLine(buffer.viewportY + y);
      text += (line ? line.translateToString(true) : "") + "\\n";
    }
    if (text.includes("S A L I E N T") && text.includes("(tutorial.yaml)")) {
      window.__titleAt = performance.now();
      return;
    }
  }
  requestAnimationFrame(watch);
};
requestAnimationFrame(watch);
"""


TOKEN = "benchmark-token-0001"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--pause", type=float, default=5.0, help="seconds between runs (default 5)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    port = free_port()
    env = {**os.environ, "SALIENT_HOME": tempfile.mkdtemp(prefix="salient-bench-")}
    server = subprocess.Popen(
        [sys.executable, "-m", "game.cli", "serve", "--port", str(port), "--token", TOKEN],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    times = []
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as playwright:
            for run in range(args.runs):
                time.sleep(args.pause)
                with tempfile.TemporaryDirectory() as profile:
                    context = playwright.chromium.launch_persistent_context(
                        profile,
                        executable_path=args.chromium,
                        args=FLAGS,
                        headless=True,
                        viewport={"width": 1280, "height": 800},
                    )
                    try:
                        context.add_init_script(WATCH)
                        page = context.new_page()
                        page.goto(f"http://127.0.0.1:{port}/{TOKEN}/?trainee=bench{run}")
                        page.wait_for_function("window.__titleAt !== undefined", timeout=60_000, polling=100)
                        seconds = page.evaluate("window.__titleAt") / 1000
                    finally:
                        context.close()
                times.append(seconds)
                print(f"run {run + 1}: title screen {seconds:.2f} s after navigation started", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=15)
    print(f"median of {len(times)}: {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
