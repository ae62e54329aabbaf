"""The classic Lanchester attrition laws, deterministic and stochastic.

Why this module exists
----------------------
Historians have fitted Lanchester's equations to real battles (Engel's 1954
fit of the square law to Iwo Jima is the best known; later work fitted the
Ardennes and Kursk campaigns and found the linear and logarithmic laws often
fit as well or better). By exposing the laws in their textbook form, with
their usual units, the combat engine can be checked against those published
fits: same starting strengths, same coefficients, same reinforcement schedule,
and the daily strengths should agree.

The laws
--------
``B`` and ``R`` are the blue and red strengths. ``a`` (``blue_kill_rate``) is
the rate at which blue removes red; ``b`` (``red_kill_rate``) the rate at
which red removes blue.

* **square** (aimed fire), ``dB/dt = -b·R``, ``dR/dt = -a·B``. ``a`` is the
  number of red soldiers one blue soldier removes per day (unit: 1/day).
  ``a·B² - b·R²`` is conserved, hence the name: strength counts squared.
* **linear** (unaimed, area fire), ``dB/dt = -b·B·R``, ``dR/dt = -a·B·R``.
  ``a`` is per blue soldier, per red soldier, per day (1/(soldier·day)).
  ``a·B - b·R`` is conserved.
* **log** (losses proportional to one's own strength, e.g. attrition by
  exposure), ``dB/dt = -b·B``, ``dR/dt = -a·R``. ``a`` is the fraction of red
  that blue removes per day (1/day); each side decays exponentially.

Strengths are in soldiers (or any countable unit: tanks, battalions), time is
in days. Reinforcements are piecewise-constant arrivals
``(start_day, end_day, soldiers_per_day)`` added to the derivative over
``[start_day, end_day)``.

A side never goes below zero. A side at zero inflicts nothing and stays at
zero unless its arrivals outpace its losses (under the square law, a trickle
of reinforcements is destroyed as it arrives while ``arrivals < b·R``).

Two solvers share those rules:

* :func:`solve` integrates the equations with fixed-step RK4. Every whole day
  and every arrival boundary falls on a step boundary, so each step sees
  constant arrivals; when a side would cross zero inside a step the crossing
  is located by bisection, so the survivor's strength is as accurate as the
  rest of the trajectory.
* :func:`simulate` is the stochastic counterpart: a tau-leaping kernel
  (:func:`attrition_step`) draws Poisson losses for all replications at once.
  As ``dt`` shrinks it converges to the continuous-time Markov chain in which
  soldiers are lost one at a time.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "LAWS",
    "Arrival",
    "LanchesterResult",
    "Law",
    "attrition_step",
    "linear_invariant",
    "simulate",
    "solve",
    "square_invariant",
]

Law = Literal["square", "linear", "log"]
LAWS: tuple[Law, ...] = ("square", "linear", "log")

Arrival = tuple[float, float, float]
"""``(start_day, end_day, soldiers_per_day)``: a constant inflow over ``[start_day, end_day)``."""

#: Largest default step, in days (15 minutes).
MAX_DEFAULT_DT = 1.0 / 96.0
#: Default steps keep ``rate · dt`` at or below this (RK4 error ~ (rate·dt)^5).
_RATE_DT = 0.1
#: Bisection halvings used to locate a zero crossing (2^-60 of a step).
_BISECTIONS = 60
#: Absolute slack when flooring cumulative arrivals, against rounding error.
_ARRIVAL_EPS = 1e-9


@dataclass(frozen=True)
class LanchesterResult:
    """Strengths at the end of each whole day (index = day, day 0 = start).

    From :func:`solve`, ``blue`` and ``red`` have shape ``(days + 1,)``; from
    :func:`simulate`, ``(replications, days + 1)``. The arrays are read-only.
    """

    t: np.ndarray
    """Day of each column: ``0.0, 1.0, ..., days``."""
    blue: np.ndarray
    """Blue strength at the end of each day."""
    red: np.ndarray
    """Red strength at the end of each day."""
    law: Law
    """The law that was integrated."""
    dt: float
    """Upper bound on the step length actually used, in days."""
    seed: int | None = None
    """Seed of the random generator (``simulate`` only)."""

    def __post_init__(self) -> None:
        for array in (self.t, self.blue, self.red):
            array.flags.writeable = False


# --------------------------------------------------------------------------
# Invariants
# --------------------------------------------------------------------------


def square_invariant(blue: npt.ArrayLike, red: npt.ArrayLike, a: float, b: float) -> np.ndarray:
    """``a·B² - b·R²``: constant along the square law without arrivals.

    ``a`` is blue's kill rate and ``b`` red's, as in :func:`solve`: from
    ``dB/dt = -b·R`` and ``dR/dt = -a·B``, ``d(a·B² - b·R²)/dt =
    -2abBR + 2abBR = 0``. Its sign says who wins: positive, blue.
    """
    blue_arr = np.asarray(blue, dtype=float)
    red_arr = np.asarray(red, dtype=float)
    return a * blue_arr**2 - b * red_arr**2


def linear_invariant(blue: npt.ArrayLike, red: npt.ArrayLike, a: float, b: float) -> np.ndarray:
    """``a·B - b·R``: constant along the linear law without arrivals.

    ``a`` is blue's kill rate and ``b`` red's, as in :func:`solve`: from
    ``dB/dt = -b·B·R`` and ``dR/dt = -a·B·R``, ``d(a·B - b·R)/dt =
    -abBR + abBR = 0``.
    """
    blue_arr = np.asarray(blue, dtype=float)
    red_arr = np.asarray(red, dtype=float)
    return a * blue_arr - b * red_arr


# --------------------------------------------------------------------------
# Argument checking and the step schedule shared by both solvers
# --------------------------------------------------------------------------


def _check_number(name: str, value: object, *, positive: bool = False) -> float:
    """Return ``value`` as a float after checking it is finite and >= 0 (> 0)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    if positive and number <= 0:
        raise ValueError(f"{name} must be positive, got {number}")
    if number < 0:
        raise ValueError(f"{name} must not be negative, got {number}")
    return number


