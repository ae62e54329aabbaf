"""The optimiser's report as text and JSON, and the plan found as an orders file for `salient run --orders`."""

from __future__ import annotations

import json
from typing import Any

from game.engine.orders import Orders
from game.engine.params import ENDINGS

from .optimise import OptimiseReport

MARGIN_WORTH_A_LOOK = 0.1
"""The plan found beating every designed plan by more than this share of the best one's mean is worth reading as a
possible gap in the model (one standing plan should not run away with a scenario)."""
ENDING_COLUMNS = [e for e in ENDINGS if e is not None] + ["unfinished"]
ENDING_HEADS = {
    "time": "time",
    "withdrawn": "withdrawn",
    "encircled": "encircled",
    "destroyed": "destroyed",
    "bridgehead_fell": "fell",
    "unfinished": "unfinished",
}


def _n(x: float) -> str:
    return f"{x:,.1f}"


def as_text(report: OptimiseReport, orders_path: str | None = None) -> str:
    """The report a user reads: the search, the plan line by line, the comparison on fresh dice, the verdict."""
    r, s = report, report.search
    out = [f"{r.title} ({r.scenario_id}): a plan of {r.dimensions} numbers, cross-entropy search"]
    out.append(
        f"Searched {s.evaluations} plans ({len(s.generations)} generation{'s' * (len(s.generations) != 1)} "
        f"of up to {r.population}), {r.runs:,} games each on the same dice (seed {r.seed}); "
        f"{r.workers} worker{'s' * (r.workers != 1)}; {r.seconds:.1f} s, load {r.load[0]:.1f} then "
        f"{r.load[1]:.1f}"
    )
    start = (
        "the designed plans (every built-in policy) were among the first generation"
        if r.warm
        else "a cold start: no designed plan was given to the search"
    )
    out.append(
        f"  starting point (θ = 0): {_n(s.start_score)}; first generation's average {_n(s.first_average)}; {start}"
    )
    out.append(f"  best on the search dice: {_n(s.best_score)} (generation {s.best_generation + 1})")
    out += ["", "The best plan found"]
    out += [f"  {name:<11} {words}" for name, words in r.plan_lines]
    out += ["", f"On fresh dice: seed {r.fresh_seed}, {r.check_runs:,} games per plan, the same games for every plan"]
    shown = [e for e in ENDING_COLUMNS if any(x.endings.get(e, 0) for x in r.scored)]
    out.append(f"  {'plan':<20} {'mean':>9}  {'95% CI':<22}" + "".join(f"{ENDING_HEADS[e]:>10}" for e in shown))
    for x in r.scored:
        ci = f"({_n(x.ci[0])} to {_n(x.ci[1])})"
        out.append(
            f"  {x.name:<20} {_n(x.mean):>9}  {ci:<22}" + "".join(f"{_share(x.endings.get(e, 0.0)):>10}" for e in shown)
        )
    out += ["", "Paired differences: the plan found minus each other plan, game by game"]
    for d in r.differences:
        out.append(
            f"  {d.other:<20} {d.mean:>+9,.1f}  (95% CI {d.ci[0]:+,.1f} to {d.ci[1]:+,.1f}); higher in "
            f"{d.wins:.0%} of games"
        )
    for x in r.scored[1:]:
        out.append(f"  {x.name}: {x.description}")
    out += ["", *verdict(r)]
    out += ["", f"Orders file{f' {orders_path}' if orders_path else ''}: {r.orders_note}"]
    return "\n".join(out) + "\n"


def verdict(r: OptimiseReport) -> list[str]:
    """Whether the plan found beats the best designed plan, and whether the margin is worth reading as a gap."""
    lead = r.best_builtin
    d = next(x for x in r.differences if x.other == lead.name)
    if d.ci[0] > 0:
        line = f"The plan found beats the best built-in policy, {lead.name}, by {d.mean:,.1f} points"
    elif d.ci[1] < 0:
        line = f"The plan found does not reach the best built-in policy, {lead.name}: {d.mean:+,.1f} points"
    else:
        line = f"The plan found is as good as the best built-in policy, {lead.name}: {d.mean:+,.1f} points"
    lines = [line + f" (95% CI {d.ci[0]:+,.1f} to {d.ci[1]:+,.1f}) on fresh dice."]
    designed = list(r.scored[1:])
    best = max(designed, key=lambda x: x.mean)
    margin = next(x for x in r.differences if x.other == best.name)
    if margin.ci[0] > MARGIN_WORTH_A_LOOK * abs(best.mean):
        lines.append(
            f"The margin over every designed plan is more than {MARGIN_WORTH_A_LOOK:.0%} of the best one's "
            f"mean: read the plan's decisions against {best.name}'s — one standing plan running away with "
            "a scenario may be a gap in the model rather than a lesson."
        )
    return lines


