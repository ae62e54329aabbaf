"""Umpire mode: behind a passphrase, the instructor sees ground truth beside the trainee's picture and intervenes.

`open_umpire(app, game, journal, guard, on_change)` asks for the passphrase (`UmpireGate`), then shows
`UmpireScreen`, a full screen that hides the play screen while it is up; escape returns to play. The logic
(checks, journal first, exact replay) is in `game.classroom.umpire`; the text is in `game.classroom.views`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, RichLog, Select, Static

from game.classroom.umpire import KINDS, Intervention, InterventionError, Umpire
from game.classroom.views import intervention_line, picture_lines, targets_for, truth_lines

from ..plain import lines, log_line
from .base import SalientScreen

if TYPE_CHECKING:
    from game.classroom.guard import UmpireGuard
    from game.engine.game import Game
    from game.record.journal import Journal

OFF_MESSAGE = (
    "Umpire mode is off for this game: start it with `salient play --umpire`, or with "
    "SALIENT_UMPIRE_PASSPHRASE_FILE naming a file that holds the passphrase."
)


def open_umpire(
    app: App[Any],
    game: Game,
    journal: Journal | None,
    guard: UmpireGuard | None,
    on_change: Callable[[Intervention], None] | None = None,
) -> None:
    """Ask for the passphrase; on success show the umpire screen for this game."""
    if guard is None:
        app.notify(OFF_MESSAGE, title="Umpire", severity="warning", timeout=10)
        return

    def passed(ok: bool | None) -> None:
        if ok:
            app.push_screen(UmpireScreen(Umpire(game, journal, on_change=on_change)))

    app.push_screen(UmpireGate(guard), passed)


class UmpireGate(ModalScreen[bool]):
    """Asks for the umpire's passphrase (not echoed); dismisses with True once it is right."""

    DEFAULT_CSS = """
    UmpireGate { align: center middle; background: $background 80%; }
    #umpire-gate { width: 60; max-width: 95%; height: auto; border: thick $error; background: $surface; padding: 1 2; }
    #umpire-gate-message { height: auto; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="umpire_gate.cancel")]

    def __init__(self, guard: UmpireGuard) -> None:
        super().__init__()
        self.guard = guard

    def compose(self) -> ComposeResult:
        with Vertical(id="umpire-gate"):
            yield Static("[b]Umpire mode[/b] — for the instructor. Passphrase (escape cancels):")
            yield Input(password=True, id="umpire-pass")
            yield Static("", id="umpire-gate-message")

    def on_mount(self) -> None:
        self.query_one("#umpire-pass", Input).focus()

    @on(Input.Submitted, "#umpire-pass")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        attempt, event.input.value = event.value, ""
        if self.guard.check(attempt):
            self.dismiss(True)
            return
        wait = self.guard.wait_s()
        text = f"Too many wrong tries: wait {wait:.0f} s." if wait > 0 else "That is not the passphrase."
        self.query_one("#umpire-gate-message", Static).update(text)

    def action_cancel(self) -> None:
        """Back to the game."""
        self.dismiss(False)


class UmpireScreen(SalientScreen):
    """Ground truth and the trainee's picture side by side; interventions with a reason, journalled first."""

    DEFAULT_CSS = """
    #umpire-title { height: 1; padding: 0 1; background: $error-darken-2; color: $text; }
    #umpire-cols { height: 1fr; }
    #umpire-truth-box, #umpire-picture-box { width: 1fr; padding: 0 1; }
    #umpire-picture-box { border-left: vkey $panel; }
    #umpire-form { height: 1; margin-top: 1; }
    #umpire-kind { width: 20; margin-right: 1; }
    #umpire-target { width: 1fr; margin-right: 1; background: $boost; }
    #umpire-value { width: 12; background: $boost; }
    #umpire-reason-row { height: 1; margin-top: 1; }
    #umpire-reason { width: 1fr; margin-right: 1; background: $boost; }
    #umpire-help { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    #umpire-log { height: 3; padding: 0 1; background: $surface; }
    Screen.-tall #umpire-log { height: 6; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back to the game", id="umpire.close"),
        Binding("f2", "apply", "Apply", id="umpire.apply"),
    ]

    def __init__(self, umpire: Umpire) -> None:
        super().__init__()
        self.umpire = umpire

    def compose_body(self) -> ComposeResult:
        yield Static(
            "[b]UMPIRE MODE[/b] · ground truth, hidden from the trainee · escape: back to the game", id="umpire-title"
        )
        with Horizontal(id="umpire-cols"):
            with VerticalScroll(id="umpire-truth-box"):
                yield Static("", id="umpire-truth")
            with VerticalScroll(id="umpire-picture-box"):
                yield Static("", id="umpire-picture")
        with Horizontal(id="umpire-form"):
            yield Select(
                [(k, k) for k in KINDS], value="fire_inject", allow_blank=False, compact=True, id="umpire-kind"
            )
            yield Input(placeholder="target (see below)", compact=True, id="umpire-target")
            yield Input(placeholder="value", compact=True, id="umpire-value")
        with Horizontal(id="umpire-reason-row"):
            yield Input(
                placeholder="reason (required; it goes in the journal and the debrief)",
                compact=True,
                id="umpire-reason",
            )
            yield Button("Apply (f2)", variant="error", id="umpire-apply", compact=True)
        yield Static("", id="umpire-help")
        yield RichLog(id="umpire-log", wrap=True, markup=False, highlight=False)

    def on_mount(self) -> None:
        self.refresh_panes()
        self._show_help("fire_inject")
        for iv in self.umpire.made:
            self.query_one("#umpire-log", RichLog).write(log_line(intervention_line(iv)))
        self.query_one("#umpire-target", Input).focus()

    def refresh_panes(self) -> None:
        """Redraw both columns from the game as it is now."""
        game = self.umpire.game
        names = {s.id: s.name for s in game.scenario.map.sectors}
        self.query_one("#umpire-truth", Static).update(lines(truth_lines(self.umpire.ground_truth(), names)))
        picture = [] if game.finished else picture_lines(self.umpire.trainee_picture(), names)
        self.query_one("#umpire-picture", Static).update(lines(picture))

    def _show_help(self, kind: str) -> None:
        game = self.umpire.game
        words = [KINDS[kind], *targets_for(kind, game.scenario, tuple(game.params.side_ids))]
        self.query_one("#umpire-help", Static).update(lines(words, sep="  "))

    @on(Select.Changed, "#umpire-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        self._show_help(str(event.value))

    @on(Button.Pressed, "#umpire-apply")
    def _pressed(self) -> None:
        self.action_apply()

    @on(Input.Submitted, "#umpire-reason")
    def _reason_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    def action_apply(self) -> None:
        """Make the intervention in the form (journalled first); problems are shown, nothing changes."""
        kind = str(self.query_one("#umpire-kind", Select).value)
        target = self.query_one("#umpire-target", Input).value
        raw = self.query_one("#umpire-value", Input).value.strip()
        reason = self.query_one("#umpire-reason", Input).value
        log = self.query_one("#umpire-log", RichLog)
        try:
            iv = self.umpire.intervene(kind, target, _value(raw), reason)
        except InterventionError as error:
            for problem in error.problems:
                log.write(log_line(f"! {problem}"))
            self.notify("\n".join(error.problems), title="Not applied", severity="error")
            return
        log.write(log_line(intervention_line(iv)))
        self.query_one("#umpire-reason", Input).value = ""
        self.query_one("#umpire-value", Input).value = ""
        self.refresh_panes()

    def action_close(self) -> None:
        """Back to the game."""
        self.app.pop_screen()


def _value(raw: str) -> float | str | None:
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        return raw
