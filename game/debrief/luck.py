"""Luck against judgement: was the outcome of each decision the dice, or the choice?

For each turn t the trainee decided, the true state before turn t is replicated R times and advanced
`horizon` turns under the trainee's orders and under each alternative (every standing policy, the
engine's default orders, and an expert's orders when given), all on the forecast's random streams, so
replication i of every case faces the same dice (common random numbers; see game/record/README.md).

Outcome measure: the change in score over the horizon, with the scenario's own weights (ground held,
own and enemy casualties, encirclement, objectives as they stand), so the debrief judges a decision by
the yardstick the trainee was given. Own losses and ground lost are kept alongside for explanation.

- Luck: the percentile of the actual outcome within the trainee's own distribution (its rank among the
  R + 1 values, ties split by a uniform drawn from the game's seed). The game's own dice come from another
  stream, so under neutral luck the percentile is exactly uniform on (0, 1). A turn at or above the 80%
  point is marked lucky, at or below the 20% point unlucky. The game's luck is read off those same marks
  (see `game_luck`), so the verdict can never call a game unlucky that shows no more unlucky turns than lucky.
- Judgement: paired differences trainee − alternative over the same dice. A difference counts when its
  95% interval excludes zero (|z| > 1.96) *and* it is at least a tenth of the natural spread (the standard
  deviation of the trainee's outcomes): with common random numbers tiny differences are otherwise
  "significant" without mattering.

With horizon 1 (the default) each decision is judged on its own turn, from the situation the trainee
actually faced. Longer horizons replay the trainee's recorded orders for the following turns (policies
re-decide each turn), which values investments (digging in, stocks) but blurs one decision into several.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from game.engine.directives import Directives, compile_orders
from game.engine.orders import Orders
from game.engine.params import ENEMY, PLAYER
from game.engine.scoring import score_arrays
from game.engine.state import State
from game.engine.step import Model, advance

if TYPE_CHECKING:
    from game.engine.game import Game
    from game.record.format import TurnRecord
    from game.record.journal import LoadedJournal

Progress = Callable[[int, int], None]
"""progress(done, total): called after each decision × case."""

MEASURE = (
    "change in score over the horizon, with the scenario's weights (ground held, own and enemy "
    "casualties, encirclement, objectives as they stand); higher is better"
)
Z_95 = 1.959963984540054
MIN_EFFECT = 0.1
"""Smallest difference that counts, as a share of the trainee's outcome standard deviation."""
LUCKY, UNLUCKY = 0.8, 0.2
"""Percentiles at or beyond which a turn (or the game) counts as lucky or unlucky."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CaseStats(_Model):
    """The distribution of one course of action's outcome at one decision."""

    case: str
    label: str
    mean: float
    sd: float
    p5: float
    p50: float
    p95: float
    own_losses: float
    """Mean own casualties over the horizon."""
    area_lost: float
    """Mean square miles lost over the horizon."""
    enemy_losses: float


class Comparison(_Model):
    """The trainee's choice against one alternative, on the same dice."""

    case: str
    label: str
    difference: float
    """Mean of trainee − alternative (score points; positive: the trainee's choice was better)."""
    se: float
    z: float
    p_trainee_better: float
    """Share of replications in which the trainee's choice did strictly better."""
    verdict: Literal["better", "worse", "no different"]


class DecisionLuck(_Model):
    """Luck and judgement at one decision."""

    turn: int
    actual: float
    actual_own_losses: float
    actual_area_lost: float
    percentile: float
    luck: Literal["lucky", "unlucky", "as expected"]
    trainee: CaseStats
    alternatives: list[CaseStats]
    comparisons: list[Comparison]
    judgement: Literal["better", "on a par", "worse"]
    judgement_text: str
    histogram: list[int]
    bin_edges: list[float]
    notes: list[str] = []


class LuckReport(_Model):
    """Luck against judgement for a whole game."""

    replications: int
    horizon: int
    measure: str
    cases: dict[str, str]
    """Case id → label, the trainee first."""
    decisions: list[DecisionLuck]
    luck_total: float
    """Sum over decisions of (actual − expected) outcome."""
    lucky_turns: int = 0
    """Decisions marked lucky (their outcome at or above the LUCKY point of the trainee's distribution)."""
    unlucky_turns: int = 0
    """Decisions marked unlucky (at or below the UNLUCKY point)."""
    luck_percentile: float
    """Where the game's lucky-minus-unlucky count falls among what chance alone gives (normal approximation)."""
    luck: Literal["lucky", "unlucky", "ordinary"]
    judgement_total: float
    """Sum over decisions of the trainee's expected outcome minus the alternatives' average."""
    judgement_z: float
    judgement: Literal["good", "on a par", "poor"]
    verdict: str
    """For example: good judgement but unlucky."""


