"""`salient sweep`: the same results serially, on a process pool and on a Dask cluster; each row is the batch
runner's answer at its design point; an interrupted sweep continues without playing a task twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from game.analysis.sweep import CHUNK, Setup, Task, play_task
from game.analysis.sweep_session import run_sweep
from game.cli import main
from game.engine.batch import run_batch
from game.engine.directives import Directives
from game.engine.params import CUT, ENDING_CODE, Params
from game.engine.policies import POLICIES, Policy
from game.engine.state import State
from game.engine.step import Model
from game.errors import SalientError
from game.scenario.sweep_spec import load_sweep, scenario_with

FIXTURES = Path(__file__).parent / "fixtures"
SCENARIO = FIXTURES / "check_base.yaml"
TRAINEE = FIXTURES / "orders" / "orders_trainee.yaml"

SPEC = f"""\
scenario: {SCENARIO}
seed: 7
runs: 40
design:
  kind: grid
  levels: 2
parameters:
  - path: supply.convoys.trucks_available
    low: 6
    high: 20
  - path: opfor.min_force_ratio_to_assault
    values: [1.2, 2.5]
policies: [hold, delay_withdraw]
orders: [{TRAINEE}]
"""
TASKS = 4 * 3


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def _files(prefix: Path) -> tuple[str, str]:
    return (
        prefix.with_name(prefix.name + ".csv").read_text(encoding="utf-8"),
        prefix.with_name(prefix.name + ".jsonl").read_text(encoding="utf-8"),
    )


def test_serial_pool_and_dask_give_identical_results(spec: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    loaded = load_sweep(spec, POLICIES)
    serial = run_sweep(loaded, tmp_path / "serial", workers=1)
    pool = run_sweep(loaded, tmp_path / "pool", workers=2)
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        dask = run_sweep(loaded, tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert serial.played == pool.played == dask.played == TASKS
    assert serial.rows == pool.rows == dask.rows
    assert _files(tmp_path / "serial") == _files(tmp_path / "pool") == _files(tmp_path / "dask")
    csv_text = _files(tmp_path / "serial")[0]
    assert csv_text.splitlines()[0] == (
        "sweep,point,policy,supply.convoys.trucks_available,opfor.min_force_ratio_to_assault,output,mean,sd,runs"
    )
    assert len(csv_text.splitlines()) == 1 + TASKS * 10  # score, 5 endings, area, two losses, road cut
    assert {r["policy"] for r in serial.rows} == {"hold", "delay_withdraw", "orders_trainee"}
    assert len({r["mean"] for r in serial.rows if r["output"] == "score"}) > 4  # the points differ


def test_each_row_is_the_batch_runners_answer_at_its_point(spec: Path, tmp_path: Path) -> None:
    loaded = load_sweep(spec, POLICIES)
    outcome = run_sweep(loaded, tmp_path / "out", workers=1)
    point = 2  # trucks 20, force ratio 1.2
    assert outcome.design.point(point) == {
        "supply.convoys.trucks_available": 20.0,
        "opfor.min_force_ratio_to_assault": 1.2,
    }
    varied = scenario_with(loaded.scenario, outcome.design.point(point))
    assert varied.supply.convoys.trucks_available == 20 and varied.opfor.min_force_ratio_to_assault == 1.2
    direct = run_batch(Model(varied), POLICIES["delay_withdraw"], 40, seed=7, chunk=40)
    rows = {r["output"]: r for r in outcome.rows if r["point"] == point and r["policy"] == "delay_withdraw"}
    assert rows["score"]["mean"] == float(direct.score.mean())
    assert rows["score"]["sd"] == float(direct.score.std(ddof=1))
    assert rows["area_held"]["mean"] == float(direct.area_held.mean())
    assert rows["own_losses"]["mean"] == float(direct.own_casualties.mean())
    assert rows["enemy_losses"]["mean"] == float(direct.enemy_casualties.mean())
    assert rows["ending:withdrawn"]["mean"] == float((direct.ending == ENDING_CODE["withdrawn"]).mean())
    assert sum(rows[f"ending:{e}"]["mean"] for e in ENDING_CODE if e) == pytest.approx(1.0)


def test_road_cut_is_the_share_of_turns_begun_with_the_road_cut(spec: Path) -> None:
    loaded = load_sweep(spec, POLICIES)
    values = (6.0, 1.2)
    varied = scenario_with(
        loaded.scenario, {"supply.convoys.trucks_available": 6, "opfor.min_force_ratio_to_assault": 1.2}
    )
    seen: list[np.ndarray] = []

    def watch(p: Params, st: State) -> Directives:
        road = np.asarray(p.roads.routes[0])  # the road's segments, by index rather than by the mask
        seen.append(np.any(st.road_state[:, road] == CUT, axis=1))
        return POLICIES["hold"].directives(p, st)

    run_batch(Model(varied), Policy("hold", "", watch), 40, seed=7, chunk=40)
    expected = float(np.concatenate(seen).mean())
    setup = Setup(
        loaded.scenario,
        ("supply.convoys.trucks_available", "opfor.min_force_ratio_to_assault"),
        40,
        None,
        7,
        ("road_cut",),
    )
    result = play_task(setup, Task(0, values, "hold"))
    assert result.stats == {"road_cut": (expected, None)}
    assert 0.0 < expected < 1.0
    assert CHUNK >= 40  # one chunk, as run_batch(chunk=runs) plays it


def test_a_sweep_stopped_after_some_tasks_continues_without_replaying_them(spec: Path, tmp_path: Path) -> None:
    loaded = load_sweep(spec, POLICIES)
    run_sweep(loaded, tmp_path / "whole", workers=1)
    played: list[tuple[int, str]] = []
    first = run_sweep(
        loaded, tmp_path / "parts", workers=2, max_tasks=5, progress=lambda r: played.append((r.point, r.plan))
    )
    assert (first.played, first.skipped, first.left) == (5, 0, TASKS - 5) and not first.complete
    assert not (tmp_path / "parts.csv").exists()
    assert len((tmp_path / "parts.jsonl").read_text().splitlines()) == 5 * 10
    second_played: list[tuple[int, str]] = []
    second = run_sweep(
        loaded, tmp_path / "parts", workers=2, progress=lambda r: second_played.append((r.point, r.plan))
    )
    assert (second.played, second.skipped, second.left) == (TASKS - 5, 5, 0)
    assert not set(played) & set(second_played) and len(set(played) | set(second_played)) == TASKS
    assert _files(tmp_path / "parts") == _files(tmp_path / "whole")
    again = run_sweep(loaded, tmp_path / "parts", workers=2)
    assert (again.played, again.skipped) == (0, TASKS)
    assert _files(tmp_path / "parts") == _files(tmp_path / "whole")


def test_a_task_cut_short_by_a_crash_is_played_again(spec: Path, tmp_path: Path) -> None:
    loaded = load_sweep(spec, POLICIES)
    whole = run_sweep(loaded, tmp_path / "whole", workers=1)
    run_sweep(loaded, tmp_path / "cut", workers=1, max_tasks=3)
    journal = tmp_path / "cut.jsonl"
    lines = journal.read_text().splitlines(keepends=True)
    journal.write_text("".join(lines[:-4]) + lines[-4][:25])  # the third task's last rows never reached the disk
    resumed = run_sweep(loaded, tmp_path / "cut", workers=1)
    assert (resumed.played, resumed.skipped) == (TASKS - 2, 2)
    assert _files(tmp_path / "cut") == _files(tmp_path / "whole")
    assert resumed.rows == whole.rows


def test_results_of_another_sweep_are_not_mixed_in(spec: Path, tmp_path: Path) -> None:
    run_sweep(load_sweep(spec, POLICIES), tmp_path / "out", workers=1, max_tasks=2)
    spec.write_text(SPEC.replace("seed: 7", "seed: 8"), encoding="utf-8")
    with pytest.raises(SalientError, match="holds the results of another sweep"):
        run_sweep(load_sweep(spec, POLICIES), tmp_path / "out", workers=1)
    fresh = run_sweep(load_sweep(spec, POLICIES), tmp_path / "out", workers=1, fresh=True, max_tasks=1)
    assert (fresh.played, fresh.skipped) == (1, 0)


def test_a_killed_sweep_resumes_from_what_it_wrote(spec: Path, tmp_path: Path) -> None:
    spec.write_text(SPEC.replace("runs: 40", "runs: 400"), encoding="utf-8")
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "game.cli", "sweep", str(spec), "--workers", "1", "-o", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = out.with_name("killed.jsonl")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if journal.exists() and journal.read_text().count("\n") >= 10:
            break
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    before = set()
    for line in journal.read_text().splitlines():
        try:
            row = json.loads(line)
        except ValueError:  # the line the kill cut short
            continue
        before.add((row["point"], row["policy"]))
    assert 1 <= len(before) < TASKS
    resumed = run_sweep(load_sweep(spec, POLICIES), out, workers=2)
    assert resumed.skipped >= 1 and resumed.played + resumed.skipped == TASKS
    rows = resumed.rows
    keys = [(r["point"], r["policy"], r["output"]) for r in rows]
    assert len(keys) == len(set(keys)) == TASKS * 10


def test_the_command_prints_what_it_did_and_refuses_a_report_without_sobol(
    spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli"
    assert main(["sweep", str(spec), "--workers", "1", "-o", str(out), "--max-tasks", "4"]) == 0
    assert capsys.readouterr().out == f"played 4 task(s), 0 already done, 8 left; results in {out}.jsonl\n"
    assert main(["sweep", str(spec), "--workers", "2", "-o", str(out)]) == 0
    assert (
        capsys.readouterr().out == f"played 8 task(s), 4 already done, 0 left; results in {out}.jsonl and {out}.csv\n"
    )
    assert main(["sweep", str(spec), "-o", str(out), "--report", "md"]) == 1
    err = capsys.readouterr().err
    assert "--report needs `design: {kind: sobol}`" in err and "Traceback" not in err


def test_a_combination_that_breaks_the_scenario_stops_the_sweep_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # each end is valid against the scenario's other value (floor 0.5, vulnerability 1.6), but not every pair is
    text = (
        SPEC.split("parameters:", maxsplit=1)[0]
        + """parameters:
  - path: sides.ru.units.kp_1.drone_vulnerability
    values: [1.6, 1.0]
  - path: sides.ru.units.kp_1.drone_vulnerability_floor
    values: [0.5, 1.2]
