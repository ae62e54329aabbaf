"""Decision drills and expert solutions: what the instructor asks the trainee at chosen turns, and the answer key.

A drill stops the trainee before a turn ends to ask for a rationale, a ranking of courses of action and a
probability estimate, optionally against the clock. The expert solution is what the debrief and the class
report compare the class with. Both are plain data; the logic lives in `game.classroom.drills`.

Orders inside a drill option or an expert solution are written exactly as orders are everywhere else
(postures, drones, ew, convoys, netting, commit_reserves, withdraw). They are checked against the orders
model when the scenario loads; the import is lazy because the engine depends on the scenario, not the
other way round.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from .common import Id, Probability, ShortText, Strict, Text

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
    """Orders must read as the engine's `Orders`; kept as plain data so the scenario stays engine-free."""
    if value is None:
        return None
    from pydantic import ValidationError

    from game.engine.orders import Orders  # lazy: see module docstring

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
    def _one_source(self) -> "DrillOption":
        if self.orders is not None and self.policy is not None:
            raise ValueError("give either orders or a policy for an option, not both")
        return self


class EstimateQuestion(Strict):
    """A probability the trainee estimates; scored against what happened and against the model."""

    id: Id
    """Identifier of the question (calibration is reported per question as well)."""
    text: ShortText
    """The question as the trainee reads it."""
    metric: EstimateMetric
    """The event being estimated, over the coming turn."""


class Drill(Strict):
    """A decision point: before the turn ends the trainee explains, ranks and estimates."""

    id: Id
    """Identifier recorded with the answer."""
    turn: int = Field(ge=1)
    """Turn at which the drill is put (before that turn is resolved)."""
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
    def _options_make_sense(self) -> "Drill":
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError("option ids must be unique within a drill")
        if self.rank_options and len(ids) < 2:
            raise ValueError("rank_options needs at least two options")
        return self


class ExpertSolution(Strict):
    """The answer key for one turn: what an expert would do and why."""

    turn: int = Field(ge=1)
    """Turn the solution is for."""
    drill: Id | None = None
    """Drill it answers (when there is one at that turn)."""
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


def metric_target(metric: str) -> tuple[str, str | None]:
    """`p_lose_sector:north` → (`p_lose_sector`, `north`); `p_road_cut` → (`p_road_cut`, None)."""
    kind, _, target = metric.partition(":")
    return kind, (target or None)


def drill_problems(sc: "Scenario") -> Iterator[str]:
    """Broken references in drills and expert solutions, in plain words (called by the root validator)."""
    sectors = {s.id for s in sc.map.sectors}
    places = {p.id for p in sc.map.places}
    units = {u.id for side in sc.sides for u in side.units}
    drills = {d.id: d for d in sc.drills}
    if len(drills) != len(sc.drills):
        yield "drill ids must be unique"
    turns = [d.turn for d in sc.drills]
    for turn in sorted({t for t in turns if turns.count(t) > 1}):
        yield f"two drills are set for turn {turn}; put one drill per turn"
    for d in sc.drills:
        if d.turn > sc.meta.turns:
            yield f"drill '{d.id}' is set for turn {d.turn}, after the last turn ({sc.meta.turns})"
        if d.estimate is not None:
            yield from _metric_problems(f"drill '{d.id}' estimate", d.estimate.metric, sectors, places)
        for o in d.options:
            yield from _orders_problems(f"drill '{d.id}' option '{o.id}'", o.orders, sectors, units)
    for e in sc.expert:
        where = f"expert solution for turn {e.turn}"
        if e.orders is not None and e.policy is not None:
            yield f"{where}: give either orders or a policy, not both"
        yield from _orders_problems(where, e.orders, sectors, units)
        if e.drill is None:
            if e.ranking:
                yield f"{where}: a ranking needs the drill it ranks (`drill:`)"
            continue
        drill = drills.get(e.drill)
        if drill is None:
            yield f"{where} names drill '{e.drill}', which does not exist"
            continue
        if drill.turn != e.turn:
            yield f"{where} answers drill '{e.drill}', which is set for turn {drill.turn}"
        options = {o.id for o in drill.options}
        for oid in e.ranking:
            if oid not in options:
                yield f"{where}: ranking names option '{oid}', not an option of drill '{e.drill}'"
        if len(set(e.ranking)) != len(e.ranking):
            yield f"{where}: the ranking names an option twice"


def _metric_problems(where: str, metric: str, sectors: set[str], places: set[str]) -> Iterator[str]:
    kind, target = metric_target(metric)
    known = {"p_lose_sector": sectors, "p_lose_place": places}.get(kind)
    if known is not None and target not in known:
        yield f"{where} names {kind.removeprefix('p_lose_')} '{target}', which does not exist"


def _orders_problems(where: str, orders: dict[str, Any] | None, sectors: set[str], units: set[str]) -> Iterator[str]:
    if not orders:
        return
    for sid in orders.get("postures", {}) or {}:
        if sid not in sectors:
            yield f"{where}: orders give a posture to sector '{sid}', which does not exist"
    for uid, sid in (orders.get("commit_reserves", {}) or {}).items():
        if uid not in units:
            yield f"{where}: orders commit unit '{uid}', which does not exist"
        if sid not in sectors:
            yield f"{where}: orders commit a reserve to sector '{sid}', which does not exist"
