"""A finished (or abandoned) game, read from its journal into the rows the class database stores.

Everything comes from the journal: the header (trainee, scenario, seed), the turns (orders, the forecast the
trainee saw, the report), and the instructor's own record types (`drill` answers, `umpire` interventions).
So a game can always be recorded again from its journal (`salient class import`), and recording it twice
replaces the first copy (the key is the hash of the journal header, which no two games share).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from game.record.canonical import canonical_json, sha256_hex, to_jsonable
from game.record.journal import LoadedJournal, load_journal
from game.scenario.drills import DRILL_RECORD

from .outcomes import choices, event_happened, model_probability, outcome, standing_postures

if TYPE_CHECKING:
    from game.engine.report import Score
    from game.scenario import Scenario

    from .replayed import Replayed

UMPIRE_RECORD = "umpire"


def imposed(record: dict[str, Any]) -> bool:
    """Whether a journalled drill answer replaced the trainee's orders without their asking. Journals written
    before drills left the orders to the trainee carried out the chosen option's orders, or the default orders
    when time ran out; a trainee is not taught about orders they did not give."""
    return record.get("orders_from") in ("option", "standing") and not record.get("adopted", False)


@dataclass
class DecisionRow:
    """One turn of one game as the class report counts it."""

    turn: int
    orders: dict[str, Any]
    choices: dict[str, str]
    outcome: dict[str, Any]
    rationale: str = ""
    ranking: list[str] = field(default_factory=list)
    chosen: str | None = None
    estimate: dict[str, Any] | None = None
    """{question, metric, p, model_p, outcome} when the trainee estimated a probability this turn."""
    drill: dict[str, Any] | None = None
    """The drill answer as journalled (timing, lateness), when a drill was put this turn."""
    forecast: dict[str, Any] | None = None
    """The model's forecast of these orders for this turn (the one the trainee saw, if any)."""


@dataclass
class GameRecord:
    """Everything the class database keeps about one game."""

    key: str
    trainee: str
    scenario_id: str
    scenario_sha256: str
    scenario_json: str
    seed: int
    journal_path: str
    started_at: str
    finished_at: str
    turns: int
    finished: bool
    ending: str | None
    score: float | None
    score_json: str | None
    salient_version: str
    decisions: list[DecisionRow] = field(default_factory=list)
    moments: list[dict[str, Any]] = field(default_factory=list)
    interventions: list[dict[str, Any]] = field(default_factory=list)


def model_summary(forecast: dict[str, Any] | None) -> dict[str, Any] | None:
    """The few numbers of a one-turn forecast the class report compares outcomes with (None otherwise)."""
    if not forecast or forecast.get("turns", 1) != 1:
        return None
    own = forecast.get("own_losses") or {}
    area = forecast.get("area_held_sq_mi") or {}
    return {
        "replications": forecast.get("replications"),
        "own_losses": {k: own.get(k) for k in ("mean", "p5", "p50", "p95")},
        "area_held_sq_mi": {k: area.get(k) for k in ("mean", "p5", "p50", "p95")},
        "p_road_cut": forecast.get("p_road_cut"),
        "p_lose_sector": forecast.get("p_lose_sector") or {},
    }


def game_key(loaded: LoadedJournal) -> str:
    """The identity of a game: the hash of its journal header (scenario, seed, trainee, creation time)."""
    return sha256_hex(loaded.header.raw)


def build_record(
    loaded: LoadedJournal,
    score: Score | None = None,
    *,
    forecasts: dict[int, Any] | None = None,
    trainee: str | None = None,
    replay: Replayed | None = None,
) -> GameRecord:
    """The rows for one game. `score` comes from the caller's Game, else from `replay` (see `replayed.py`).

    `forecasts` (turn → Forecast) fills in the model's view of turns the trainee did not ask a forecast for;
    `replay` adds its own forecasts and the ground truth the teaching-moment detectors use.
    """
    scenario = loaded.scenario
    header = loaded.header
    if score is None and replay is not None:
        score = replay.score
    all_forecasts = {**(replay.forecasts if replay else {}), **(forecasts or {})}
    drills = {
        int(r["turn"]): r
        for r in loaded.others
        if r.get("type") == DRILL_RECORD and _whole(r.get("turn")) and isinstance(r.get("drill"), str)
    }
    decisions = _decisions(loaded, scenario, drills, all_forecasts)
    not_theirs = {t for t, r in drills.items() if imposed(r)}  # turns whose orders a drill put in their place
    last = loaded.turns[-1] if loaded.turns else None
    return GameRecord(
        key=game_key(loaded),
        trainee=(trainee if trainee is not None else header.trainee).strip() or "(unnamed)",
        scenario_id=header.scenario_id,
        scenario_sha256=header.scenario_sha256,
        scenario_json=canonical_json(header.scenario),
        seed=header.seed,
        journal_path=str(Path(loaded.path).resolve()) if loaded.path else "",
        started_at=header.created,
        finished_at=last.written if last else header.created,
        turns=len(loaded.turns),
        finished=loaded.finished,
        ending=last.report.ending if last else None,
        score=None if score is None else float(score.total),
        score_json=None if score is None else json.dumps(to_jsonable(score), sort_keys=True),
        salient_version=header.salient,
        decisions=decisions,
        moments=[m for m in _moments(scenario, loaded, replay) if m["turn"] not in not_theirs],
        interventions=[_intervention_row(r) for r in loaded.others if r.get("type") == UMPIRE_RECORD],
    )


