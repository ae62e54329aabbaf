"""The optimiser: search the plan space for the best standing plan, then hold it against every built-in plan.

Search: the cross-entropy method over θ (game.analysis.plan_space). Each generation draws a population of θ
from a Gaussian (the first member is the distribution's mean itself), plays every plan on the same games
(`run_batch` with the same seed: common random numbers, so a difference between two plans is the plans' and
not the dice's), keeps the best quarter and moves the Gaussian's mean and spread towards them. Why this and
not CMA-ES: a few hundred plan evaluations in some thirty dimensions, a third of them decoded by argmax or a
threshold, is the regime the cross-entropy method handles plainly; CMA-ES's covariance needs more
generations than such a budget gives before it pays, and would add a dependency. The optimiser's own draws
come from the game's seed (`stream(seed, generation, "optimise")`).

Plans are scored on a process pool (`workers`), each worker holding its own compiled model; a plan's score is
a pure function of (θ, games, seed), so the search finds the same plan with one worker or many.

The best plan is re-scored on fresh dice (seed + 1), beside every built-in policy and the scenario's expert
plan, all on the same games: the search's best is flattered by the very dice it was chosen on (the winner's
curse), the fresh figure is not.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from game.engine.batch import run_batch
from game.engine.directives import Directives, compile_orders
from game.engine.game import Game
from game.engine.orders import Orders
from game.engine.params import ENDINGS, Params
from game.engine.policies import POLICIES, Policy
from game.engine.rng import stream
from game.engine.state import State
from game.engine.step import Model
from game.scenario import Scenario
from game.scenario.drills import DrillTrigger

from .drill_check import trigger_mask
from .orders_plan import OrdersPlan
from .plan_space import WITHDRAW_RULES, Plan, PlanSpace, plan_of_policy
from .pool import WorkerPool, available_cores
from .stats import t_interval

ELITE_SHARE = 0.25
"""The share of each generation the search distribution moves towards."""
SMOOTHING = 0.7
"""Weight of the elite in the new mean and spread (the rest stays with the old: no collapse on one lucky draw)."""
MIN_SPREAD = 0.15
"""The spread never shrinks below this, so a coordinate can still move late in the search."""
FRESH_SEED_OFFSET = 1
"""The comparison plays on seed + this: dice the search never saw."""
EXPERT = "expert"
"""The name of the expert's plan in the comparison."""
OPTIMISED = "optimised"
"""The name of the plan found."""


# --- the expert's plan -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    """One expert line as something to play: its choice as a policy, when it applies, and for how long."""

    name: str
    """The policy's name, or `orders`."""
    policy: Policy
    turn: int | None
    """Applies from this turn (a policy) or at this turn only (orders); None: while its drill's trigger holds."""
    trigger: DrillTrigger | None
    once: bool
    """Orders for one turn (True), or a standing policy (False)."""


def expert_policy(scenario: Scenario) -> Policy | None:
    """The scenario's answer key as a whole-game plan, or None when it has no line that says what to do.

    A line's choice is its orders, its policy, or its top-ranked option (orders or policy). A policy stands from
    the turn its line applies (its turn, or its drill's set turn) until a later line's turn; orders are played
    at that turn only. Before the first line applies, the first policy chosen is played (what the expert would
    be doing already), else the game's default orders. A line for a drill put on conditions applies in the turns
    its trigger holds (the plan keeps no memory of a game's past, which a batch of games does not carry).
    """
    game = Game(scenario, 0)
    p0 = game.params
    drills = {d.id: d for d in scenario.drills}
    lines: list[_Line] = []
    for e in scenario.expert:
        drill = drills.get(e.drill) if e.drill else None
        orders, policy = e.orders, e.policy
        if orders is None and policy is None and drill is not None and e.ranking:
            top = next((o for o in drill.options if o.id == e.ranking[0]), None)
            orders, policy = (top.orders, top.policy) if top is not None else (None, None)
        if policy is not None and policy in POLICIES:
            name, chosen, once = policy, POLICIES[policy], False
        elif orders is not None:
            name, chosen, once = "orders", _orders_policy(p0, Orders.model_validate(orders)), True
        else:
            continue
        turn = e.turn if e.turn is not None else (drill.fixed_turn if drill is not None else None)
        lines.append(_Line(name, chosen, turn, drill.when if (turn is None and drill is not None) else None, once))
    if not lines:
        return None
    if all(not line.once for line in lines) and len({line.name for line in lines}) == 1:
        only = lines[0].policy
        return Policy(EXPERT, f"The answer key: {only.name} at every decision point ({only.description})", only.rule)
    lines.sort(key=lambda line: (line.turn is None, line.turn or 0))
    standing = [line.policy for line in lines if not line.once]
    base = standing[0] if standing else _orders_policy(p0, game.default_orders().model_copy(update={"postures": {}}))

    def rule(p: Params, st: State) -> Directives:
        d = base.directives(p, st)
        for line in lines:
            if line.trigger is not None:
                now = trigger_mask(line.trigger, p, st)
            else:
                # a line without a trigger has a turn (an expert solution for no drill must name one)
                on = line.turn is not None and (st.turn == line.turn if line.once else st.turn >= line.turn)
                now = np.full(st.R, on)
            if now.any():
                d = _choose(now, line.policy.directives(p, st), d, st.R)
        return d

    return Policy(
        EXPERT, "The answer key: " + ", then ".join(line.name for line in lines) + ", as each line applies", rule
    )


