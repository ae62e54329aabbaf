"""Decision drills and expert solutions: what the instructor asks the trainee, when, and the answer key.

A drill stops the trainee before a turn ends to ask for a rationale, a ranking of courses of action and a
probability estimate, optionally against the clock. It is put at the start of the first turn its `trigger`
holds — a turn, from a turn onward, conditions on the game's state (the words of inject conditions), all of
which must hold — once per game and at most one drill a turn; `turn: N` is short for `trigger: {turn: N}`.
The expert solution is what the debrief and the class report compare the class with: a line answers a drill
by its id (and applies at whatever turn that drill was put in a game), or stands for a turn of its own.
Both are plain data; the logic lives in `game.classroom.drills`.

Orders inside a drill option or an expert solution are written exactly as orders are everywhere else
(postures, drones, ew, convoys, netting, commit_reserves, withdraw). They are checked against the orders
model (`game.scenario.orders`, which the engine re-exports) when the scenario loads.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from .common import Id, Probability, ShortText, Strict, Text
from .injects import TARGET_KINDS, Condition
from .orders import Orders
from .problems import FieldProblem, Path, Problem

if TYPE_CHECKING:
    from .scenario import Scenario

EstimateMetric = Annotated[
    str,
    Field(
        pattern=r"^(p_road_cut|p_lose_sector:[a-z][a-z0-9_]*|p_lose_place:[a-z][a-z0-9_]*)$",
        max_length=60,
        description="What the trainee estimates: `p_road_cut`, `p_lose_sector:<sector id>` or "
        "`p_lose_place:<place id>`, each over the coming turn.",
    ),
]


def _check_orders(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Orders must read as `Orders`; kept as plain data so a dump of the scenario stays as it was written."""
    if value is None:
        return None
    try:
        Orders.model_validate(value)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "orders"
        raise ValueError(f"these are not valid orders: {where}: {first['msg']}") from None
    return value


