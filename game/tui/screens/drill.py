"""The decision drill, as a dialog the play screen pushes before a turn ends.

`DrillScreen(drill, turn)` — `turn` is the turn the drill is put at, recorded with the answer (a drill put on a
condition has no set turn) — dismisses with a `DrillAnswer` (see `game.classroom.drills`): the rationale, the
ranking (shift+↑/↓ moves the highlighted option) or the chosen option (enter), the probability estimate,
and the timing. A countdown runs when the drill has a time limit; when it reaches zero the dialog closes
by itself with whatever was typed, marked late, and the trainee's own orders are carried out. f2 submits
and keeps the trainee's orders; f3 submits and asks for the chosen (top-ranked) option's orders instead,
which the play screen shows for confirmation before the turn ends.
"""

from __future__ import annotations

import time
from typing import ClassVar, TypedDict

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ListItem, ListView, Static

from game.classroom.drills import Clock, DrillAnswer, DrillError, DrillSession
from game.classroom.views import clock_text, drill_header, parse_percent
from game.scenario.drills import Drill

from ..plain import lines, plain


class _Answer(TypedDict):
    """The answer as it stands on the screen (what `DrillSession.submit` and its relatives take)."""

    rationale: str
    ranking: list[str]
    chosen: str | None
    estimate: float | None