def _check_count(name: str, value: object, *, minimum: int) -> int:
    """Return ``value`` as an int after checking it is an integer >= minimum."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _check_law(law: object) -> Law:
    """Return ``law`` after checking it is one of :data:`LAWS`."""
    for known in LAWS:
        if law == known:
            return known
    raise ValueError(f"law must be one of {', '.join(LAWS)}; got {law!r}")


def _check_arrivals(name: str, arrivals: Iterable[Arrival]) -> tuple[Arrival, ...]:
    """Check each ``(start_day, end_day, soldiers_per_day)`` tuple."""
    try:
        items = tuple(arrivals)
    except TypeError:
        raise ValueError(f"{name} must be a sequence of (start, end, rate) tuples") from None
    checked = []
    for index, item in enumerate(items):
        where = f"{name}[{index}]"
        try:
            start, end, rate = item
        except (TypeError, ValueError):
            raise ValueError(f"{where} must be a (start_day, end_day, soldiers_per_day) tuple, got {item!r}") from None
        start = _check_number(f"{where} start_day", start)
        end = _check_number(f"{where} end_day", end)
        rate = _check_number(f"{where} soldiers_per_day", rate)
        if end <= start:
            raise ValueError(f"{where} must end after it starts, got {start} to {end}")
        checked.append((start, end, rate))
    return tuple(checked)


def _inflow(arrivals: tuple[Arrival, ...], t: float) -> float:
    """Soldiers per day arriving at time ``t`` (windows are ``[start, end)``)."""
    return sum(rate for start, end, rate in arrivals if start <= t < end)


def _cumulative(arrivals: tuple[Arrival, ...], t: float) -> float:
    """Soldiers arrived over ``[0, t]``: the integral of :func:`_inflow`."""
    return sum(rate * min(max(t - start, 0.0), end - start) for start, end, rate in arrivals)


def _rate_scale(law: Law, a: float, b: float, blue_peak: float, red_peak: float) -> float:
    """The fastest rate (1/day) of the deterministic equations, for choosing ``dt``.

    Square law: the eigenvalues ``±sqrt(ab)``. Linear law: the non-zero
    eigenvalue ``-(a·B + b·R)`` at the largest strengths the sides can reach.
    Log law: the larger decay rate.
    """
    if law == "square":
        return math.sqrt(a * b)
    if law == "linear":
        return a * blue_peak + b * red_peak
    return max(a, b)


def _default_dt(rate: float) -> float:
    """At most :data:`MAX_DEFAULT_DT`, and small enough that ``rate · dt <= 0.1``."""
    if rate <= 0:
        return MAX_DEFAULT_DT
    return min(MAX_DEFAULT_DT, _RATE_DT / rate)


@dataclass(frozen=True)
class _Segment:
    """A stretch of time with constant arrivals, cut into equal steps."""

    start: float
    end: float
    steps: int
    blue_inflow: float
    red_inflow: float

    @property
    def h(self) -> float:
        """Length of each step, in days."""
        return (self.end - self.start) / self.steps

    def time(self, i: int) -> float:
        """End of step ``i`` (counting from 0): computed, never accumulated."""
        return self.end if i + 1 == self.steps else self.start + (i + 1) * self.h


def _schedule(
    days: int,
    dt: float,
    blue_arrivals: tuple[Arrival, ...],
    red_arrivals: tuple[Arrival, ...],
) -> list[list[_Segment]]:
    """Segments for each day: cut at arrival boundaries, each in steps <= ``dt``.

    Returns one list of segments per day, so that day ``k`` ends exactly at the
    end of ``schedule[k - 1]``.
    """
    boundaries = {
        edge for start, end, _ in (*blue_arrivals, *red_arrivals) for edge in (start, end) if 0.0 < edge < days
    }
    schedule = []
    for day in range(days):
        cuts = sorted({float(day), float(day + 1)} | {e for e in boundaries if day < e < day + 1})
        segments = []
        for start, end in itertools.pairwise(cuts):
            middle = 0.5 * (start + end)
            segments.append(
                _Segment(
                    start=start,
                    end=end,
                    steps=max(1, math.ceil((end - start) / dt - 1e-9)),
                    blue_inflow=_inflow(blue_arrivals, middle),
                    red_inflow=_inflow(red_arrivals, middle),
                )
            )
        schedule.append(segments)
    return schedule


@dataclass(frozen=True)
class _Problem:
    """Checked arguments common to :func:`solve` and :func:`simulate`."""

    blue0: float
    red0: float
    a: float
    b: float
    law: Law
    days: int
    blue_arrivals: tuple[Arrival, ...]
    red_arrivals: tuple[Arrival, ...]

    @property
    def blue_peak(self) -> float:
        """Largest strength blue can reach: start plus every arrival."""
        return self.blue0 + _cumulative(self.blue_arrivals, math.inf)

    @property
    def red_peak(self) -> float:
        """Largest strength red can reach: start plus every arrival."""
        return self.red0 + _cumulative(self.red_arrivals, math.inf)

    @property
    def ode_rate(self) -> float:
        """Fastest rate of the deterministic equations (see :func:`_rate_scale`)."""
        return _rate_scale(self.law, self.a, self.b, self.blue_peak, self.red_peak)

    def schedule(self, dt: float) -> list[list[_Segment]]:
        """The steps of each day, no longer than ``dt`` (see :func:`_schedule`)."""
        return _schedule(self.days, dt, self.blue_arrivals, self.red_arrivals)


def _check_problem(
    blue0: object,
    red0: object,
    blue_kill_rate: object,
    red_kill_rate: object,
    law: object,
    days: object,
    blue_arrivals: Iterable[Arrival],
    red_arrivals: Iterable[Arrival],
) -> _Problem:
    """Check the arguments :func:`solve` and :func:`simulate` share."""
    return _Problem(
        blue0=_check_number("blue0", blue0),
        red0=_check_number("red0", red0),
        a=_check_number("blue_kill_rate", blue_kill_rate),
        b=_check_number("red_kill_rate", red_kill_rate),
        law=_check_law(law),
        days=_check_count("days", days, minimum=0),
        blue_arrivals=_check_arrivals("blue_arrivals", blue_arrivals),
        red_arrivals=_check_arrivals("red_arrivals", red_arrivals),
    )


def _check_dt(dt: object, default: float) -> float:
    """``default`` when ``dt`` is None, else ``dt`` checked to be finite and > 0."""
    return default if dt is None else _check_number("dt", dt, positive=True)


# --------------------------------------------------------------------------
# Deterministic solver
# --------------------------------------------------------------------------

_State = tuple[float, float]
_Derivative = Callable[[_State], _State]


def _losses(law: Law, a: float, b: float, blue: float, red: float) -> _State:
    """Loss rates ``(blue_loss, red_loss)`` in soldiers per day.

    Under the log law a side inflicts its losses only while it has soldiers;
    under the other two laws that falls out of the formula.
    """
    if law == "square":
        return b * red, a * blue
    if law == "linear":
        return b * blue * red, a * blue * red
    return (b * blue if red > 0 else 0.0), (a * red if blue > 0 else 0.0)


def _derivative(problem: _Problem, segment: _Segment, state: _State) -> _Derivative:
    """The right-hand side for one sub-step starting at ``state``.

    A side at zero whose arrivals do not outpace its losses is frozen: it stays
    at exactly zero and inflicts nothing for the whole sub-step.
    """
    law, a, b = problem.law, problem.a, problem.b
    blue_in, red_in = segment.blue_inflow, segment.red_inflow
    blue_loss_now, red_loss_now = _losses(law, a, b, *state)
    blue_frozen = state[0] == 0.0 and blue_in <= blue_loss_now
    red_frozen = state[1] == 0.0 and red_in <= red_loss_now

    def rhs(y: _State) -> _State:
        blue = 0.0 if blue_frozen else y[0]
        red = 0.0 if red_frozen else y[1]
        if law == "log":  # losses depend on the enemy being present, not on its size
            blue_loss = 0.0 if red_frozen else b * blue
            red_loss = 0.0 if blue_frozen else a * red
        else:
            blue_loss, red_loss = _losses(law, a, b, blue, red)
        return (
            0.0 if blue_frozen else blue_in - blue_loss,
            0.0 if red_frozen else red_in - red_loss,
        )

    return rhs


def _rk4(rhs: _Derivative, y: _State, h: float) -> _State:
    """One classical fourth-order Runge-Kutta step of length ``h``."""
    k1 = rhs(y)
    k2 = rhs((y[0] + 0.5 * h * k1[0], y[1] + 0.5 * h * k1[1]))
    k3 = rhs((y[0] + 0.5 * h * k2[0], y[1] + 0.5 * h * k2[1]))
    k4 = rhs((y[0] + h * k3[0], y[1] + h * k3[1]))
    return (
        y[0] + h / 6.0 * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]),
        y[1] + h / 6.0 * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1]),
    )


def _advance(problem: _Problem, segment: _Segment, y: _State, h: float) -> _State:
    """Advance ``y`` by ``h`` days, stopping exactly where a side reaches zero.

    If the RK4 step would take a side below zero, bisection finds the step
    length at which it reaches zero, the side is set to zero there, and the
    rest of the step is taken with that side frozen.
    """
    remaining = h
    for _ in range(4):  # each pass freezes a side; two would do, four is slack
        rhs = _derivative(problem, segment, y)
        trial = _rk4(rhs, y, remaining)
        if min(trial) >= 0.0:
            return trial
        lo, hi = 0.0, remaining
        for _ in range(_BISECTIONS):
            mid = 0.5 * (lo + hi)
            if min(_rk4(rhs, y, mid)) >= 0.0:
                lo = mid
            else:
                hi = mid
        crossed = _rk4(rhs, y, hi)
        y = (max(crossed[0], 0.0), max(crossed[1], 0.0))
        remaining -= hi
        if remaining <= 0.0:
            return y
    return (max(y[0], 0.0), max(y[1], 0.0))


def solve(
    blue0: float,
    red0: float,
    blue_kill_rate: float,
    red_kill_rate: float,
    *,
    law: Law = "square",
    days: int,
    dt: float | None = None,
    blue_arrivals: Iterable[Arrival] = (),
    red_arrivals: Iterable[Arrival] = (),
) -> LanchesterResult:
    """Integrate a Lanchester law and return the strength at the end of each day.

    ``blue_kill_rate`` (``a``) is the rate at which blue removes red and
    ``red_kill_rate`` (``b``) the rate at which red removes blue; their units
    depend on ``law`` (see the module docstring). Arrivals are
    ``(start_day, end_day, soldiers_per_day)`` tuples.

    ``dt`` bounds the step length in days. Each day, and each part of a day
    between arrival boundaries, is cut into equal RK4 steps no longer than
    ``dt``. By default ``dt`` is 1/96 day, or smaller when the rates are fast
    (so that ``rate · dt <= 0.1``), which keeps the relative error far below
    0.1%.

    Raises ``ValueError`` for negative or non-finite numbers, an unknown law,
    ``days < 0`` or a malformed arrival.
    """
    problem = _check_problem(blue0, red0, blue_kill_rate, red_kill_rate, law, days, blue_arrivals, red_arrivals)
    step = _check_dt(dt, _default_dt(problem.ode_rate))

    blue = np.empty(problem.days + 1)
    red = np.empty(problem.days + 1)
    y: _State = (problem.blue0, problem.red0)
    blue[0], red[0] = y
    for day, segments in enumerate(problem.schedule(step), 1):
        for segment in segments:
            h = segment.h
            for _ in range(segment.steps):
                y = _advance(problem, segment, y, h)
        blue[day], red[day] = y

    return LanchesterResult(t=np.arange(problem.days + 1, dtype=float), blue=blue, red=red, law=problem.law, dt=step)


# --------------------------------------------------------------------------
# Stochastic solver
# --------------------------------------------------------------------------


def attrition_step(
    blue: npt.ArrayLike,
    red: npt.ArrayLike,
    blue_rate: npt.ArrayLike,
    red_rate: npt.ArrayLike,
    dt: float,
    law: Law,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """One tau-leaping step of stochastic Lanchester attrition.

    ``blue`` and ``red`` are soldier counts, arrays of any (broadcastable)
    shape, typically one entry per replication. ``blue_rate`` is the rate at
    which blue removes red (``a`` in :func:`solve`), ``red_rate`` the rate at
    which red removes blue; both broadcast against the counts.

    Both sides' expected losses over ``dt`` days are computed from the same
    state (the square law: red loses ``a·B·dt``, blue ``b·R·dt``), then the
    losses are drawn together, in one batched call, as Poisson variates capped
    at the side's current strength, and only then applied. A side at zero
    inflicts nothing. As ``dt → 0`` this converges to the continuous-time
    Markov chain in which soldiers are lost one at a time.

    Returns the new ``(blue, red)`` as float arrays of the broadcast shape; the
    inputs are not modified.
    """
    law = _check_law(law)
    blue_arr, red_arr = np.broadcast_arrays(np.asarray(blue, dtype=float), np.asarray(red, dtype=float))
    a = np.asarray(blue_rate, dtype=float)
    b = np.asarray(red_rate, dtype=float)
    if law == "square":
        blue_loss_rate, red_loss_rate = b * red_arr, a * blue_arr
    elif law == "linear":
        blue_loss_rate, red_loss_rate = b * blue_arr * red_arr, a * blue_arr * red_arr
    else:
        blue_loss_rate = np.where(red_arr > 0, b * blue_arr, 0.0)
        red_loss_rate = np.where(blue_arr > 0, a * red_arr, 0.0)
    expected = np.stack(np.broadcast_arrays(blue_loss_rate, red_loss_rate)) * dt
    blue_loss, red_loss = rng.poisson(expected)
    return (
        blue_arr - np.minimum(blue_loss, blue_arr),
        red_arr - np.minimum(red_loss, red_arr),
    )


def _whole_arrivals(arrivals: tuple[Arrival, ...], t0: float, t1: float) -> float:
    """Whole soldiers arriving over ``(t0, t1]``, fractions carried over.

    Flooring the cumulative total (rather than each step's share) never lets
    rounding drift: by any time ``t`` exactly ``floor(cumulative(t))`` have
    arrived.
    """
    if not arrivals:
        return 0.0
    before = math.floor(_cumulative(arrivals, t0) + _ARRIVAL_EPS)
    after = math.floor(_cumulative(arrivals, t1) + _ARRIVAL_EPS)
    return float(after - before)


def simulate(
    blue0: float,
    red0: float,
    blue_kill_rate: float,
    red_kill_rate: float,
    *,
    law: Law = "square",
    days: int,
    replications: int,
    seed: int,
    dt: float | None = None,
    blue_arrivals: Iterable[Arrival] = (),
    red_arrivals: Iterable[Arrival] = (),
) -> LanchesterResult:
    """Stochastic Lanchester attrition: ``replications`` independent battles.

    The arguments mean what they mean for :func:`solve`. Starting strengths
    are rounded to whole soldiers. Each step applies :func:`attrition_step` to
    all replications at once, then adds the arrivals, which are deterministic
    whole soldiers (fractions carried over, so the totals match the schedule).
    The result's ``blue`` and ``red`` have shape ``(replications, days + 1)``
    and hold whole numbers as floats.

    ``dt`` bounds the step, as for :func:`solve`; the default is also small
    enough that a one-on-one fight (rate ``a + b``) rarely sees two losses in
    one step. One ``Generator(PCG64(seed))`` drives the run, so the same seed
    gives the same result.
    """
    problem = _check_problem(blue0, red0, blue_kill_rate, red_kill_rate, law, days, blue_arrivals, red_arrivals)
    replications = _check_count("replications", replications, minimum=1)
    seed = _check_count("seed", seed, minimum=0)
    step = _check_dt(dt, _default_dt(max(problem.ode_rate, problem.a + problem.b)))
    rng = np.random.Generator(np.random.PCG64(seed))

    blue_out = np.empty((replications, problem.days + 1))
    red_out = np.empty((replications, problem.days + 1))
    blue = np.full(replications, float(round(problem.blue0)))
    red = np.full(replications, float(round(problem.red0)))
    blue_out[:, 0], red_out[:, 0] = blue, red
    for day, segments in enumerate(problem.schedule(step), 1):
        for segment in segments:
            h = segment.h
            t0 = segment.start
            for i in range(segment.steps):
                t1 = segment.time(i)
                blue, red = attrition_step(blue, red, problem.a, problem.b, h, problem.law, rng)
                blue += _whole_arrivals(problem.blue_arrivals, t0, t1)
                red += _whole_arrivals(problem.red_arrivals, t0, t1)
                t0 = t1
        blue_out[:, day], red_out[:, day] = blue, red

    return LanchesterResult(
        t=np.arange(problem.days + 1, dtype=float),
        blue=blue_out,
        red=red_out,
        law=problem.law,
        dt=step,
        seed=seed,
    )