class DrillOption(Strict):
    """One course of action the trainee may choose or rank."""

    id: Id
    """Identifier used in rankings and the expert solution."""
    label: ShortText
    """What the trainee reads."""
    orders: dict[str, Any] | None = None
    """Orders this option stands for (same keys as any orders); omitted for a label-only option."""
    policy: Id | None = None
    """Or: a built-in standing policy whose orders this option stands for (for example `hold`)."""

    @field_validator("orders")
    @classmethod
    def _orders_valid(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return _check_orders(value)

    @model_validator(mode="after")
    def _one_source(self) -> DrillOption:
        if self.orders is not None and self.policy is not None:
            raise FieldProblem("orders", "give either orders or a policy for an option, not both")
        return self


class EstimateQuestion(Strict):
    """A probability the trainee estimates; scored against what happened and against the model."""

    id: Id
    """Identifier of the question (calibration is reported per question as well)."""
    text: ShortText
    """The question as the trainee reads it."""
    metric: EstimateMetric
    """The event being estimated, over the coming turn."""


class DrillTrigger(Strict):
    """When a drill is put: every part given must hold, and at least one must be given.

    The same words as an inject's trigger, without chance: the drill is put at the start of the first turn
    its trigger holds (before that turn is resolved), once per game."""

    turn: int | None = Field(default=None, ge=1)
    """Put at this turn only."""
    after_turn: int | None = Field(default=None, ge=0)
    """Put only from this turn onward."""
    conditions: list[Condition] = Field(default_factory=list, max_length=10)
    """Every condition must hold on the game as it stands when the turn is about to be resolved (the same
    metrics as inject conditions, for example `{metric: sector_progress, target: south, op: ">=", value: 0.5}`)."""

    @model_validator(mode="after")
    def _something_triggers(self) -> DrillTrigger:
        if self.turn is None and self.after_turn is None and not self.conditions:
            raise ValueError("a drill's trigger needs a turn, an after_turn or conditions")
        return self


class Drill(Strict):
    """A decision point: before the turn ends the trainee explains, ranks and estimates."""

    id: Id
    """Identifier recorded with the answer."""
    turn: int | None = Field(default=None, ge=1)
    """Short for `trigger: {turn: N}`: the drill is put at this turn. Give this or `trigger`, not both."""
    trigger: DrillTrigger | None = None
    """When the drill is put: at a turn, from a turn onward, on conditions about the game's state (all given
    parts must hold). Put at the start of the first turn the trigger holds, once per game."""
    title: ShortText = "Decision point"
    """Headline of the drill."""
    prompt: Text = ""
    """The situation and the question, as the trainee reads it."""
    rationale: Literal["required", "optional", "off"] = "optional"
    """Whether the trainee must write why they chose what they chose."""
    options: list[DrillOption] = Field(default_factory=list, max_length=9)
    """Courses of action to choose from or rank."""
    rank_options: bool = False
    """Ask the trainee to rank every option, best first (else to pick one)."""
    estimate: EstimateQuestion | None = None
    """A probability to estimate."""
    time_limit_s: int | None = Field(default=None, ge=5, le=3600)
    """Seconds allowed; a late answer is recorded as late and the standing orders are carried out."""

    @model_validator(mode="after")
    def _options_make_sense(self) -> Drill:
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise FieldProblem("options", "option ids must be unique within a drill")
        if self.rank_options and len(ids) < 2:
            raise FieldProblem("rank_options", "rank_options needs at least two options")
        return self

    @model_validator(mode="after")
    def _when(self) -> Drill:
        """`turn: N` becomes `trigger: {turn: N}`, so every drill has a trigger and a dump loads again."""
        if self.turn is not None and self.trigger is not None:
            raise FieldProblem(
                "turn",
                f"give turn or trigger, not both (turn: {self.turn} is short for trigger: {{turn: {self.turn}}})",
            )
        if self.turn is None and self.trigger is None:
            raise ValueError("a drill needs a trigger saying when it is put (or the short form turn: N)")
        if self.turn is not None:
            self.trigger, self.turn = DrillTrigger(turn=self.turn), None
        return self

    @property
    def when(self) -> DrillTrigger:
        """The drill's trigger (always set once the drill is validated)."""
        assert self.trigger is not None
        return self.trigger

    @property
    def fixed_turn(self) -> int | None:
        """The turn the drill is put at when its trigger is a turn and nothing else; None for a conditional drill."""
        t = self.when
        if t.turn is None or t.conditions or (t.after_turn is not None and t.after_turn > t.turn):
            return None
        return t.turn


class ExpertSolution(Strict):
    """The answer key for one drill (at whatever turn it is put) or for one turn: what an expert would do and why."""

    turn: int | None = Field(default=None, ge=1)
    """Turn the solution is for; needed only when it answers no drill (a line for a drill applies at the turn
    the drill is put in each game)."""
    drill: Id | None = None
    """Drill it answers."""
    ranking: list[Id] = Field(default_factory=list, max_length=9)
    """The drill's options, best first."""
    rationale: Text
    """The expert's reasoning, shown in the debrief and the class report."""
    orders: dict[str, Any] | None = None
    """The expert's orders for the turn."""
    policy: Id | None = None
    """Or: the built-in standing policy whose orders the expert would give."""
    estimate: Probability | None = None
    """The expert's answer to the drill's probability question, if any."""

    @field_validator("orders")
    @classmethod
    def _orders_valid(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return _check_orders(value)

    @model_validator(mode="after")
    def _answers_something(self) -> ExpertSolution:
        if self.turn is None and self.drill is None:
            raise ValueError(
                "an expert solution needs the drill it answers (drill: <id>) or, answering no drill, its turn (turn: N)"
            )
        return self


def metric_target(metric: str) -> tuple[str, str | None]:
    """`p_lose_sector:north` → (`p_lose_sector`, `north`); `p_road_cut` → (`p_road_cut`, None)."""
    kind, _, target = metric.partition(":")
    return kind, (target or None)


def drill_problems(sc: Scenario) -> Iterator[Problem]:
    """Broken references in drills and expert solutions, each at its place in the data (see `reference_problems`)."""
    sectors = {s.id for s in sc.map.sectors}
    places = {p.id for p in sc.map.places}
    units = {u.id for side in sc.sides for u in side.units}
    known = {"sector": sectors, "place": places, "road": {r.id for r in sc.map.roads}}
    last = sc.meta.turns
    drills = {d.id: d for d in sc.drills}
    first_with: dict[str, int] = {}
    for j, d in enumerate(sc.drills):
        if first_with.setdefault(d.id, j) != j:
            yield Problem(("drills", j, "id"), "drill ids must be unique")
    turn_of: dict[int, int] = {}
    for j, d in enumerate(sc.drills):
        if d.fixed_turn is not None and turn_of.setdefault(d.fixed_turn, j) != j:
            yield Problem(("drills", j), f"two drills are set for turn {d.fixed_turn}; put one drill per turn")
    for j, d in enumerate(sc.drills):
        at: Path = ("drills", j)
        when = d.when
        if when.turn is not None and when.turn > last:
            yield Problem(at, f"drill '{d.id}' is set for turn {when.turn}, after the last turn ({last})")
        if when.after_turn is not None and when.after_turn > last:
            message = f"drill '{d.id}' has after_turn {when.after_turn}, after the last turn ({last}): it is never put"
            yield Problem((*at, "trigger", "after_turn"), message)
        if when.turn is not None and when.after_turn is not None and when.after_turn > when.turn:
            message = f"drill '{d.id}' has after_turn {when.after_turn}, after its turn {when.turn}: it is never put"
            yield Problem((*at, "trigger", "after_turn"), message)
        for k, cond in enumerate(when.conditions):
            yield from condition_problems((*at, "trigger", "conditions", k), f"drill '{d.id}' trigger", cond, known)
        if d.estimate is not None:
            where = f"drill '{d.id}' estimate"
            yield from _metric_problems((*at, "estimate", "metric"), where, d.estimate.metric, sectors, places)
        for k, o in enumerate(d.options):
            where = f"drill '{d.id}' option '{o.id}'"
            yield from _orders_problems((*at, "options", k, "orders"), where, o.orders, sectors, units)
    for i, inj in enumerate(
        sc.injects
    ):  # the other targeted metrics of injects are checked with the rest of the injects
        for k, cond in enumerate(inj.trigger.conditions):
            if cond.metric == "sector_progress":
                at = ("injects", i, "trigger", "conditions", k)
                yield from condition_problems(at, f"inject '{inj.id}' condition", cond, known)
    answered: dict[str, int] = {}
    for n, e in enumerate(sc.expert):
        at = ("expert", n)
        where = f"expert solution for turn {e.turn}" if e.drill is None else f"expert solution for drill '{e.drill}'"
        if e.orders is not None and e.policy is not None:
            yield Problem((*at, "policy"), f"{where}: give either orders or a policy, not both")
        yield from _orders_problems((*at, "orders"), where, e.orders, sectors, units)
        if e.drill is None:
            if e.ranking:
                yield Problem((*at, "ranking"), f"{where}: a ranking needs the drill it ranks (`drill:`)")
            if e.turn is not None and e.turn > last:
                yield Problem((*at, "turn"), f"{where} is after the last turn ({last})")
            continue
        drill = drills.get(e.drill)
        if drill is None:
            yield Problem((*at, "drill"), f"{where} names drill '{e.drill}', which does not exist")
            continue
        answered[e.drill] = answered.get(e.drill, 0) + 1
        if answered[e.drill] == 2:
            yield Problem((*at, "drill"), f"two expert solutions answer drill '{e.drill}'; keep one")
        if e.turn is not None and e.turn != drill.when.turn:
            put = (
                f"is set for turn {drill.when.turn}"
                if drill.when.turn is not None
                else "is put when its trigger holds, at no set turn"
            )
            message = f"expert solution for turn {e.turn} answers drill '{e.drill}', which {put}; leave out the turn"
            yield Problem((*at, "drill"), message)
        options = {o.id for o in drill.options}
        for k, oid in enumerate(e.ranking):
            if oid not in options:
                message = f"{where}: ranking names option '{oid}', not an option of drill '{e.drill}'"
                yield Problem((*at, "ranking", k), message)
        twice = next((k for k, oid in enumerate(e.ranking) if oid in e.ranking[:k]), None)
        if twice is not None:
            yield Problem((*at, "ranking", twice), f"{where}: the ranking names an option twice")


def condition_problems(at: Path, where: str, cond: Condition, known: Mapping[str, set[str]]) -> Iterator[Problem]:
    """A condition's target that names nothing in the scenario (a missing target is refused by `Condition`)."""
    kind = TARGET_KINDS.get(cond.metric)
    if kind is None or cond.target is None or cond.target in known.get(kind, set()):
        return
    choices = ", ".join(sorted(known.get(kind, set()))[:12]) or "none defined"
    yield Problem((*at, "target"), f"{where} names {kind} '{cond.target}', which does not exist (known: {choices})")


# --- which drills a game has put, and which expert line applies at a turn -------------------------------------


def expert_turn(sc: Scenario, solution: ExpertSolution, put: Mapping[str, int]) -> int | None:
    """The turn of a game an expert line applies at: its own turn, else the turn its drill was put in this game
    (`put`, see `LoadedJournal.drills_put`), else the drill's set turn; None for a conditional drill this game never put."""
    if solution.turn is not None:
        return solution.turn
    if solution.drill is not None and solution.drill in put:
        return put[solution.drill]
    drill = next((d for d in sc.drills if d.id == solution.drill), None)
    return None if drill is None else drill.fixed_turn


def expert_for_turn(sc: Scenario, turn: int, put: Mapping[str, int] | None = None) -> ExpertSolution | None:
    """The expert line that applies at this turn of a game (see `expert_turn`); the drill put then comes first."""
    put = put or {}
    lines = [e for e in sc.expert if expert_turn(sc, e, put) == turn]
    return next((e for e in lines if e.drill is not None and put.get(e.drill) == turn), None) or next(iter(lines), None)


def _metric_problems(at: Path, where: str, metric: str, sectors: set[str], places: set[str]) -> Iterator[Problem]:
    kind, target = metric_target(metric)
    known = {"p_lose_sector": sectors, "p_lose_place": places}.get(kind)
    if known is not None and target not in known:
        yield Problem(at, f"{where} names {kind.removeprefix('p_lose_')} '{target}', which does not exist")


def _orders_problems(
    at: Path, where: str, orders: dict[str, Any] | None, sectors: set[str], units: set[str]
) -> Iterator[Problem]:
    """Sectors and units that orders name but the scenario lacks; the ids are keys of the orders' mappings."""
    if not orders:
        return
    for sid in orders.get("postures", {}) or {}:
        if sid not in sectors:
            message = f"{where}: orders give a posture to sector '{sid}', which does not exist"
            yield Problem((*at, "postures", sid), message, on_key=True)
    for uid, sid in (orders.get("commit_reserves", {}) or {}).items():
        if uid not in units:
            message = f"{where}: orders commit unit '{uid}', which does not exist"
            yield Problem((*at, "commit_reserves", uid), message, on_key=True)
        if sid not in sectors:
            message = f"{where}: orders commit a reserve to sector '{sid}', which does not exist"
            yield Problem((*at, "commit_reserves", uid), message)
