"""Drill keys against the model: is the expert's ranking of a drill's options the model's, and is the expert's
probability estimate near the model's?

Many games are played under a lead-in plan (what a careful trainee does before the drill) until the drill's
trigger holds in each of them — at different turns in different games, as in the classroom. From that moment each
option's course of action is played to the end, on the same dice for every option (common random numbers), so
the options are compared game by game at the very states the drill was put in. The drill's probability question
is answered by how often its event happened over the turn it was put (under the expert's first choice).

Vectorised: one batch per option; a replication follows the lead-in until its trigger holds, the option after.
Chunk k of every option draws the dice of the batch's chunk k (`batch.k`), so the chunks can be shared out over
workers (game.analysis.parallel) and the options still meet the same luck game by game.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from game.engine.directives import Directives
from game.engine.injects import metric
from game.engine.params import PLAYER, Params
from game.engine.policies import POLICIES, Policy
from game.engine.scoring import score_arrays
from game.engine.state import State
from game.engine.step import Model, advance
from game.engine.turn import Outcome
from game.scenario import Scenario
from game.scenario.drills import Drill, DrillTrigger

from .parallel import ChunkPool, Context, Setup, chunk_sizes
from .tally import Moments

_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    ">=": operator.ge,
    ">": operator.gt,
    "!=": operator.ne,
}


def trigger_mask(trigger: DrillTrigger, p: Params, st: State) -> np.ndarray:
    """(R,) where a drill's trigger holds on each replication now (the classroom's rule, vectorised)."""
    ok = np.ones(st.R, dtype=bool)
    if trigger.turn is not None and st.turn != trigger.turn:
        ok[:] = False
    if trigger.after_turn is not None and st.turn < trigger.after_turn:
        ok[:] = False
    for c in trigger.conditions:
        ok &= _OPS[c.op](metric(p, st, c), c.value)
    allowed: np.ndarray = ok & ~st.ended & ~st.withdrawing  # none once a withdrawal is under way, as in the classroom
    return allowed


def _switch(before: Policy, after: Policy, put: np.ndarray) -> Policy:
    """A policy that follows `before` in replications whose drill is not put yet and `after` in the others."""

    def rule(p: Params, st: State) -> Directives:
        a, b = before.directives(p, st), after.directives(p, st)
        fields = {}
        for name in a.__dict__:
            x, y = getattr(a, name), getattr(b, name)
            x, y = np.broadcast_to(x, (st.R, *x.shape[1:])), np.broadcast_to(y, (st.R, *y.shape[1:]))
            mask = put.reshape(st.R, *([1] * (x.ndim - 1)))
            fields[name] = np.where(mask, y, x)
        return Directives(**fields)

    return Policy(after.name, after.description, rule)


@dataclass
class OptionResult:
    """One option played from the drill on, over the games in which the drill was put: scores and the event."""

    option: str
    score: Moments  # final scores (one column)
    events: int  # games in which the drill's event happened over the turn it was put

    @property
    def games(self) -> int:
        """Games in which the drill was put."""
        return self.score.n

    @property
    def mean(self) -> float:
        """Mean final score."""
        return float(self.score.mean[0]) if self.games else float("nan")


@dataclass
class DrillCheck:
    """The model's view of a drill: how often it was put, each option's outcome, the event's frequency.

    Streamed chunk by chunk: nothing here grows with the number of games."""

    drill: str
    put_share: float
    options: dict[str, OptionResult] = field(default_factory=dict)
    pairs: dict[tuple[str, str], Moments] = field(default_factory=dict)
    """(a, b) -> moments of score(a) − score(b) over the same games."""

    def ranking(self) -> list[str]:
        """The options, best mean score first."""
        return sorted(self.options, key=lambda o: -self.options[o].mean)

    def difference(self, better: str, worse: str) -> tuple[float, float, float]:
        """Mean and 95% interval of score(better) − score(worse) over the same games."""
        return self.pairs[(better, worse)].interval(0)

    def event_rate(self, option: str) -> float:
        """How often the drill's event happened over the turn it was put, with that option's orders."""
        o = self.options[option]
        return o.events / o.games


@dataclass
class DrillChunk:
    """One chunk of games of every option, reduced: games, games put, and per option and pair of options."""

    games: int
    put: int
    scores: dict[str, Moments]
    events: dict[str, int]
    pairs: dict[tuple[str, str], Moments]


def check_drill(
    scenario: Scenario,
    drill: Drill,
    lead_in: Policy,
    runs: int = 2000,
    seed: int = 0,
    pool: ChunkPool | None = None,
    chunk: int = 10_000,
) -> DrillCheck:
    """Play every option of `drill` from where it is put (see module doc), `chunk` games at a time, on `pool`'s
    workers when given (the lead-in is a built-in policy, named in the tasks)."""
    options = [o for o in drill.options if o.policy]  # options written as orders would need their own plan
    assert options, f"drill {drill.id} has no option given as a policy"
    tasks = [
        DrillTask(drill.id, lead_in.name, tuple((o.id, str(o.policy)) for o in options), k, n, seed)
        for k, n in chunk_sizes(runs, chunk)
    ]
    if pool is None:
        with ChunkPool(Setup(scenario), workers=1) as own:
            parts = own.map(drill_chunk, tasks)
    else:
        parts = pool.map(drill_chunk, tasks)
    result = DrillCheck(drill.id, sum(c.put for c in parts) / sum(c.games for c in parts))
    for o in options:
        result.options[o.id] = OptionResult(
            o.id, Moments.join([c.scores[o.id] for c in parts]), sum(c.events[o.id] for c in parts)
        )
    for pair in parts[0].pairs:
        result.pairs[pair] = Moments.join([c.pairs[pair] for c in parts])
    return result


@dataclass(frozen=True)
class DrillTask:
    """One chunk of games of every option of a drill: the lead-in by name, the options as (id, policy name)."""

    drill: str
    lead_in: str
    options: tuple[tuple[str, str], ...]
    chunk: int
    replications: int
    seed: int


def drill_chunk(context: Context, task: DrillTask) -> DrillChunk:
    """Play one chunk of games of every option, on the same dice, and reduce it (a job for the pool)."""
    drill = next(d for d in context.scenario.drills if d.id == task.drill)
    lead_in = context.policies[task.lead_in]
    played = {
        oid: _play(context.model, drill, lead_in, POLICIES[name], task.replications, task.seed, task.chunk)
        for oid, name in task.options
    }
    keep = next(iter(played.values()))[0] > 0  # the trigger does not depend on the option that follows it
    scores = {oid: s[keep] for oid, (_, s, _) in played.items()}
    return DrillChunk(
        games=task.replications,
        put=int(keep.sum()),
        scores={oid: Moments.of(s[:, None]) for oid, s in scores.items()},
        events={oid: int(e[keep].sum()) for oid, (_, _, e) in played.items()},
        pairs={(a, b): Moments.of((scores[a] - scores[b])[:, None]) for a in scores for b in scores if a != b},
    )


def _play(
    model: Model, drill: Drill, lead_in: Policy, option: Policy, runs: int, seed: int, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    st = model.initial_state(runs)
    put = np.zeros(runs, dtype=bool)
    turns = np.zeros(runs, dtype=np.int32)
    event = np.zeros(runs)
    plan = _switch(lead_in, option, put)
    kind = drill.estimate.metric if drill.estimate is not None else "p_road_cut"
    for _ in range(model.base.turns):
        if st.ended.all():
            break
        params = model.variants(st)[0][0]
        now = trigger_mask(drill.when, params, st) & ~put
        turns = np.where(now, st.turn, turns)
        put |= now
        st, out, _ = advance(
            model,
            st,
            plan.directives(params, st),
            seed,
            purpose=f"batch.{k}",
            inject_purpose=f"batch.{k}.injects",
            factors=False,
        )  # no factor accounting: unread
        event = np.where(now, _event(kind, model.variants(st)[0][0], st, out), event)
    params = model.variants(st)[0][0]
    _, total = score_arrays(params, st)
    return turns, np.asarray(total, dtype=float), event


def _event(kind: str, p: Params, st: State, out: Outcome) -> np.ndarray:
    """Whether the estimate's event happened over the turn just played (as the forecast and outcomes mean it)."""
    name, _, target = kind.partition(":")
    if name == "p_road_cut":
        cut: np.ndarray = (out.route_cut | out.route_cut_start).astype(float)
        return cut
    if name == "p_lose_sector":
        sector: np.ndarray = (st.holder[:, p.sectors.ids.index(target)] != PLAYER).astype(float)
        return sector
    place: np.ndarray = (st.place_holder(p)[:, p.places.ids.index(target)] != PLAYER).astype(float)
    return place


__all__ = ["DrillCheck", "DrillChunk", "DrillTask", "OptionResult", "check_drill", "drill_chunk", "trigger_mask"]
