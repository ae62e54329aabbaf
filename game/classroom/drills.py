"""Decision drills, headless: put a drill, time it, check and record the answer, score the estimate.

A `DrillSession` starts its clock when it is created (when the drill screen opens). `submit` checks the
answer against the drill (a required rationale, a full ranking, a chosen option, a probability) and
records how long it took. Past the time limit the answer is still recorded, word for word, but marked
late. `time_out` records the case where the clock ran out before the trainee submitted anything.

A drill asks; it never orders. The answer (ranking, estimate, rationale) is recorded beside the orders and the
trainee's own orders are carried out — also when the answer is late or the clock ran out. Only when the trainee
explicitly asks to carry out the chosen option (`submit(..., adopt=True)`, in time) do that option's orders
replace theirs (`orders_from="option"`, `adopted=True`), and the play screen shows them for confirmation before
the turn resolves. Journals written before this kept `orders_from` "option" or "standing" without `adopted`:
there the drill had replaced the orders by itself (`imposed`).

When: `drill_due(scenario, game, put)` is the drill to put before the current turn ends — the first, in the
scenario's order, whose trigger holds on the game as it stands (a turn, from a turn onward, conditions
measured by the engine's own inject metrics) and that this game has not put yet; at most one a turn, and
none once a withdrawal is under way. `put` (drill id → turn) comes from the game's journal
(`loaded.drills_put()`) and grows as drills are put.

The clock is injectable (`clock=`) so tests and the screen's countdown agree without sleeping.
The answer goes into the game's journal as a `drill` record — the drill's id and the turn it was actually
put — from which the class database reads it.
"""

from __future__ import annotations

import operator
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from game.errors import SalientError
from game.record.format import now_iso
from game.record.records import DRILL as DRILL_RECORD
from game.record.records import DrillRecord
from game.scenario.drills import Drill, DrillTrigger

from .outcomes import model_probability
from .records import imposed as imposed  # re-exported: an old answer that replaced the trainee's orders

if TYPE_CHECKING:
    from game.engine.game import Game
    from game.engine.orders import Orders
    from game.record.journal import Journal, LoadedJournal
    from game.scenario import Scenario

Clock = Callable[[], float]
OrdersFrom = Literal["option", "trainee", "standing"]
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    ">=": operator.ge,
    ">": operator.gt,
    "!=": operator.ne,
}


class DrillError(SalientError):
    """An answer that does not answer the drill; `.problems` lists what is missing, in plain words."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class DrillAnswer:
    """What the trainee answered, when, and whether in time."""

    drill: str
    turn: int
    """The turn the drill was put at (before that turn was resolved)."""
    rationale: str
    ranking: list[str]
    chosen: str | None
    estimate: float | None
    """The trainee's probability, 0-1 (None when the drill asks none or none was given in time)."""
    question: str | None
    metric: str | None
    model_p: float | None
    """The model's probability of the same event for the orders carried out (from its forecast)."""
    started: str
    elapsed_s: float
    time_limit_s: int | None
    late: bool
    timed_out: bool = False
    """The clock ran out before anything was submitted."""
    orders_from: OrdersFrom = "trainee"
    """Whose orders were carried out: the trainee's own, or the chosen option's when they adopted it ("standing":
    the defaults, in journals written when a late answer put them in place of the trainee's)."""
    adopted: bool = False
    """The trainee asked for the chosen option's orders to be carried out instead of their own."""
    problems: list[str] = field(default_factory=list)
    """What was missing from a late answer (a timely answer has none: it is refused instead)."""

    def record(self) -> dict[str, Any]:
        """The journal record (without its type)."""
        out = asdict(self)
        out["estimate"] = (
            None
            if self.metric is None
            else {
                "question": self.question,
                "metric": self.metric,
                "p": self.estimate,
                "model_p": self.model_p,
            }
        )
        for key in ("question", "metric", "model_p"):
            out.pop(key)
        return out


def drill_for_turn(scenario: Scenario, turn: int) -> Drill | None:
    """The drill set for this turn by a plain turn trigger (`turn: N`), if any; whatever the trigger, ask
    `drill_due`, which looks at the game."""
    return next((d for d in scenario.drills if d.fixed_turn == turn), None)


def trigger_holds(trigger: DrillTrigger, game: Game) -> bool:
    """Whether a drill's trigger holds on the game as it stands now (its current turn, before it is resolved).

    Conditions are measured by the engine's inject metrics on the game's one replication, so a drill and an
    inject with the same condition agree."""
    from game.engine.injects import metric

    turn = game.turn
    if trigger.turn is not None and turn != trigger.turn:
        return False
    if trigger.after_turn is not None and turn < trigger.after_turn:
        return False
    if not trigger.conditions:
        return True
    p, st = game.params, game.state
    return all(_OPS[c.op](float(metric(p, st, c)[0]), c.value) for c in trigger.conditions)


