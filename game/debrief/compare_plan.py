"""The trainee's orders against a plan (the optimiser's, or any orders file), turn by turn and over many games.

Two questions an instructor asks after a game: where did the trainee decide differently from the best plan the
model knows, and what was that worth? The first is read from the orders: for every turn played, the postures in
force, the drone, jammer and convoy split, netting, reserve commitments and the withdrawal request, each side's,
wherever they differ. The second is played: the trainee's orders (turn by turn as given, the last standing
after the game stopped) and the plan's, on the same `runs` games of the model's dice — common random numbers,
so the gap is the orders' and not the luck's. Those are not the dice of the trainee's own game, and the section
says so; the trainee's actual score is shown beside them for what it is, one game.

Only the model, the renderers' text, and what the caller hands in (the two plans as policies and per-turn
orders) live here; the caller (the `aar` command) reads and checks the plan file.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from pydantic import BaseModel, ConfigDict

from game.engine.batch import run_batch
from game.engine.game import Game
from game.engine.orders import Orders
from game.engine.params import ENDINGS, PLAYER, POSTURES
from game.engine.policies import Policy
from game.engine.step import Model
from game.narrative.safe_text import for_markdown
from game.scenario import Scenario

NOTE = (
    "On the model's dice: {runs:,} games (seed {seed}) in which the trainee's orders and the plan both play, "
    "game by game on the same dice. None of them is the game the trainee played; its score ({actual}) is one "
    "draw of many."
)
T_975 = 1.959963984540054
"""The normal quantile for a 95% interval (the runs are many)."""


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Distribution(_M):
    """One side's scores over the games."""

    mean: float
    ci: tuple[float, float]
    p5: float
    p50: float
    p95: float
    endings: dict[str, float]


class TurnDifference(_M):
    """Where the trainee's orders and the plan's differ on one turn (empty `items`: the same orders)."""

    turn: int
    items: list[tuple[str, str, str]]
    """(what, the trainee's, the plan's)."""


class PlanComparison(_M):
    """The trainee's orders against a plan: per-turn differences and both score distributions."""

    plan: str
    """Where the plan came from (the orders file, or the search that found it)."""
    runs: int
    seed: int
    note: str
    turns: list[TurnDifference]
    trainee: Distribution
    planned: Distribution
    difference: float
    """Mean of (plan - trainee), game by game."""
    difference_ci: tuple[float, float]
    plan_wins: float
    """Share of games in which the plan scored higher."""


# --- building ------------------------------------------------------------------------------------------------


def in_force(turns: dict[int, Orders], last: int, start: Mapping[str, str]) -> dict[int, Orders]:
    """The orders each turn from 1 to `last` plays under a per-turn file: the turn's own orders, else the last
    ones given standing (without a withdrawal request or reserve commitments); postures accumulate from `start`
    (a turn's orders name only the sectors they change), so each turn's `postures` are all those in force."""
    out: dict[int, Orders] = {}
    postures = dict(start)
    for t in range(1, last + 1):
        named = [k for k in turns if k <= t]
        if not named:
            orders = Orders()
        elif max(named) == t:
            orders = turns[t]
        else:
            orders = turns[max(named)].model_copy(update={"withdraw": False, "commit_reserves": {}})
        postures.update(orders.postures)
        out[t] = orders.model_copy(update={"postures": dict(postures)})
    return out


def _words(o: Orders) -> dict[str, str]:
    d, e, c = o.drones, o.ew, o.convoys
    return {
        "drones": f"{d.strike} strike, {d.counter_drone} counter-drone, {d.road_overwatch} road overwatch, "
        f"{d.recon} reconnaissance",
        "jammers": f"{e.front} front, {e.road} road",
        "convoys": f"{c.day} by day, {c.night} by night, by {c.route}, {'with' if c.escort else 'no'} escort",
        "netting": "yes" if o.netting else "no",
        "reserve": ", ".join(f"{u} to {s}" for u, s in sorted(o.commit_reserves.items())) or "none committed",
        "withdrawal": "requested" if o.withdraw else "not requested",
    }


def differences(trainee: dict[int, Orders], plan: dict[int, Orders]) -> list[TurnDifference]:
    """Per turn, each decision where the two differ (postures sector by sector)."""
    out = []
    for t in sorted(trainee):
        a, b = trainee[t], plan[t]
        items = [
            (f"posture {s}", a.postures.get(s, "—"), b.postures.get(s, "—"))
            for s in sorted(set(a.postures) | set(b.postures))
            if a.postures.get(s) != b.postures.get(s)
        ]
        wa, wb = _words(a), _words(b)
        items += [(k, wa[k], wb[k]) for k in wa if wa[k] != wb[k]]
        out.append(TurnDifference(turn=t, items=items))
    return out


def _distribution(score: np.ndarray, ending: np.ndarray) -> Distribution:
    mean, lo, hi = _interval(score)
    p5, p50, p95 = (float(v) for v in np.percentile(score, [5, 50, 95]))
    names = {code: name or "unfinished" for code, name in enumerate(ENDINGS)}
    endings = {
        names[int(c)]: float(n / ending.size) for c, n in zip(*np.unique(ending, return_counts=True), strict=True)
    }
    return Distribution(mean=mean, ci=(lo, hi), p5=p5, p50=p50, p95=p95, endings=endings)


