"""The play screen: the map, the situation report, forces, the enemy estimate, the orders and the forecast.

Orders come two ways, equally complete: the form (tab between fields) and the command line (`:`).
Both end in `Session.change`, so undo, the forecast and the journal see one stream of orders. The
forecast is recomputed in a worker a moment after the orders stop changing; it never blocks typing.

Instructor tools: a scenario's decision drill is put before a turn ends, on the first turn its trigger holds
and once per game (`Session.drill_due`, `DrillScreen`); the answer is recorded beside the orders and never
replaces them unless the trainee asks for the option's orders, which are then confirmed before the turn ends.
ctrl+u opens umpire mode behind the instructor's passphrase. This screen never shows the umpire's ground truth.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, ScrollableContainer, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Input, RichLog, Static, TabbedContent, TabPane, Tabs

from game.classroom.drills import Clock, DrillAnswer, conclude
from game.engine.orders import POSTURES, Orders, OrdersError
from game.engine.report import Forecast
from game.errors import SalientError
from game.narrative.advice import forecast_lines, summary_line
from game.narrative.commands import Context, Interpreter
from game.narrative.describe import orders_lines
from game.narrative.fmt import counted, humanise
from game.narrative.sitrep import situation_report

from ..plain import lines, log_line, styled
from ..session import Session
from ..widgets.command_line import CommandLine
from ..widgets.forecast_view import ForecastView
from ..widgets.map_view import MapView
from ..widgets.orders_form import OrdersForm
from ..widgets.panels import EnemyPanel, ForcesPanel
from .base import PaletteCommand, SalientScreen
from .confirm import ConfirmDialog
from .drill import DrillScreen
from .transcript import TranscriptScreen

if TYPE_CHECKING:
    from game.classroom.umpire import Intervention

FORECAST_DELAY = 0.25
"""Seconds of quiet after the last change before the forecast is recomputed."""
TABS = ("tab-situation", "tab-orders", "tab-forecast", "tab-forces")
TAB_PANES = {
    "tab-situation": "sitrep-box",
    "tab-orders": "orders",
    "tab-forecast": "forecast-scroll",
    "tab-forces": "forces-scroll",
}
"""The pane that takes the keyboard when its tab is chosen with 1–4."""


class PlayScreen(SalientScreen):
    """One turn of planning; `e` ends it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "end_turn", "End turn", id="play.end_turn"),
        Binding("colon,slash", "focus_command", "Command line", id="play.command"),
        Binding(
            "t,ctrl+t",
            "transcript",
            "Transcript",
            id="play.transcript",
            tooltip="everything typed and answered this session, full screen",
        ),
        Binding("ctrl+z", "undo", "Undo", show=False, id="play.undo"),  # in help and the palette; the footer is full
        Binding(
            "ctrl+u",
            "umpire",
            "Umpire",
            show=False,
            id="play.umpire",
            tooltip="instructor only: ground truth and interventions, behind a passphrase",
        ),
        Binding(
            "escape",
            "leave_field",
            "Leave field",
            show=False,
            id="play.leave",
            tooltip="clears the command line and goes back to the tabs",
        ),
        Binding("1", "show_tab('tab-situation')", "Situation tab", show=False, id="play.tab_situation"),
        Binding("2", "show_tab('tab-orders')", "Orders tab", show=False, id="play.tab_orders"),
        Binding("3", "show_tab('tab-forecast')", "Forecast tab", show=False, id="play.tab_forecast"),
        Binding("4", "show_tab('tab-forces')", "Forces and enemy tab", show=False, id="play.tab_forces"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.interpreter = Interpreter(session.scenario)
        self._timer: Timer | None = None
        self.drill_clock: Clock = time.monotonic
        """The clock drills are timed by (a test puts a fake one here to run a drill out of time)."""
        self._change_told: int | None = None
        """The turn whose forecast change the transcript has told already."""
        self.history: list[str] = []
        """Every line of the command line's transcript this session, across turns (the pane shows one turn)."""
        self._turn_told = ""
        """The turn whose opening prompt the transcript has, so each turn is announced once."""

    def compose_body(self) -> ComposeResult:
        sc = self.session.scenario
        yield Static("", id="topbar")
        with TabbedContent(id="tabs", initial="tab-situation"):
            with TabPane("1 Situation", id="tab-situation"), Horizontal(classes="split"):
                yield MapView(id="map")
                with VerticalScroll(id="sitrep-box", classes="pane"):
                    yield Static("", id="sitrep")
                    yield EnemyPanel(id="enemy-side")
            with TabPane("2 Orders", id="tab-orders"), Horizontal(classes="split"):
                yield OrdersForm(sc, id="orders")
                with VerticalScroll(id="forecast-side-box", classes="pane"):
                    yield ForecastView(compact=True, id="forecast-side")
            with TabPane("3 Forecast", id="tab-forecast"), VerticalScroll(id="forecast-scroll", classes="pane"):
                yield ForecastView(id="forecast-full")
            with (
                TabPane("4 Forces & enemy", id="tab-forces"),
                VerticalScroll(id="forces-scroll", classes="pane"),
                Horizontal(classes="pair"),
            ):
                yield ForcesPanel(id="forces")
                yield EnemyPanel(id="enemy")
        yield Static("", id="advisor-line")
        with Vertical(id="console"):  # grows while the command line or its log has focus
            yield RichLog(
                id="transcript", classes="pane", wrap=True, markup=False, highlight=False, max_lines=500, min_width=20
            )
            first = next((s.id for s in sc.map.sectors if s.holder == sc.meta.player_side), "north")
            yield CommandLine(self.interpreter.lexicon, f"order {first} fortify", id="command")

    def on_mount(self) -> None:
        for note in self.session.notes:
            self.say(note)
        self.refresh_all()
        self._announce_turn()
        self.query_one("#tabs", TabbedContent).query_one(Tabs).focus()

    def on_screen_resume(self) -> None:
        self.refresh_all()
        self._announce_turn()

    def _announce_turn(self) -> None:
        """Open each turn's part of the transcript with its time and the ways to give orders."""
        hours = self.session.hours()
        if hours != self._turn_told and not self.session.game.finished:
            self._turn_told = hours
            self.say(f"{hours}. Your orders? Type help, or press 2 for the form; e ends the turn.")

    # --- data down ----------------------------------------------------------------------------

    def refresh_all(self) -> None:
        """Show the session's current state everywhere, and ask for a fresh forecast."""
        s = self.session
        sc, pic, intel = s.scenario, s.picture(), s.intel()
        hours = s.hours()
        self.query_one("#topbar", Static).update(
            styled(("SALIENT", "bold"), f" · {hours} · {sc.meta.turns} turns in all · seed {s.game.seed}")
        )
        self.query_one(MapView).show(sc, pic)
        self.query_one("#sitrep", Static).update(lines(situation_report(sc, pic, intel, hours), sep="\n\n"))
        self.query_one(ForcesPanel).show(sc, pic)
        for panel in self.query(EnemyPanel):
            panel.show(sc, intel)
        self.show_orders()

    def show_orders(self) -> None:
        """Hand the draft orders to the form and recompute the forecast shortly."""
        s = self.session
        self.query_one(OrdersForm).show(s.orders, s.picture(), s.problems(), s.standing, s.carried, s.game.withdrawing)
        cached = s.cached_forecast()
        if cached is not None:
            self._show_forecast(s.orders, cached, s.forecast_change(cached))
        else:
            self.schedule_forecast()

    def own_sectors(self) -> list[str]:
        """Ids of the sectors we hold now."""
        pic = self.session.picture()
        return [k for k, v in pic.sector_holder.items() if v == self.session.scenario.meta.player_side]

    def schedule_forecast(self) -> None:
        """Recompute the forecast once the orders have been still for a moment."""
        for view in self.query(ForecastView):
            view.pending()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(FORECAST_DELAY, self._forecast_now)

    def _forecast_now(self) -> None:
        if self.is_attached and not self.session.game.finished:
            self._compute_forecast(self.session.orders, self.session.generation)

    @work(thread=True, exclusive=True, group="forecast")
    def _compute_forecast(self, orders: Orders, generation: int) -> None:
        try:
            forecast = self.session.forecast(orders)
            change = self.session.forecast_change(forecast, orders)
        except OrdersError as error:
            self.app.call_from_thread(self._blocked, orders, str(error))
            return
        except SalientError as error:  # the scenario drives the model out of range: stop and say so
            self.app.call_from_thread(self.salient.stop_on_bad_input, error)
            return
        if self.session.generation != generation:
            return  # the umpire changed the world meanwhile; a fresh forecast is on its way
        self.app.call_from_thread(self._show_forecast, orders, forecast, change)

    def _show_forecast(self, orders: Orders, forecast: Forecast, change: str | None = None) -> None:
        if orders != self.session.orders or not self.is_attached:
            return
        own = self.own_sectors()
        for view in self.query(ForecastView):
            view.show(self.session.scenario, forecast, own, change or "")
        self._advise(summary_line(self.session.scenario, forecast, own))
        turn = self.session.game.turn
        if change and self._change_told != turn:  # once a turn, in the transcript: why the number moved
            self._change_told = turn
            self.say(f"Advisor: {change[:1].lower()}{change[1:]}")

    def _blocked(self, orders: Orders, problem: str) -> None:
        if orders != self.session.orders or not self.is_attached:
            return
        for view in self.query(ForecastView):
            view.blocked(problem)
        self._advise("Advisor: no forecast until the orders can be carried out.")

    def _advise(self, text: str) -> None:
        if not self.is_attached or self.session.game.finished:
            return  # the game moved on while the forecast was being computed
        problems = self.session.problems()
        warning: list[tuple[str, str]] = [(f"  ! {problems[0]}", "bold $error")] if problems else []
        self.query_one("#advisor-line", Static).update(styled(text, *warning))

    def say(self, *said: str) -> None:
        """Add lines to the transcript under the tabs (and to the session's full transcript)."""
        log = self.query_one("#transcript", RichLog)
        for line in said:
            log.write(log_line(line))
        self.history.extend(said)

    # --- intent up: orders ----------------------------------------------------------------------

    def change_orders(self, orders: Orders, field: str | None = None) -> None:
        """Replace the draft (one undo step per field being edited) and refresh."""
        self.session.change(orders, field)
        self.show_orders()

    @on(OrdersForm.Changed)
    def _form_changed(self, event: OrdersForm.Changed) -> None:
        self.change_orders(event.orders, event.field)

    @on(OrdersForm.WithdrawRequested)
    def _withdraw_requested(self) -> None:
        self.ask_withdraw()

    def ask_withdraw(self) -> None:
        """Confirm, then order the withdrawal of the whole grouping."""
        turns = self.session.scenario.endings.withdrawal_turns

        def answered(yes: bool | None) -> None:
            if yes:
                self.change_orders(self.session.orders.model_copy(update={"withdraw": True}))
                self.say("Withdrawal ordered. It starts when you end the turn.")
            else:
                self.show_orders()

        self.app.push_screen(
            ConfirmDialog(
                f"Withdraw the whole grouping from the bridgehead?\nIt takes {counted(turns, 'turn')} and ends the game.",
                yes="Withdraw",
                no="Keep fighting",
            ),
            answered,
        )

    @on(Input.Submitted, "#command")
    def _command(self, event: Input.Submitted) -> None:
        event.stop()
        line = event.value.strip()
        box = self.query_one(CommandLine)
        box.remember(line)
        box.value = ""
        if line:
            log = self.query_one("#transcript", RichLog)
            start, log.auto_scroll = len(log.lines), False  # a long answer is read from its first line
            try:
                self.run_command(line)
            finally:
                log.auto_scroll = True
            self.call_after_refresh(log.scroll_to, y=start, animate=False)

    def run_command(self, line: str) -> None:
        """Carry out one command line, as typed."""
        s = self.session
        self.say(f"> {line}")
        ctx = Context(s.scenario, s.picture(), s.intel(), s.orders, s.hours(), withdrawing=s.game.withdrawing)
        reply = self.interpreter.execute(line, ctx)
        self.say(*reply.lines)
        if reply.orders is not None:
            self.change_orders(reply.orders)
        if reply.action == "undo":
            self.action_undo()
        elif reply.action == "forecast":
            try:
                forecast = s.forecast()
                self.say(*forecast_lines(s.scenario, forecast, self.own_sectors()))
                change = s.forecast_change(forecast)
                if change:
                    self.say(f"  {change}")
            except OrdersError as error:
                self.say(f"No forecast: these orders cannot be carried out — {error}")
        elif reply.action == "end":
            self.end_turn()

    # --- actions --------------------------------------------------------------------------------

    def action_end_turn(self) -> None:
        """End the turn: a decision drill first when one is due, then a confirmation listing the orders."""
        self.end_turn(confirm=True)

    def end_turn(self, confirm: bool = False) -> None:
        """End the turn (after `confirm`ing when asked); a turn with a decision drill asks it first.

        The drill never changes the orders by itself: the trainee's orders are carried out, also when time runs
        out. Only an explicit "use this option as my orders" replaces them, and then the new orders are shown
        for confirmation before the turn resolves."""
        s = self.session
        problems = s.problems()
        if problems:
            self.say("The turn cannot end yet:", *[f"  ! {p}" for p in problems])
            self.notify("\n".join(problems), title="Orders cannot be carried out", severity="error")
            return
        drill = s.drill_due()  # the first drill whose trigger holds on the game now, not put before
        if drill is None:
            if confirm:
                self._confirm_end()
            else:
                self._resolve()
            return
        turn = s.game.turn

        def answered(answer: DrillAnswer | None) -> None:
            if answer is None:
                return
            asked = answer.adopted
            orders, answer = conclude(s.game, s.journal, drill, answer, s.orders)
            s.drill_put(drill, turn)
            if answer.adopted:
                label = next((o.label for o in drill.options if o.id == answer.chosen), answer.chosen)
                self.change_orders(orders)
                self.say(
                    f"You chose to carry out the option “{label}”: its orders replace yours (ctrl+z takes them back)."
                )
                self._confirm_end(f"These are the orders of the drill option “{label}”, in place of yours.")
                return
            if asked:
                self.say("That option's orders cannot be carried out this turn: your own orders stand.")
            elif answer.timed_out:
                self.say("Time ran out: your answer so far is recorded and your own orders stand.")
            else:
                self.say("Your answer is recorded; your own orders stand.")
            if confirm or asked:
                self._confirm_end()
            else:
                self._resolve()

        self.app.push_screen(DrillScreen(drill, turn, clock=self.drill_clock), answered)

    def _confirm_end(self, note: str = "") -> None:
        """Ask to end the turn, showing the orders that will be carried out."""
        orders = "\n".join(orders_lines(self.session.scenario, self.session.orders))
        head = f"End {self.session.hours()}?" + (f"\n\n{note}" if note else "")
        self.app.push_screen(
            ConfirmDialog(f"{head}\n\n{orders}", yes="End turn", no="Not yet"),
            lambda yes: self._resolve() if yes else None,
        )

    def _resolve(self) -> None:
        """Resolve the turn with the orders as they stand and show what happened."""
        try:
            result = self.session.end_turn()
        except OrdersError as error:
            self.say(f"The turn cannot end yet: {error}")
            self.notify(str(error), title="Orders cannot be carried out", severity="error")
            return
        except SalientError as error:  # the scenario drove the model out of range: stop and say so, game saved
            self.salient.stop_on_bad_input(error)
            return
        self.query_one("#transcript", RichLog).clear()
        self.salient.show_result(result)

    def action_undo(self) -> None:
        """Take back the last change to this turn's orders."""
        if self.session.undo():
            self.say("Undone. Orders now:", *orders_lines(self.session.scenario, self.session.orders))
            self.show_orders()
        else:
            self.say("Nothing to undo this turn (a finished turn stays as it was played).")

    def action_umpire(self) -> None:
        """Umpire mode for the instructor (asks for the passphrase; says how to enable it when it is off)."""
        from .umpire import open_umpire

        s = self.session
        open_umpire(self.app, s.game, s.journal, getattr(self.app, "umpire_guard", None), on_change=self._after_umpire)

    def _after_umpire(self, iv: Intervention) -> None:
        """The world changed: drop the cached intel and forecast; tell the trainee what they would hear."""
        self.session.invalidate()
        if iv.announce:
            self.notify(iv.announce, title="News", timeout=10)
            self.say(f"News: {iv.announce}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide "Command line" from the footer while the cursor is already there (: and / are typed there)."""
        return not (action == "focus_command" and isinstance(self.focused, CommandLine))

    def action_focus_command(self) -> None:
        """Put the cursor on the command line."""
        self.query_one(CommandLine).focus()

    def action_leave_field(self) -> None:
        """Leave the field being edited: focus goes back to the tabs, where single keys work.

        Text left on the command line is cleared, so it is never stuck to the front of the next command.
        """
        self.query_one(CommandLine).value = ""
        self.query_one("#tabs", TabbedContent).query_one(Tabs).focus()

    def action_transcript(self) -> None:
        """Everything typed and answered this session, full screen and scrollable."""
        self.app.push_screen(TranscriptScreen(self.history))

    def on_key(self, event: events.Key) -> None:
        """A letter typed outside any field starts the command line with it, so no keystroke is lost.

        Only where focus is on the tabs or a pane that is read, not on a form field (which keeps its own
        keys); keys with a binding (e, t, q, 1–4, ?…) keep their meaning.
        """
        reading = self.focused is None or isinstance(self.focused, (Tabs, ScrollableContainer, RichLog))
        if not reading or not event.is_printable or not event.character:
            return
        box = self.query_one(CommandLine)
        # a space or a bound key that arrives while a command is being started (a fast typist's burst reaches the
        # pane before the focus moves) belongs to the command too
        started = bool(box.value)
        if not started and (event.character.isspace() or event.key in self.active_bindings):
            return
        event.stop()
        event.prevent_default()
        self.set_focus(box)  # at once, not after a refresh: the next keys of a quick typist go to the box
        box.insert_text_at_cursor(event.character)

    def action_show_tab(self, tab: str) -> None:
        """Switch tab and give the keyboard to its main pane, so arrows and page keys scroll it at once."""
        self.query_one("#tabs", TabbedContent).active = tab
        self.set_focus(self.query_one(f"#{TAB_PANES[tab]}"))

    def palette_commands(self) -> Iterator[PaletteCommand]:
        s = self.session
        names = {x.id: x.name for x in s.scenario.map.sectors}
        for sector in self.own_sectors():
            for posture in POSTURES:
                yield (
                    f"Order {names[sector]}: {humanise(posture)}",
                    "set the sector's posture",
                    partial(self.run_command, f"order {sector} {posture}"),
                )
        for word in (
            "escort on",
            "escort off",
            "netting on",
            "netting off",
            "route road",
            "route tracks",
            "status",
            "forecast",
            "look road",
            "look enemy",
        ):
            yield (word.capitalize(), "as typed on the command line", partial(self.run_command, word))
        yield ("Withdraw the grouping", "asks to confirm", self.ask_withdraw)
