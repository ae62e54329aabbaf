"""The command palette's view of the current screen: every action it has a key for, by name.

Offers the active bindings of the screen under the palette (so it follows `set_keymap` remaps)
plus whatever extra commands the screen lists in `palette_commands()` (for example every posture
for every sector on the play screen).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ScreenActions(Provider):
    """Commands for the screen the palette was opened from."""

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], Any]]]:
        seen: set[str] = set()
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen or not active.enabled:
                continue
            seen.add(binding.action)
            help_text = f"key: {self.app.get_key_display(binding)}" + (
                f" — {binding.tooltip}" if binding.tooltip else "")
            yield binding.description, help_text, partial(active.node.run_action, binding.action)
        extra = getattr(self.screen, "palette_commands", None)
        if callable(extra):
            yield from extra()

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
