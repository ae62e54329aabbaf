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
from game.scenario import Scenario
from game.scenario.drills import Drill, DrillTrigger

from .parallel import ChunkPool, Context, Setup, chunk_sizes
from .stats import t_interval

_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "<": operator.lt, "<=": operator.le, "==": operator.eq, ">=": operator.ge, ">": operator.gt, "!=": operator.ne,
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
    return ok & ~st.ended & ~st.withdrawing  # none once a withdrawal is under way, as in the classroom


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
    """One option played from the drill on: final scores of the games in which the drill was put."""

    option: str
    scores: np.ndarray
    event: np.ndarray  # (R,) the drill's event happened over the turn it was put (0/1)


@dataclass
class DrillCheck:
    """The model's view of a drill: when it was put, each option's outcome, the event's frequency."""

    drill: str
    put_share: float
    turns: np.ndarray  # (R,) turn the drill was put (0: never)
    options: dict[str, OptionResult] = field(default_factory=dict)

    def ranking(self) -> list[str]:
        """The options, best mean score first."""
        return sorted(self.options, key=lambda o: -float(self.options[o].scores.mean()))

    def difference(self, better: str, worse: str) -> tuple[float, float, float]:
        """Mean and 95% interval of score(better) − score(worse) over the same games."""
        return t_interval(self.options[better].scores - self.options[worse].scores)

    def event_rate(self, option: str) -> float:
        """How often the drill's event happened over the turn it was put, with that option's orders."""
        return float(self.options[option].event.mean())


def check_drill(scenario: Scenario, drill: Drill, lead_in: Policy, runs: int = 2000, seed: int = 0,
                pool: ChunkPool | None = None, chunk: int = 10_000) -> DrillCheck:
    """Play every option of `drill` from where it is put (see module doc), `chunk` games at a time, on `pool`'s
    workers when given (the lead-in is a built-in policy, named in the tasks)."""
    options = [o for o in drill.options if o.policy]  # options written as orders would need their own plan
    assert options, f"drill {drill.id} has no option given as a policy"
    tasks = [DrillTask(drill.id, lead_in.name, str(o.policy), k, n, seed)
             for o in options for k, n in chunk_sizes(runs, chunk)]
    if pool is None:
        with ChunkPool(Setup(scenario), workers=1) as own:
            parts = own.map(drill_chunk, tasks)
    else:
        parts = pool.map(drill_chunk, tasks)
    per_option = len(tasks) // len(options)
    result: DrillCheck | None = None
    for i, option in enumerate(options):
        turns, scores, event = (np.concatenate(x) for x in zip(*parts[i * per_option : (i + 1) * per_option]))
        if result is None:
            result = DrillCheck(drill.id, float((turns > 0).mean()), turns)
        keep = turns > 0
        result.options[option.id] = OptionResult(option.id, scores[keep], event[keep])
    assert result is not None
    return result


@dataclass(frozen=True)
class DrillTask:
    """One chunk of games of one option of a drill: the lead-in and the option by policy name."""

    drill: str
    lead_in: str
    option: str
    chunk: int
    replications: int
    seed: int


def drill_chunk(context: Context, task: DrillTask) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(turn the drill was put, final score, the event) for each game of one chunk (a job for the pool)."""
    drill = next(d for d in context.scenario.drills if d.id == task.drill)
    return _play(context.model, drill, context.policies[task.lead_in], POLICIES[task.option], task.replications,
                 task.seed, task.chunk)


def _play(model: Model, drill: Drill, lead_in: Policy, option: Policy, runs: int, seed: int, k: int
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
        st, out, _ = advance(model, st, plan.directives(params, st), seed, purpose=f"batch.{k}",
                             inject_purpose=f"batch.{k}.injects", factors=False)  # no factor accounting: unread
        event = np.where(now, _event(kind, model.variants(st)[0][0], st, out), event)
    params = model.variants(st)[0][0]
    _, total = score_arrays(params, st)
    return turns, np.asarray(total, dtype=float), event


def _event(kind: str, p: Params, st: State, out) -> np.ndarray:
    """Whether the estimate's event happened over the turn just played (as the forecast and outcomes mean it)."""
    name, _, target = kind.partition(":")
    if name == "p_road_cut":
        return (out.route_cut | out.route_cut_start).astype(float)
    if name == "p_lose_sector":
        return (st.holder[:, p.sectors.ids.index(target)] != PLAYER).astype(float)
    return (st.place_holder(p)[:, p.places.ids.index(target)] != PLAYER).astype(float)


__all__ = ["DrillCheck", "DrillTask", "OptionResult", "check_drill", "drill_chunk", "trigger_mask"]