def drill_due(scenario: Scenario, game: Game, put: Mapping[str, int] | None = None) -> Drill | None:
    """The drill to put before this turn ends, or None: the first drill (in the scenario's order) whose trigger
    holds now and that this game has not put yet (`put`: drill id → turn, see `drills_put`). One drill a turn:
    None once a drill has been put this turn, when the game is over, and while the grouping withdraws (once
    under way a withdrawal cannot be called back, so a course-of-action question would change nothing)."""
    put = put or {}
    if game.finished or game.turn in put.values() or game.withdrawing:
        return None
    return next((d for d in scenario.drills if d.id not in put and trigger_holds(d.when, game)), None)


def drill_status(scenario: Scenario, game: Game, put: Mapping[str, int] | None = None) -> list[str]:
    """One line per drill for the umpire: put at which turn, due when this turn ends, or what it waits for."""
    from .views import trigger_text

    put = put or {}
    due = drill_due(scenario, game, put)
    out = []
    for d in scenario.drills:
        if d.id in put:
            where = f"put at turn {put[d.id]}"
        elif due is not None and due.id == d.id:
            where = "due: put to the trainee when this turn ends"
        else:
            where = f"not put yet; put {trigger_text(d.when)}"
        out.append(f"{d.id} ({d.title}): {where}")
    return out


class DrillSession:
    """One drill being answered; the clock starts at construction."""

    def __init__(
        self, drill: Drill, turn: int | None = None, *, clock: Clock = time.monotonic, wall: Callable[[], str] = now_iso
    ) -> None:
        self.drill = drill
        turn = drill.fixed_turn if turn is None else turn
        if turn is None:
            raise ValueError(f"drill '{drill.id}' has no set turn: say at which turn it is put")
        self.turn = turn
        """The turn the drill is put at (recorded with the answer)."""
        self._clock = clock
        self.started_at = clock()
        self.started = wall()
        self.answer: DrillAnswer | None = None

    def elapsed(self) -> float:
        """Seconds since the drill was put."""
        return max(0.0, self._clock() - self.started_at)

    def remaining(self) -> float | None:
        """Seconds left (never below 0), or None without a time limit."""
        limit = self.drill.time_limit_s
        return None if limit is None else max(0.0, limit - self.elapsed())

    def expired(self) -> bool:
        """True once the time limit has passed."""
        limit = self.drill.time_limit_s
        return limit is not None and self.elapsed() > limit

    def problems(
        self, rationale: str = "", ranking: Sequence[str] = (), chosen: str | None = None, estimate: float | None = None
    ) -> list[str]:
        """What keeps this answer from being complete, in plain words ([] when it is complete)."""
        d = self.drill
        out: list[str] = []
        if d.rationale == "required" and not rationale.strip():
            out.append("write a rationale: why this choice?")
        ids = [o.id for o in d.options]
        if d.rank_options:
            if sorted(ranking) != sorted(ids) or len(set(ranking)) != len(ranking):
                out.append(f"rank every option once, best first ({', '.join(ids)})")
        elif ids and chosen not in ids:
            out.append(f"choose one option ({', '.join(ids)})")
        if d.estimate is not None:
            if estimate is None:
                out.append(f"give your estimate: {d.estimate.text}")
            elif not 0.0 <= estimate <= 1.0:
                out.append("an estimate is a probability between 0% and 100%")
        return out

    def submit(
        self,
        rationale: str = "",
        ranking: Sequence[str] = (),
        chosen: str | None = None,
        estimate: float | None = None,
        model_p: float | None = None,
        adopt: bool = False,
    ) -> DrillAnswer:
        """Record the answer. In time, an incomplete answer raises DrillError; late, it is kept as it is.

        `adopt`: carry out the chosen (top-ranked) option's orders instead of the trainee's own; refused when the
        option has no orders, ignored when the answer is late (the trainee's orders stand)."""
        if self.answer is not None:
            raise DrillError(["this drill has already been answered"])
        late = self.expired()
        problems = self.problems(rationale, ranking, chosen, estimate)
        if problems and not late:
            raise DrillError(problems)
        if self.drill.rank_options and not chosen and ranking:
            chosen = ranking[0]
        if adopt and not late and not self.adoptable(chosen):
            raise DrillError(["the chosen option gives no orders to carry out: keep your own"])
        return self._finish(
            rationale, list(ranking), chosen, estimate, model_p, late, False, problems, adopt and not late
        )

    def adoptable(self, chosen: str | None) -> bool:
        """Whether option `chosen` stands for orders the trainee could carry out instead of their own."""
        option = next((o for o in self.drill.options if o.id == chosen), None)
        return option is not None and (option.orders is not None or option.policy is not None)

    def time_out(
        self, rationale: str = "", ranking: Sequence[str] = (), chosen: str | None = None, estimate: float | None = None
    ) -> DrillAnswer:
        """The clock ran out: record whatever was typed so far, late; the trainee's orders stand.

        A ranking left as it was shown is no choice: a timed-out ranked drill records no chosen option."""
        if self.answer is not None:
            return self.answer
        problems = self.problems(rationale, ranking, chosen, estimate)
        if self.drill.rank_options:
            chosen = None
        return self._finish(rationale, list(ranking), chosen, estimate, None, True, True, problems, False)

    def _finish(
        self,
        rationale: str,
        ranking: list[str],
        chosen: str | None,
        estimate: float | None,
        model_p: float | None,
        late: bool,
        timed_out: bool,
        problems: list[str],
        adopt: bool,
    ) -> DrillAnswer:
        d = self.drill
        source: OrdersFrom = "option" if adopt else "trainee"
        valid_estimate = estimate if estimate is not None and 0.0 <= estimate <= 1.0 else None
        self.answer = DrillAnswer(
            drill=d.id,
            turn=self.turn,
            rationale=rationale.strip(),
            ranking=ranking,
            chosen=chosen,
            estimate=valid_estimate if d.estimate else None,
            question=d.estimate.id if d.estimate else None,
            metric=d.estimate.metric if d.estimate else None,
            model_p=model_p,
            started=self.started,
            elapsed_s=round(self.elapsed(), 3),
            time_limit_s=d.time_limit_s,
            late=late,
            timed_out=timed_out,
            orders_from=source,
            adopted=adopt,
            problems=problems if late else [],
        )
        return self.answer


