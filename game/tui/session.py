"""One game in play, headless: the engine, its journal (the autosave), the draft orders and their undo stack.

The screens talk to this object, never to the engine directly, so the same sequence of calls can be
driven without Textual (a test plays a game through it and compares with a bare `Game`). Undo only
ever touches the draft of the turn being planned: a resolved turn is in the journal and its dice
are never re-rolled.

Orders stand: each turn starts from the orders played last turn (`Game.standing_orders`), after a turn and
on loading a save alike; `standing` keeps them (and what had to be adapted) so the orders panel can mark
what was carried over and what the trainee changed, and the advisor can say why its forecast moved.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from game.classroom.drills import drill_due
from game.engine.orders import Orders
from game.engine.report import Forecast, Intel, Score, TurnReport
from game.engine.standing import StandingOrders
from game.narrative.fmt import counted
from game.narrative.forecast_change import change_line, orders_changes, situation_changes
from game.narrative.picture import Picture, picture
from game.narrative.safe_text import name
from game.scenario import Scenario
from game.scenario.drills import Drill

if TYPE_CHECKING:
    from game.engine.game import Game
    from game.record.journal import Journal

FORECAST_REPLICATIONS = 1000


@dataclass(frozen=True)
class TurnResult:
    """A resolved turn with what the trainee knew before and knows after."""

    report: TurnReport
    before: Picture
    after: Picture
    intel_after: Intel | None
    """The estimate after the turn (enemy losses are told from it, never from the ground truth)."""
    hours: str
    """The resolved turn's time label."""


