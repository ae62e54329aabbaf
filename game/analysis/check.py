"""The scenario checker: play a scenario many times under every standing policy and say what a designer must know.

Orders files (a trainee's plan, see `orders_plan`) play beside the policies on the same dice and are reported,
compared and warned about exactly like them, each under its file's name.

What it reports, and why each matters to an instructor:
- endings and scores per policy — the shape of the game a trainee will face;
- how often each inject fires — an inject that never fires teaches nothing;
- reachability — an ending or objective no policy ever reaches may be a mistake in the file (with a hint
  when the file itself makes it impossible, such as a withdrawal longer than the game);
- balance — one fixed policy (or orders file) that beats every other in nearly every game is a recipe, not a
  decision;
- luck against decisions — when the policy explains little of the spread of scores, the dice decide;
- the scenario's own statistical assertions, each tested with a confidence interval; a failure makes
  `salient check` exit 1;
- drill keys against the model — an answer key that ranks an option above one the model rates better, or
  whose estimate is far from what the model finds, would teach a wrong lesson.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from game.engine.params import ENDINGS
from game.engine.policies import POLICIES, Policy
from game.scenario import Scenario
from game.scenario.assertions import PROPORTIONS, StatAssertion

from .drill_check import check_drill
from .exploit import ExploitResult
from .orders_plan import OrdersPlan
from .parallel import ChunkPool, Setup, chunk_sizes
from .runs import ChunkTask, tally_chunk
from .stats import eta_squared, t_interval, wilson
from .tally import Tally, by_turn

DOMINANCE_WIN_RATE = 0.9
"""A policy dominates when it scores higher than each other policy in at least this share of paired games."""
LUCK_ETA_SQUARED = 0.1
"""Below this share of score variance explained by the policy, luck swamps decisions."""
REAL_ENDINGS = tuple(e for e in ENDINGS if e is not None)
CHUNK = 10_000
"""Games played at once: memory is bounded by a chunk, and chunks are what the workers share out."""


@dataclass
class PolicySummary:
    """One policy's (or orders file's) distribution of outcomes."""

    policy: str
    """The policy's name, or the orders file's label (its stem, made unique)."""
    description: str
    runs: int
    endings: dict[str, float]
    """Share of games per ending ('unfinished' when the horizon came first)."""
    score_mean: float
    score_sd: float
    score_ci: tuple[float, float]
    score_p5: float
    score_p50: float
    score_p95: float
    turns_mean: float
    objectives: dict[str, float]
    """Share of games in which each objective was met."""
    orders_file: str | None = None
    """The orders file played, when this row is not a built-in policy."""


@dataclass
class AssertionResult:
    """One scenario assertion, tested."""

    label: str
    policy: str
    metric: str
    between: tuple[float, float]
    value: float
    ci: tuple[float, float]
    confidence: float
    status: str
    """'pass', 'fail' (the whole interval lies outside `between`), 'inconclusive' (it straddles a bound), or
    'error' (the assertion cannot be tested: an unknown policy)."""
    note: str = ""


@dataclass
class CheckReport:
    """Everything `salient check` found."""

    scenario_id: str
    title: str
    runs: int
    seed: int
    turns: int
    policies: list[PolicySummary]
    injects: dict[str, dict[str, float]]
    """inject id -> policy -> share of games in which it fired."""
    wins: dict[str, dict[str, float]]
    """policy (or orders file) A -> B -> share of paired games in which A scored higher than B."""
    eta_squared: float | None
    within_sd: float
    between_sd: float
    assertions: list[AssertionResult]
    inactive_injects: list[str] = field(default_factory=list)
    """Injects that never fire on their own (`active: false`: an umpire's to fire)."""
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    exploit: ExploitResult | None = None
    """The exploit guard's finding (`check --strict` on a scenario with `exploit_guard`), else None."""

    @property
    def failed(self) -> bool:
        """True when an assertion failed or could not be tested."""
        return any(a.status in {"fail", "error"} for a in self.assertions)


def check_scenario(
    scenario: Scenario,
    runs: int = 1000,
    seed: int = 0,
    turns: int | None = None,
    policies: Sequence[str] | None = None,
    plans: Sequence[OrdersPlan] = (),
    progress: Callable[[str, int], None] | None = None,
    workers: int = 1,
    chunk: int = CHUNK,
) -> CheckReport:
    """Play every (or the named) standing policy and every orders plan `runs` times and analyse the results.

    The games are played `chunk` at a time on `workers` processes (game.analysis.parallel); the report is the
    same whatever the number of workers."""
    chosen = {name: POLICIES[name] for name in (policies or POLICIES)}
    files = {plan.label: plan.path for plan in plans}
    chosen.update({plan.label: plan.policy() for plan in plans})
    horizon = turns if turns is not None else scenario.meta.turns
    tasks = [ChunkTask(name, k, n, horizon, seed) for name in chosen for k, n in chunk_sizes(runs, chunk)]
    told = (lambda task, tally: progress(task.policy, tally.replication_turns)) if progress else None
    with ChunkPool(Setup(scenario, tuple(files.items())), workers) as pool:
        tallies = pool.map(tally_chunk, tasks, done=told)
        results = {
            name: Tally.join([t for task, t in zip(tasks, tallies, strict=True) if task.policy == name])
            for name in chosen
        }
        report = _report(scenario, runs, seed, horizon, chosen, files, results)
        for plan in plans:
            if plan.last_turn > horizon:
                report.notes.append(
                    f"orders file '{plan.label}' gives orders up to turn {plan.last_turn}; only "
                    f"{horizon} turns are played"
                )
        _reachability(scenario, report, results, horizon)
        _balance(report)
        _luck(report)
        if turns is None:  # drills are played to the end of the game
            _drill_keys(scenario, report, runs, seed, pool, chunk)
    return report


def _report(
    scenario: Scenario,
    runs: int,
    seed: int,
    horizon: int,
    chosen: dict[str, Policy],
    files: dict[str, str],
    results: dict[str, Tally],
) -> CheckReport:
    """The figures: per policy, injects, head to head, luck, assertions."""
    summaries = [_summary(chosen[n], r, files.get(n)) for n, r in results.items()]
    wins = {a: {b: float((results[a].score > results[b].score).mean()) for b in results if b != a} for a in results}
    scores = [r.score for r in results.values()]
    means = np.array([s.mean() for s in scores])
    report = CheckReport(
        scenario_id=scenario.meta.id,
        title=scenario.meta.title,
        runs=runs,
        seed=seed,
        turns=horizon,
        policies=summaries,
        injects={
            inj.id: {n: r.share(int(by_turn(r.inject_first[i], None))) for n, r in results.items()}
            for i, inj in enumerate(scenario.injects)
        },
        wins=wins,
        eta_squared=eta_squared(scores),
        within_sd=float(np.sqrt(np.mean([s.var(ddof=1) if s.size > 1 else 0.0 for s in scores]))),
        between_sd=float(means.std(ddof=1)) if means.size > 1 else 0.0,
        assertions=[_assert(a, results, scenario) for a in scenario.assertions],
        inactive_injects=[inj.id for inj in scenario.injects if not inj.active],
    )
    return report


def _drill_keys(scenario: Scenario, report: CheckReport, runs: int, seed: int, pool: ChunkPool, chunk: int) -> None:
    """Hold every drill's answer key against the model: from where the drill is put in games of the best
    built-in plan, its options are played to the end on the same dice (game.analysis.drill_check). A key that
    ranks an option above one the model rates clearly better, or whose estimate is far from the model's
    frequency, teaches a wrong lesson and is reported."""
    builtin = [s for s in report.policies if s.policy in POLICIES]
    if not builtin:
        return
    lead = POLICIES[max(builtin, key=lambda s: s.score_mean).policy]
    for drill in scenario.drills:
        key = next((e for e in scenario.expert if e.drill == drill.id), None)
        if key is None or not key.ranking or any(o.policy is None for o in drill.options):
            continue
        check = check_drill(scenario, drill, lead, runs=runs, seed=seed, pool=pool, chunk=chunk)
        if check.put_share == 0:
            report.notes.append(f"drill '{drill.id}' was never put in {runs} games of {lead.name}")
            continue
        model = check.ranking()
        report.notes.append(
            f"drill '{drill.id}' (put in {check.put_share:.0%} of games of {lead.name}): the model "
            f"ranks {', '.join(model)}; the key ranks {', '.join(key.ranking)}"
        )
        for better, worse in itertools.pairwise(key.ranking):
            mean, low, high = check.difference(better, worse)
            if high < 0:
                report.warnings.append(
                    f"drill key '{drill.id}': the key ranks {better} above {worse}, but the model scores it "
                    f"{-mean:,.0f} points lower (95% CI {-high:,.0f} to {-low:,.0f}) from where the drill is put"
                )
        if key.estimate is not None and drill.estimate is not None:
            first = check.options[key.ranking[0]]
            low, high = wilson(first.events, first.games)
            if not low - 0.1 <= key.estimate <= high + 0.1:
                report.warnings.append(
                    f"drill key '{drill.id}': the expert's estimate {key.estimate:.0%} is far from the model's "
                    f"{check.event_rate(first.option):.0%} (95% CI {low:.0%} to {high:.0%}) for '{drill.estimate.text}'"
                )


def _summary(policy: Policy, r: Tally, orders_file: str | None) -> PolicySummary:
    endings: dict[str, float] = {}
    for code, name in enumerate(ENDINGS):
        share = r.ending_share(code)
        if share:
            endings[name or "unfinished"] = share
    mean, lo, hi = t_interval(r.score)
    p5, p50, p95 = (float(x) for x in np.percentile(r.score, (5, 50, 95)))
    return PolicySummary(
        policy=policy.name,
        description=policy.description,
        runs=r.replications,
        endings=endings,
        score_mean=mean,
        score_sd=float(r.score.std(ddof=1)) if r.replications > 1 else 0.0,
        score_ci=(lo, hi),
        score_p5=p5,
        score_p50=p50,
        score_p95=p95,
        turns_mean=r.turns_played / r.replications,
        objectives={k: r.share(v) for k, v in r.objectives.items()},
        orders_file=orders_file,
    )


def _reachability(scenario: Scenario, report: CheckReport, results: dict[str, Tally], horizon: int) -> None:
    reached = {name: any(s.endings.get(name, 0) > 0 for s in report.policies) for name in REAL_ENDINGS}
    for name, ok in reached.items():
        if not ok:
            hint = _ending_hint(scenario, name, horizon)
            report.warnings.append(f"ending '{name}' is never reached by any policy" + (f": {hint}" if hint else ""))
    for obj in scenario.scoring.objectives:
        if not any(s.objectives.get(obj.id, 0) > 0 for s in report.policies):
            report.warnings.append(f"objective '{obj.id}' ({obj.title}) is never met by any policy")
    for inj in scenario.injects:
        if inj.active and not any(v > 0 for v in report.injects[inj.id].values()):
            report.notes.append(
                f"inject '{inj.id}' never fired under any policy (its trigger may be impossible within {horizon} turns)"
            )


def _ending_hint(scenario: Scenario, ending: str, horizon: int) -> str:
    """Why the file itself may rule an ending out (empty when nothing obvious does)."""
    turns = scenario.meta.turns
    if ending == "time" and horizon < turns:
        return f"the check stops after {horizon} turns, before the game's {turns} run out"
    if ending == "withdrawn" and scenario.endings.withdrawal_turns >= min(turns, horizon):
        return f"a withdrawal takes {scenario.endings.withdrawal_turns} turns and the game has {min(turns, horizon)}"
    if ending == "encircled" and scenario.supply.encirclement_clock_turns >= min(turns, horizon):
        return (
            f"the encirclement clock ({scenario.supply.encirclement_clock_turns} turns) is not shorter than the "
            f"game ({min(turns, horizon)} turns)"
        )
    if ending == "bridgehead_fell" and scenario.endings.bridgehead_falls_below_sq_mi <= 0:
        return "endings.bridgehead_falls_below_sq_mi is 0, so it falls only when every sector is lost"
    return ""


def _balance(report: CheckReport) -> None:
    if len(report.wins) < 2:
        return
    files = {s.policy for s in report.policies if s.orders_file is not None}
    others = "every other policy and orders file" if files else "every other policy"
    for a, row in report.wins.items():
        if all(rate >= DOMINANCE_WIN_RATE for rate in row.values()):
            worst = min(row.values())
            how = "every game" if worst >= 1.0 else f"at least {min(worst, 0.99):.0%} of games"
            what = "orders file" if a in files else "policy"
            report.warnings.append(
                f"balance: {what} '{a}' dominates — it scores higher than {others} in {how} played on "
                "the same dice; a trainee who finds it needs no judgement"
            )


def _luck(report: CheckReport) -> None:
    eta = report.eta_squared
    if eta is None:
        if len(report.policies) > 1:
            report.notes.append("every game scored the same: there is no spread to explain")
        return
    report.notes.append(
        f"the policy explains {eta:.0%} of the spread of scores (between-policy sd {report.between_sd:.1f}, "
        f"within-policy sd {report.within_sd:.1f})"
    )
    if eta < LUCK_ETA_SQUARED:
        report.warnings.append(
            f"luck swamps decisions: the choice of policy explains only {eta:.0%} of the spread of scores; "
            "the dice matter more than the plan"
        )


def assertion_estimate(a: StatAssertion, r: Tally, scenario: Scenario) -> tuple[float, tuple[float, float]]:
    """An assertion's metric over the games and its confidence interval (Wilson for shares, t for means)."""
    turn = a.turn
    target = a.target or ""  # set for the metrics that name a sector, an inject or an objective (StatAssertion)
    if a.metric in PROPORTIONS:
        if a.metric == "ending_share":
            hits = int(r.endings[ENDINGS.index(a.ending)])
        elif a.metric == "road_cut_by_turn":
            hits = int(by_turn(r.first_cut, turn))
        elif a.metric == "sector_lost_by_turn":
            hits = int(by_turn(r.sector_fell[[x.id for x in scenario.map.sectors].index(target)], turn))
        elif a.metric == "inject_fired":
            hits = int(by_turn(r.inject_first[[x.id for x in scenario.injects].index(target)], turn))
        else:  # objective_met
            hits = r.objectives[target]
        return r.share(hits), wilson(hits, r.replications, a.confidence)
    if a.metric == "mean_score":
        value, low, high = t_interval(r.score, a.confidence)
    else:
        series = r.area if a.metric == "area_held" else r.own_losses
        last = series.mean.size - 1
        value, low, high = series.interval(last if turn is None else min(turn, last), a.confidence)
    return value, (low, high)


def _assert(a: StatAssertion, results: dict[str, Tally], scenario: Scenario) -> AssertionResult:
    lo, hi = a.between

    def result(value: float, ci: tuple[float, float], status: str, note: str = a.note) -> AssertionResult:
        return AssertionResult(
            label=a.label(),
            policy=a.policy,
            metric=a.metric,
            between=(lo, hi),
            value=value,
            ci=ci,
            confidence=a.confidence,
            status=status,
            note=note,
        )

    r = results.get(a.policy)
    if r is None:
        known = ", ".join(sorted(POLICIES))
        why = "is not a built-in policy" if a.policy not in POLICIES else "was not played (see --policy)"
        return result(
            float("nan"), (float("nan"), float("nan")), "error", f"policy '{a.policy}' {why} (policies: {known})"
        )
    value, ci = assertion_estimate(a, r, scenario)
    if ci[1] < lo or ci[0] > hi:
        status = "fail"
    elif lo <= ci[0] and ci[1] <= hi:
        status = "pass"
    else:
        status = "inconclusive"
    return result(value, ci, status)