def _share(x: float) -> str:
    return "-" if x == 0 else f"{x:.0%}" if x >= 0.01 else "<1%"


def as_json(report: OptimiseReport) -> str:
    """The report as JSON (numbers unrounded; the plan's θ included so a search can be resumed or compared)."""
    r, s = report, report.search
    data: dict[str, Any] = {
        "scenario": r.scenario_id,
        "seed": r.seed,
        "runs": r.runs,
        "budget": r.budget,
        "population": r.population,
        "workers": r.workers,
        "warm": r.warm,
        "seconds": r.seconds,
        "load": list(r.load),
        "search": {
            "evaluations": s.evaluations,
            "best_score": s.best_score,
            "best_generation": s.best_generation,
            "start_score": s.start_score,
            "first_average": s.first_average,
            "theta": [float(v) for v in s.best_theta],
            "generations": [vars(g) for g in s.generations],
        },
        "plan": dict(r.plan_lines),
        "fresh_seed": r.fresh_seed,
        "check_runs": r.check_runs,
        "scored": [
            {"name": x.name, "description": x.description, "mean": x.mean, "ci": list(x.ci), "endings": x.endings}
            for x in r.scored
        ],
        "differences": [{"other": d.other, "mean": d.mean, "ci": list(d.ci), "wins": d.wins} for d in r.differences],
        "withdrawal_turns": {str(k): v for k, v in r.withdrawal_turns.items()},
        "orders": {str(t): o.model_dump(mode="json") for t, o in r.orders.items()},
        "orders_note": r.orders_note,
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def orders_yaml(report: OptimiseReport, scenario_path: str) -> str:
    """The plan found as an orders file (`turns:` by turn number), its decisions and its caveat in comments."""
    r = report
    head = [
        f"# The best plan `salient optimise` found for {scenario_path} (seed {r.seed}, {r.search.evaluations} plans "
        f"of {r.runs:,} games).",
        f"# On fresh dice (seed {r.fresh_seed}, {r.check_runs:,} games) it scored {_n(r.scored[0].mean)} "
        f"(95% CI {_n(r.scored[0].ci[0])} to {_n(r.scored[0].ci[1])}).",
        "# The plan, decision by decision:",
        *[f"#   {name}: {words}" for name, words in r.plan_lines],
        *_wrap(r.orders_note, "# "),
        "# Turns not named repeat the last orders given, without the withdrawal request or reserve commitments.",
        f"# Play it: salient run {scenario_path} --seed 0 --orders THIS_FILE",
        "turns:",
    ]
    body = []
    for turn, orders in r.orders.items():
        body.append(f"  {turn}:")
        body += [f"    {line}" for line in _orders_lines(orders)]
    return "\n".join(head + body) + "\n"


def _orders_lines(o: Orders) -> list[str]:
    """One line per field, mappings in flow style (ids, counts and booleans need no quotes)."""
    data = o.model_dump(mode="json")
    lines = []
    for key in ("postures", "drones", "ew", "convoys", "netting", "commit_reserves", "withdraw"):
        value = data[key]
        if isinstance(value, dict):
            if not value:
                continue
            value = "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items()) + "}"
        else:
            value = _scalar(value)
        lines.append(f"{key}: {value}")
    return lines


def _scalar(v: Any) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


def _wrap(text: str, prefix: str, width: int = 110) -> list[str]:
    lines, line = [], prefix
    for word in text.split():
        if len(line) + len(word) + 1 > width and line != prefix:
            lines.append(line.rstrip())
            line = prefix
        line += word + " "
    return [*lines, line.rstrip()]
