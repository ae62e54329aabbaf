"""Benchmarks of the instructor's tools: the scenario checker and the class report.

    .venv/bin/python benchmarks/bench_instructor.py [--runs 5] [--games 1000]

1. `salient check scenarios/kursk-2025.yaml --runs 1000` (every built-in policy, 1,000 games each), as a
   fresh process pinned to one core (taskset when available, BLAS threads 1). Target ≤ 30 s.
2. `salient class report` over a class database of `--games` recorded games. Target ≤ 2 s. The database
   is built once: 60 real games of Kursk 2025 (the three policies, 20 seeds each, 20 trainee names),
   played and recorded as `salient run --trainee` records them (with the model's forecast at every decision
   point), then copied row for row under new game keys and names up to `--games` — the report's cost
   depends on the rows, not on how they were made. Every turn is a decision point in this scenario (it
   has no drills), so the report aggregates 20 decisions per game.
Both are timed from outside the process (Python start-up included) and the medians printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KURSK = ROOT / "scenarios" / "kursk-2025.yaml"
SALIENT = [sys.executable, "-m", "game.cli"]
ONE_CORE = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def pinned(cmd: list[str]) -> list[str]:
    """The command on one core (taskset), when the system has it."""
    return (["taskset", "-c", "0"] if shutil.which("taskset") else []) + cmd


def timed(cmd: list[str], runs: int, env: dict[str, str]) -> list[float]:
    """Wall-clock seconds of `runs` runs of a command (its output discarded; a failure stops the benchmark)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False
        )
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):  # check exits 1 when an assertion fails: still a complete run
            raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr}")
    return times


def build_class_db(folder: Path, games: int) -> Path:
    """A class database of `games` games (see module doc)."""
    from game.classroom.headless import HeadlessRecorder
    from game.engine.game import Game
    from game.engine.policies import POLICIES
    from game.scenario.load import load_scenario

    os.environ["SALIENT_HOME"] = str(folder / "home")
    db = folder / "class.sqlite3"
    scenario = load_scenario(KURSK)
    n = 0
    for seed in range(20):
        for policy in POLICIES.values():
            trainee = f"Trainee {n % 20 + 1:02d}"
            recorder = HeadlessRecorder(scenario, str(KURSK), seed, trainee, str(db), folder / f"g{n}.jsonl")
            game = Game(scenario, seed)
            while not game.finished:
                orders = policy(game)
                recorder.on_turn(game, orders, game.play(orders))
            message = recorder.finish(game)
            if "warning" in message:
                raise SystemExit(message)
            n += 1
    conn = sqlite3.connect(db)
    with conn:
        base = conn.execute("SELECT MAX(id) FROM games").fetchone()[0]
        copy = 0
        while base + copy < games:
            source = copy % base + 1
            conn.execute(
                "INSERT INTO games (game_key, trainee, scenario_id, scenario_sha256, seed, journal_path, started_at, "
                "finished_at, turns, finished, ending, score, score_json, salient_version, recorded_at) "
                "SELECT game_key || '-copy' || ?, 'Trainee ' || printf('%02d', (? % 50) + 1), scenario_id, "
                "scenario_sha256, seed, journal_path, started_at, finished_at, turns, finished, ending, score, "
                "score_json, salient_version, recorded_at FROM games WHERE id = ?",
                (copy, copy, source),
            )
            new = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
            for table, cols in (
                (
                    "decisions",
                    "turn, orders_json, choices_json, outcome_json, rationale, ranking_json, chosen, "
                    "estimate_json, drill_json, forecast_json, model_json",
                ),
                ("moments", "moment_id, turn, title, detail"),
                ("interventions", "seq, turn, kind, target, summary, reason, at, value_json"),
            ):
                conn.execute(
                    f"INSERT INTO {table} (game_id, {cols}) SELECT ?, {cols} FROM {table} WHERE game_id = ?",
                    (new, source),
                )
            copy += 1
    conn.close()
    return db


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each command (default 5)")
    parser.add_argument("--games", type=int, default=1000, help="games in the class database (default 1000)")
    args = parser.parse_args()
    env = {**os.environ, **ONE_CORE}

    check = pinned([*SALIENT, "check", str(KURSK.relative_to(ROOT)), "--runs", "1000"])
    times = timed(check, args.runs, env)
    print(f"check:  {' '.join(check)}")
    print(
        f"        median {statistics.median(times):.2f} s over {args.runs} runs "
        f"(min {min(times):.2f}, max {max(times):.2f}); target ≤ 30 s"
    )

    folder = Path(tempfile.mkdtemp(prefix="salient-bench-class-"))
    try:
        start = time.perf_counter()
        db = build_class_db(folder, args.games)
        built = time.perf_counter() - start
        with sqlite3.connect(db) as conn:
            n_games = conn.execute("SELECT COUNT(*) FROM games").fetchone()[0]
            n_rows = conn.execute("SELECT COUNT(*) FROM decisions").fetchone()[0]
        for fmt in ("md", "json"):
            report = pinned([*SALIENT, "class", "report", "--db", str(db), "--format", fmt])
            times = timed(report, args.runs, env)
            print(f"report: {' '.join(report[:-4])} --db CLASS_DB --format {fmt}")
            print(
                f"        median {statistics.median(times):.2f} s over {args.runs} runs "
                f"(min {min(times):.2f}, max {max(times):.2f}) for {n_games} games, {n_rows} decisions; "
                f"target ≤ 2 s (database built in {built:.0f} s)"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
