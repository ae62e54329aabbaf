"""The command palette's view of the current screen: every action it has a key for, by name.

Offers the bindings of the screen under the palette and of the app — whatever has focus, so a
command line that swallows single letters does not hide "End turn" — plus the focused widget's
own actions, plus whatever extra commands the screen lists in `palette_commands()` (for example
every posture for every sector on the play screen). Keys are shown as remapped by `set_keymap`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from textual.actions import parse as parse_action
from textual.binding import Binding, BindingsMap, Keymap
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.screen import Screen

from .plain import markup_literal, plain


def declared_bindings(node: DOMNode) -> BindingsMap:
    """The bindings a node's classes declare in BINDINGS, a subclass's key replacing its base's (as Textual
    merges them), read from the public class attributes."""
    keys: dict[str, list[Binding]] = {}
    for cls in reversed(type(node).__mro__):
        declared = cls.__dict__.get("BINDINGS")
        if declared:
            keys.update(BindingsMap(declared).key_to_bindings)
    return BindingsMap.from_keys(keys)


def screen_bindings(screen: Screen[Any]) -> Iterator[tuple[DOMNode, Binding]]:
    """(node, binding) for every enabled, described binding of the focused widgets, the screen and the app.

    `Screen.active_bindings` drops the single-letter keys a focused text field would take; the palette
    must not, so the screen's and the app's own bindings are read directly (with the keymap applied).
    """
    app = screen.app
    keymap: Keymap = getattr(app, "keymap_in_use", {})
    chain: list[tuple[DOMNode, list[Binding]]] = [
        (active.node, [active.binding]) for active in screen.active_bindings.values()
    ]
    for owner in (screen, app):
        declared = declared_bindings(owner)
        if keymap:
            declared.apply_keymap(keymap)
        chain.append((owner, [b for _key, b in declared]))
    seen: set[str] = set()
    for node, bindings in chain:
        for binding in bindings:
            if not binding.description or binding.action in seen:
                continue
            _namespace, name, parameters = parse_action(binding.action)
            if node.check_action(name, parameters) is not True:  # False hides it, None shows it disabled
                continue
            seen.add(binding.action)
            yield node, binding


class ScreenActions(Provider):
    """Commands for the screen the palette was opened from."""

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], Any]]]:
        for node, binding in screen_bindings(self.screen):
            help_text = f"key: {self.app.get_key_display(binding)}" + (
                f" — {binding.tooltip}" if binding.tooltip else ""
            )
            yield binding.description, help_text, partial(self.app.run_action, binding.action, node)
        extra = getattr(self.screen, "palette_commands", None)
        if callable(extra):
            yield from extra()

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(plain(title), callback, text=title, help=markup_literal(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                # titles quote sector names: the highlighter reads its argument as markup, so it gets it escaped
                yield Hit(
                    score,
                    matcher.highlight(markup_literal(title)),
                    callback,
                    text=title,
                    help=markup_literal(help_text),
                )
