"""The class report: how a class decided at each decision point, what came of it, and how well it judged odds.

For every decision point (each drill of the scenario, whatever turn each game put it at — answers are grouped by
drill id —, each turn of an expert line that answers no drill; every turn when the scenario has neither) the
report counts the class's choices per dimension (posture per sector, drones, jammers, convoys, netting,
reserves, withdrawal), and beside each choice puts what happened to those who made it and what the model
expected of it (the one-turn forecasts recorded with the games). Comparing the two separates judgement from
luck; the expert's choice is marked. Per trainee: endings, score, teaching moments hit and calibration
(Brier score of their probability estimates, beside the model's own Brier score on the same events).

Built from the database alone (no replay), so a report over a thousand games takes well under a second.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from game.narrative.safe_text import clean
from game.record.format import now_iso
from game.scenario.drills import Drill

from . import db as store
from .db import ClassDB, ClassDbError, Decided, Estimate, GameRow
from .outcomes import choices
from .report_model import (
    Calibration,
    ChoiceStat,
    ClassReport,
    DecisionPoint,
    DimensionStat,
    DrillStat,
    ModelView,
    MomentHit,
    OptionStat,
    ScenarioReport,
    TraineeStat,
)
from .views import trigger_text

__all__ = [
    "Calibration",
    "ChoiceStat",
    "ClassReport",
    "DecisionPoint",
    "DimensionStat",
    "DrillStat",
    "ModelView",
    "MomentHit",
    "OptionStat",
    "ScenarioReport",
    "TraineeStat",
    "build_report",
    "calibration",
    "kendall_tau",
]

DIMENSION_LABELS = {
    "drones": "Drone teams",
    "ew": "Jammers (EW)",
    "convoys": "Convoys",
    "netting": "Netting over the road",
    "reserves": "Reserves",
    "withdraw": "Withdrawal",
}


# --- building ----------------------------------------------------------------------------


def build_report(db: ClassDB, scenario_id: str | None = None, turns: Sequence[int] | None = None) -> ClassReport:
    """The class report from the database (one scenario, or all of them)."""
    ids = [scenario_id] if scenario_id else store.scenario_ids(db)
    return ClassReport(str(db.path), now_iso(), [_readable(db, sid, turns) for sid in ids])


def _readable(db: ClassDB, sid: str, turns: Sequence[int] | None) -> ScenarioReport:
    """One scenario's part of the report; a damaged row (text that is not JSON, JSON of the wrong shape, a
    column edited by hand) is reported as a damaged database in one sentence, not as a crash."""
    try:
        return _scenario(db, sid, turns)
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        raise ClassDbError(
            f"{db.path} is damaged: a record of scenario '{clean(str(sid))[:80]}' cannot be read "
            f"({clean(str(error))[:200]}); restore a backup or import the journals into a new database"
        ) from None


def _scenario(db: ClassDB, sid: str, only_turns: Sequence[int] | None) -> ScenarioReport:
    games = store.games(db, sid)
    scenario = store.latest_scenario(db, sid)
    names = {s["id"]: s.get("name", s["id"]) for s in scenario.get("map", {}).get("sectors", [])}
    drills = [d for d in scenario.get("drills", []) if isinstance(d.get("id"), str)]
    models = {d["id"]: _drill_model(d) for d in drills}
    fixed = {d["id"]: _fixed_turn(d, models[d["id"]]) for d in drills}
    experts = scenario.get("expert", [])
    expert_by_drill = {e["drill"]: e for e in experts if e.get("drill")}
    expert_by_turn = {int(e["turn"]): e for e in experts if not e.get("drill") and e.get("turn") is not None}
    set_turns = sorted({t for t in fixed.values() if t is not None} | set(expert_by_turn))
    # with drills or an expert line: the turns set by the scenario, and wherever a drill was put
    decided = store.decisions(
        db, sid, turns=only_turns, drilled_or_turns=set_turns if not only_turns and (drills or experts) else None
    )
    by_id = {d["id"]: d for d in drills}
    points: list[DecisionPoint] = []
    if only_turns:
        for t in sorted(set(only_turns)):
            ds = [d for d in decided if d["turn"] == t]
            put = Counter(a for d in ds if (a := _answered(d)) in by_id)  # a conditional drill put at this turn
            common = put.most_common(1)
            drill_id = next((i for i, f in fixed.items() if f == t), None) or (common[0][0] if common else "")
            drill = by_id.get(drill_id)
            expert = (expert_by_drill.get(drill_id) if drill else None) or expert_by_turn.get(t)
            points.append(_point(t, ds, drill, expert, names))
    elif drills or experts:
        covered: set[int] = set()
        for d in drills:
            turn = fixed[d["id"]]
            ds = [x for x in decided if _answered(x) == d["id"] or (turn is not None and x["turn"] == turn)]
            expert = expert_by_drill.get(d["id"]) or (expert_by_turn.get(turn) if turn is not None else None)
            model = models[d["id"]]
            trigger = "" if turn is not None or model is None else trigger_text(model.when)
            if turn is not None:
                covered.add(turn)
            else:
                turn = min((x["turn"] for x in ds), default=None)
            points.append(_point(turn, ds, d, expert, names, trigger=trigger))
        for t in sorted(set(expert_by_turn) - covered):
            points.append(_point(t, [x for x in decided if x["turn"] == t], None, expert_by_turn[t], names))
        points.sort(key=lambda p: (p.turn is None, p.turn or 0))
    else:
        for t in sorted({d["turn"] for d in decided}):
            points.append(_point(t, [x for x in decided if x["turn"] == t], None, None, names))
    finished = [g for g in games if g["finished"]]
    scores = [g["score"] for g in finished if g["score"] is not None]
    return ScenarioReport(
        scenario_id=sid,
        title=str(scenario.get("meta", {}).get("title", sid)),
        games=len(games),
        finished=len(finished),
        trainees=len({g["trainee"] for g in games}),
        endings=dict(Counter(str(g["ending"]) for g in finished)),
        mean_score=statistics.fmean(scores) if scores else None,
        decision_points=points,
        by_trainee=_trainees(db, sid, games),
        interventions=[dict(r) for r in store.interventions(db, sid)],
        versions=len({g["scenario_sha256"] for g in games}),
    )


def _drill_model(raw: dict[str, Any]) -> Drill | None:
    """A drill as this version reads it (`turn: N` or a trigger), or None for one it cannot read."""
    try:
        return Drill.model_validate(raw)
    except ValueError:
        return None


def _fixed_turn(raw: dict[str, Any], drill: Drill | None) -> int | None:
    """The turn a drill is set for, None for a drill put on a condition."""
    if drill is not None:
        return drill.fixed_turn
    turn = raw.get("turn")
    return turn if isinstance(turn, int) and not isinstance(turn, bool) else None


def _answered(decision: Decided) -> str | None:
    """The id of the drill answered with this decision, if one was put at its turn."""
    drill = decision["drill"]
    return drill.get("drill") if drill is not None else None


def _expert_choices(expert: dict[str, Any] | None, drill: dict[str, Any] | None) -> dict[str, str]:
    """The expert's choice per dimension: from their orders, or from the orders of their top-ranked option."""
    if not expert:
        return {}
    orders = expert.get("orders")
    if orders is None and drill and expert.get("ranking"):
        top = next((o for o in drill.get("options", []) if o["id"] == expert["ranking"][0]), None)
        orders = top.get("orders") if top else None
    if orders is None:
        return {}
    from game.engine.orders import Orders

    parsed = Orders.model_validate(orders)
    out = choices(parsed, {}, None)
    return {k: v for k, v in out.items() if not k.startswith("posture:") or k.split(":", 1)[1] in parsed.postures}


