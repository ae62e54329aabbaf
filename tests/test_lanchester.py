"""Tests for game.engine.lanchester: closed forms, invariants, the CTMC limit."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from game.engine.lanchester import (
    LanchesterResult,
    attrition_step,
    linear_invariant,
    simulate,
    solve,
    square_invariant,
)

LAWS = ("square", "linear", "log")


# --------------------------------------------------------------------------
# Reference solutions
# --------------------------------------------------------------------------


def square_closed_form(blue0: float, red0: float, a: float, b: float, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """dB/dt = -bR, dR/dt = -aB, valid until a side reaches zero."""
    w = math.sqrt(a * b)
    blue = blue0 * np.cosh(w * t) - math.sqrt(b / a) * red0 * np.sinh(w * t)
    red = red0 * np.cosh(w * t) - math.sqrt(a / b) * blue0 * np.sinh(w * t)
    return blue, red


def linear_closed_form(blue0: float, red0: float, a: float, b: float, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """dB/dt = -bBR, dR/dt = -aBR.

    With C = aB - bR constant, dR/dt = -R(C + bR), a Bernoulli equation:
    1/R satisfies u' = Cu + b.
    """
    c = a * blue0 - b * red0
    red = red0 / (1 + b * red0 * t) if c == 0 else c * red0 / ((c + b * red0) * np.exp(c * t) - b * red0)
    blue = (c + b * red) / a
    return blue, red


def log_with_arrivals(
    strength0: float, rate: float, arrivals: list[tuple[float, float, float]], days: int
) -> np.ndarray:
    """dS/dt = -rate·S + f(t), f piecewise constant: exact, piece by piece."""
    window_edges = {edge for start, end, _ in arrivals for edge in (start, end) if edge < days}
    edges = sorted({float(day) for day in range(days + 1)} | window_edges)
    values = {0.0: strength0}
    strength = strength0
    for start, end in itertools.pairwise(edges):
        middle = 0.5 * (start + end)
        f = sum(r for s, e, r in arrivals if s <= middle < e)
        strength = f / rate + (strength - f / rate) * math.exp(-rate * (end - start))
        values[end] = strength
    return np.array([values[float(day)] for day in range(days + 1)])


def reference_rk4(
    law: str,
    blue0: float,
    red0: float,
    a: float,
    b: float,
    days: int,
    blue_arrivals: list[tuple[float, float, float]],
    red_arrivals: list[tuple[float, float, float]],
    steps_per_day: int = 2000,
) -> tuple[np.ndarray, np.ndarray]:
    """A plain RK4 with a tiny step, for cases where neither side reaches zero.

    Arrival boundaries must fall on multiples of 1/steps_per_day.
    """
    h = 1.0 / steps_per_day

    def inflow(arrivals: list[tuple[float, float, float]], t: float) -> float:
        return sum(r for s, e, r in arrivals if s <= t < e)

    def rhs(y: np.ndarray, f_blue: float, f_red: float) -> np.ndarray:
        blue, red = y
        if law == "square":
            return np.array([f_blue - b * red, f_red - a * blue])
        return np.array([f_blue - b * blue * red, f_red - a * blue * red])

    y = np.array([blue0, red0], dtype=float)
    out = [y.copy()]
    for i in range(days * steps_per_day):
        mid = (i + 0.5) * h
        f_blue, f_red = inflow(blue_arrivals, mid), inflow(red_arrivals, mid)
        k1 = rhs(y, f_blue, f_red)
        k2 = rhs(y + 0.5 * h * k1, f_blue, f_red)
        k3 = rhs(y + 0.5 * h * k2, f_blue, f_red)
        k4 = rhs(y + h * k3, f_blue, f_red)
        y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        if (i + 1) % steps_per_day == 0:
            out.append(y.copy())
    history = np.array(out)
    return history[:, 0], history[:, 1]


def ctmc_blue_win_probability(blue0: int, red0: int, a: float, b: float) -> float:
    """Exact P(blue wins) for the square-law Markov chain.

    From (B, R) red loses a soldier with rate a·B and blue with rate b·R, so
    the next jump is a red loss with probability a·B / (a·B + b·R).
    """
    p = np.zeros((blue0 + 1, red0 + 1))
    p[1:, 0] = 1.0
    for blue in range(1, blue0 + 1):
        for red in range(1, red0 + 1):
            red_loss = a * blue / (a * blue + b * red)
            p[blue, red] = red_loss * p[blue, red - 1] + (1 - red_loss) * p[blue - 1, red]
    return float(p[blue0, red0])


def blue_win_fraction(result: LanchesterResult) -> float:
    return float(np.mean((result.red[:, -1] == 0) & (result.blue[:, -1] > 0)))


# --------------------------------------------------------------------------
# solve: closed forms
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("blue0", "red0", "a", "b"),
    [(1000, 800, 0.05, 0.06), (500, 900, 0.08, 0.02), (73_000, 21_500, 0.0106, 0.0544)],
)
def test_square_law_matches_cosh_sinh_every_day(blue0, red0, a, b):
    days = 60
    result = solve(blue0, red0, a, b, law="square", days=days)
    blue, red = square_closed_form(blue0, red0, a, b, result.t)
    before = (blue > 0) & (red > 0)
    assert before[:5].all()
    np.testing.assert_allclose(result.blue[before], blue[before], rtol=1e-6)
    np.testing.assert_allclose(result.red[before], red[before], rtol=1e-6)


@pytest.mark.parametrize(
    ("blue0", "red0", "a", "b"),
    [(1000, 800, 1e-4, 1.2e-4), (600, 900, 2e-4, 1e-4), (500, 500, 1e-4, 1e-4)],
    ids=["blue-ahead", "red-ahead", "even"],
)
def test_linear_law_matches_closed_form(blue0, red0, a, b):
    result = solve(blue0, red0, a, b, law="linear", days=40)
    blue, red = linear_closed_form(blue0, red0, a, b, result.t)
    np.testing.assert_allclose(result.blue, blue, rtol=1e-6)
    np.testing.assert_allclose(result.red, red, rtol=1e-6)


def test_log_law_is_exponential_decay():
    result = solve(1000, 800, 0.03, 0.05, law="log", days=50)
    np.testing.assert_allclose(result.blue, 1000 * np.exp(-0.05 * result.t), rtol=1e-8)
    np.testing.assert_allclose(result.red, 800 * np.exp(-0.03 * result.t), rtol=1e-8)


def test_invariants_are_conserved_without_arrivals():
    square = solve(1000, 800, 0.05, 0.06, law="square", days=60)  # red is wiped out
    k = square_invariant(square.blue, square.red, 0.05, 0.06)
    np.testing.assert_allclose(k, k[0], rtol=1e-6)

    linear = solve(1000, 800, 1e-4, 1.2e-4, law="linear", days=60)
    k = linear_invariant(linear.blue, linear.red, 1e-4, 1.2e-4)
    np.testing.assert_allclose(k, k[0], rtol=1e-6)


def test_invariants_are_the_documented_formulas():
    assert square_invariant(3.0, 2.0, 5.0, 7.0) == pytest.approx(5 * 9 - 7 * 4)
    assert linear_invariant(3.0, 2.0, 5.0, 7.0) == pytest.approx(5 * 3 - 7 * 2)
    assert square_invariant([3.0, 1.0], [2.0, 0.0], 5.0, 7.0).shape == (2,)


# --------------------------------------------------------------------------
# solve: arrivals
# --------------------------------------------------------------------------


def test_log_law_arrivals_match_piecewise_closed_form():
    blue_arrivals = [(0.0, 3.0, 40.0), (2.5, 7.25, 15.0)]  # overlapping, off-day edges
    red_arrivals = [(1.0 / 3.0, 4.0, 25.0), (10.0, 40.0, 5.0)]  # ends after the last day
    result = solve(
        1000,
        800,
        0.03,
        0.05,
        law="log",
        days=20,
        blue_arrivals=blue_arrivals,
        red_arrivals=red_arrivals,
    )
    blue = log_with_arrivals(1000, 0.05, blue_arrivals, 20)
    red = log_with_arrivals(800, 0.03, red_arrivals, 20)
    np.testing.assert_allclose(result.blue, blue, rtol=1e-8)
    np.testing.assert_allclose(result.red, red, rtol=1e-8)


@pytest.mark.parametrize(("law", "a", "b"), [("square", 0.03, 0.05), ("linear", 3e-5, 5e-5)])
def test_arrivals_match_fine_reference(law, a, b):
    blue_arrivals = [(1.0, 2.5, 300.0), (4.0, 9.0, 40.0)]
    red_arrivals = [(0.0, 6.25, 60.0)]
    result = solve(
        1000,
        900,
        a,
        b,
        law=law,
        days=12,
        blue_arrivals=blue_arrivals,
        red_arrivals=red_arrivals,
    )
    blue, red = reference_rk4(law, 1000, 900, a, b, 12, blue_arrivals, red_arrivals)
    assert (red > 0).all() and (blue > 0).all()
    np.testing.assert_allclose(result.blue, blue, rtol=1e-6)
    np.testing.assert_allclose(result.red, red, rtol=1e-6)


def test_explicit_dt_need_not_divide_a_day():
    arrivals = [(0.7, 2.2, 100.0)]
    fine = solve(1000, 800, 0.05, 0.06, days=10, blue_arrivals=arrivals)
    odd = solve(1000, 800, 0.05, 0.06, days=10, dt=0.3, blue_arrivals=arrivals)
    assert odd.dt == 0.3
    np.testing.assert_allclose(odd.blue, fine.blue, rtol=1e-4)
    np.testing.assert_allclose(odd.red, fine.red, rtol=1e-4)


# --------------------------------------------------------------------------
# solve: zero and annihilation
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("blue0", "red0", "a", "b", "dt"),
    [
        (1000, 800, 0.05, 0.06, None),
        (700, 1000, 0.04, 0.05, None),
        # With half-day steps only locating the crossing inside the step keeps 1e-6.
        (1000, 800, 0.05, 0.06, 0.5),
    ],
)
def test_survivors_at_annihilation_match_square_law(blue0, red0, a, b, dt):
    result = solve(blue0, red0, a, b, law="square", days=80, dt=dt)
    if a * blue0**2 > b * red0**2:
        winner, loser = result.blue, result.red
        survivors = math.sqrt(blue0**2 - (b / a) * red0**2)
    else:
        winner, loser = result.red, result.blue
        survivors = math.sqrt(red0**2 - (a / b) * blue0**2)
    gone = np.flatnonzero(loser == 0)
    assert gone.size > 5, "the loser should be annihilated well before the end"
    assert (loser[gone[0] :] == 0).all()
    np.testing.assert_allclose(winner[gone[0] :], survivors, rtol=1e-6)


@pytest.mark.parametrize("law", LAWS)
def test_strengths_never_negative(law):
    rates = {"square": (0.5, 0.9), "linear": (5e-3, 9e-3), "log": (0.5, 0.9)}[law]
    result = solve(300, 400, *rates, law=law, days=30, red_arrivals=[(5.0, 8.0, 20.0)])
    assert np.isfinite(result.blue).all() and np.isfinite(result.red).all()
    assert (result.blue >= 0).all() and (result.red >= 0).all()


@pytest.mark.parametrize("law", LAWS)
def test_side_at_zero_inflicts_nothing(law):
    result = solve(0, 800, 0.05, 0.06, law=law, days=5)
    assert (result.blue == 0).all()
    assert (result.red == 800).all()


def test_trickle_of_reinforcements_dies_on_arrival():
    # Blue is wiped out; its 5/day reinforcements are fewer than the b·R it would lose.
    result = solve(200, 800, 0.05, 0.06, days=20, blue_arrivals=[(0.0, 20.0, 5.0)])
    gone = np.flatnonzero(result.blue == 0)
    assert gone.size > 0 and (result.blue[gone[0] :] == 0).all()
    assert (np.diff(result.red[gone[0] :]) == 0).all()


# --------------------------------------------------------------------------
# solve: shape, defaults, validation
# --------------------------------------------------------------------------


def test_result_shape_and_read_only():
    result = solve(10, 8, 0.1, 0.1, days=7)
    assert isinstance(result, LanchesterResult)
    assert result.blue.shape == result.red.shape == result.t.shape == (8,)
    np.testing.assert_array_equal(result.t, np.arange(8.0))
    with pytest.raises(ValueError):
        result.blue[0] = 1.0
    assert solve(10, 8, 0.1, 0.1, days=0).blue.tolist() == [10.0]


def test_default_dt_shrinks_for_fast_rates():
    assert solve(10, 8, 0.1, 0.1, days=1).dt == pytest.approx(1 / 96)
    fast = solve(10, 8, 30.0, 30.0, days=1)
    assert fast.dt * 30.0 <= 0.1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"blue0": -1}, "blue0 must not be negative"),
        ({"red0": float("nan")}, "red0 must be finite"),
        ({"blue_kill_rate": -0.1}, "blue_kill_rate must not be negative"),
        ({"red_kill_rate": float("inf")}, "red_kill_rate must be finite"),
        ({"red_kill_rate": "0.1"}, "red_kill_rate must be a number"),
        ({"law": "cubic"}, "law must be one of"),
        ({"days": -1}, "days must be at least 0"),
        ({"days": 2.5}, "days must be an integer"),
        ({"dt": 0}, "dt must be positive"),
        ({"blue_arrivals": [(1, 2)]}, r"blue_arrivals\[0\] must be a \(start_day"),
        ({"red_arrivals": [(3, 2, 10)]}, r"red_arrivals\[0\] must end after it starts"),
        ({"red_arrivals": [(0, 2, -10)]}, "soldiers_per_day must not be negative"),
        ({"blue_arrivals": [(0, float("inf"), 1)]}, "end_day must be finite"),
        ({"blue_arrivals": 5}, "blue_arrivals must be a sequence"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, message):
    arguments = {"blue0": 100, "red0": 80, "blue_kill_rate": 0.1, "red_kill_rate": 0.1, "law": "square", "days": 5}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        solve(**arguments)
    with pytest.raises(ValueError, match=message):
        simulate(**arguments, replications=2, seed=0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"replications": 0}, "replications must be at least 1"),
        ({"seed": -3}, "seed must be at least 0"),
    ],
)
def test_bad_simulate_arguments_raise_value_error(kwargs, message):
    arguments = {"replications": 10, "seed": 1}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        simulate(100, 80, 0.1, 0.1, days=5, **arguments)


# --------------------------------------------------------------------------
# simulate
# --------------------------------------------------------------------------


def test_simulate_shape_and_values():
    result = simulate(50, 40, 0.1, 0.1, days=6, replications=37, seed=3)
    assert result.blue.shape == result.red.shape == (37, 7)
    assert result.t.shape == (7,)
    assert result.seed == 3
    for side in (result.blue, result.red):
        assert (side >= 0).all()
        np.testing.assert_array_equal(side, np.round(side))
    assert (result.blue[:, 0] == 50).all() and (result.red[:, 0] == 40).all()
    # Without arrivals strengths only go down.
    assert (np.diff(result.blue, axis=1) <= 0).all() and (np.diff(result.red, axis=1) <= 0).all()


def test_simulate_is_deterministic_per_seed():
    first = simulate(50, 40, 0.1, 0.1, days=6, replications=100, seed=7)
    again = simulate(50, 40, 0.1, 0.1, days=6, replications=100, seed=7)
    other = simulate(50, 40, 0.1, 0.1, days=6, replications=100, seed=8)
    np.testing.assert_array_equal(first.blue, again.blue)
    np.testing.assert_array_equal(first.red, again.red)
    assert not np.array_equal(first.blue, other.blue)


@pytest.mark.parametrize(
    ("law", "a", "b", "arrivals"),
    [
        ("square", 0.02, 0.03, []),
        ("square", 0.02, 0.03, [(2.0, 5.5, 40.0)]),
        ("linear", 2e-5, 3e-5, []),
        ("log", 0.02, 0.03, [(2.0, 5.5, 40.0)]),
    ],
)
def test_simulate_mean_follows_solve_for_large_forces(law, a, b, arrivals):
    kwargs = {"law": law, "days": 20, "blue_arrivals": arrivals}
    mean_field = solve(1000, 800, a, b, **kwargs)
    ensemble = simulate(1000, 800, a, b, replications=200, seed=11, **kwargs)
    np.testing.assert_allclose(ensemble.blue.mean(axis=0), mean_field.blue, rtol=0.03)
    np.testing.assert_allclose(ensemble.red.mean(axis=0), mean_field.red, rtol=0.03)


def test_simulate_arrivals_are_whole_soldiers_with_fractions_carried():
    arrivals = [(0.5, 3.25, 10.0 / 3.0), (1.0, 2.0, 0.4)]
    result = simulate(5, 5, 0.0, 0.0, days=5, replications=3, seed=0, blue_arrivals=arrivals)
    cumulative = [sum(r * min(max(day - s, 0.0), e - s) for s, e, r in arrivals) for day in range(6)]
    expected = 5 + np.floor(np.array(cumulative) + 1e-9)
    np.testing.assert_array_equal(result.blue, np.broadcast_to(expected, (3, 6)))
    assert (result.red == 5).all()


SMALL = {"blue0": 5, "red0": 4, "blue_kill_rate": 1.0, "red_kill_rate": 1.5}
REPLICATIONS = 20_000


def test_small_battles_win_probability_matches_markov_chain():
    exact = ctmc_blue_win_probability(5, 4, 1.0, 1.5)
    result = simulate(**SMALL, days=6, replications=REPLICATIONS, seed=2024)
    assert result.dt <= 1 / 96
    unresolved = np.mean((result.blue[:, -1] > 0) & (result.red[:, -1] > 0))
    assert unresolved < 1e-3
    sigma = math.sqrt(exact * (1 - exact) / REPLICATIONS)
    assert abs(blue_win_fraction(result) - exact) < 4 * sigma


def test_coarse_steps_are_further_from_the_markov_chain():
    exact = ctmc_blue_win_probability(5, 4, 1.0, 1.5)
    sigma = math.sqrt(exact * (1 - exact) / REPLICATIONS)
    coarse = simulate(**SMALL, days=6, dt=0.5, replications=REPLICATIONS, seed=5)
    fine = simulate(**SMALL, days=6, dt=1 / 96, replications=REPLICATIONS, seed=5)
    coarse_error = abs(blue_win_fraction(coarse) - exact)
    fine_error = abs(blue_win_fraction(fine) - exact)
    assert coarse_error > 4 * sigma
    assert fine_error < coarse_error


# --------------------------------------------------------------------------
# attrition_step: the kernel the engine reuses
# --------------------------------------------------------------------------


class SpyGenerator:
    """Delegates to a real Generator and records each poisson call's shape."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.shapes: list[tuple[int, ...]] = []

    def poisson(self, lam: np.ndarray) -> np.ndarray:
        self.shapes.append(np.shape(lam))
        return self.rng.poisson(lam)