# --- snapshots of the game, taken while replaying ---------------------------------------------


@dataclass
class Snapshot:
    """What the analysis needs of the moment before a decision."""

    turn: int
    state: State
    model: Model
    """The engine model in force (an umpire's rate change replaces it mid-game)."""
    orders: dict[str, Orders]
    """Orders of the cases that are given as Orders (trainee, default, expert) at this turn."""
    notes: list[str] = field(default_factory=list)


def score_total(model: Model, st: State) -> np.ndarray:
    """(R,) score of each replication, each with the parameters of its own fired injects."""
    out = np.empty(st.R)
    for params, rows in model.variants(st):
        total = score_arrays(params, st if rows is None else st.take(rows))[1]
        if rows is None:
            out[:] = total
        else:
            out[rows] = total
    return out


def collect(
    loaded: LoadedJournal, expert: Mapping[int, Orders] | None = None
) -> tuple[Game, list[Snapshot], list[tuple[State, Model]]]:
    """Replay the journal, keeping the state (and model) before each turn, and at the end."""
    from game.record.replay import replay_world

    snaps: list[Snapshot] = []
    states: list[tuple[State, Model]] = []
    put = loaded.drills_put()  # the turns this game's drills were put at: their expert lines apply there

    def before(game: Game, record: TurnRecord) -> None:
        orders = {"trainee": record.orders, "default": game.default_orders()}
        notes = []
        wanted = expert.get(record.turn) if expert is not None else scenario_expert(game, record.turn, put)
        if wanted is not None:
            problems = game.check(wanted)
            if problems:
                notes.append(f"the expert's orders for turn {record.turn} do not fit this game: {'; '.join(problems)}")
            else:
                orders["expert"] = wanted
        state = game.state.copy()
        snaps.append(Snapshot(record.turn, state, game.model, orders, notes))
        states.append((state, game.model))

    game = replay_world(loaded, before_turn=before)
    states.append((game.state.copy(), game.model))
    return game, snaps, states


def scenario_expert(game: Game, turn: int, put: Mapping[str, int] | None = None) -> Orders | None:
    """The scenario's expert solution for this turn as orders (its own orders, or a policy's), if it has one.

    A line that answers a drill applies at the turn the drill was put in this game (`put`: drill id → turn,
    from the journal's drill records), or at the drill's set turn."""
    from game.scenario.drills import expert_for_turn

    solution = expert_for_turn(game.scenario, turn, put)
    if solution is None:
        return None
    from game.engine.orders import OrdersError
    from game.engine.policies import scripted_orders

    try:
        return scripted_orders(game, solution.orders, solution.policy)
    except OrdersError:
        return None  # an expert naming an unknown policy offers no alternative


def has_expert(loaded: LoadedJournal, expert: Mapping[int, Orders] | None = None) -> bool:
    """Whether the analysis will have an expert case (from a file, or the scenario's solutions with orders)."""
    if expert:
        return True
    return any(e.orders is not None or e.policy is not None for e in loaded.scenario.expert)


# --- the replications ---------------------------------------------------------------------------


CaseRule = Callable[[Model, State, int], Directives]
"""Directives of a case for the state `st` at the k-th turn of the horizon."""


def _orders_rule(orders_by_turn: Callable[[int], Orders | None], fallback: Orders) -> CaseRule:
    def rule(model: Model, st: State, k: int) -> Directives:
        params = model.variants(st)[0][0]
        return compile_orders(params, orders_by_turn(st.turn) or fallback)

    return rule


def _policy_rule(name: str) -> CaseRule:
    from game.engine.policies import POLICIES

    policy = POLICIES[name]

    def rule(model: Model, st: State, k: int) -> Directives:
        return policy.directives(model.variants(st)[0][0], st)

    return rule


@dataclass
class _Run:
    outcome: np.ndarray
    own: np.ndarray
    enemy: np.ndarray
    area_lost: np.ndarray


