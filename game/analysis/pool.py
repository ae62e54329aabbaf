"""One way to run independent jobs: in this process, on local worker processes, or on a Dask cluster.

Every batch of games the analyses play (a check's chunks, the optimiser's plans, a sweep's design points) is a
list of tasks, each a pure function of a setup sent once and the task itself. A `WorkerPool` holds that setup:
each worker builds its context from it once (`build(setup)`: a compiled model, say), and a job — a
module-level function of (context, task) — runs there one task at a time. `map` gives the results in task
order whatever order the workers finish in, so anything merged from them in that order is bit for bit what a
serial run gives; `unordered` gives them as they finish, for a caller that writes each one as it comes.

Where the jobs run:
- `workers=1` (and no scheduler): in this process, in order, without a pool;
- `workers=N`: on N local processes (the standard library's process pool), which ignore Ctrl+C: the parent
  stops, ends the jobs in flight and shuts the pool down;
- `scheduler=ADDRESS`: on an existing Dask distributed cluster; the setup is scattered to every worker once,
  and each worker keeps the context it built for this pool.

A result is the same wherever it is played only if every worker runs the same model code: each job carries the
code version of the process that set the work up (game.analysis.code_version), and a worker running other code
(another checkout on a Dask worker, or a worker process that imported the files after they changed on disk)
refuses with a plain message instead of playing other games under the same seed.
"""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from game.errors import SalientError

from .code_version import CODE_VERSION, check_same_code
from .sweep_design import INSTALL_HINT

S = TypeVar("S")
C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")

KEPT_CONTEXTS = 4
"""Contexts a Dask worker keeps (one per pool that used it, newest kept)."""


def available_cores() -> int:
    """Cores this process may run on (the default number of workers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on every platform
        return max(1, os.cpu_count() or 1)


def same(setup: Any) -> Any:
    """A `build` for jobs that need nothing but the setup itself."""
    return setup


# --- what a worker process or a Dask worker holds --------------------------------------------------------------

_context: Any = None
"""A local worker's context (set once per worker process by `_start`)."""
_dask_contexts: dict[str, Any] = {}
"""A Dask worker's contexts, by pool."""


def _start(build: Callable[[Any], Any], setup: Any, code: str) -> None:
    global _context  # noqa: PLW0603 (one context per worker process, set when it starts)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl+C and shuts the pool down
    if code == CODE_VERSION:  # else nothing is built: other code might fail here, and `_run` says why it stops
        _context = build(setup)


def _run(job: Callable[[Any, Any], Any], task: Any, code: str) -> Any:
    check_same_code(code)
    return job(_context, task)


def _run_on_dask(
    build: Callable[[Any], Any], key: str, setup: Any, job: Callable[[Any, Any], Any], task: Any, code: str
) -> Any:
    check_same_code(code)  # before building: a context built by other code is no use either
    context = _dask_contexts.get(key)
    if context is None:
        while len(_dask_contexts) >= KEPT_CONTEXTS:
            _dask_contexts.pop(next(iter(_dask_contexts)))
        context = _dask_contexts[key] = build(setup)
    return job(context, task)


class WorkerPool(Generic[S, C]):
    """Runs jobs on tasks here, on `workers` local processes (default: every core), or on a Dask cluster."""

    def __init__(
        self, setup: S, build: Callable[[S], C], workers: int | None = None, scheduler: str | None = None
    ) -> None:
        self.setup = setup
        self.build = build
        self.workers = workers if workers is not None else available_cores()
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        self.scheduler = scheduler or None
        self._local: C | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._client: Any = None
        self._shared: Any = None
        self._key = uuid.uuid4().hex
        self.code = CODE_VERSION
        """The model code the jobs must run (this process's); a worker with other code refuses."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close(cancel=error is not None)

    @property
    def context(self) -> C:
        """This process's own context (built on first use)."""
        if self._local is None:
            self._local = self.build(self.setup)
        return self._local

    def close(self, cancel: bool = False) -> None:
        """Stop the workers; with `cancel`, at once: queued jobs dropped, jobs in flight ended."""
        if self._pool is not None:
            if cancel:
                _end_processes(self._pool)
            self._pool.shutdown(wait=True, cancel_futures=cancel)
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None

    def map(self, job: Callable[[C, T], R], tasks: Iterable[T], done: Callable[[T, R], None] | None = None) -> list[R]:
        """`job(context, task)` for every task; the results in task order. `done` hears of each as it finishes."""
        todo = list(tasks)
        out: list[Any] = [None] * len(todo)
        for i, result in self._finished(job, todo):
            out[i] = result
            if done is not None:
                done(todo[i], result)
        return out

    def unordered(self, job: Callable[[C, T], R], tasks: Iterable[T]) -> Iterator[R]:
        """`job(context, task)` for every task, each result as soon as it is ready (in order when in this process).

        Stopping early (an error, Ctrl+C, closing the generator) ends the jobs still in flight."""
        finished = False
        try:
            for _, result in self._finished(job, list(tasks)):
                yield result
            finished = True
        finally:
            if not finished:
                self.close(cancel=True)

    def _finished(self, job: Callable[[C, T], R], todo: list[T]) -> Iterator[tuple[int, R]]:
        """(task index, result) as each job finishes."""
        if not todo:
            return
        if self.scheduler is not None:
            yield from self._on_dask(job, todo)
        elif self.workers == 1 or len(todo) == 1:
            for i, task in enumerate(todo):
                yield i, job(self.context, task)
        else:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=min(self.workers, len(todo)),
                    initializer=_start,
                    initargs=(self.build, self.setup, self.code),
                )
            futures: list[Future[R]] = [self._pool.submit(_run, job, task, self.code) for task in todo]
            where = {f: i for i, f in enumerate(futures)}
            for f in as_completed(futures):
                yield where[f], f.result()

    def _on_dask(self, job: Callable[[C, T], R], todo: list[T]) -> Iterator[tuple[int, R]]:
        try:
            from distributed import Client
            from distributed import as_completed as dask_completed
        except ImportError:
            raise SalientError(f"--scheduler needs Dask distributed; {INSTALL_HINT}") from None
        if self._client is None:
            try:
                self._client = Client(self.scheduler, timeout="20s")
            except (OSError, TimeoutError) as error:
                raise SalientError(f"cannot reach the Dask scheduler at {self.scheduler}: {error}") from None
            self._shared = self._client.scatter(self.setup, broadcast=True)
        futures = [
            self._client.submit(_run_on_dask, self.build, self._key, self._shared, job, task, self.code, pure=False)
            for task in todo
        ]
        where = {f.key: i for i, f in enumerate(futures)}
        for future in dask_completed(futures):
            result: R = future.result()
            future.release()
            yield where[future.key], result


def _end_processes(pool: ProcessPoolExecutor) -> None:
    """Ctrl+C or a failed job: end the jobs in flight rather than wait for them (the executor has no public way
    to do this before Python 3.14's `terminate_workers`)."""
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        process.terminate()


__all__ = ["WorkerPool", "available_cores", "same"]
