"""A whole sweep from a loaded sweep file: its design, its tasks, where they run, and its results file.

`run_sweep` skips the tasks the results file already holds, runs the rest (all, or the first `max_tasks`,
to split a long sweep over several sittings), appends each result as it arrives, and once every task is in,
rewrites the files sorted. What it returns says how much was done and how much is left.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from game.engine.policies import POLICIES
from game.scenario.sweep_spec import LoadedSweep

from .orders_plan import OrdersPlan, load_plans
from .sweep import Setup, Task, TaskResult, output_names, run_tasks
from .sweep_design import Design, build_design
from .sweep_results import Journal, Row, fingerprint

Progress = Callable[[TaskResult], None]
"""Called with every task's result as it arrives."""


@dataclass(frozen=True)
class SweepOutcome:
    """What a call of `run_sweep` did, and the results so far."""

    design: Design
    plans: tuple[str, ...]
    outputs: tuple[str, ...]
    """Row names per task (`endings` expanded into one row per ending)."""
    played: int
    """Tasks played by this call."""
    skipped: int
    """Tasks the results file already held."""
    left: int
    """Tasks still to play (after a `max_tasks` stop)."""
    replication_turns: int
    """Replication-turns played by this call."""
    rows: list[Row]
    """Every row so far, sorted by point, plan and output."""
    jsonl: Path
    csv: Path

    @property
    def complete(self) -> bool:
        """Every task is in."""
        return self.left == 0


def _orders(loaded: LoadedSweep) -> list[OrdersPlan]:
    return load_plans(loaded.scenario, list(loaded.orders), taken=POLICIES)


def run_sweep(
    loaded: LoadedSweep,
    output: Path,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    fresh: bool = False,
    max_tasks: int | None = None,
    progress: Progress | None = None,
) -> SweepOutcome:
    """Play every task of the sweep not yet in the results file at `output` (`.jsonl` and `.csv` beside it)."""
    spec = loaded.spec
    orders = _orders(loaded)  # read and checked here: a bad file stops the sweep before anything runs
    labels = (*spec.policies, *(p.label for p in orders))
    design = build_design(spec, loaded.scenario)
    outputs = tuple(output_names(spec.outputs))
    setup = Setup(
        scenario=loaded.scenario,
        paths=design.paths,
        runs=spec.runs,
        turns=spec.turns,
        seed=spec.seed,
        outputs=tuple(spec.outputs),
        orders_plans={p.label: p for p in orders},
    )
    sweep = fingerprint(_deciding(loaded), loaded.scenario.model_dump_json(), (p.read_bytes() for p in loaded.orders))
    journal = Journal(output, sweep, design.paths, list(outputs), fresh=fresh)
    done = journal.done
    pending = [
        Task(i, design.values[i], label) for i in range(len(design)) for label in labels if (i, label) not in done
    ]
    chosen = pending if max_tasks is None else pending[:max_tasks]
    turns = 0
    for result in run_tasks(setup, chosen, workers=workers, scheduler=scheduler):
        journal.append(result)
        turns += result.replication_turns
        if progress is not None:
            progress(result)
    left = len(pending) - len(chosen)
    if left == 0:
        journal.finish()
    return SweepOutcome(
        design, labels, outputs, len(chosen), len(done), left, turns, journal.sorted_rows(), journal.jsonl, journal.csv
    )


def _deciding(loaded: LoadedSweep) -> str:
    """The sweep file's content that decides the results (titles and notes may change without a restart)."""
    data = loaded.spec.model_dump(mode="json", exclude={"title": True, "parameters": {"__all__": {"note"}}})
    return json.dumps(data, sort_keys=True)
