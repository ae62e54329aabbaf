"""Playing a sweep: one task per (design point, plan), run here, on a local process pool, or on a Dask cluster.

A task builds the scenario of its design point (`scenario_with`: the numbers set and the whole scenario
validated again), compiles it and plays `runs` games with `run_batch` on the sweep's seed. Every point plays
on the same dice (common random numbers), so two points differ by their parameters, not by their luck, and
a task's result depends only on its inputs: wherever it runs, serially, on a process pool or on a Dask
worker on another machine, it is the same bit for bit.

Tasks run on game.analysis.pool's `WorkerPool`. Results come back as tasks finish, in whatever order; the
caller writes each one as it arrives (game.analysis.sweep_results) and sorts them at the end. The workers
receive the setup (scenario, plans, options) once, and each task then carries only its point's values.

Outputs per task are means and standard deviations over the games: score, the share of each ending, area
held, own and enemy losses, and `road_cut`, the share of the turns played that began with the supply road
cut somewhere along its length (read from the state each turn hands the plan, so the model is untouched; it
is a share of replication-turns, so it has no per-game spread).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from game.engine.batch import BatchResult, run_batch
from game.engine.directives import Directives
from game.engine.params import CUT, ENDING_CODE, Params
from game.engine.policies import POLICIES, Policy
from game.engine.state import State
from game.engine.step import Model
from game.errors import SalientError
from game.scenario import Scenario
from game.scenario.sweep_spec import scenario_with

from .orders_plan import OrdersPlan
from .pool import WorkerPool, same

CHUNK = 10_000
"""Games played at once within a task (a task with more runs plays several chunks, on the same dice purposes
`batch.k` at every point)."""
ENDING_NAMES: tuple[str, ...] = tuple(name for name in ENDING_CODE if name is not None)


def output_names(outputs: Iterable[str]) -> list[str]:
    """The rows each task gives: one per output, `endings` as one row per ending (`ending:withdrawn`, ...)."""
    names: list[str] = []
    for out in outputs:
        names.extend(f"ending:{e}" for e in ENDING_NAMES) if out == "endings" else names.append(out)
    return names


@dataclass(frozen=True)
class Setup:
    """What every worker needs, sent once: the scenario, the plans and the options of the sweep."""

    scenario: Scenario
    paths: tuple[str, ...]
    runs: int
    turns: int | None
    seed: int
    outputs: tuple[str, ...]
    orders_plans: dict[str, OrdersPlan] = field(default_factory=dict)

    def plan(self, label: str) -> Policy:
        """A built-in policy by name, or an orders file by its label."""
        found = self.orders_plans.get(label)
        return found.policy() if found is not None else POLICIES[label]


@dataclass(frozen=True)
class Task:
    """One design point under one plan."""

    point: int
    values: tuple[float, ...]
    plan: str


@dataclass(frozen=True)
class TaskResult:
    """A task's outcome: (mean, sd) per output row name (sd None where there is no per-game spread)."""

    point: int
    plan: str
    values: tuple[float, ...]
    stats: dict[str, tuple[float, float | None]]
    runs: int
    replication_turns: int


class PointError(SalientError):
    """A design point whose values make the scenario invalid (a combination the file's ranges allow)."""


@dataclass
class _RoadWatch:
    """A plan that also counts, each turn, the games whose supply road is cut somewhere (its orders unchanged)."""

    policy: Policy
    cut: int = 0
    seen: int = 0

    def rule(self, p: Params, st: State) -> Directives:
        self.cut += int((st.road_state[:, p.roads.on_road] == CUT).any(axis=1).sum())
        self.seen += st.R
        return self.policy.directives(p, st)

    def as_policy(self) -> Policy:
        return Policy(self.policy.name, self.policy.description, self.rule)


def play_task(setup: Setup, task: Task) -> TaskResult:
    """Play one task (module level, so a process pool or a Dask worker can run it)."""
    try:
        scenario = scenario_with(setup.scenario, dict(zip(setup.paths, task.values, strict=True)))
    except ValueError as error:
        shown = ", ".join(f"{p}={v:g}" for p, v in zip(setup.paths, task.values, strict=True))
        raise PointError(f"design point {task.point} ({shown}) is not a valid scenario: {error}") from None
    watch = _RoadWatch(setup.plan(task.plan))
    result = run_batch(
        Model(scenario), watch.as_policy(), setup.runs, turns=setup.turns, seed=setup.seed, chunk=min(setup.runs, CHUNK)
    )
    stats = _stats(result, setup.outputs)
    if "road_cut" in setup.outputs:
        stats["road_cut"] = (watch.cut / max(watch.seen, 1), None)
    return TaskResult(task.point, task.plan, task.values, stats, setup.runs, result.replication_turns)


def _stats(r: BatchResult, outputs: tuple[str, ...]) -> dict[str, tuple[float, float | None]]:
    per_game: dict[str, np.ndarray] = {}
    for out in outputs:
        if out == "endings":
            per_game.update({f"ending:{e}": (r.ending == ENDING_CODE[e]).astype(float) for e in ENDING_NAMES})
        elif out in {"score", "area_held"}:
            per_game[out] = getattr(r, out)
        elif out == "own_losses":
            per_game[out] = r.own_casualties
        elif out == "enemy_losses":
            per_game[out] = r.enemy_casualties
    return {name: (float(x.mean()), float(x.std(ddof=1)) if x.size > 1 else 0.0) for name, x in per_game.items()}


# --- where tasks run -------------------------------------------------------------------------------------------


def run_tasks(setup: Setup, tasks: list[Task], workers: int = 1, scheduler: str | None = None) -> Iterator[TaskResult]:
    """Results of `tasks` as they finish: on the Dask scheduler at `scheduler`, else on `workers` processes
    (1: in this process, in order). Stopping early ends the tasks in flight: their results could no longer be
    written, and the next run plays them again."""
    if not tasks:
        return iter(())
    return _run_all(WorkerPool(setup, same, workers, scheduler), tasks)


def _run_all(pool: WorkerPool[Setup, Setup], tasks: list[Task]) -> Iterator[TaskResult]:
    with pool:
        yield from pool.unordered(play_task, tasks)
