"""A job's result is a pure function of its task and the code that plays it, whatever ran before it.

The worker pool builds a context once per worker (a compiled model, the plans) and runs many tasks on it, in an
order that depends on which worker is free first. So every kind of job — a sweep's design points, the
optimiser's plans, the check's chunks — is played here in shuffled orders through one context and compared, bit
for bit, with each task played on a context of its own. And a worker whose model code differs from the code of
the process that set the work up (a Dask worker that imported the files after they changed on disk, or another
checkout) must refuse rather than play other games under the same seed: the sweep that once gave a different
mean on a loaded machine had its Dask workers import a newer engine than the test process had loaded.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pytest
from test_sweep import SPEC as SWEEP_SPEC

import game
from game.analysis import code_version, sweep_results
from game.analysis.code_version import CODE_VERSION, code_digest
from game.analysis.optimise import Runner
from game.analysis.orders_plan import load_plans
from game.analysis.parallel import BatchTask, ChunkPool, Context, Setup, batch_chunk
from game.analysis.pool import WorkerPool, same
from game.analysis.runs import ChunkTask, tally_chunk
from game.analysis.sweep import Setup as SweepSetup
from game.analysis.sweep import Task, play_task
from game.analysis.sweep_design import build_design
from game.analysis.sweep_session import run_sweep
from game.engine.policies import POLICIES
from game.errors import SalientError
from game.scenario.load import load_scenario
from game.scenario.sweep_spec import load_sweep

FIXTURES = Path(__file__).parent / "fixtures"
BASE = FIXTURES / "check_base.yaml"
TRAINEE = FIXTURES / "orders" / "orders_trainee.yaml"
ORDERS = (("trainee", str(TRAINEE)),)

SPEC = SWEEP_SPEC.replace("runs: 40", "runs: 30")  # the small sweep of tests/test_sweep.py, smaller still

T = TypeVar("T")


def _identical(a: Any, b: Any, where: str = "result") -> None:
    """Equal bit for bit: arrays with their dtypes, floats exactly (NaN equal to NaN), dataclasses field by field."""
    assert type(a) is type(b), where
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"), where
    elif dataclasses.is_dataclass(a) and not isinstance(a, type):
        for f in dataclasses.fields(a):
            _identical(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            _identical(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _identical(x, y, f"{where}[{i}]")
    elif isinstance(a, float):
        assert a == b or (math.isnan(a) and math.isnan(b)), f"{where}: {a!r} != {b!r}"
    else:
        assert a == b, where


def _shuffled_on_one_context_equals_fresh(
    tasks: Sequence[T], on_one: Callable[[list[T]], list[Any]], on_fresh: Callable[[T], Any]
) -> list[Any]:
    """Tasks in reversed and two shuffled orders through one context give what each gives on a fresh one (the
    fresh results, in task order, are returned)."""
    fresh = [on_fresh(t) for t in tasks]
    orders = [list(reversed(range(len(tasks))))]
    for seed in (1, 2):
        order = list(range(len(tasks)))
        random.Random(seed).shuffle(order)
        orders.append(order)
    for order in orders:
        got = on_one([tasks[i] for i in order])
        for i, result in zip(order, got, strict=True):
            _identical(result, fresh[i], f"task {i} after tasks {order[: order.index(i)]}")
    return fresh


# --- a sweep's tasks -------------------------------------------------------------------------------------------


@pytest.fixture
def sweep_file(tmp_path: Path) -> Path:
    path = tmp_path / "sweep.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def _sweep_setup(path: Path) -> tuple[SweepSetup, list[Task]]:
    loaded = load_sweep(path, POLICIES)
    spec = loaded.spec
    orders = load_plans(loaded.scenario, list(loaded.orders), taken=POLICIES)
    design = build_design(spec, loaded.scenario)
    setup = SweepSetup(
        scenario=loaded.scenario,
        paths=design.paths,
        runs=spec.runs,
        turns=spec.turns,
        seed=spec.seed,
        outputs=tuple(spec.outputs),
        orders_plans={p.label: p for p in orders},
    )
    labels = (*spec.policies, *(p.label for p in orders))
    return setup, [Task(i, design.values[i], label) for i in range(len(design)) for label in labels]


def test_a_sweep_task_gives_the_same_result_whatever_ran_before_it_on_the_worker(sweep_file: Path) -> None:
    setup, tasks = _sweep_setup(sweep_file)
    assert len(tasks) == 12

    def on_one(todo: list[Task]) -> list[Any]:
        with WorkerPool(setup, same, workers=1) as pool:
            return pool.map(play_task, todo)

    def on_fresh(task: Task) -> Any:
        return play_task(_sweep_setup(sweep_file)[0], task)

    fresh = _shuffled_on_one_context_equals_fresh(tasks, on_one, on_fresh)
    assert len({r.stats["score"] for r in fresh}) > 4  # the tasks play different games: an order could matter


# --- the optimiser's plans -------------------------------------------------------------------------------------


def test_an_optimiser_plan_scores_the_same_whatever_the_worker_played_before() -> None:
    scenario = load_scenario(BASE)
    with Runner(scenario, workers=1) as probe:
        size = probe.local.space.size
    rng = np.random.default_rng(11)
    thetas: list[Any] = [rng.normal(size=size) for _ in range(4)]
    named: list[Any] = ["hold", "delay_withdraw", "hold_then_withdraw"]

    def on_one(todo: list[Any]) -> list[Any]:
        with Runner(scenario, workers=1) as runner:
            return [
                runner.scores([t], 30, 4)[0] if isinstance(t, np.ndarray) else runner.plays([t], 30, 4)[0] for t in todo
            ]

    def on_fresh(task: Any) -> Any:
        return on_one([task])[0]

    _shuffled_on_one_context_equals_fresh([*thetas, *named, thetas[0]], on_one, on_fresh)


# --- the check's chunks ----------------------------------------------------------------------------------------


def test_a_check_chunk_plays_the_same_games_whatever_the_worker_played_before() -> None:
    scenario = load_scenario(BASE)
    horizon = scenario.meta.turns
    tallies: list[Any] = [ChunkTask(name, k, 20, horizon, 3) for name in ("hold", "trainee") for k in (0, 1)]
    batches: list[Any] = [BatchTask(name, 20, None, 3, 20, k) for name in ("delay_withdraw", "trainee") for k in (0, 2)]

    def job(context: Any, task: Any) -> Any:
        return tally_chunk(context, task) if isinstance(task, ChunkTask) else batch_chunk(context, task)

    def on_one(todo: list[Any]) -> list[Any]:
        with ChunkPool(Setup(scenario, ORDERS), workers=1) as pool:
            return pool.map(job, todo)

    def on_fresh(task: Any) -> Any:
        return on_one([task])[0]

    _shuffled_on_one_context_equals_fresh([*tallies, *batches], on_one, on_fresh)


def test_a_job_cannot_leave_numbers_behind_in_the_compiled_model_a_worker_shares() -> None:
    context = Context(Setup(load_scenario(BASE), ORDERS))
    base = context.model.base
    road, *_ = base.roads.routes
    for array in (base.units.strength0, base.sectors.fort0, base.combat.posture_defence, road):
        with pytest.raises(ValueError, match="read-only"):
            array[...] = 0
    fired = tuple(1 if rate else 0 for rate in context.model.rate_columns)
    assert any(fired)  # the fixture has a rate inject: its variant is cached on the model and shared as well
    variant = context.model.params_for(fired)
    assert variant is not base and not variant.sectors.frontage.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        variant.combat.posture_defence[0] *= 2


# --- the same code everywhere ----------------------------------------------------------------------------------


def _copy_of_the_package(tmp_path: Path) -> Path:
    copy = tmp_path / "copy" / "game"
    shutil.copytree(Path(game.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_the_code_version_follows_the_model_source_and_only_it(tmp_path: Path) -> None:
    copy = _copy_of_the_package(tmp_path)
    assert code_digest(copy) == CODE_VERSION  # this process's code, read from the same files
    tui = copy / "tui" / "app.py"
    tui.write_text(tui.read_text(encoding="utf-8") + "\n# a screen changed\n", encoding="utf-8")
    assert code_digest(copy) == CODE_VERSION  # the screens decide no result
    engine = copy / "engine" / "policies.py"
    engine.write_text(engine.read_text(encoding="utf-8") + "\n# the model changed\n", encoding="utf-8")
    assert code_digest(copy) != CODE_VERSION


def test_a_dask_worker_running_other_model_code_stops_the_sweep(sweep_file: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    copy = _copy_of_the_package(tmp_path)
    policies = copy / "engine" / "policies.py"  # the worker's engine plays `hold` otherwise, as a newer one might
    policies.write_text(
        policies.read_text(encoding="utf-8") + '\nPOLICIES["hold"] = POLICIES["delay_withdraw"]\n', encoding="utf-8"
    )
    loaded = load_sweep(sweep_file, POLICIES)
    with (
        distributed.LocalCluster(n_workers=1, processes=True, threads_per_worker=1, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        # the worker has imported nothing of the game yet: from now on it imports the changed copy
        client.run(exec, f"import sys; sys.path.insert(0, {str(copy.parent)!r})", {})
        with pytest.raises(SalientError, match="different Salient model code") as stopped:
            run_sweep(loaded, tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert f"started the run (version {CODE_VERSION})" in str(stopped.value)


def test_a_sweep_is_not_continued_by_other_model_code(
    sweep_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = load_sweep(sweep_file, POLICIES)
    first = run_sweep(loaded, tmp_path / "out", max_tasks=1)
    assert first.played == 1 and first.left == 11
    written = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()[0])
    monkeypatch.setattr(sweep_results, "CODE_VERSION", "0" * 16)  # the model changed before the sweep goes on
    with pytest.raises(SalientError, match="holds the results of another sweep"):
        run_sweep(loaded, tmp_path / "out", max_tasks=1)
    monkeypatch.setattr(sweep_results, "CODE_VERSION", code_version.CODE_VERSION)
    again = run_sweep(loaded, tmp_path / "out", max_tasks=1)  # the same code continues where it stopped
    assert again.skipped == 1 and again.played == 1
    assert again.rows[0]["sweep"] == written["sweep"]


def _echo(context: int, task: int) -> int:
    return context + task


def test_a_local_worker_running_other_model_code_refuses_its_tasks() -> None:
    with WorkerPool(100, same, workers=2) as pool:
        assert pool.map(_echo, [1, 2, 3]) == [101, 102, 103]
    with WorkerPool(100, same, workers=2) as pool:
        pool.code = "0" * 16  # what a process with other model code on disk would have sent
        with pytest.raises(SalientError, match=r"different Salient model code \(version [0-9a-f]{16}\)"):
            pool.map(_echo, [1, 2, 3])
