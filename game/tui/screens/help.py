"""Help (`?`): the keys, every command, what each order does in the model, and how to read the screens."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.widgets import Static

from game.narrative.help_text import CONCEPTS, KEYS, TOPICS

from .base import SalientScreen

NAVIGATION: tuple[tuple[str, str], ...] = (
    ("1 2 3 4", "Situation, Orders, Forecast, Forces & enemy tabs (or ← → on the row of tabs)"),
    (
        "tab / shift+tab",
        "go round everything that takes keys: the row of tabs, the panes of the tab shown "
        "(situation report, forecast, forces and enemy), the form's fields, the command log "
        "under the tabs and the command line",
    ),
    (
        "↑ ↓ PgUp PgDn",
        "scroll the pane that has the keyboard (it has a bar down its left edge); Home and End "
        "go to its first and last line",
    ),
    (
        "t  (ctrl+t)",
        "the command line's transcript, full screen: everything typed and answered this session "
        "(ctrl+t works from the command line too; escape or t goes back)",
    ),
    ("any letter", "outside a form field, starts the command line with that letter"),
    ("escape", "clears the command line and goes back to the row of tabs"),
    ("ctrl+p", "every action of the screen by name, whatever has the keyboard: End turn, Transcript…"),
    ("q", "asks before quitting; the game is saved, and Continue on the title screen picks it up"),
)
"""How to reach and scroll each part of the play screen (keys of the TUI itself, so kept beside it)."""


def key_table(rows: tuple[tuple[str, str], ...]) -> Table:
    """Keys in a bold column, what they do beside them (wrapped lines stay in their column)."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True, min_width=16)
    table.add_column(ratio=1)
    for key, what in rows:
        table.add_row(key, what)
    return table


def help_sections() -> list[tuple[str, str | Table]]:
    """The help as (heading markup, indented body) pairs — one source with `help TOPIC`."""
    sections: list[tuple[str, str | Table]] = [
        ("[b]SALIENT — HELP[/b]   escape or ? closes this screen; arrows and page keys scroll", ""),
        ("[b]KEYS[/b]", key_table(KEYS)),
        ("[b]MOVING AROUND THE PLAY SCREEN[/b] — everything is reachable from the keyboard", key_table(NAVIGATION)),
        ("[b]COMMANDS[/b] — type them on the command line; any unambiguous start of a word works", ""),
    ]
    for topic in TOPICS.values():
        body = escape(topic.summary) + (f"\n[i]In the model:[/i] {escape(topic.model)}" if topic.model else "")
        sections.append((f"[b]{escape(topic.usage)}[/b]", body))
    sections.append(
        ("[b]READING THE SCREENS[/b]", "\n".join(f"[b]{escape(name)}[/b] — {escape(text)}" for name, text in CONCEPTS))
    )
    return sections


class HelpScreen(SalientScreen):
    """Everything the trainee can do, in one scrollable page."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark", "close", "Close help", id="help.close"),
    ]

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="help-scroll"):
            for heading, body in help_sections():
                yield Static(heading, classes="help-heading")
                if isinstance(body, Table) or body:
                    yield Static(body, classes="lines")

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        """Back to where help was opened."""
        self.dismiss()
