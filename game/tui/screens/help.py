"""Help (`?`): the keys, every command, what each order does in the model, and how to read the screens."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.widgets import Static

from game.narrative.help_text import CONCEPTS, KEYS, TOPICS

from .base import SalientScreen


def help_sections() -> list[tuple[str, str]]:
    """The help as (heading markup, indented body markup) pairs — one source with `help TOPIC`."""
    sections = [("[b]SALIENT — HELP[/b]   escape or ? closes this screen; arrows and page keys scroll", ""),
                ("[b]KEYS[/b]", "\n".join(f"[b]{escape(key):<16}[/b] {escape(what)}" for key, what in KEYS)),
                ("[b]COMMANDS[/b] — type them on the command line; any unambiguous start of a word works", "")]
    for topic in TOPICS.values():
        body = escape(topic.summary) + (f"\n[i]In the model:[/i] {escape(topic.model)}" if topic.model else "")
        sections.append((f"[b]{escape(topic.usage)}[/b]", body))
    sections.append(("[b]READING THE SCREENS[/b]",
                     "\n".join(f"[b]{escape(name)}[/b] — {escape(text)}" for name, text in CONCEPTS)))
    return sections


class HelpScreen(SalientScreen):
    """Everything the trainee can do, in one scrollable page."""

    BINDINGS = [
        Binding("escape,question_mark", "close", "Close help", id="help.close"),
    ]

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="help-scroll"):
            for heading, body in help_sections():
                yield Static(heading, classes="help-heading")
                if body:
                    yield Static(body, classes="lines")

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        """Back to where help was opened."""
        self.dismiss()