class Session:
    """A game being played: call `change`, `undo`, `forecast` and `end_turn`; the journal is kept up to date."""

    def __init__(
        self,
        game: Game,
        journal: Journal | None,
        *,
        notes: list[str] | None = None,
        scenario_path: str | None = None,
        trainee: str = "",
    ) -> None:
        self.game = game
        self.journal = journal
        self.scenario_path = scenario_path
        self.trainee = name(trainee)  # one line, no controls, capped: it is shown and saved
        self.notes: list[str] = notes or []
        """Things to tell the trainee on opening (a recovered save, for example)."""
        self._lock = threading.Lock()
        self._forecast: tuple[str, Forecast] | None = None
        self._intel: Intel | None = None
        self.generation = 0
        """Goes up each time the world changes outside a turn (an umpire's intervention): older results are stale."""
        self.drills_put: dict[str, int] = {}
        """Drills already put in this game, id → turn (so ending the turn does not ask one again)."""
        self.orders: Orders = game.default_orders() if not game.finished else Orders()
        self.standing = StandingOrders(self.orders)
        """The orders this turn started from: last turn's, carried over and adapted (the defaults on turn 1)."""
        self.carried = False
        """True when `standing` came from last turn's orders (False on the first turn)."""
        self.last_forecast: Forecast | None = None
        """The forecast of the orders played last turn, as the trainee saw it (None on the first turn)."""
        self.last_intel: Intel | None = None
        """The intel the trainee had last turn."""
        self._standing_forecast: tuple[int, Forecast] | None = None
        self.undo_stack: list[Orders] = []
        self._last_field: str | None = None
        self._saved_draft: str | None = None
        if game.history and not game.finished:
            self._stand(game.history[-1].orders)

    def _stand(self, previous: Orders) -> None:
        """Start the turn's draft from `previous`, the orders played last turn (see `Game.standing_orders`)."""
        self.standing = self.game.standing_orders(previous)
        self.carried = True
        self.orders = self.standing.orders
        self._standing_forecast = None

    # --- opening ------------------------------------------------------------------------------

    @classmethod
    def new(
        cls, scenario: Scenario, scenario_path: str | None, seed: int, trainee: str = "", save_path: Path | None = None
    ) -> Session:
        """Start a new game and its journal (in the saves folder unless `save_path` is given)."""
        from game.engine.game import Game
        from game.record.signing import new_game_secret

        session = cls(
            Game(scenario, seed, new_game_secret(scenario, seed)), None, scenario_path=scenario_path, trainee=trainee
        )
        session.start_journal(save_path)
        return session

    def start_journal(self, save_path: Path | None = None) -> Path:
        """Create the journal (the autosave) before the first turn is played."""
        from game.record.journal import Journal
        from game.record.paths import new_save_path

        path = save_path or new_save_path(self.scenario.meta.id, self.game.seed)
        self.journal = Journal.create(path, self.scenario, self.scenario_path, self.game.seed, self.trainee)
        return path

    @classmethod
    def load(cls, path: Path) -> Session:
        """Continue a saved game: replay its whole turns; a torn last turn is cut off and said so.

        `replay` applies the umpire's interventions where they were made, those of the unfinished turn too.
        Orders that were being planned when the game was saved (a `draft` record) are restored.
        """
        from game.record.journal import Journal, load_journal, replay

        journal = Journal.open_existing(path)
        loaded = journal.loaded or load_journal(path)
        game = replay(loaded)
        notes = [f"Recovered: {journal.recovered}."] if journal.recovered else []
        h = loaded.header
        session = cls(game, journal, notes=notes, scenario_path=h.scenario_path, trainee=h.trainee)
        session.drills_put = loaded.drills_put()
        if loaded.turns and len(loaded.turns) == len(game.history):
            session.last_forecast = loaded.turns[-1].forecast
            session.last_intel = loaded.turns[-1].intel
        drafts = [d for d in loaded.drafts if d.turn == game.turn]
        if drafts and not game.finished:
            session.orders = drafts[-1].orders
            session._saved_draft = session.orders.model_dump_json()
            session.notes.append(f"Your unfinished orders for turn {game.turn} were restored.")
        return session

    # --- decision drills ---------------------------------------------------------------------

    @property
    def drilled_turns(self) -> set[int]:
        """Turns at which a drill has been put and answered."""
        return set(self.drills_put.values())

    def drill_due(self) -> Drill | None:
        """The drill to put before this turn ends (its trigger holds on the game now; see `drill_due`), or None."""
        with self._lock:
            return drill_due(self.scenario, self.game, self.drills_put)

    def drill_put(self, drill: Drill, turn: int) -> None:
        """Remember that `drill` was put (and answered) at `turn`: it is never put again in this game."""
        self.drills_put.setdefault(drill.id, turn)

    def save_now(self) -> str:
        """Every finished turn is already on disk; also record the orders being planned. Says where."""
        if self.journal is None:
            return "This game has no save file."
        draft = self.orders.model_dump_json()
        planning = not self.game.finished and self.orders != self.standing.orders
        if planning and draft != self._saved_draft:
            self.journal.append_record("draft", {"turn": self.game.turn, "orders": self.orders.model_dump(mode="json")})
            self._saved_draft = draft
        turns = len(self.game.history)
        also = " with the orders you are planning" if planning else ""
        return f"{counted(turns, 'finished turn')}{also} saved in {self.journal.path}"

    # --- what the trainee sees ----------------------------------------------------------------

    @property
    def scenario(self) -> Scenario:
        """The scenario being played."""
        return self.game.scenario

    @property
    def journal_path(self) -> Path | None:
        """Where the game is saved."""
        return self.journal.path if self.journal is not None else None

    def intel(self) -> Intel:
        """The fog-of-war picture of the current turn (cached: it is deterministic)."""
        with self._lock:
            if self._intel is None or self._intel.turn != self.game.turn:
                self._intel = self.game.intel()
            return self._intel

    def picture(self) -> Picture:
        """The trainee's own side as of now."""
        return picture(self.scenario, self.game.history)

    def hours(self) -> str:
        """The current turn's label ('Turn 3 — 7 Mar 2025 06:00–18:00')."""
        return self.game.hours_label()

    def problems(self, orders: Orders | None = None) -> list[str]:
        """What is wrong with the orders, in plain words ([] when they can be carried out)."""
        with self._lock:
            return self.game.check(orders or self.orders)

    def forecast(self, orders: Orders | None = None, replications: int = FORECAST_REPLICATIONS) -> Forecast:
        """The advisor's forecast of `orders` (the draft by default); the last one is cached."""
        orders = orders or self.orders
        key = orders.model_dump_json()
        with self._lock:
            if self._forecast is not None and self._forecast[0] == key:
                return self._forecast[1]
            turn = self.game.turn
            result = self.game.forecast(orders, replications=replications)
            if self.game.turn == turn:
                self._forecast = (key, result)
            return result

    def standing_forecast(self) -> Forecast | None:
        """This turn's forecast of the standing orders (computed once a turn); None when they cannot be carried out."""
        from game.engine.orders import OrdersError

        turn = self.game.turn
        cached = self._standing_forecast
        if cached is not None and cached[0] == turn:
            return cached[1]
        try:
            if self.orders == self.standing.orders:
                result = self.forecast(self.standing.orders)
            else:
                with self._lock:
                    result = self.game.forecast(self.standing.orders, replications=FORECAST_REPLICATIONS)
        except OrdersError:
            return None
        with self._lock:
            if self.game.turn == turn:
                self._standing_forecast = (turn, result)
        return result

    def forecast_change(self, forecast: Forecast, orders: Orders | None = None) -> str | None:
        """Why the advisor's number moved since last turn's forecast, in a sentence or two (None on turn 1).

        `forecast` is this turn's forecast of `orders` (the draft by default); see game.narrative.forecast_change."""
        if self.last_forecast is None or self.game.finished or not self.carried:
            return None
        standing = self.standing_forecast()
        if standing is None:
            return None
        history = self.game.history
        news = []
        if history:
            titles = {i.id: i.title for i in self.scenario.injects if i.visible_to == "trainee"}
            news = [titles[i] for i in history[-1].injects_fired if i in titles]
        facts = situation_changes(
            self.scenario,
            picture(self.scenario, history[:-1]),
            self.picture(),
            self.last_intel,
            self.intel(),
            news,
            self.standing.adapted,
        )
        changed = orders_changes(self.scenario, self.standing.orders, orders or self.orders)
        return change_line(self.last_forecast, standing, forecast, changed, facts)

    def cached_forecast(self, orders: Orders | None = None) -> Forecast | None:
        """The cached forecast if it is for `orders` (the draft by default), else None."""
        key = (orders or self.orders).model_dump_json()
        cached = self._forecast
        return cached[1] if cached is not None and cached[0] == key else None

    def score(self) -> Score:
        """The score so far, or the final one."""
        with self._lock:
            return self.game.score()

    def invalidate(self) -> None:
        """Forget the cached intel and forecast: the world changed mid-turn (an umpire's intervention)."""
        with self._lock:
            self._intel = None
            self._forecast = None
            self._standing_forecast = None
            self.generation += 1

    # --- changing the draft -------------------------------------------------------------------

    def change(self, orders: Orders, field: str | None = None) -> bool:
        """Replace the draft; the old one goes on the undo stack. False when nothing changed.

        Successive changes to the same `field` (keystrokes in one number box) make one undo step.
        """
        if orders == self.orders:
            return False
        if field is None or field != self._last_field or not self.undo_stack:
            self.undo_stack.append(self.orders)
        self.orders = orders
        self._last_field = field
        return True

    def undo(self) -> bool:
        """Take back the last change to this turn's orders; False when there is nothing to undo."""
        self._last_field = None
        if not self.undo_stack:
            return False
        self.orders = self.undo_stack.pop()
        return True

    # --- ending a turn ------------------------------------------------------------------------

    def end_turn(self) -> TurnResult:
        """Resolve the turn with the draft orders, append it to the journal, start the next draft.

        Raises `OrdersError` (nothing changes) when the orders cannot be carried out.
        """
        orders = self.orders
        intel = self.intel()
        hours = self.hours()
        forecast = self.forecast(orders)
        before = self.picture()
        with self._lock:
            turn = self.game.turn
            report = self.game.play(orders)
            if self.journal is not None:
                self.journal.append_turn(turn, orders, intel, forecast, report)
            self._forecast = None
        self.undo_stack.clear()
        self._last_field = None
        self.last_forecast, self.last_intel = forecast, intel
        if self.game.finished:
            self.orders = orders
        else:
            self._stand(orders)
        after = self.picture()
        return TurnResult(report, before, after, self.intel(), hours)
