"""The notice a screen shows instead of its content when the terminal is smaller than 80×24."""

from __future__ import annotations

from textual.widgets import Static

MIN_WIDTH, MIN_HEIGHT = 80, 24


class TooSmall(Static):
    """Says plainly that the terminal is too small, and how small it is; shown by the screen's CSS."""

    def on_mount(self) -> None:
        self.measure()

    def measure(self) -> None:
        """Say the terminal's current size (the screen calls this on every resize)."""
        width, height = self.app.size
        self.update(
            f"The terminal is {width}×{height}. Salient needs at least {MIN_WIDTH}×{MIN_HEIGHT}.\n\n"
            "Make the window larger (or the font smaller) and the game comes back as it was. "
            "Nothing is lost: the game is saved after every turn."
        )