class DrillScreen(ModalScreen[DrillAnswer]):
    """Rationale, ranking or choice, estimate, countdown; f2 submits."""

    DEFAULT_CSS = """
    DrillScreen { align: center middle; background: $background; }  /* opaque: the forecast stays hidden */
    #drill-dialog { width: 90; max-width: 98%; height: auto; max-height: 96%; border: thick $accent;
                    background: $surface; padding: 0 1; }
    #drill-header { height: auto; }
    #drill-bottom { height: 1; margin-bottom: 1; }
    #drill-clock { width: 1fr; text-style: bold; }
    #drill-adopt { margin-left: 1; }
    #drill-options { height: auto; max-height: 9; margin-bottom: 1; }
    #drill-options ListItem { height: 1; }
    .drill-label { height: 1; color: $text-muted; }
    #drill-rationale, #drill-estimate { margin-bottom: 1; background: $boost; }
    #drill-problems { height: auto; color: $error; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "submit", "Submit, keep my orders", id="drill.submit"),
        Binding("f3", "submit(True)", "Submit, use the option as my orders", id="drill.adopt"),
        Binding("shift+up", "move(-1)", "Move option up", id="drill.move_up"),
        Binding("shift+down", "move(1)", "Move option down", id="drill.move_down"),
    ]

    def __init__(
        self, drill: Drill, turn: int | None = None, *, clock: Clock = time.monotonic, tick_s: float = 0.25
    ) -> None:
        super().__init__()
        self.drill = drill
        self.session = DrillSession(drill, turn, clock=clock)
        self.order = [o.id for o in drill.options]
        self.chosen: str | None = None
        self.tick_s = tick_s
        self._done = False
        self._adoptable = any(self.session.adoptable(o.id) for o in drill.options)

    def compose(self) -> ComposeResult:
        d = self.drill
        with VerticalScroll(id="drill-dialog"):
            yield Static(lines(drill_header(d)), id="drill-header")
            with Horizontal(id="drill-bottom"):
                yield Static("", id="drill-clock")
                yield Button(
                    "Submit (f2)",
                    variant="primary",
                    id="drill-submit",
                    compact=True,
                    tooltip="record the answer; your own orders are carried out",
                )
                if self._adoptable:
                    yield Button(
                        "Use top option as my orders (f3)" if d.rank_options else "Use chosen option as my orders (f3)",
                        id="drill-adopt",
                        compact=True,
                        tooltip="record the answer and replace your orders with the option's",
                    )
            if d.options:
                how = (
                    "best first — shift+↑/↓ moves the highlighted option"
                    if d.rank_options
                    else "↑/↓ then enter chooses"
                )
                yield Static(f"Options ({how}):", classes="drill-label")
                yield ListView(
                    *[ListItem(Label(plain(self._label(i, oid)))) for i, oid in enumerate(self.order)],
                    id="drill-options",
                )
            if d.rationale != "off":
                yield Static(
                    "Why? " + ("(required)" if d.rationale == "required" else "(optional)"), classes="drill-label"
                )
                yield Input(placeholder="your reasoning, in a sentence or two", id="drill-rationale", compact=True)
            if d.estimate is not None:
                yield Static(plain(d.estimate.text + " (0–100%)"), classes="drill-label")
                yield Input(placeholder="e.g. 40%", id="drill-estimate", compact=True)
            yield Static("", id="drill-problems")

    def on_mount(self) -> None:
        self._tick()
        if self.drill.time_limit_s is not None:
            self.set_interval(self.tick_s, self._tick)
        first = self.query("#drill-options, #drill-rationale, #drill-estimate").first()
        first.focus()

    # --- the clock ------------------------------------------------------------------------------

    def _tick(self) -> None:
        remaining = self.session.remaining()
        text = "No time limit." if remaining is None else f"Time left: {clock_text(remaining)}"
        self.query_one("#drill-clock", Static).update(text)
        if self.session.expired() and not self._done:
            self._finish(self.session.time_out(**self._current()))

    # --- the answer -----------------------------------------------------------------------------

    def _label(self, index: int, option_id: str) -> str:
        option = next(o for o in self.drill.options if o.id == option_id)
        if self.drill.rank_options:
            return f"{index + 1}. {option.label}"
        mark = "(x)" if option_id == self.chosen else "( )"
        return f"{mark} {option.label}"

    def _relabel(self) -> None:
        view = self.query_one("#drill-options", ListView)
        for i, (item, oid) in enumerate(zip(view.children, self.order, strict=True)):
            item.query_one(Label).update(plain(self._label(i, oid)))

    def _current(self) -> _Answer:
        rationale = self.query_one("#drill-rationale", Input).value if self.drill.rationale != "off" else ""
        estimate = None
        if self.drill.estimate is not None:
            estimate = parse_percent(self.query_one("#drill-estimate", Input).value)
        return _Answer(
            rationale=rationale,
            ranking=list(self.order) if self.drill.rank_options else [],
            chosen=self.order[0] if self.drill.rank_options and self.order else self.chosen,
            estimate=estimate,
        )

    @on(ListView.Selected, "#drill-options")
    def _selected(self, event: ListView.Selected) -> None:
        if not self.drill.rank_options and event.list_view.index is not None:
            self.chosen = self.order[event.list_view.index]
            self._relabel()

    def action_move(self, delta: int) -> None:
        """Move the highlighted option up or down the ranking."""
        if not self.drill.rank_options:
            return
        view = self.query_one("#drill-options", ListView)
        i = view.index
        if i is None or not 0 <= i + delta < len(self.order):
            return
        self.order[i], self.order[i + delta] = self.order[i + delta], self.order[i]
        self._relabel()
        view.index = i + delta

    @on(Input.Submitted)
    def _entered(self, event: Input.Submitted) -> None:
        """Enter submits a complete answer; on an incomplete one it moves on to the next field."""
        event.stop()
        if self.session.problems(**self._current()) and not self.session.expired():
            self.focus_next()
        else:
            self.action_submit()

    @on(Button.Pressed, "#drill-submit")
    def _pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#drill-adopt")
    def _adopt_pressed(self) -> None:
        self.action_submit(True)

    def action_submit(self, adopt: bool = False) -> None:
        """Record the answer (`adopt`: and use the chosen option's orders); in time, a missing part is shown and
        the dialog stays open."""
        if self._done or (adopt and not self._adoptable):
            return
        try:
            answer = self.session.submit(**self._current(), adopt=adopt)
        except DrillError as error:
            problems = self.query_one("#drill-problems", Static)
            problems.update(lines(f"! {p}" for p in error.problems))
            problems.scroll_visible()  # on a small terminal it sits below the fold
            return
        self._finish(answer)

    def _finish(self, answer: DrillAnswer) -> None:
        self._done = True
        self.dismiss(answer)
