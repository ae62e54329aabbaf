"""The design points of a sweep: which value each parameter takes at each point, in a fixed order.

Point ids are positions in this order, so the same sweep file always gives the same points with the same
ids (a Latin hypercube and a scrambled Sobol' sequence are drawn from the sweep's seed): that is what lets
an interrupted sweep continue where it stopped, and what the Sobol' analysis needs (Saltelli's estimators
read the outputs in the order the sample was drawn).

Every design first places points in the unit cube; a range maps u to low + u × (high − low) and a list of
values to the value whose share of [0, 1) holds u. Whole-number fields are rounded here, as the engine would
round them, so the values written in the results are the values played.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from game.errors import SalientError
from game.scenario import Scenario
from game.scenario.scenario import resolve_path
from game.scenario.sweep_spec import Grid, Latin, Parameter, SweepSpec

INSTALL_HINT = "install the sweep extra: pip install 'salient-wargame[sweep]' (or, in the project folder, pip install -e '.[sweep]')"
"""What to do when Dask or SALib is missing."""


@dataclass(frozen=True)
class Design:
    """The points of a sweep: `values[i]` holds the value of every parameter at point i."""

    paths: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]

    def point(self, index: int) -> dict[str, float]:
        """The values of point `index`, by parameter path."""
        return dict(zip(self.paths, self.values[index], strict=True))

    def __len__(self) -> int:
        return len(self.values)


def salib_problem(spec: SweepSpec) -> dict[str, Any]:
    """The unit-cube problem SALib samples and analyses (ranges are mapped afterwards, see `_value`)."""
    names = [p.path for p in spec.parameters]
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def build_design(spec: SweepSpec, scenario: Scenario) -> Design:
    """Every design point of the sweep, in id order."""
    design = spec.design
    if isinstance(design, Grid):
        axes = [p.values if p.values is not None else _levels(p, design.levels) for p in spec.parameters]
        rows = [[float(v) for v in combo] for combo in itertools.product(*axes)]
    else:
        salib = _salib()
        problem = salib_problem(spec)
        if isinstance(design, Latin):
            unit = salib.sample.latin.sample(problem, design.points, seed=spec.seed)
        else:
            unit = salib.sample.sobol.sample(problem, design.base_samples, calc_second_order=False, seed=spec.seed)
        rows = [[_value(p, float(u)) for p, u in zip(spec.parameters, row, strict=True)] for row in unit]
    whole = [_is_whole(scenario, p.path) for p in spec.parameters]
    values = tuple(tuple(float(round(v)) if w else v for v, w in zip(row, whole, strict=True)) for row in rows)
    return Design(tuple(p.path for p in spec.parameters), values)


def _value(param: Parameter, u: float) -> float:
    if param.values is not None:
        return float(param.values[min(int(u * len(param.values)), len(param.values) - 1)])
    low, high = float(param.low or 0.0), float(param.high or 0.0)
    return low + u * (high - low)


def _is_whole(scenario: Scenario, path: str) -> bool:
    value = resolve_path(scenario, path)
    return isinstance(value, int) and not isinstance(value, bool)


def _levels(p: Parameter, levels: int) -> list[float]:
    """`levels` evenly spaced values from low to high (a parameter without `values` has both, see Parameter)."""
    assert p.low is not None and p.high is not None
    return [float(v) for v in np.linspace(p.low, p.high, levels)]


def _salib() -> ModuleType:
    """SALib's samplers, or a plain message saying how to install it."""
    try:
        import SALib.sample.latin
        import SALib.sample.sobol
    except ImportError:
        raise SalientError(f"Latin hypercube and Sobol' designs need SALib; {INSTALL_HINT}") from None
    salib: ModuleType = SALib  # SALib has no type information: its module is all mypy can know
    return salib
