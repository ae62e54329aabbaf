"""`salient serve [--host 127.0.0.1] [--port 8000]`: play in a web browser through textual-serve.

Bound to localhost by default: the game is meant for the person at the machine (or an SSH tunnel),
not the network. Each browser tab starts its own `salient play` process.

Offline: textual-serve's page template (1.1.x) loads the Roboto Mono font from fonts.googleapis.com,
although the font files ship in its own `static/fonts`. We serve a derived template in which that
link is replaced by an `@font-face` on the bundled file, so the page asks nothing of the internet.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from pathlib import Path
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


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
    parser.add_argument("--public-url", default=None, metavar="URL",
                        help="address the browser uses, when behind a proxy or tunnel")
    parser.set_defaults(handler=run)


def play_command(path: str | None = None) -> str:
    """The command each browser session runs: this Python, this package, `play`."""
    parts = [sys.executable, "-m", "game.cli", "play"]
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
    """The textual-serve server for these arguments (not started)."""
    from textual_serve.server import Server

    from game.errors import SalientError

    if not 0 < args.port < 65536:
        raise SalientError(f"port {args.port} is not between 1 and 65535")
    return Server(play_command(args.path), host=args.host, port=args.port, title="Salient",
                  public_url=args.public_url, templates_path=offline_templates())


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    server = build_server(args)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"salient: warning: listening on {args.host}; anyone who can reach it can play", file=sys.stderr)
    server.serve()
    return 0
