"""Which assumptions matter: Sobol' first- and total-order indices of every output of a finished sweep.

For each plan and each output, the mean over a point's games is the model's answer at that point; SALib's
`sobol.analyze` splits the variance of those answers across the Saltelli design into the share each
parameter explains alone (first order, S1) and with every interaction it takes part in (total order, ST),
each with a bootstrap confidence interval. A parameter with a small ST can be fixed anywhere in its range
without changing that output; a large ST marks a number the outcome hangs on.

Each parameter is named with its provenance entry in the scenario (the most specific `provenance` entry whose
field is the parameter's path or contains it): a fact from the fact sheet, with what the fact says, or an
assumption with its one-line reason. An instructor reads the ranking as "which of my assumptions decide the
game", and which of them rest on nothing better than a guess.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Literal

import numpy as np

from game.errors import SalientError
from game.scenario import Scenario
from game.scenario.facts import load_fact_sheet
from game.scenario.load import ScenarioError
from game.scenario.scenario import resolve_path
from game.scenario.sweep_spec import LoadedSweep, Sobol

from .sweep_design import INSTALL_HINT, salib_problem
from .sweep_session import SweepOutcome

CONFIDENCE = 0.95
RESAMPLES = 1000
"""Bootstrap resamples behind each confidence interval."""


@dataclass(frozen=True)
class Origin:
    """Where a parameter's value comes from, as the scenario's provenance says."""

    kind: Literal["assumption", "fact", "unsourced"]
    note: str
    """The assumption's reason, or the fact's id and what it says; empty when unsourced."""
    entry: str
    """The provenance entry's field (the parameter's path or a path that contains it); empty when unsourced."""


@dataclass(frozen=True)
class Parameter:
    """A swept parameter: its path, its value in the scenario, its range and its origin."""

    path: str
    base: float
    range: str
    origin: Origin


@dataclass(frozen=True)
class Index:
    """The Sobol' indices of one parameter for one output."""

    parameter: Parameter
    s1: float
    s1_conf: float
    st: float
    st_conf: float


@dataclass(frozen=True)
class OutputIndices:
    """One plan's output over the design: its spread across points and every parameter's indices (by ST)."""

    plan: str
    output: str
    mean: float
    spread: float
    """Standard deviation of the output's point means across the design."""
    indices: list[Index]
    """Largest total-order index first; empty when the output does not vary over the design."""


@dataclass(frozen=True)
class Analysis:
    """The whole sensitivity analysis of a sweep."""

    title: str
    scenario: str
    spec: str
    base_samples: int
    points: int
    runs: int
    seed: int
    plans: tuple[str, ...]
    parameters: list[Parameter]
    results: list[OutputIndices]


def analyse(loaded: LoadedSweep, outcome: SweepOutcome) -> Analysis:
    """Sobol' indices of every (plan, output) of a complete Sobol'-design sweep."""
    spec = loaded.spec
    if not isinstance(spec.design, Sobol):
        raise SalientError("Sobol' indices need a sobol design")
    if not outcome.complete:
        raise SalientError("the sweep is not complete: run it again to finish it before reporting")
    try:
        from SALib.analyze import sobol
    except ImportError:
        raise SalientError(f"the sensitivity report needs SALib; {INSTALL_HINT}") from None
    origins = _fact_notes(loaded)
    params = [
        Parameter(
            p.path,
            float(resolve_path(loaded.scenario, p.path) or 0.0),
            _range(p.low, p.high, p.values),
            origin_of(loaded.scenario, p.path, origins),
        )
        for p in spec.parameters
    ]
    problem = salib_problem(spec)
    means = {(int(r["point"]), r["policy"], r["output"]): float(r["mean"]) for r in outcome.rows}
    results = []
    for plan in outcome.plans:
        for output in outcome.outputs:
            y = np.array([means[(i, plan, output)] for i in range(len(outcome.design))])
            results.append(_indices(sobol, problem, y, plan, output, params, spec.seed))
    return Analysis(
        title=spec.title or Path(loaded.path).stem,
        scenario=loaded.scenario.meta.title,
        spec=loaded.path,
        base_samples=spec.design.base_samples,
        points=len(outcome.design),
        runs=spec.runs,
        seed=spec.seed,
        plans=outcome.plans,
        parameters=params,
        results=results,
    )


def _indices(
    sobol: ModuleType,
    problem: dict[str, object],
    y: np.ndarray,
    plan: str,
    output: str,
    params: list[Parameter],
    seed: int,
) -> OutputIndices:
    spread = float(y.std(ddof=1)) if y.size > 1 else 0.0
    if not spread > 1e-12 * max(1.0, float(np.abs(y).max())):
        return OutputIndices(plan, output, float(y.mean()), spread, [])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib warns about negative variance estimates; the intervals show them
        found = sobol.analyze(
            problem,
            y,
            calc_second_order=False,
            num_resamples=RESAMPLES,
            conf_level=CONFIDENCE,
            seed=seed,
        )
    rows = [
        Index(
            p,
            _finite(found["S1"][i]),
            _finite(found["S1_conf"][i]),
            _finite(found["ST"][i]),
            _finite(found["ST_conf"][i]),
        )
        for i, p in enumerate(params)
    ]
    rows.sort(key=lambda r: (-r.st, r.parameter.path))
    return OutputIndices(plan, output, float(y.mean()), spread, rows)


def _finite(x: float) -> float:
    return float(x) if math.isfinite(float(x)) else 0.0


def _range(low: float | None, high: float | None, values: list[float] | None) -> str:
    if values is not None:
        return ", ".join(f"{v:g}" for v in values)
    return f"{low:g} to {high:g}"


def origin_of(scenario: Scenario, path: str, facts: dict[str, str] | None = None) -> Origin:
    """The most specific provenance entry covering `path` (its own field, or a path that contains it)."""
    covering = [e for e in scenario.provenance if path == e.field or path.startswith(e.field + ".")]
    if not covering:
        return Origin("unsourced", "", "")
    entry = max(covering, key=lambda e: len(e.field))
    if entry.assumption is not None:
        return Origin("assumption", entry.assumption, entry.field)
    fact = entry.fact or ""
    said = (facts or {}).get(fact, "")
    return Origin("fact", f"{fact}: {said}" if said else fact, entry.field)


def _fact_notes(loaded: LoadedSweep) -> dict[str, str]:
    """What each fact of the scenario's fact sheet says, in a line (nothing when there is no readable sheet)."""
    if not loaded.scenario.fact_sheet:
        return {}
    try:
        sheet = load_fact_sheet(loaded.scenario_path.parent / loaded.scenario.fact_sheet)
    except (ScenarioError, OSError):
        return {}
    return {f.id: " ".join(f.meaning.split()) for f in sheet.facts}
