"""History as a test: play the plan the real commanders followed many times and hold each dated observation
in the fact sheet against the spread of what the model produces at that moment.

Why a band and not a mean: the model is stochastic and history happened once, so the question is whether
history is something the model produces often enough (inside the 5–95% band of the games), not whether it
is the average game. A point is inside when the range history allows (the reported value give or take
what the source's precision allows) meets the model's band; for an observation with named outcomes (who
holds a town, how the road stands) the band is every outcome that at least 5% of the games reach.

The games are the engine's batch (`game.engine.step.advance`, dice purposes `batch.<chunk>`, as in
`salient check`), with the orders file played as `salient check --orders` plays it (game.analysis.orders_plan:
what a game has made impossible, such as a posture for a sector already lost, is skipped in that game) and
an observer that keeps, per replication and after every turn, the area held, the holder of every place, the
worst state of the supply road, whether some route is usable and how the game stands. A game that has ended
keeps its last state.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import get_args

import numpy as np

from game.engine.params import ENDINGS, OPEN, ROAD_STATES
from game.engine.policies import Policy
from game.engine.state import State
from game.engine.step import Model, advance
from game.errors import SalientError
from game.scenario import Scenario
from game.scenario.facts import (
    AreaHeld,
    FirstSectorLost,
    HistoryPoint,
    Holder,
    RoadState,
    RoadUsable,
    Status,
    StatusName,
    turn_at,
    turn_start,
)

from .orders_plan import OrdersPlan

BAND = (5.0, 95.0)
"""Percentiles of the model's band."""
RARE = BAND[0] / 100.0
"""An outcome reached by fewer games than this lies outside the band."""
STATUSES: tuple[str, ...] = get_args(StatusName)
"""How the grouping stands after a turn (a game that ran out of time still counts as fighting)."""
STATUS_OF_ENDING = np.array([STATUSES.index("fighting" if e in (None, "time") else e) for e in ENDINGS], dtype=np.int8)
"""Status index of each engine ending code (0, still going, and `time` both mean fighting)."""


# --- playing the plan ----------------------------------------------------------------------------------------


@dataclass
class Track:
    """What the observer saw, per replication (rows) after each turn (columns; column 0 is the start)."""

    area: np.ndarray  # (R, T + 1) square miles held
    holder: np.ndarray  # (R, T + 1, P) side code (PLAYER, ENEMY, NEUTRAL) holding each place
    road: np.ndarray  # (R, T + 1) worst road state code on the supply road (ROAD_STATES)
    usable: np.ndarray  # (R, T + 1) bool: some route to the border is usable
    status: np.ndarray  # (R, T + 1) index into STATUSES
    first_lost: np.ndarray  # (R,) first turn a sector fell; T + 1 when none fell within the game

    @property
    def turns(self) -> int:
        """T, the game's length."""
        return int(self.area.shape[1]) - 1


def play_plan(model: Model, policy: Policy, runs: int, seed: int = 0, chunk: int = 10_000) -> Track:
    """Play `runs` games of `policy` (an orders file's plan, or any standing policy), `chunk` replications at a
    time, and keep what the history points look at."""
    parts = [_chunk(model, policy, min(chunk, runs - start), seed, k) for k, start in enumerate(range(0, runs, chunk))]
    return Track(
        **{
            name: np.concatenate([getattr(p, name) for p in parts])
            for name in ("area", "holder", "road", "usable", "status", "first_lost")
        }
    )


def _chunk(model: Model, policy: Policy, R: int, seed: int, k: int) -> Track:
    horizon = model.base.turns
    st = model.initial_state(R)
    track = Track(
        area=np.zeros((R, horizon + 1)),
        holder=np.zeros((R, horizon + 1, model.base.P), dtype=np.int8),
        road=np.zeros((R, horizon + 1), dtype=np.int8),
        usable=np.ones((R, horizon + 1), dtype=bool),
        status=np.zeros((R, horizon + 1), dtype=np.int8),
        first_lost=np.full(R, horizon + 1, dtype=np.int32),
    )
    _observe(model, st, track, 0, track.usable[:, 0])
    for t in range(1, horizon + 1):
        live = ~st.ended
        orders = policy.directives(model.variants(st)[0][0], st)
        st, out, _ = advance(
            model, st, orders, seed, purpose=f"batch.{k}", inject_purpose=f"batch.{k}.injects", factors=False
        )
        lost_now = out.fell.any(axis=1) & live & (track.first_lost > horizon)
        track.first_lost[lost_now] = t
        _observe(model, st, track, t, np.where(live, ~out.route_cut, track.usable[:, t - 1]))
    return track


