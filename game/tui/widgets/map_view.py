"""The map widget: places, sector names and the road, drawn to fit the space it is given."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from game.narrative.map_text import LEGEND, draw_map
from game.narrative.picture import Picture
from game.narrative.safe_text import clean
from game.scenario import Scenario

TAG_STYLES: dict[str, str] = {
    "place-own": "bold $success",
    "place-enemy": "bold $error",
    "sector-own": "$success",
    "sector-enemy": "$error",
    "label": "$foreground",
    "road-open": "$success",
    "road-contested": "$warning",
    "road-interdicted": "bold $warning",
    "road-cut": "bold $error",
    "track-open": "$foreground-muted",
    "track-contested": "$warning",
    "track-interdicted": "bold $warning",
    "track-cut": "bold $error",
}
"""Colour of each map tag; the glyph already says the same thing (colour is never the only carrier)."""


class MapView(Widget):
    """Draws the scenario's map for a `Picture`; give it data with `show`."""

    DEFAULT_CSS = """
    MapView { height: 1fr; min-height: 8; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._scenario: Scenario | None = None
        self._picture: Picture | None = None

    def show(self, scenario: Scenario, pic: Picture) -> None:
        """Draw this picture (data down; the map never reads the game itself)."""
        self._scenario, self._picture = scenario, pic
        self.refresh()

    def render(self) -> Content:
        if self._scenario is None or self._picture is None:
            return Content("")
        width, height = self.content_size
        legend_rows = max(1, -(-len(LEGEND) // max(width, 1)))
        rows = draw_map(self._scenario, self._picture, width, max(3, height - legend_rows))
        parts: list[str | tuple[str, str]] = []
        for row in rows:
            parts += [(clean(run.text), TAG_STYLES.get(run.tag, "")) for run in row]  # names are data, never markup
            parts.append("\n")
        parts.append((LEGEND, "dim"))
        return Content.assemble(*parts)