def record_from_path(path: str | Path, *, replications: int = 0, **options: Any) -> GameRecord:
    """Read a journal file and build its record, replaying it once (forecasts of `replications`, 0 for none)."""
    from .replayed import replay_for_record

    loaded = load_journal(path)
    return build_record(loaded, replay=replay_for_record(loaded, replications), **options)


def _decisions(
    loaded: LoadedJournal, scenario: Scenario, drills: dict[int, dict[str, Any]], forecasts: dict[int, Any]
) -> list[DecisionRow]:
    player = scenario.meta.player_side
    standing = standing_postures(scenario)
    held = {s.id for s in scenario.map.sectors if s.holder == player}
    rows: list[DecisionRow] = []
    before = None
    for rec in loaded.turns:
        report = rec.report
        forecast = rec.forecast if rec.forecast is not None else forecasts.get(rec.turn)
        forecast_json = None if forecast is None else to_jsonable(forecast)
        summary = outcome(scenario, report, before)
        row = DecisionRow(
            turn=rec.turn,
            orders=to_jsonable(rec.orders),
            choices=choices(rec.orders, standing, held),
            outcome=summary,
            forecast=forecast_json,
        )
        drill = drills.get(rec.turn)
        if drill is not None:
            _take_drill(row, drill, summary, forecast_json)
        rows.append(row)
        standing = {**standing, **rec.orders.postures}
        held = {s for s, h in report.sector_holder.items() if h == player}
        before = report
    return rows


def _whole(value: Any) -> bool:
    """Whether a journalled value is a whole number (not a bool, not text)."""
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63


def _probability(value: Any) -> bool:
    """Whether a journalled value is a probability (an edited journal may hold anything there)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0.0 <= value <= 1.0


def _take_drill(
    row: DecisionRow, drill: dict[str, Any], summary: dict[str, Any], forecast: dict[str, Any] | None
) -> None:
    row.drill = {k: v for k, v in drill.items() if k not in {"type", "written"}}
    row.rationale = drill["rationale"] if isinstance(drill.get("rationale"), str) else ""
    ranking = drill.get("ranking")
    row.ranking = [x for x in ranking if isinstance(x, str)] if isinstance(ranking, list) else []
    row.chosen = drill.get("chosen") if isinstance(drill.get("chosen"), str) else None
    est = drill.get("estimate")
    if isinstance(est, dict) and isinstance(est.get("metric"), str) and _probability(est.get("p")):
        metric = est["metric"]
        model_p = est.get("model_p")
        if not _probability(model_p):
            model_p = model_probability(metric, forecast)
        row.estimate = {
            "question": est.get("question"),
            "metric": metric,
            "p": float(est["p"]),
            "model_p": None if model_p is None else float(model_p),
            "outcome": int(event_happened(metric, summary)),
        }


def _intervention_row(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "seq": raw["seq"] if _whole(raw.get("seq")) else 0,
        "turn": raw["turn"] if _whole(raw.get("turn")) else 0,
        "kind": str(raw.get("kind", "")),
        "target": str(raw.get("target", "")),
        "summary": str(raw.get("summary", "")),
        "reason": str(raw.get("reason", "")),
        "at": str(raw.get("written", "")),
        "value": raw.get("value"),
    }


def _moments(scenario: Scenario, loaded: LoadedJournal, replay: Replayed | None) -> list[dict[str, Any]]:
    """Teaching moments hit, found by the debrief's detectors with the replay's ground truth when there is one."""
    try:
        from game.debrief.moments import Decision, find_moments
    except ImportError:  # pragma: no cover - the debrief is optional for the class record
        return []
    truth = replay.truth if replay else {}
    decisions = []
    for t in loaded.turns:
        seen = truth.get(t.turn)
        if seen is None:
            decisions.append(Decision(t.turn, t.orders, t.report, t.intel))
        else:
            decisions.append(Decision(t.turn, t.orders, t.report, seen.intel, seen.own_by_sector, seen.enemy_by_sector))
    return [
        {"moment": m.id, "title": m.title, "turn": m.turn, "detail": m.detail}
        for m in find_moments(scenario, decisions)
    ]
