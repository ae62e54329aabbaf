"""Text for widgets as data: strings from scenarios, saves, names and the class database never become markup.

Textual reads a plain `str` given to `Static`, `Label`, `Option` or `notify` as markup, so `[@click=app.quit]`
in a unit's name would be an action and `[/b]` a crash; `textual.markup.escape` misses some forms (`[$error]`).
So the screens hand widgets `Content` built here: every piece of outside text is cleaned (controls and bidi
overrides removed, cut at `DISPLAY_LIMIT`) and put in as plain text; styles are attached only to our own words.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.content import Content

from game.narrative.safe_text import shown

Part = str | tuple[str, str]
"""A piece of a line: plain text, or (text, style) where the style is ours ("bold", "bold $error", "dim")."""


def plain(text: object) -> Content:
    """Outside text as content, shown as written (without controls), never parsed."""
    return Content(shown(text))


def lines(texts: Iterable[object], sep: str = "\n") -> Content:
    """Several strings, each cleaned and cut on its own, one per line (or joined by `sep`)."""
    return Content(sep.join(shown(t) for t in texts))


def styled(*parts: Part) -> Content:
    """Plain pieces and styled pieces in one line; every piece's text is cleaned, no piece is parsed."""
    return Content.assemble(*(shown(p) if isinstance(p, str) else (shown(p[0]), p[1]) for p in parts))


def markup_literal(text: object) -> str:
    """Outside text for the few Textual calls that read a string as markup whatever is passed (the command
    palette's fuzzy highlighter): cleaned, cut, and every `[` escaped, so the markup reads back as the text."""
    return shown(text).replace("[", "\\[")


def log_line(text: object) -> Text:
    """Outside text for a `RichLog` (which takes rich renderables): cleaned, cut, never parsed."""
    return Text(shown(text))


__all__ = ["Part", "lines", "log_line", "markup_literal", "plain", "styled"]