def _observe(model: Model, st: State, track: Track, t: int, usable: np.ndarray) -> None:
    """Record the state after turn t (the starting state for t = 0)."""
    params = model.variants(st)[0][0]
    track.area[:, t] = st.area_held(params)
    track.holder[:, t] = st.place_holder(params)
    track.road[:, t] = st.road_state[:, params.roads.on_road].max(axis=1) if params.roads.on_road.any() else OPEN
    track.usable[:, t] = usable
    track.status[:, t] = STATUS_OF_ENDING[st.ending]


# --- judging each point ----------------------------------------------------------------------------------------


@dataclass
class PointResult:
    """One history point against the model."""

    id: str
    kind: str
    what: str
    when: str
    """The moment observed, `YYYY-MM-DD` (and `HH:00` when the sheet gives an hour)."""
    turn: int
    """The scenario turn at that moment (the model is read at its end)."""
    scope: str
    """`game` (checked), `beyond` (after the game's last turn) or `before` (before its first)."""
    history: str
    """What history says, as shown in the table."""
    median: str = ""
    """The model's median; for named outcomes the most common one, with its share of games."""
    band: str = ""
    """The model's 5–95% band; for named outcomes every outcome at least 5% of games reach."""
    inside: bool | None = None
    """None when the point cannot be checked (outside the game)."""
    allowed: list[float] | list[str] = field(default_factory=list)
    """History's range [low, high] (numbers) or its accepted outcomes (names)."""
    percentiles: dict[str, float] = field(default_factory=dict)
    """p5, p50, p95 of a numeric observable (for the collapse, T + 1 means no sector fell within the game)."""
    shares: dict[str, float] = field(default_factory=dict)
    """Share of games per outcome of a named observable."""
    agree: float | None = None
    """Share of games that agree with history."""
    source: str = ""
    turn_range: list[int] = field(default_factory=list)
    """For the collapse: the first and last turn history allows."""

    @property
    def verdict(self) -> str:
        """`inside` or `outside` the model's band, or `beyond` / `before` the game."""
        if self.scope != "game":
            return self.scope
        return "inside" if self.inside else "outside"


@dataclass
class HindcastReport:
    """Every history point against the model, with what was played."""

    scenario_id: str
    title: str
    runs: int
    seed: int
    turns: int
    game_ends: str
    orders: str
    fact_sheet: str
    points: list[PointResult]

    def count(self, verdict: str) -> int:
        """Points inside, outside, beyond or before the game."""
        return sum(1 for p in self.points if p.verdict == verdict)


def hindcast(
    scenario: Scenario,
    history: list[HistoryPoint],
    plan: OrdersPlan,
    runs: int = 1000,
    seed: int = 0,
    sheet_label: str = "",
    chunk: int = 10_000,
) -> HindcastReport:
    """Play the plan `runs` times and judge every history point."""
    model = Model(scenario)
    track = play_plan(model, plan.policy(), runs, seed, chunk)
    meta = scenario.meta
    return HindcastReport(
        scenario_id=meta.id,
        title=meta.title,
        runs=runs,
        seed=seed,
        turns=meta.turns,
        game_ends=f"{turn_start(meta, meta.turns + 1):%Y-%m-%d %H:%M}",
        orders=plan.path,
        fact_sheet=sheet_label,
        points=[judge(point, scenario, model, track) for point in history],
    )