def replicate(model: Model, start: State, rule: CaseRule, seed: int, replications: int, horizon: int) -> _Run:
    """R replications of `horizon` turns from `start` on the forecast's streams."""
    st = start.broadcast(replications)
    before = score_total(model, st)
    area0 = st.area_held(model.variants(st)[0][0])
    own = np.zeros(replications)
    enemy = np.zeros(replications)
    for k in range(horizon):
        if st.ended.all():
            break
        st, out, _ = advance(model, st, rule(model, st, k), seed, purpose="forecast", inject_purpose="forecast.injects")
        own += out.losses[:, PLAYER].sum(axis=1)
        enemy += out.losses[:, ENEMY].sum(axis=1)
    area_lost = area0 - st.area_held(model.variants(st)[0][0])
    return _Run(score_total(model, st) - before, own, enemy, area_lost)


def _stats(case: str, label: str, run: _Run) -> CaseStats:
    p5, p50, p95 = np.percentile(run.outcome, (5.0, 50.0, 95.0))
    return CaseStats(
        case=case,
        label=label,
        mean=float(run.outcome.mean()),
        sd=float(run.outcome.std()),
        p5=float(p5),
        p50=float(p50),
        p95=float(p95),
        own_losses=float(run.own.mean()),
        area_lost=float(run.area_lost.mean()),
        enemy_losses=float(run.enemy.mean()),
    )


def percentile_of(values: np.ndarray, x: float, u: float) -> float:
    """Where x falls among the replications, as a share in (0, 1): (below + u·(ties + 1)) / (R + 1).

    x is one more draw from the same distribution when luck is neutral, so its rank among the R + 1
    values is uniform; `u` (a uniform draw) spreads ties and the rank's steps, which makes the percentile
    exactly uniform on (0, 1) even when quiet turns tie often. Without ties it differs from the plain
    share below x by less than 1/R.
    """
    below = float(np.count_nonzero(values < x))
    ties = float(np.count_nonzero(values == x))
    return (below + u * (ties + 1.0)) / (len(values) + 1.0)


def tie_uniform(seed: int, turn: int) -> float:
    """The uniform that splits ties at one decision: from the game's seed, so the debrief is reproducible."""
    from game.engine.rng import stream

    return float(stream(seed, turn, "debrief.percentile").random())


def significant(mean: float, se: float, scale: float) -> bool:
    """The module's rule: 95% interval excludes zero, and the size is at least MIN_EFFECT × scale."""
    if abs(mean) < MIN_EFFECT * scale or mean == 0.0:
        return False
    return se == 0.0 or abs(mean / se) > Z_95


def compare(case: str, label: str, mine: np.ndarray, theirs: np.ndarray, scale: float) -> Comparison:
    """Paired comparison of two cases on the same dice."""
    d = mine - theirs
    mean = float(d.mean())
    se = float(d.std(ddof=1) / math.sqrt(len(d))) if len(d) > 1 else 0.0
    z = mean / se if se > 0 else (0.0 if mean == 0 else math.copysign(math.inf, mean))
    verdict: Literal["better", "worse", "no different"] = "no different"
    if significant(mean, se, scale):
        verdict = "better" if mean > 0 else "worse"
    return Comparison(
        case=case,
        label=label,
        difference=mean,
        se=se,
        z=z if math.isfinite(z) else math.copysign(1e9, z),
        p_trainee_better=float(np.mean(d > 0)),
        verdict=verdict,
    )


def _judge(comparisons: Sequence[Comparison]) -> tuple[Literal["better", "on a par", "worse"], str]:
    worse = [c for c in comparisons if c.verdict == "worse"]
    if worse:
        best = min(worse, key=lambda c: c.difference)
        return "worse", f"{best.label} was expected to do {-best.difference:.1f} points better on the same dice"
    if comparisons and all(c.verdict == "better" for c in comparisons):
        least = min(comparisons, key=lambda c: c.difference)
        return (
            "better",
            f"better than every alternative (by at least {least.difference:.1f} points, over {least.label})",
        )
    return "on a par", "no alternative was clearly better on the same dice"


def _luck_word(p: float) -> Literal["lucky", "unlucky", "as expected"]:
    return "lucky" if p >= LUCKY else "unlucky" if p <= UNLUCKY else "as expected"


# --- the analysis ---------------------------------------------------------------------------------


