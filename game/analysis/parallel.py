"""Chunks of many games on every core: the standard library's process pool, results in chunk order.

The dice of chunk k come from the purpose `batch.k` (game.engine.batch), so a chunk plays the same games
wherever it runs. A `ChunkPool` sends each worker the scenario once (the validated model, plus the paths of
any orders files, which the worker reads itself), each worker compiles it once, and jobs — a module-level
function of (context, task) — run there one chunk at a time. Results come back in task order whatever order
the workers finish in, so anything merged from them in that order is bit for bit what a serial run gives.
`workers=1` runs every job in this process, without a pool.

Workers ignore Ctrl+C: the parent stops, cancels what has not started and shuts the pool down.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Any, TypeVar

from game.engine.batch import BatchResult, run_batch
from game.engine.orders import Orders
from game.engine.policies import POLICIES, Policy
from game.engine.step import Model
from game.scenario import Scenario

from .orders_plan import load_plans

T = TypeVar("T")
R = TypeVar("R")


def available_cores() -> int:
    """Cores this process may run on (the default number of workers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on every platform
        return max(1, os.cpu_count() or 1)


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


_context: Context | None = None
"""The worker's context (set once per worker process by `_start`)."""


def _start(setup: Setup) -> None:
    global _context  # noqa: PLW0603 -- a pool worker's state lives in its process, set once by the initializer
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl+C and shuts the pool down
    _context = Context(setup)


def _run(job: Callable[[Context, Any], Any], task: Any) -> Any:
    assert _context is not None
    return job(_context, task)


class ChunkPool:
    """Runs jobs on chunks, on `workers` processes (default: every core) or in this process when 1."""

    def __init__(self, setup: Setup, workers: int | None = None) -> None:
        self.setup = setup
        self.workers = workers if workers is not None else available_cores()
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        self._local: Context | None = None
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ChunkPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close(cancel=error is not None)

    def close(self, cancel: bool = False) -> None:
        """Stop the workers (at once, dropping queued jobs, when `cancel`)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
            self._pool = None

    @property
    def context(self) -> Context:
        """This process's own context (built on first use)."""
        if self._local is None:
            self._local = Context(self.setup)
        return self._local

    def map(
        self, job: Callable[[Context, T], R], tasks: Iterable[T], done: Callable[[T, R], None] | None = None
    ) -> list[R]:
        """`job(context, task)` for every task; the results in task order. `done` hears of each as it finishes."""
        todo = list(tasks)
        if self.workers == 1 or len(todo) <= 1:
            results = []
            for task in todo:
                results.append(job(self.context, task))
                if done is not None:
                    done(task, results[-1])
            return results
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_start, initargs=(self.setup,))
        futures: list[Future[R]] = [self._pool.submit(_run, job, task) for task in todo]
        where = {f: i for i, f in enumerate(futures)}
        found: dict[int, R] = {}
        for f in as_completed(futures):
            i = where[f]
            found[i] = f.result()
            if done is not None:
                done(todo[i], found[i])
        return [found[i] for i in range(len(todo))]


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
    "available_cores",
    "batch_chunk",
    "chunk_sizes",
    "run_batch_parallel",
]