def option_orders(game: Game, drill: Drill, option_id: str) -> Orders | None:
    """The orders a drill option stands for on this game's current turn (None for a label-only option)."""
    from game.engine.orders import OrdersError
    from game.engine.policies import scripted_orders

    option = next((o for o in drill.options if o.id == option_id), None)
    if option is None:
        return None
    try:
        return scripted_orders(game, option.orders, option.policy)
    except OrdersError:
        raise DrillError([f"option '{option.id}' names policy '{option.policy}', which does not exist"]) from None


def orders_after_drill(game: Game, drill: Drill, answer: DrillAnswer, drafted: Orders) -> Orders:
    """The orders to carry out: the trainee's own (`drafted`), unless they adopted the chosen option's orders."""
    if answer.adopted and answer.orders_from == "option" and answer.chosen:
        return option_orders(game, drill, answer.chosen) or drafted
    return drafted


def with_model_p(answer: DrillAnswer, game: Game, orders: Orders, replications: int = 1000) -> DrillAnswer:
    """The answer with the model's probability of the estimated event under the orders carried out."""
    if answer.metric is None:
        return answer
    forecast = game.forecast(orders, replications=replications, turns=1)
    p = model_probability(answer.metric, forecast.model_dump(mode="json"))
    from dataclasses import replace

    return replace(answer, model_p=p)


def journal_answer(journal: Journal, answer: DrillAnswer) -> None:
    """Write the answer to the game's journal (before the turn is resolved and appended)."""
    journal.append_record(DRILL_RECORD, answer.record())


def brier(pairs: Sequence[tuple[float, int]]) -> float | None:
    """Mean squared distance between probabilities and what happened (0/1); None for no pairs."""
    if not pairs:
        return None
    return sum((p - o) ** 2 for p, o in pairs) / len(pairs)


def conclude(
    game: Game,
    journal: Journal | None,
    drill: Drill,
    answer: DrillAnswer,
    drafted: Orders,
    replications: int = 1000,
) -> tuple[Orders, DrillAnswer]:
    """After the drill screen closes: the orders to carry out, and the answer (with the model's probability of the
    estimated event under those orders) written to the journal. The orders are the trainee's `drafted` ones unless
    they adopted the option's; the play screen shows adopted orders for confirmation before the turn ends."""
    from dataclasses import replace

    orders = orders_after_drill(game, drill, answer, drafted)
    if orders is not drafted and game.check(orders):  # an option that does not fit this turn: keep the draft
        orders, answer = drafted, replace(answer, orders_from="trainee", adopted=False)
    if not game.check(orders):
        answer = with_model_p(answer, game, orders, replications)
    if journal is not None:
        journal_answer(journal, answer)
    return orders, answer


def recorded_answers(loaded: LoadedJournal) -> dict[int, DrillRecord]:
    """turn → the drill answer journalled for it, at the turn the drill was put (for the AAR: which drill,
    rationale, ranking, estimate, timing, lateness). One drill is put a turn at most."""
    return loaded.drill_answers()