def _orders_policy(p: Params, orders: Orders) -> Policy:
    """Fixed orders as a policy (cut to the teams and trucks an inject has left, as an orders file is)."""
    d = compile_orders(p, orders)
    plan = OrdersPlan(label=EXPERT, path="", given={1: d}, standing={1: d}, default=d, single=True)
    return plan.policy()


def _choose(mask: np.ndarray, a: Directives, b: Directives, R: int) -> Directives:
    """`a` in the replications `mask` marks, `b` in the others."""
    out = {}
    for name in a.__dict__:
        x, y = getattr(a, name), getattr(b, name)
        x, y = np.broadcast_to(x, (R, *x.shape[1:])), np.broadcast_to(y, (R, *y.shape[1:]))
        out[name] = np.where(mask.reshape(R, *([1] * (x.ndim - 1))), x, y)
    return Directives(**out)


# --- scoring plans, on one process or many -----------------------------------------------------------------


class Evaluator:
    """Plays plans on one scenario: the compiled model, the plan space and the expert's plan, built once."""

    def __init__(self, scenario: Scenario, rules: tuple[str, ...] = WITHDRAW_RULES) -> None:
        self.scenario = scenario
        self.model = Model(scenario)
        game = Game(scenario, 0)
        self.params, self.start = game.params, game.state
        self.space = PlanSpace.of(self.params, rules)
        self.expert = expert_policy(scenario)

    def policy(self, which: str | np.ndarray) -> Policy:
        """A built-in policy by name, the expert's plan, or the plan a θ decodes to."""
        if isinstance(which, np.ndarray):
            return self.space.decode(which).policy(OPTIMISED)
        if which == EXPERT and self.expert is not None:
            return self.expert
        return POLICIES[which]

    def mean_score(self, theta: np.ndarray, runs: int, seed: int) -> float:
        """The mean score of θ's plan over `runs` games on `seed`'s dice."""
        return float(run_batch(self.model, self.policy(theta), runs, seed=seed).score.mean())

    def play(self, which: str | np.ndarray, runs: int, seed: int) -> Played:
        """Every game's score and ending, and the turn the withdrawal was requested in each (0: never)."""
        policy = self.policy(which)
        requests = np.zeros(self.model.base.turns + 2, dtype=np.int64)

        def rule(p: Params, st: State) -> Directives:
            d = policy.directives(p, st)
            asked = np.broadcast_to(d.withdraw & ~st.withdrawing, (st.R,))
            requests[min(st.turn, requests.size - 1)] += int(asked.sum())
            return d

        result = run_batch(self.model, Policy(policy.name, policy.description, rule), runs, seed=seed)
        return Played(policy.name, policy.description, result.score, result.ending, requests)


@dataclass
class Played:
    """A plan's games: scores, endings, and how many withdrawal requests were made on each turn."""

    name: str
    description: str
    score: np.ndarray
    ending: np.ndarray
    requests: np.ndarray
    """requests[t]: games in which the withdrawal was requested on turn t."""


def _evaluator(setup: tuple[Scenario, tuple[str, ...]]) -> Evaluator:
    return Evaluator(*setup)


def _score(ev: Evaluator, task: tuple[np.ndarray, int, int]) -> float:
    return ev.mean_score(*task)


def _play(ev: Evaluator, task: tuple[str | np.ndarray, int, int]) -> Played:
    return ev.play(*task)


class Runner:
    """Scores plans in this process (`workers` 1) or on a pool of processes (game.analysis.pool), with the same
    results: a plan's score depends only on (θ, games, seed)."""

    def __init__(self, scenario: Scenario, workers: int, rules: tuple[str, ...] = WITHDRAW_RULES) -> None:
        self.pool: WorkerPool[tuple[Scenario, tuple[str, ...]], Evaluator] = WorkerPool(
            (scenario, rules), _evaluator, workers
        )
        self.local = self.pool.context
        self.workers = workers

    def scores(self, thetas: Sequence[np.ndarray], runs: int, seed: int) -> list[float]:
        """Mean score of each θ's plan, in order."""
        return self.pool.map(_score, [(t, runs, seed) for t in thetas])

    def plays(self, which: Sequence[str | np.ndarray], runs: int, seed: int) -> list[Played]:
        """Every game of each plan, in order."""
        return self.pool.map(_play, [(w, runs, seed) for w in which])

    def close(self) -> None:
        """Stop the worker processes."""
        self.pool.close()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


