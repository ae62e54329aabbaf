"""Chunks of many games on every core (game.analysis.pool), results in chunk order.

The dice of chunk k come from the purpose `batch.k` (game.engine.batch), so a chunk plays the same games
wherever it runs. A `ChunkPool` sends each worker the scenario once (the validated model, plus the paths of
any orders files, which the worker reads itself), each worker compiles it once, and jobs — a module-level
function of (context, task) — run there one chunk at a time. Results come back in task order whatever order
the workers finish in, so anything merged from them in that order is bit for bit what a serial run gives.
`workers=1` runs every job in this process, without a pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from game.engine.batch import BatchResult, run_batch
from game.engine.orders import Orders
from game.engine.policies import POLICIES, Policy
from game.engine.step import Model
from game.scenario import Scenario

from .orders_plan import load_plans
from .pool import WorkerPool


@dataclass(frozen=True)
class Setup:
    """What every worker needs, sent once: the scenario and the orders files (label, path) to play."""

    scenario: Scenario
    plans: tuple[tuple[str, str], ...] = ()


class Context:
    """What a worker builds once from a `Setup`: the compiled model and every plan it may be asked for by name."""

    def __init__(self, setup: Setup) -> None:
        self.scenario = setup.scenario
        self.model = Model(setup.scenario)
        self.policies: dict[str, Policy] = dict(POLICIES)
        for label, path in setup.plans:
            plan = load_plans(setup.scenario, [path])[0]
            self.policies[label] = replace(plan, label=label).policy()


class ChunkPool(WorkerPool[Setup, Context]):
    """Runs jobs on chunks, on `workers` processes (default: every core) or in this process when 1."""

    def __init__(self, setup: Setup, workers: int | None = None) -> None:
        super().__init__(setup, Context, workers)


@dataclass(frozen=True)
class BatchTask:
    """One chunk of a batch: the plan (a built-in policy's name or fixed orders), its size and its number."""

    plan: str | Orders
    replications: int
    turns: int | None
    seed: int
    chunk: int
    number: int


def batch_chunk(context: Context, task: BatchTask) -> BatchResult:
    """One chunk of `run_batch`, played where the pool puts it."""
    plan = context.policies[task.plan] if isinstance(task.plan, str) else task.plan
    return run_batch(
        context.model,
        plan,
        task.replications,
        turns=task.turns,
        seed=task.seed,
        chunk=task.chunk,
        first_chunk=task.number,
    )


def chunk_sizes(replications: int, chunk: int) -> Sequence[tuple[int, int]]:
    """(chunk number, games in it) for `replications` games in chunks of `chunk`."""
    return [(k, min(chunk, replications - start)) for k, start in enumerate(range(0, replications, chunk))]


def run_batch_parallel(
    scenario: Scenario,
    plan: str | Orders,
    replications: int,
    turns: int | None = None,
    seed: int = 0,
    chunk: int = 10_000,
    workers: int | None = None,
) -> BatchResult:
    """`run_batch` with its chunks spread over `workers` processes: the same games, the same arrays."""
    tasks = [BatchTask(plan, n, turns, seed, chunk, k) for k, n in chunk_sizes(replications, chunk)]
    with ChunkPool(Setup(scenario), workers) as pool:
        return BatchResult.join(pool.map(batch_chunk, tasks))


__all__ = [
    "BatchTask",
    "ChunkPool",
    "Context",
    "Setup",
    "batch_chunk",
    "chunk_sizes",
    "run_batch_parallel",
]
