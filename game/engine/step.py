"""Advancing replications by a turn: injects first, then the turn, with the right parameters for each.

`Model` holds a scenario's compiled parameters and caches one `Params` per combination of rate
injects fired (a "variant"); `advance` evaluates the injects on every replication, applies their
state effects, draws the turn's noise and resolves the turn — once for all replications when they
share a variant (the usual case), else once per variant on the subset of replications concerned.
"""

from __future__ import annotations

import numpy as np

from game.scenario import Scenario

from . import injects as inj
from .directives import Directives
from .guard import check_finite
from .params import Params, apply_rate_effects, compile_params
from .rng import Noise, draw_noise, stream
from .state import State, initial_state
from .turn import Outcome, resolve_turn


class Model:
    """A scenario compiled for the kernel, with its parameter variants cached."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.base = compile_params(scenario)
        self.rate_columns = np.array([inj.is_rate(i) for i in scenario.injects], dtype=bool)
        self._variants: dict[tuple[int, ...], Params] = {(): self.base}

    @property
    def injects(self) -> int:
        """Number of injects in the scenario."""
        return len(self.scenario.injects)

    def initial_state(self, replications: int = 1) -> State:
        """The starting situation, R times."""
        return initial_state(self.base, replications, self.injects)

    def params_for(self, counts: tuple[int, ...]) -> Params:
        """Parameters with the rate injects applied `counts` times each (counts over all injects)."""
        key = counts if any(counts) else ()
        found = self._variants.get(key)
        if found is None:
            effects = inj.rate_effects(self.base, key)
            found = compile_params(apply_rate_effects(self.scenario, effects))
            self._variants[key] = found
        return found

    def variants(self, state: State) -> list[tuple[Params, np.ndarray | None]]:
        """(params, rows) groups of replications that share their rate injects; rows None means all."""
        if not self.rate_columns.any():
            return [(self.base, None)]
        cols = np.flatnonzero(self.rate_columns)
        first = state.fired[0, cols]
        # column by column on the state's own columns (a batch asks twice a turn; usually every replication agrees)
        if state.R == 1 or all((state.fired[:, c] == n).all() for c, n in zip(cols, first, strict=True)):
            return [(self.params_for(self._full(cols, first)), None)]
        counts = state.fired[:, self.rate_columns].astype(np.int64)
        # Grouped on the whole rows of counts: any packing into one integer key wraps or carries for some
        # count or number of rate injects, and then replications with different histories would share
        # parameters. Groups come ordered by their counts compared from the last rate inject backwards
        # (the order a little-endian key gives, which callers that take the first group as representative
        # have always seen); each group's rows in replication order.
        uniq, inverse, sizes = np.unique(counts[:, ::-1], axis=0, return_inverse=True, return_counts=True)
        order = np.argsort(inverse.reshape(-1), kind="stable")
        return [
            (self.params_for(self._full(cols, values[::-1])), rows)
            for values, rows in zip(uniq, np.split(order, np.cumsum(sizes)[:-1]), strict=True)
        ]

    def _full(self, cols: np.ndarray, counts: np.ndarray) -> tuple[int, ...]:
        """Counts over every inject from counts over the rate injects."""
        full = [0] * self.injects
        for c, n in zip(cols, counts, strict=True):
            full[int(c)] = int(n)
        return tuple(full)


def fire_injects(
    model: Model,
    state: State,
    seed: int,
    purpose: str = "injects",
    rows: np.ndarray | None = None,
    size: int | None = None,
) -> tuple[State, np.ndarray]:
    """Evaluate this turn's injects and apply them to a copy of the state (the input is never changed).

    Returns the state to resolve (the input itself when nothing fired) and (R, I) bool of what fired.
    `rows`/`size`: the state holds rows `rows` of a batch of `size` replications (see `advance`).
    """
    if not model.injects:
        return state, np.zeros((state.R, 0), dtype=bool)
    uniforms = stream(seed, state.turn, purpose).random((size or state.R, model.injects))
    if rows is not None:
        uniforms = uniforms[rows]
    fire = inj.evaluate(model.base, state, uniforms)
    if not fire.any():
        return state, fire
    # a copy of the arrays the injects change; the others stay shared (the turn never writes in place)
    state = state.with_arrays({name: np.copy(getattr(state, name)) for name in inj.fields_written(model.base, fire)})
    inj.apply(model.base, state, fire)
    return state, fire


def advance(
    model: Model,
    state: State,
    directives: Directives,
    seed: int,
    *,
    purpose: str = "resolve",
    inject_purpose: str = "injects",
    mean_field: bool = False,
    rows: np.ndarray | None = None,
    size: int | None = None,
    factors: bool = True,
) -> tuple[State, Outcome, np.ndarray]:
    """One turn for every replication: injects, noise, the turn itself. Returns (state, outcome, injects fired).

    When `state` holds only rows `rows` of a batch of `size` replications (the others have ended),
    the dice are drawn for all `size` and those rows taken, so each replication keeps its own dice
    however many others have left the batch. `factors=False`: no factor accounting (see `resolve_turn`).
    """
    before = state
    state, fired = fire_injects(model, state, seed, inject_purpose, rows, size)
    new, out = _resolve(model, state, directives, seed, purpose, mean_field, rows, size, factors)
    if state.casualties is not before.casualties:
        _count_inject_losses(before, state, new, out)
    return new, out, fired


def _resolve(
    model: Model,
    state: State,
    directives: Directives,
    seed: int,
    purpose: str,
    mean_field: bool,
    rows: np.ndarray | None,
    size: int | None,
    factors: bool,
) -> tuple[State, Outcome]:
    """The turn itself, after the injects: noise drawn, each group of parameters resolved, outcomes merged."""
    groups = model.variants(state)
    layout = groups[0][0].layout
    if mean_field:
        noise = Noise.mean_field(layout, state.R)
    else:
        noise = draw_noise(layout, size or state.R, stream(seed, state.turn, purpose), rows)
    if len(groups) == 1:
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is caught below, with its cause named
            new, out = resolve_turn(groups[0][0], state, directives, noise, factors=factors)
        check_finite([groups[0][0].scenario], new, state.turn)
        return new, out
    new = state.copy()  # every row is overwritten below; a copy so that the input stays untouched
    parts: list[tuple[np.ndarray, Outcome]] = []
    for params, group in groups:
        assert group is not None
        sub_noise = noise.take(group)
        with np.errstate(over="ignore", invalid="ignore"):
            part, out = resolve_turn(params, state.take(group), directives.take(group), sub_noise, factors=factors)
        new.put(group, part)
        parts.append((group, out))
    new.turn = state.turn + 1
    check_finite([params.scenario for params, _ in groups], new, state.turn)
    return new, _merge(parts, state.R)


def _count_inject_losses(before: State, fired: State, new: State, out: Outcome) -> None:
    """Soldiers an inject took (a strike, a lost convoy of men) are the turn's losses too, so the turn's report,
    the intel it feeds and the cumulative totals the score counts all tell the same story."""
    lost = fired.casualties - before.casualties  # (R, 2, 3): only the injects have written here
    out.losses += lost
    out.unit_loss += np.maximum(before.strength - fired.strength, 0.0)
    new.last_losses = new.last_losses + lost.sum(axis=2)


def _merge(parts: list[tuple[np.ndarray, Outcome]], R: int) -> Outcome:
    """Reassemble per-variant outcomes into one, in replication order."""
    first = parts[0][1]
    fields = {}
    for name, value in first.__dict__.items():
        full = np.zeros((R, *value.shape[1:]), dtype=value.dtype)
        for rows, out in parts:
            full[rows] = getattr(out, name)
        fields[name] = full
    return Outcome(**fields)