# --- the search ---------------------------------------------------------------------------------------------


@dataclass
class Generation:
    """One generation: the plan at the distribution's mean, the generation's average and its best."""

    index: int
    plans: int
    mean_plan: float
    average: float
    best: float


@dataclass
class Search:
    """What the cross-entropy search found on the search dice."""

    best_theta: np.ndarray
    best_score: float
    best_generation: int
    start_score: float
    """The plan at the starting distribution's mean (θ = 0)."""
    first_average: float
    """The average of the first generation (plans drawn from the starting distribution)."""
    evaluations: int
    generations: list[Generation] = field(default_factory=list)


def cross_entropy(
    score: Callable[[list[np.ndarray]], list[float]],
    size: int,
    budget: int,
    population: int,
    seed: int,
    seeds: Sequence[np.ndarray] = (),
    progress: Callable[[int], None] | None = None,
) -> Search:
    """Spend `budget` plan evaluations in generations of `population`; the best plan seen wins.

    The first generation holds the distribution's mean (θ = 0), then `seeds` (known plans, as θ), then draws.
    Each generation's best quarter pulls the mean and the spread towards itself, the better plans harder
    (logarithmic rank weights, as CMA-ES weighs its parents)."""
    mean, spread = np.zeros(size), np.ones(size)
    best_theta, best_score, best_generation = mean.copy(), -math.inf, 0
    start_score = first_average = math.nan
    generations: list[Generation] = []
    used, g = 0, 0
    while used < budget:
        n = min(population, budget - used)
        rng = stream(seed, g, "optimise")
        known = [np.asarray(t, dtype=float) for t in seeds][: max(0, n - 1)] if g == 0 else []
        thetas = [mean.copy(), *known]
        thetas += [mean + spread * rng.standard_normal(size) for _ in range(n - len(thetas))]
        scores = np.array(score(thetas))
        used += n
        if progress is not None:
            progress(n)
        if g == 0:
            start_score, first_average = float(scores[0]), float(scores.mean())
        top = int(np.argmax(scores))
        if scores[top] > best_score:
            best_theta, best_score, best_generation = thetas[top].copy(), float(scores[top]), g
        generations.append(Generation(g, n, float(scores[0]), float(scores.mean()), float(scores[top])))
        if n >= 4:
            mu = max(2, int(ELITE_SHARE * n))
            elite = np.array([thetas[i] for i in np.argsort(-scores, kind="stable")[:mu]])
            weights = np.log(mu + 0.5) - np.log(np.arange(1, mu + 1))
            weights /= weights.sum()
            centre = weights @ elite
            width = np.sqrt(weights @ (elite - centre) ** 2)
            mean = SMOOTHING * centre + (1 - SMOOTHING) * mean
            spread = np.maximum(MIN_SPREAD, SMOOTHING * width + (1 - SMOOTHING) * spread)
        g += 1
    return Search(best_theta, best_score, best_generation, start_score, first_average, used, generations)


# --- the comparison -----------------------------------------------------------------------------------------


@dataclass
class Scored:
    """One plan's games on the comparison's dice."""

    name: str
    description: str
    mean: float
    ci: tuple[float, float]
    endings: dict[str, float]


@dataclass
class Difference:
    """The plan found against another plan, game by game on the same dice."""

    other: str
    mean: float
    ci: tuple[float, float]
    wins: float
    """Share of games the plan found scored higher."""


@dataclass
class OptimiseReport:
    """Everything `salient optimise` found."""

    scenario_id: str
    title: str
    dimensions: int
    seed: int
    runs: int
    budget: int
    population: int
    workers: int
    warm: bool
    """The built-in policies were seeded into the first generation."""
    search: Search
    plan: Plan
    plan_lines: list[tuple[str, str]]
    fresh_seed: int
    check_runs: int
    scored: list[Scored]
    differences: list[Difference]
    withdrawal_turns: dict[int, float]
    """Share of games the plan requested the withdrawal on each turn (on the comparison's dice)."""
    orders: dict[int, Orders]
    """The plan as per-turn orders (see `plan_orders`)."""
    orders_note: str
    seconds: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)
    """The machine's one-minute load average at the start and at the end."""

    @property
    def best_builtin(self) -> Scored:
        """The built-in policy with the highest mean on the comparison's dice."""
        return max((s for s in self.scored if s.name in POLICIES), key=lambda s: s.mean)