def _point(
    turn: int | None,
    ds: list[Decided],
    drill: dict[str, Any] | None,
    expert: dict[str, Any] | None,
    names: dict[str, str],
    *,
    trigger: str = "",
) -> DecisionPoint:
    expert_choice = _expert_choices(expert, drill)
    keys = sorted({k for d in ds for k in d["choices"]}, key=_dimension_order)
    dims = []
    for key in keys:
        groups: dict[str, list[Decided]] = defaultdict(list)
        for d in ds:
            if key in d["choices"]:
                groups[d["choices"][key]].append(d)
        total = sum(len(g) for g in groups.values())
        stats = [_choice(c, g, total, expert_choice.get(key)) for c, g in groups.items()]
        stats.sort(key=lambda s: (-s.games, s.choice))
        exp = expert_choice.get(key)
        dims.append(
            DimensionStat(
                key=key,
                label=_label(key, names),
                choices=stats,
                expert_choice=exp,
                expert_share=(len(groups.get(exp, [])) / total if exp is not None and total else None),
            )
        )
    return DecisionPoint(
        turn=turn,
        games=len(ds),
        dimensions=dims,
        drill=_drill(drill, ds, expert) if drill else None,
        expert_rationale=str((expert or {}).get("rationale", "")),
        expert_policy=(expert or {}).get("policy"),
        drill_id=drill["id"] if drill else None,
        turns=sorted({d["turn"] for d in ds}),
        trigger=trigger,
    )