POLICY_LABELS = {
    "hold": "hold everywhere",
    "delay_withdraw": "delay, then withdraw early",
    "hold_sudzha_road": "fortify the town, screen the road",
    "hold_then_withdraw": "hold, then withdraw when supply fails",
}
"""Short plain names of the standing policies: a debrief names an alternative by what it does, in any scenario."""


def policy_label(name: str) -> str:
    """How the debrief names a standing policy: 'the “hold everywhere” policy'."""
    return f"the “{POLICY_LABELS.get(name, name.replace('_', ' '))}” policy"


def case_labels(
    policies: Sequence[str] | None = None, include_default: bool = True, expert: bool = False
) -> dict[str, str]:
    """Case id → label of the analysis: the trainee, each policy, the default orders, the expert."""
    from game.engine.policies import POLICIES

    names = list(POLICIES) if policies is None else list(policies)
    cases: dict[str, str] = {"trainee": "your orders"}
    cases.update({f"policy:{n}": policy_label(n) for n in names})
    if include_default:
        cases["default"] = "the default orders"
    if expert:
        cases["expert"] = "the expert's orders"
    return cases


def case_ids(expert: bool = False) -> list[str]:
    """The ids of the default analysis's cases (with the expert's when there is one; see `has_expert`)."""
    return list(case_labels(expert=expert))


def analyse(
    loaded: LoadedJournal,
    *,
    replications: int = 1000,
    horizon: int = 1,
    policies: Sequence[str] | None = None,
    include_default: bool = True,
    expert: Mapping[int, Orders] | None = None,
    progress: Progress | None = None,
) -> LuckReport:
    """Luck against judgement for every decision of the journal's whole turns."""
    if replications < 2 or horizon < 1:
        raise ValueError("need at least 2 replications and a horizon of 1 turn")
    game, snaps, states = collect(loaded, expert)
    seed = game.dice
    cases = case_labels(policies, include_default, has_expert(loaded, expert))
    recorded = {t.turn: t.orders for t in loaded.turns}
    total = len(snaps) * len(cases)
    done = 0
    decisions: list[DecisionLuck] = []
    benchmarks: list[np.ndarray] = []
    for i, snap in enumerate(snaps):
        runs: dict[str, _Run] = {}
        for case in cases:
            rule: CaseRule | None
            if case.startswith("policy:"):
                rule = _policy_rule(case.split(":", 1)[1])
            elif case == "trainee":
                rule = _orders_rule(recorded.get, snap.orders["trainee"])
            elif case in snap.orders:
                fixed = snap.orders[case]
                rule = _orders_rule(lambda turn: None, fixed)  # the same orders stand for the whole horizon
            else:
                rule = None  # no such orders at this turn (an expert line for some turns only): nothing to run
            if rule is not None:
                runs[case] = replicate(snap.model, snap.state, rule, seed, replications, horizon)
            done += 1
            if progress is not None:  # after every case, skipped or not, so the last call is (total, total)
                progress(done, total)
        end, end_model = states[min(i + horizon, len(states) - 1)]
        actual = float(score_total(end_model, end)[0] - score_total(snap.model, snap.state)[0])
        own_actual = float(
            sum(
                r.losses[loaded.scenario.meta.player_side].total
                for r in (t.report for t in loaded.turns[i : i + horizon])
            )
        )
        area_actual = float(
            snap.state.area_held(snap.model.variants(snap.state)[0][0])[0]
            - end.area_held(end_model.variants(end)[0][0])[0]
        )
        mine = runs["trainee"]
        stats = _stats("trainee", cases["trainee"], mine)
        scale = stats.sd
        others = [_stats(c, cases[c], r) for c, r in runs.items() if c != "trainee"]
        comps = [compare(c, cases[c], mine.outcome, r.outcome, scale) for c, r in runs.items() if c != "trainee"]
        judgement, text = _judge(comps)
        pct = percentile_of(mine.outcome, actual, tie_uniform(seed, snap.turn))
        counts, edges = np.histogram(mine.outcome, bins=20)
        decisions.append(
            DecisionLuck(
                turn=snap.turn,
                actual=actual,
                actual_own_losses=own_actual,
                actual_area_lost=area_actual,
                percentile=pct,
                luck=_luck_word(pct),
                trainee=stats,
                alternatives=others,
                comparisons=comps,
                judgement=judgement,
                judgement_text=text,
                histogram=[int(c) for c in counts],
                bin_edges=[float(e) for e in edges],
                notes=snap.notes,
            )
        )
        runs_alt = [r.outcome for c, r in runs.items() if c != "trainee"]
        benchmarks.append(mine.outcome - np.mean(runs_alt, axis=0) if runs_alt else np.zeros(replications))
    return _summarise(replications, horizon, cases, decisions, benchmarks)