@pytest.mark.parametrize("law", LAWS)
def test_kernel_handles_any_shape_in_one_batched_draw(law):
    blue = np.full((3, 4, 5), 100.0)
    red = np.full((3, 4, 5), 80.0)
    rng = SpyGenerator(0)
    new_blue, new_red = attrition_step(blue, red, 0.1, 0.2, 0.5, law, rng)  # type: ignore[arg-type]
    assert rng.shapes == [(2, 3, 4, 5)]
    assert new_blue.shape == new_red.shape == (3, 4, 5)
    assert (blue == 100).all() and (red == 80).all(), "inputs must not be modified"


def test_kernel_broadcasts_rates_and_counts():
    rng = np.random.default_rng(1)
    blue_rate = np.array([[0.0], [1.0]])  # one row per rate, one column per blue count
    blue, red = attrition_step(np.array([10.0, 20.0]), 5.0, blue_rate, 0.0, 1.0, "square", rng)
    assert blue.shape == red.shape == (2, 2)
    assert (red[0] == 5).all()  # zero kill rate: no red losses
    assert (blue == [[10, 20], [10, 20]]).all()


def test_kernel_caps_losses_and_applies_both_from_the_same_state():
    rng = np.random.default_rng(2)
    three = np.full(1000, 3.0)
    blue, red = attrition_step(three, three, 100.0, 100.0, 1.0, "square", rng)
    # Both sides fire from the state before the step, so both are wiped out together.
    assert (blue == 0).all() and (red == 0).all()


