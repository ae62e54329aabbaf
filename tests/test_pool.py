"""The one worker pool: the same chunks give the same games here, on local processes and on a Dask cluster,
results come back in task order whatever order they finish in, and a stopped run ends its workers."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from game.analysis.parallel import BatchTask, Context, Setup, batch_chunk
from game.analysis.pool import WorkerPool, same
from game.engine.batch import BatchResult
from game.scenario.load import load_scenario

BASE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "check_base.yaml"


def _slow_echo(context: int, task: tuple[int, float]) -> int:
    time.sleep(task[1])
    return context * 100 + task[0]


def _fail_on_two(context: object, task: int) -> int:
    if task == 2:
        raise ValueError("task two is refused")
    return task


def test_results_in_task_order_whatever_finishes_first() -> None:
    tasks = [(0, 0.3), (1, 0.0), (2, 0.1), (3, 0.0)]
    heard: list[int] = []
    with WorkerPool(7, same, workers=2) as pool:
        assert pool.map(_slow_echo, tasks, done=lambda task, r: heard.append(task[0])) == [700, 701, 702, 703]
        assert sorted(pool.unordered(_slow_echo, tasks)) == [700, 701, 702, 703]
    assert sorted(heard) == [0, 1, 2, 3]
    with WorkerPool(7, same, workers=1) as here:
        assert list(here.unordered(_slow_echo, tasks)) == [700, 701, 702, 703]  # in order, in this process


def test_a_failing_task_stops_the_pool_with_its_error() -> None:
    pool: WorkerPool[None, None] = WorkerPool(None, same, workers=2)
    with pytest.raises(ValueError, match="task two"), pool:
        pool.map(_fail_on_two, range(6))
    with pool:  # closed on the way out; asked again, it starts afresh
        assert pool.map(_fail_on_two, [0, 1, 3]) == [0, 1, 3]


def test_chunks_on_dask_are_the_chunks_played_here() -> None:
    distributed = pytest.importorskip("distributed")
    sc = load_scenario(BASE)
    tasks = [BatchTask("hold_then_withdraw", 150, None, 3, 150, k) for k in range(3)]
    with WorkerPool(Setup(sc), Context, workers=1) as here:
        serial = BatchResult.join(here.map(batch_chunk, tasks))
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None)
    with cluster, WorkerPool(Setup(sc), Context, scheduler=cluster.scheduler_address) as pool:
        remote = BatchResult.join(pool.map(batch_chunk, tasks))
        again = BatchResult.join(pool.map(batch_chunk, tasks))  # the workers' contexts are kept
    for r in (remote, again):
        assert np.array_equal(r.score, serial.score) and np.array_equal(r.ending, serial.ending)
    assert serial.score.size == 450