def _summarise(
    replications: int, horizon: int, cases: dict[str, str], decisions: list[DecisionLuck], diffs: list[np.ndarray]
) -> LuckReport:
    """Game-level luck (from the turns' marks) and judgement (trainee − the alternatives' average, summed)."""
    luck_total = sum(d.actual - d.trainee.mean for d in decisions)
    luck_sd = math.sqrt(sum(d.trainee.sd**2 for d in decisions))
    lucky, unlucky, luck_pct, luck = game_luck([d.luck for d in decisions])
    j_total = float(sum(float(d.mean()) for d in diffs))
    j_se = math.sqrt(sum(float(d.var(ddof=1)) / len(d) for d in diffs)) if diffs else 0.0
    j_z = j_total / j_se if j_se > 0 else 0.0
    judgement: Literal["good", "on a par", "poor"] = "on a par"
    if len(cases) > 1 and significant(j_total, j_se, luck_sd):
        judgement = "good" if j_total > 0 else "poor"
    return LuckReport(
        replications=replications,
        horizon=horizon,
        measure=MEASURE,
        cases=cases,
        decisions=decisions,
        luck_total=luck_total,
        lucky_turns=lucky,
        unlucky_turns=unlucky,
        luck_percentile=luck_pct,
        luck=luck,
        judgement_total=j_total,
        judgement_z=max(-1e9, min(1e9, j_z)),
        judgement=judgement,
        verdict=verdict_text(judgement, luck, lucky, unlucky),
    )


MARK_VARIANCE = (1.0 - LUCKY) + UNLUCKY
"""Variance of one turn's mark (+1 lucky, −1 unlucky, 0 otherwise) under neutral luck: its percentile is uniform."""


def game_luck(marks: Sequence[str]) -> tuple[int, int, float, Literal["lucky", "unlucky", "ordinary"]]:
    """(lucky turns, unlucky turns, percentile, word) of a game, from its turns' marks alone.

    Under neutral luck each turn is lucky with probability 1 − LUCKY and unlucky with probability UNLUCKY,
    so lucky − unlucky has mean 0 and variance MARK_VARIANCE per turn; the game is lucky (unlucky) when that
    difference sits at or beyond the LUCKY (UNLUCKY) point of its normal approximation. A lucky game
    therefore always has more lucky turns than unlucky ones, and the other way round.
    """
    lucky, unlucky = sum(m == "lucky" for m in marks), sum(m == "unlucky" for m in marks)
    spread = math.sqrt(MARK_VARIANCE * len(marks))
    pct = NormalDist().cdf((lucky - unlucky) / spread) if spread > 0 else 0.5
    word: Literal["lucky", "unlucky", "ordinary"] = (
        "lucky" if pct >= LUCKY and lucky > unlucky else "unlucky" if pct <= UNLUCKY and unlucky > lucky else "ordinary"
    )
    return lucky, unlucky, pct, word


def turns_phrase(count: int, what: str) -> str:
    """ "1 lucky turn", "3 lucky turns", "no lucky turn"."""
    if count == 0:
        return f"no {what} turn"
    return f"{count} {what} turn{'' if count == 1 else 's'}"


def verdict_text(judgement: str, luck: str, lucky: int | None = None, unlucky: int | None = None) -> str:
    """Judgement against the alternatives' average, then luck, with the marked turns it was read from."""
    j = {
        "good": "judgement above the alternatives' average",
        "poor": "judgement below the alternatives' average",
        "on a par": "judgement on a par with the alternatives' average",
    }[judgement]
    marks = (
        ""
        if lucky is None or unlucky is None
        else (f" ({turns_phrase(lucky, 'lucky')}, {turns_phrase(unlucky, 'unlucky')})")
    )
    if luck == "ordinary":
        return f"{j}, ordinary luck{marks}"
    contrary = (judgement == "good" and luck == "unlucky") or (judgement == "poor" and luck == "lucky")
    return f"{j} {'but' if contrary else 'and'} {luck}{marks}"