def judge(point: HistoryPoint, scenario: Scenario, model: Model, track: Track) -> PointResult:
    """One point against the tracked games."""
    meta = scenario.meta
    turn = turn_at(meta, point.moment)
    when = point.date.isoformat() + (f" {point.hour:02d}:00" if point.hour is not None else "")
    base = PointResult(
        id=point.id,
        kind=point.kind,
        what=point.what,
        when=when,
        turn=turn,
        scope="game",
        history=_history_text(point),
        source=point.source,
    )
    if isinstance(point, FirstSectorLost):
        span = dt.timedelta(hours=point.within_hours)
        first, last = turn_at(meta, point.moment - span), turn_at(meta, point.moment + span)
        base.turn_range = [first, last]
        base.history = f"turn {first}–{last}" if first != last else f"turn {first}"
        if last < 1 or first > track.turns:
            base.scope = "before" if last < 1 else "beyond"
            return base
        return _numeric(base, track.first_lost.astype(float), float(first), float(last), "turn", track.turns)
    if turn < 1 or turn > track.turns:
        base.scope = "before" if turn < 1 else "beyond"
        return base
    if isinstance(point, AreaHeld):
        lo, hi = point.sq_mi - point.tolerance_sq_mi, point.sq_mi + point.tolerance_sq_mi
        return _numeric(base, track.area[:, turn], lo, hi, "sq mi", track.turns)
    if isinstance(point, Holder):
        sides = [*model.base.side_ids, "neutral"]  # by side code: PLAYER, ENEMY, NEUTRAL
        place = model.base.places.ids.index(point.place)
        wanted = sides.index(point.side) if point.side in sides else -1
        return _named(base, track.holder[:, turn, place], sides, [wanted])
    if isinstance(point, RoadState):
        return _named(base, track.road[:, turn], list(ROAD_STATES), [ROAD_STATES.index(s) for s in point.states])
    if isinstance(point, RoadUsable):
        return _named(base, track.usable[:, turn].astype(np.int8), ["no", "yes"], [int(point.usable)])
    assert isinstance(point, Status)
    return _named(base, track.status[:, turn], list(STATUSES), [STATUSES.index(s) for s in point.statuses])


def _history_text(point: HistoryPoint) -> str:
    """What history says, for the table (the collapse's turns are filled in by `judge`)."""
    if isinstance(point, AreaHeld):
        return f"{point.sq_mi:g} ± {point.tolerance_sq_mi:g} sq mi"
    if isinstance(point, Holder):
        return f"{point.place}: {point.side}"
    if isinstance(point, RoadState):
        return " or ".join(point.states)
    if isinstance(point, RoadUsable):
        return "usable" if point.usable else "not usable"
    if isinstance(point, Status):
        return " or ".join(point.statuses)
    return ""


def _numeric(base: PointResult, values: np.ndarray, lo: float, hi: float, unit: str, turns: int) -> PointResult:
    """Median and 5–95% band of a number per game; inside when history's range meets the band."""
    p5, p50, p95 = (float(x) for x in np.percentile(values, (BAND[0], 50.0, BAND[1]), method="nearest"))
    base.percentiles = {"p5": p5, "p50": p50, "p95": p95}
    base.allowed = [lo, hi]
    base.agree = float(((values >= lo) & (values <= hi)).mean())
    base.inside = p5 <= hi and lo <= p95
    base.median = _show(p50, unit, turns)
    base.band = base.median if p5 == p95 else f"{_show(p5, unit, turns)} to {_show(p95, unit, turns)}"
    return base


def _show(x: float, unit: str, turns: int) -> str:
    if unit == "turn":
        return f"turn {x:.0f}" if x <= turns else "none in game"
    return f"{x:.1f} sq mi"


def _named(base: PointResult, codes: np.ndarray, names: list[str], wanted: list[int]) -> PointResult:
    """Most common outcome and the outcomes at least 5% of games reach; inside when history's is among them."""
    counts = np.bincount(codes.astype(np.int64), minlength=len(names)) / max(codes.size, 1)
    base.shares = {names[i]: float(c) for i, c in enumerate(counts) if c > 0}
    base.allowed = [names[i] for i in wanted if 0 <= i < len(names)]
    reached = [i for i, c in enumerate(counts) if c >= RARE]
    top = int(np.argmax(counts))
    base.agree = float(sum(counts[i] for i in wanted if 0 <= i < len(names)))
    base.inside = any(i in reached for i in wanted)
    base.median = f"{names[top]} ({counts[top]:.0%})"
    base.band = ", ".join(names[i] for i in reached)
    return base


# --- where the inputs live -------------------------------------------------------------------------------------


def historical_orders_path(scenario_path: str | Path) -> Path:
    """The plan a scenario is hindcast with by default: `historical/<scenario name>.orders.yaml` beside it
    (a folder of its own, so the plan is never taken for a scenario)."""
    path = Path(scenario_path)
    return path.parent / "historical" / f"{path.stem}.orders.yaml"


def fact_sheet_path(scenario: Scenario, scenario_path: str | Path) -> Path:
    """The fact sheet the scenario names (`fact_sheet:`, relative to the scenario file)."""
    if not scenario.fact_sheet:
        raise SalientError(
            f"{scenario_path}: fact_sheet: the scenario names no fact sheet, so it has no history to be checked against"
        )
    return Path(os.path.normpath(Path(scenario_path).parent / scenario.fact_sheet))
