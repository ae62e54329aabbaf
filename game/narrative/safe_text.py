"""Text from outside the program, made safe for each place it is written: one helper per output kind.

Scenario files, saves, trainee names and the class database are written by anyone, so every string from them is
data. Each output has its own active characters, and each helper here neutralises exactly those:

- a screen (`shown`): control characters and bidi overrides removed, very long text cut short (the TUI then
  hands the result to Textual as plain content, never as markup);
- a terminal (`for_terminal`): control characters written as visible `\\x1b`-style escapes, so no escape
  sequence reaches the terminal (window titles, cleared screens, OSC 52 clipboard writes);
- Markdown (`for_markdown`): controls removed, line breaks folded, and every character Markdown or inline HTML
  could act on backslash-escaped;
- CSV (`csv_cell`): controls removed and spreadsheet formulas neutralised (a text cell starting with = + - @,
  a tab or a carriage return is prefixed with a quote);
- HTML (`for_html`): a Jinja2 template with autoescape (`game.debrief.render_html`, `game.classroom.render`);
- JSON (`for_json`): `json.dumps` escapes C0 controls itself; the C1 controls and bidi overrides it leaves raw
  are written as `\\u` escapes too, so the document means the same (nothing is lost) and prints safely.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 control characters (ESC and CSI start terminal escapes) and the bidi overrides that reorder text;
tab and line feed are kept."""

DISPLAY_LIMIT = 8000
"""Characters of one string shown on a screen; past it the text is cut with an ellipsis (a 1 MB string must not
make a screen slow or a layout explode). Twice the longest text a scenario may hold, so real text is never cut."""
NAME_LIMIT = 80
"""Characters of a trainee's name kept at load (names from the command line, a save or the class database)."""


def clean(text: str) -> str:
    """Text without control characters or bidi overrides: a stray BEL from a YAML fold, or an escape sequence
    written into a scenario or a name, must not reach the terminal."""
    return _CONTROL.sub("", text)


def cut(text: str, limit: int) -> str:
    """`text` no longer than `limit` characters: a longer one keeps its start and ends with an ellipsis."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def shown(text: object, limit: int = DISPLAY_LIMIT) -> str:
    """A string as a screen shows it: cut to `limit` (before cleaning, so huge input costs little), then cleaned."""
    return clean(cut(str(text), limit))


def name(text: object, limit: int = NAME_LIMIT) -> str:
    """A person's name as kept: one line, no controls, surrounding spaces gone, at most `limit` characters."""
    one_line = " ".join(str(text)[: limit * 4].split())
    return cut(clean(one_line), limit)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: object) -> str:
    """A string for a terminal or a log: every control character and bidi override written as a visible escape
    (ESC as `\\x1b`), so nothing in it can move the cursor, retitle the window or reach the clipboard."""
    return _CONTROL.sub(_visible, str(text))


_RAW_IN_JSON = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def for_json(document: str) -> str:
    """A JSON document with the controls `json.dumps` leaves raw (DEL, C1, bidi overrides) written as `\\u`
    escapes of four hex digits: the same values once parsed, and nothing a terminal would act on when the
    document is printed. (Those characters can only occur inside strings, where the escape means the character
    itself.)"""
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", document)


_MARKDOWN_ACTIVE = re.compile(r"([\\`*_{}\[\]<>#|~&!$])")
"""Characters Markdown, its extensions (tables, strikethrough, maths) or inline HTML act on anywhere in a line."""
_LINE_START = re.compile(r"^(\s*)([-+>=]|\d+[.)])")
"""What acts only at the start of a block: a bullet, a quote, a setext underline, a numbered item."""


def for_markdown(text: object, *, block: bool = True) -> str:
    """A string for Markdown: controls removed, line breaks folded into spaces, every active character
    backslash-escaped, so `[x](javascript:…)`, `<script>`, `*bold*` and `| cells |` are shown as written.

    `block`: the string starts a block (a paragraph or a list item's text), so a leading `-`, `+`, `>`, `=` or
    `1.` is escaped too; a table cell or the middle of a sentence passes `block=False` and keeps `-3.5` plain."""
    flat = _MARKDOWN_ACTIVE.sub(r"\\\1", " ".join(clean(str(text)).splitlines()))
    if block:
        flat = _LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], flat, count=1)
    return flat


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A value for a CSV cell: numbers as they are; text with controls removed (tab, line feed and carriage
    return kept for the quoting to handle) and, when a spreadsheet would read it as a formula, prefixed with `'`."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = _CSV_CONTROL.sub("", str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


_CSV_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@cache
def _environment(package: str) -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=True,  # every value is escaped unless a template marks it safe (the charts we draw)
        undefined=jinja2.StrictUndefined,  # a misspelt name in a template is an error, not an empty string
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_without_controls,
    )


def _without_controls(value: object) -> object:
    """Every value a template prints, controls removed (markup we drew ourselves stays markup)."""
    from markupsafe import Markup

    if isinstance(value, Markup):
        return Markup(clean(value))
    return clean(value) if isinstance(value, str) else value


def for_html(package: str, template: str, **values: object) -> str:
    """A page from `package`'s `templates/` folder, filled through Jinja2 with autoescape: text is escaped where
    it is put, so no name or title can open a tag, and control characters are removed from every value."""
    return _environment(package).get_template(template).render(**values)


__all__ = [
    "DISPLAY_LIMIT",
    "NAME_LIMIT",
    "clean",
    "csv_cell",
    "cut",
    "for_html",
    "for_json",
    "for_markdown",
    "for_terminal",
    "name",
    "shown",
]