policies: [hold]
"""
    )
    spec = tmp_path / "clash.yaml"
    spec.write_text(text, encoding="utf-8")
    assert main(["sweep", str(spec), "--workers", "2", "-o", str(tmp_path / "clash")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        f"salient: {spec}: parameters: design point 3 (sides.ru.units.kp_1.drone_vulnerability=1, "
        "sides.ru.units.kp_1.drone_vulnerability_floor=1.2) is not a valid scenario: drone_vulnerability_floor "
        "must not exceed drone_vulnerability; narrow the ranges so that every combination is a valid scenario "
        "(results already written are kept)"
    )


@pytest.mark.parametrize("design", ["kind: latin\n  points: 40", "kind: sobol\n  base_samples: 8"])
def test_sampled_designs_are_reproducible_and_stay_in_their_ranges(spec: Path, design: str) -> None:
    pytest.importorskip("SALib")
    spec.write_text(SPEC.replace("kind: grid\n  levels: 2", design), encoding="utf-8")
    loaded = load_sweep(spec, POLICIES)
    from game.analysis.sweep_design import build_design

    first, again = build_design(loaded.spec, loaded.scenario), build_design(loaded.spec, loaded.scenario)
    assert first == again and len(first) == loaded.spec.points
    trucks = [row[0] for row in first.values]
    ratios = [row[1] for row in first.values]
    assert all(6 <= t <= 20 and t == round(t) for t in trucks)  # a whole-number field is played whole
    assert len(set(trucks)) > 5
    assert set(ratios) == {1.2, 2.5}  # a list of values is sampled among its values


def test_missing_extras_are_named_with_how_to_install_them(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if Dask were not installed
    assert main(["sweep", str(spec), "--scheduler", "tcp://127.0.0.1:1", "-o", str(tmp_path / "x")]) == 1
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(
            "salient: --scheduler needs Dask distributed; install the sweep extra: pip install 'salient-wargame[sweep]' "
            "(or, in the project folder, pip install -e '.[sweep]')"
        )
    )
    spec.write_text(SPEC.replace("kind: grid\n  levels: 2", "kind: latin\n  points: 4"), encoding="utf-8")
    for name in [m for m in sys.modules if m == "SALib" or m.startswith("SALib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "SALib", None)
    assert main(["sweep", str(spec), "--workers", "1", "-o", str(tmp_path / "y")]) == 1
    assert "Latin hypercube and Sobol' designs need SALib; install the sweep extra" in capsys.readouterr().err


def test_ctrl_c_stops_the_pool_at_once_and_the_sweep_resumes(spec: Path, tmp_path: Path) -> None:
    spec.write_text(SPEC.replace("runs: 40", "runs: 200000"), encoding="utf-8")  # tasks of many seconds each
    out = tmp_path / "stopped"
    command = [sys.executable, "-m", "game.cli", "sweep", str(spec), "--workers", "2", "-o", str(out)]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509 -- only resets one signal, no lock taken
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "sweep:" not in (process.stderr.readline() if process.stderr else ""):
        pass  # the pool starts right after this line
    time.sleep(3)
    process.send_signal(signal.SIGINT)
    started = time.monotonic()
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130 and err.strip() == "salient: interrupted"
    assert time.monotonic() - started < 15  # the tasks in flight were ended, not waited for
    journal = out.with_name("stopped.jsonl")
    written = len(journal.read_text().splitlines()) if journal.exists() else 0
    assert written % 10 == 0 and written < TASKS * 10
