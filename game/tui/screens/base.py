"""What every Salient screen shares: the "terminal too small" notice, the footer, palette hooks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

from textual import events
from textual.app import ComposeResult
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import Footer

from ..widgets.too_small import TooSmall

if TYPE_CHECKING:
    from ..app import SalientApp

PaletteCommand = tuple[str, str, Callable[[], Any]]


def size_classes(screen: Screen[Any]) -> list[str]:
    """The breakpoint classes the app would give a screen of the current size.

    Set when the screen is built, so its styles are computed once with the right classes instead
    of once without and again on the first resize (which made each new screen noticeably slower).
    """
    try:
        app = screen.app
    except RuntimeError:  # textual's NoActiveAppError: no app is running (a screen built outside one)
        return []
    width, height = app.size
    found = []
    for points, value in ((app.HORIZONTAL_BREAKPOINTS, width), (app.VERTICAL_BREAKPOINTS, height)):
        matching = [name for threshold, name in (points or []) if value >= threshold]
        found += matching[-1:]
    return found


class SalientScreen(Screen[None]):
    """A screen with a body, a footer of active keys, and a plain notice when the terminal is below 80×24.

    Subclasses implement `compose_body`; the app's breakpoints add `-too-narrow` / `-too-short`
    to the screen and the stylesheet then shows the notice instead of the body.
    """

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.add_class(*size_classes(self))

    @property
    def salient(self) -> SalientApp:
        """The app, typed as the Salient app every Salient screen runs in (to call its screen moves)."""
        return cast("SalientApp", self.app)

    def compose(self) -> ComposeResult:
        yield TooSmall(id="too-small")
        with Container(id="body"):
            yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        """The screen's own widgets."""
        yield from ()

    def on_resize(self, event: events.Resize) -> None:
        self.query_one(TooSmall).measure()

    def palette_commands(self) -> Iterable[PaletteCommand]:
        """Extra commands this screen offers in the command palette (title, help, callback)."""
        yield from ()