def _dimension_order(key: str) -> tuple[int, str]:
    order = ["posture", "drones", "ew", "convoys", "netting", "reserves", "withdraw"]
    head = key.split(":", 1)[0]
    return (order.index(head) if head in order else len(order), key)


def _label(key: str, names: dict[str, str]) -> str:
    if key.startswith("posture:"):
        sector = key.split(":", 1)[1]
        return f"Posture: {names.get(sector, sector)}"
    return DIMENSION_LABELS.get(key, key)


def _mean(values: Iterable[float]) -> float:
    vals = list(values)
    return statistics.fmean(vals) if vals else 0.0


def _choice(choice: str, ds: list[Decided], total: int, expert: str | None) -> ChoiceStat:
    outs = [d["outcome"] for d in ds]
    models = [d["model"] for d in ds if d["model"]]
    model = None
    if models:
        model = ModelView(
            forecasts=len(models),
            own_losses_mean=_mean(m["own_losses"]["mean"] or 0.0 for m in models),
            own_losses_p5=_mean(m["own_losses"]["p5"] or 0.0 for m in models),
            own_losses_p95=_mean(m["own_losses"]["p95"] or 0.0 for m in models),
            area_held_mean=_mean(m["area_held_sq_mi"]["mean"] or 0.0 for m in models),
            p_road_cut=_mean(m["p_road_cut"] or 0.0 for m in models),
        )
    return ChoiceStat(
        choice=choice,
        games=len(ds),
        share=len(ds) / total if total else 0.0,
        trainees=sorted({d["trainee"] for d in ds}),
        own_losses=_mean(o["own_losses"] for o in outs),
        area_held_sq_mi=_mean(o["area_held_sq_mi"] for o in outs),
        road_cut=_mean(float(o["road_cut"]) for o in outs),
        lost_ground=_mean(float(bool(o["sectors_lost"])) for o in outs),
        model=model,
        expert=expert == choice,
    )


def kendall_tau(ranking: Sequence[str], reference: Sequence[str]) -> float | None:
    """Kendall's tau between two rankings over the items they share; None with fewer than two shared."""
    common = [x for x in reference if x in ranking]
    if len(common) < 2:
        return None
    pos = {x: ranking.index(x) for x in common}
    concordant = discordant = 0
    for i in range(len(common)):
        for j in range(i + 1, len(common)):
            if pos[common[i]] < pos[common[j]]:
                concordant += 1
            else:
                discordant += 1
    return (concordant - discordant) / (concordant + discordant)