def _interval(x: np.ndarray) -> tuple[float, float, float]:
    mean = float(x.mean())
    half = T_975 * float(x.std(ddof=1)) / math.sqrt(x.size) if x.size > 1 else 0.0
    return mean, mean - half, mean + half


def compare_with_plan(
    scenario: Scenario,
    source: str,
    trainee: tuple[Policy, dict[int, Orders]],
    plan: tuple[Policy, dict[int, Orders]],
    turns_played: int,
    actual_score: float,
    runs: int = 2000,
    seed: int = 0,
) -> PlanComparison:
    """Diff the orders of every turn played, and play both plans on the same `runs` games (seed `seed`)."""
    game = Game(scenario, seed)
    p, st = game.params, game.state
    start = {p.sectors.ids[s]: POSTURES[int(st.posture[0, s])] for s in np.flatnonzero(st.holder[0] == PLAYER)}
    ours = in_force(trainee[1], turns_played, start)
    theirs = in_force(plan[1], turns_played, start)
    model = Model(scenario)
    a = run_batch(model, trainee[0], runs, seed=seed)
    b = run_batch(model, plan[0], runs, seed=seed)
    mean, lo, hi = _interval(b.score - a.score)
    return PlanComparison(
        plan=source,
        runs=runs,
        seed=seed,
        note=NOTE.format(runs=runs, seed=seed, actual=f"{actual_score:+,.0f}"),
        turns=differences(ours, theirs),
        trainee=_distribution(a.score, a.ending),
        planned=_distribution(b.score, b.ending),
        difference=mean,
        difference_ci=(lo, hi),
        plan_wins=float((b.score > a.score).mean()),
    )


# --- rendering (text, Markdown, HTML; JSON is the model itself) -------------------------------------------------


def _dist_line(name: str, d: Distribution) -> str:
    endings = ", ".join(f"{k} {v:.0%}" for k, v in sorted(d.endings.items(), key=lambda kv: -kv[1]))
    return (
        f"{name}: mean {d.mean:+,.1f} (95% CI {d.ci[0]:+,.1f} to {d.ci[1]:+,.1f}); 5-50-95% {d.p5:+,.0f} / "
        f"{d.p50:+,.0f} / {d.p95:+,.0f}; {endings}"
    )


def summary_lines(c: PlanComparison) -> list[str]:
    """Both distributions and their difference, one sentence each."""
    return [
        _dist_line("Your orders", c.trainee),
        _dist_line("The plan", c.planned),
        f"The plan minus your orders, game by game: {c.difference:+,.1f} points (95% CI {c.difference_ci[0]:+,.1f} "
        f"to {c.difference_ci[1]:+,.1f}); the plan scores higher in {c.plan_wins:.0%} of games.",
    ]


def spans(turns: list[TurnDifference]) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Consecutive turns with the very same differences, as one row: ("3" or "3-9", the differences)."""
    out: list[tuple[int, int, list[tuple[str, str, str]]]] = []
    for d in turns:
        if out and out[-1][2] == d.items and out[-1][1] == d.turn - 1:
            out[-1] = (out[-1][0], d.turn, d.items)
        else:
            out.append((d.turn, d.turn, d.items))
    return [(str(a) if a == b else f"{a}-{b}", items) for a, b, items in out]


def _turn_line(when: str, items: list[tuple[str, str, str]]) -> str:
    label = f"Turn{'s' if '-' in when else ''} {when}"
    if not items:
        return f"{label}: the same orders."
    return f"{label}: " + "; ".join(f"{what}: you {a}, plan {b}" for what, a, b in items) + "."


def text_lines(c: PlanComparison) -> list[str]:
    """The section as plain lines (a terminal, the TUI)."""
    out = ["YOUR ORDERS AGAINST THE PLAN", f"Plan: {c.plan}", c.note, ""]
    out += [*summary_lines(c), ""]
    return out + [_turn_line(when, items) for when, items in spans(c.turns)]


def markdown_lines(c: PlanComparison) -> list[str]:
    """The section in Markdown."""
    out = ["## Your orders against the plan", "", f"Plan: {for_markdown(c.plan)}", "", f"> {for_markdown(c.note)}", ""]
    out += [f"- {for_markdown(line)}" for line in summary_lines(c)] + [""]
    out += ["| Turn | What | Your orders | The plan |", "|---|---|---|---|"]
    for when, items in spans(c.turns):
        rows = items or [("the same orders", "", "")]
        out += [f"| {when} | {_cell(w)} | {_cell(a)} | {_cell(b)} |" for w, a, b in rows]
    return [*out, ""]


def _cell(text: str) -> str:
    return for_markdown(text, block=False)


def table_rows(c: PlanComparison) -> list[tuple[str, str, str, str]]:
    """The differences as table rows (turns, what, the trainee's, the plan's), for the HTML template."""
    return [(when, w, a, b) for when, items in spans(c.turns) for w, a, b in (items or [("the same orders", "", "")])]