def test_kernel_side_at_zero_inflicts_nothing():
    rng = np.random.default_rng(3)
    for law in LAWS:
        blue, red = attrition_step(np.zeros(50), np.full(50, 9.0), 5.0, 5.0, 1.0, law, rng)
        assert (blue == 0).all() and (red == 9).all()


def test_kernel_rejects_unknown_law():
    with pytest.raises(ValueError, match="law must be one of"):
        rng = np.random.default_rng()
        attrition_step(1.0, 1.0, 0.1, 0.1, 0.1, "cubic", rng)  # type: ignore[arg-type]


def test_the_instructor_page_examples_hold():
    """The numbers docs/lanchester.md puts on the board."""
    r = solve(1000, 800, 0.05, 0.05, law="square", days=60)
    assert (r.blue[-1], r.red[-1]) == (pytest.approx(600.0, abs=1e-6), 0.0)
    r = solve(1000, 800, 0.00005, 0.00005, law="linear", days=60)
    assert r.blue[-1] == pytest.approx(356, abs=1) and r.red[-1] == pytest.approx(156, abs=1)
    piecemeal = solve(1000, 800, 0.05, 0.05, law="square", days=60, red_arrivals=[(10, 20, 30)])
    assert piecemeal.blue[-1] == pytest.approx(372, abs=1) and piecemeal.red[-1] == 0.0
    at_once = solve(1000, 1100, 0.05, 0.05, law="square", days=60)
    assert at_once.blue[-1] == 0.0 and at_once.red[-1] == pytest.approx(458, abs=1)
    s = simulate(100, 80, 0.05, 0.05, law="square", days=60, replications=2000, seed=1)
    assert s.blue[:, -1].mean() == pytest.approx(59, abs=1.5)
    assert (s.blue[:, -1] == 0).mean() < 0.01