def compare(played: list[Played]) -> tuple[list[Scored], list[Difference]]:
    """Each plan's distribution, and the first plan's paired differences against each of the others."""
    scored = []
    for r in played:
        mean, lo, hi = t_interval(r.score)
        endings = {name or "unfinished": float((r.ending == code).mean()) for code, name in enumerate(ENDINGS)}
        scored.append(Scored(r.name, r.description, mean, (lo, hi), {k: v for k, v in endings.items() if v}))
    ours = played[0].score
    differences = []
    for r in played[1:]:
        mean, lo, hi = t_interval(ours - r.score)
        differences.append(Difference(r.name, mean, (lo, hi), float((ours > r.score).mean())))
    return scored, differences


def plan_orders(plan: Plan, p: Params, st: State, requests: np.ndarray, runs: int) -> tuple[dict[int, Orders], str]:
    """The plan as fixed per-turn orders for `salient run --orders`, and a note of how faithful they are.

    Turn 1 gives every decision; turn 2 repeats them without postures (postures stand, and naming a sector
    lost by then would be refused) or reserve commitments; a withdrawal rule that reads the game's state cannot
    be written as fixed orders, so the file follows the typical game: when the rule fired in at least half the
    games, the withdrawal is requested on the median turn it fired on, else never."""
    first = plan.first_orders(p, st)
    later = first.model_copy(update={"postures": {}, "commit_reserves": {}})
    orders = {1: first, 2: later} if p.turns > 1 else {1: first}
    fired = int(requests.sum())
    shares = requests / max(runs, 1)
    if plan.withdrawal.never:
        return orders, "The plan never requests the withdrawal: these orders are the plan exactly."
    if plan.withdrawal.only_by_turn:
        turn = plan.withdrawal.turn
        note = f"The plan requests the withdrawal on turn {turn} whatever happens: these orders are the plan exactly."
    elif 2 * fired >= runs:
        turn = int(np.searchsorted(np.cumsum(requests), (fired + 1) // 2))
        note = (
            f"The plan's withdrawal rule reads the game as it goes; fixed orders cannot. They follow the typical "
            f"game: the rule fired in {fired / runs:.0%} of games, at the median on turn {turn} "
            f"({shares[turn]:.0%} of games on that very turn)."
        )
    else:
        note = (
            f"The plan's withdrawal rule reads the game as it goes; fixed orders cannot. It fired in only "
            f"{fired / runs:.0%} of games, so these orders, like the typical game, never request it."
        )
        return orders, note
    assert turn is not None
    if turn == 1:
        orders[1] = first.model_copy(update={"withdraw": True})
    else:  # the turns after repeat these orders without the request (as standing orders do)
        orders[turn] = later.model_copy(update={"withdraw": True})
    return dict(sorted(orders.items())), note


def optimise(
    scenario: Scenario,
    budget: int = 200,
    runs: int = 400,
    seed: int = 0,
    workers: int = 1,
    population: int = 20,
    check_runs: int = 2000,
    warm: bool = True,
    progress: Callable[[str, int], None] | None = None,
) -> OptimiseReport:
    """Search the plan space, re-score the best on fresh dice beside every built-in plan, and report."""
    started, load0 = time.monotonic(), _load()
    with Runner(scenario, workers) as runner:
        local = runner.local
        space = local.space
        step = (lambda n: progress("searching", n * runs)) if progress else None
        seeds = (
            [space.encode(plan_of_policy(policy, local.params, local.start)) for policy in POLICIES.values()]
            if warm
            else []
        )
        search = cross_entropy(
            lambda thetas: runner.scores(thetas, runs, seed),
            space.size,
            budget,
            max(1, min(population, budget)),
            seed,
            seeds=seeds,
            progress=step,
        )
        which: list[str | np.ndarray] = [search.best_theta, *POLICIES]
        if local.expert is not None:
            which.append(EXPERT)
        fresh = seed + FRESH_SEED_OFFSET
        played = runner.plays(which, check_runs, fresh)
        if progress is not None:
            progress("comparing", len(which) * check_runs)
    plan = space.decode(search.best_theta)
    scored, differences = compare(played)
    requests = played[0].requests
    orders, note = plan_orders(plan, local.params, local.start, requests, check_runs)
    return OptimiseReport(
        scenario_id=scenario.meta.id,
        title=scenario.meta.title,
        dimensions=space.size,
        seed=seed,
        runs=runs,
        budget=budget,
        population=max(1, min(population, budget)),
        workers=workers,
        warm=warm,
        search=search,
        plan=plan,
        plan_lines=plan.describe(local.params),
        fresh_seed=fresh,
        check_runs=check_runs,
        scored=scored,
        differences=differences,
        withdrawal_turns={t: float(n / check_runs) for t, n in enumerate(requests) if n},
        orders=orders,
        orders_note=note,
        seconds=time.monotonic() - started,
        load=(load0, _load()),
    )


def default_workers() -> int:
    """Every core this process may use."""
    return available_cores()


def _load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return math.nan