def _drill(drill: dict[str, Any], ds: list[Decided], expert: dict[str, Any] | None) -> DrillStat:
    answers = [(d, a) for d in ds if (a := d["drill"]) is not None and a.get("drill") == drill["id"]]
    answered = [d for d, _ in answers]
    ranked = [d for d, a in answers if not a.get("timed_out")]  # a ranking left as shown is no choice
    expert_ranking = list((expert or {}).get("ranking", []))
    options = []
    for o in drill.get("options", []):
        ranks = [d["ranking"].index(o["id"]) + 1 for d in ranked if o["id"] in d["ranking"]]
        first = sum(1 for d in ranked if (d["ranking"][0] if d["ranking"] else d["chosen"]) == o["id"])
        options.append(
            OptionStat(
                id=o["id"],
                label=o.get("label", o["id"]),
                first=first,
                mean_rank=statistics.fmean(ranks) if ranks else None,
                expert_rank=expert_ranking.index(o["id"]) + 1 if o["id"] in expert_ranking else None,
            )
        )
    taus = [t for d in ranked if (t := kendall_tau(d["ranking"], expert_ranking)) is not None]
    seconds = [float(s) for _, a in answers if (s := a.get("elapsed_s")) is not None]
    estimates = [e for d in answered if (e := d["estimate"]) is not None]
    model_ps = [p for e in estimates if (p := e["model_p"]) is not None]
    return DrillStat(
        id=drill["id"],
        title=drill.get("title", drill["id"]),
        answers=len(answered),
        late=sum(1 for _, a in answers if a.get("late")),
        timed_out=len(answered) - len(ranked),
        rationales=sum(1 for d in answered if d["rationale"].strip()),
        median_seconds=statistics.median(seconds) if seconds else None,
        options=options,
        expert_ranking=expert_ranking,
        agreement=statistics.fmean(taus) if taus else None,
        question=str((drill.get("estimate") or {}).get("text", "")),
        mean_estimate=statistics.fmean(e["p"] for e in estimates) if estimates else None,
        event_rate=statistics.fmean(e["outcome"] for e in estimates) if estimates else None,
        mean_model_p=statistics.fmean(model_ps) if model_ps else None,
        expert_estimate=(expert or {}).get("estimate"),
    )


def calibration(estimates: Sequence[Estimate]) -> Calibration | None:
    """Brier score of {p, outcome, model_p} estimates; the model's score only over those it forecast."""
    if not estimates:
        return None
    model = [(p - e["outcome"]) ** 2 for e in estimates if (p := e["model_p"]) is not None]
    return Calibration(
        estimates=len(estimates),
        brier=statistics.fmean((e["p"] - e["outcome"]) ** 2 for e in estimates),
        mean_estimate=statistics.fmean(e["p"] for e in estimates),
        event_rate=statistics.fmean(e["outcome"] for e in estimates),
        model_brier=statistics.fmean(model) if model else None,
    )


def _trainees(db: ClassDB, sid: str, games: list[GameRow]) -> list[TraineeStat]:
    moments = store.moments(db, sid)
    estimates = store.estimates(db, sid)
    interventions = store.interventions_by_trainee(db, sid)
    by_trainee: dict[str, list[GameRow]] = defaultdict(list)
    for g in games:
        by_trainee[g["trainee"]].append(g)
    out = []
    for trainee in sorted(by_trainee):
        mine = by_trainee[trainee]
        done = [g for g in mine if g["finished"]]
        scores = [g["score"] for g in done if g["score"] is not None]
        hits: dict[str, tuple[str, set[int], list[int]]] = {}
        for m in moments:
            if m["trainee"] == trainee:
                _title, game_ids, turns = hits.setdefault(m["moment_id"], (m["title"], set(), []))
                game_ids.add(m["game_id"])
                turns.append(m["turn"])
        out.append(
            TraineeStat(
                trainee=trainee,
                games=len(mine),
                finished=len(done),
                mean_score=statistics.fmean(scores) if scores else None,
                endings=dict(Counter(str(g["ending"]) for g in done)),
                moments=[MomentHit(mid, t, len(gs), sorted(set(ts))) for mid, (t, gs, ts) in sorted(hits.items())],
                calibration=calibration([e for who, e in estimates if who == trainee]),
                interventions=interventions.get(trainee, 0),
            )
        )
    return out
