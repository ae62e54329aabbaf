"""The after-action review as data: built headless from a journal, rendered by render_*.py and the TUI.

It follows the army's four questions, in order: what was meant to happen (mission, objectives, the score's
weights), what happened (timeline, curves, the final score), why (for each decision: what the trainee knew,
what the forecast said, what was true, the factors that drove the outcome, luck against judgement), and
what to keep and what to change. Every number comes from the journal or a verified replay of it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from game import __version__
from game.engine.orders import Orders
from game.engine.report import Factor, Forecast, Intel, Score, TurnReport
from game.record.records import GameFigures

from .compare_plan import PlanComparison
from .luck import LuckReport, policy_label
from .moments import Decision, Moment, find_moments
from .objectives import ObjectiveView, judge_objectives
from .series import TimeSeries, build_series

if TYPE_CHECKING:
    from game.engine.game import Game
    from game.record.format import TurnRecord
    from game.record.journal import LoadedJournal
    from game.scenario import Scenario

AAR_FORMAT = "salient-aar"
AAR_VERSION = 1


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimelineEntry(_M):
    """One line of the timeline."""

    turn: int
    when: str
    kind: str
    """An engine event kind (combat, road, inject, …), or `moment` or `branch`."""
    text: str
    where: str = ""
    visible_to: Literal["trainee", "instructor"] = "trainee"


class TruthLine(_M):
    """What the trainee was told against what was true at the start of the turn."""

    what: str
    told: str
    true: float
    inside_band: bool | None
    """Whether the truth lay inside the band the analysts stated (None when no band was given)."""


class ForecastCheck(_M):
    """One forecast band against what happened."""

    what: str
    p5: float
    p50: float
    p95: float
    actual: float
    inside: bool


class CurveData(_M):
    """A curve of the time series (see series.py)."""

    entity: str
    metric: str
    label: str
    unit: str
    values: list[float]


class DecisionView(_M):
    """One decision: knew, forecast, happened, true, why, luck and judgement, teaching moments."""

    turn: int
    when: str
    orders: Orders
    orders_text: list[str]
    intel: Intel | None
    intel_recomputed: bool
    """True when the journal did not record the Intel and it was recomputed by the replay (it is deterministic)."""
    forecast: Forecast | None
    forecast_checks: list[ForecastCheck]
    report: TurnReport
    happened: list[str]
    truth: list[TruthLine]
    factors: list[Factor]
    luck: Any | None = None
    """The DecisionLuck of this turn (see luck.py), when the analysis was run."""
    moments: list[Moment] = []


class BranchView(_M):
    """A what-if branch beside the original (never counted in the score)."""

    id: str
    label: str
    from_turn: int
    source: str
    score: float
    area_held_sq_mi: float
    own_losses: float
    ending: str | None
    original_score: float
    original_area_held_sq_mi: float
    original_own_losses: float
    area_held: list[float]
    """Area held at the end of each of the branch's turns."""
    own_losses_cumulative: list[float]
    series: list[CurveData] = []
    """Every curve of the branch's game, turns 0 … from_turn − 1 + its turns (the original's up to the branch)."""
    notes: list[str] = []


class AfterActionReview(_M):
    """Everything the debrief shows, in one JSON-serialisable model."""

    format: str = AAR_FORMAT
    version: int = AAR_VERSION
    salient: str = __version__
    journal: str
    title: str
    scenario_id: str
    scenario_title: str
    trainee: str
    seed: int
    created: str
    turns_played: int
    turns_planned: int
    finished: bool
    ending: str | None
    ending_text: str
    integrity: list[str]
    intended: list[str]
    learning_objectives: list[str]
    score_weights: list[str]
    happened: list[str]
    why: list[str]
    keep: list[str]
    change: list[str]
    score: Score
    objectives: list[ObjectiveView] = []
    """Each objective met or missed, judged from the curves below, with the figures that decided it."""
    timeline: list[TimelineEntry]
    turns_axis: list[int]
    series: list[CurveData]
    decisions: list[DecisionView]
    luck: LuckReport | None
    moments: list[Moment]
    branches: list[BranchView]
    plan_comparison: PlanComparison | None = None
    """The trainee's orders against a plan (`salient aar --against` or `--optimise`), on the model's dice."""

    def curve(self, entity: str, metric: str) -> CurveData | None:
        """The curve for entity/metric, if any."""
        return next((c for c in self.series if c.entity == entity and c.metric == metric), None)


# --- building ------------------------------------------------------------------------------------


class _Snap:
    """Taken just before a turn is replayed."""

    def __init__(self, game: Game, record: TurnRecord) -> None:
        from game.engine.fog import enemy_by_sector

        p = game.params
        self.when = game.hours_label()
        self.summary = game.state_summary()
        self.intel = record.intel if record.intel is not None else game.intel()
        self.intel_recomputed = record.intel is None
        facing = enemy_by_sector(p, game.state)[0]
        self.enemy_by_sector = {sid: float(facing[s]) for s, sid in enumerate(p.sectors.ids)}
        reserves = set(self.summary["reserves"])
        player_units = {u.id for u in game.scenario.player.units}
        own: dict[str, float] = defaultdict(float)
        for uid, sector in self.summary["unit_location"].items():
            if uid in player_units and uid not in reserves:
                own[sector] += self.summary["unit_strength"][uid]
        self.own_by_sector = dict(own)


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:,.1f}"


def _truth(
    intel: Intel, snap: _Snap, previous: TurnReport | None, player: str, enemy: str, names: dict[str, str]
) -> list[TruthLine]:
    lines = []
    for sid, est in intel.enemy_strength.items():
        true = snap.enemy_by_sector.get(sid, 0.0)
        if est.estimate <= 0 and true <= 0:
            continue
        lines.append(
            TruthLine(
                what=f"Enemy facing {names.get(sid, sid)}",
                told=f"{_fmt(est.estimate)} ({_fmt(est.low)}–{_fmt(est.high)}, {est.confidence})",
                true=true,
                inside_band=est.low <= true <= est.high,
            )
        )
    total = sum(snap.enemy_by_sector.values())
    e = intel.enemy_total
    lines.append(
        TruthLine(
            what="Enemy in contact, total",
            told=f"{_fmt(e.estimate)} ({_fmt(e.low)}–{_fmt(e.high)})",
            true=total,
            inside_band=e.low <= total <= e.high,
        )
    )
    if previous is not None:
        for label, est, side in (
            ("Own losses last turn", intel.own_losses_last_turn, player),
            ("Enemy losses last turn", intel.enemy_losses_last_turn, enemy),
        ):
            true = previous.losses[side].total if side in previous.losses else 0.0
            lines.append(
                TruthLine(
                    what=label,
                    told=f"{_fmt(est.estimate)} ({_fmt(est.low)}–{_fmt(est.high)})",
                    true=true,
                    inside_band=est.low <= true <= est.high,
                )
            )
    return lines


def _forecast_checks(forecast: Forecast | None, report: TurnReport, player: str, enemy: str) -> list[ForecastCheck]:
    if forecast is None or forecast.turns != 1:
        return []
    actual = {
        "Own losses": report.losses[player].total if player in report.losses else 0.0,
        "Enemy losses": report.losses[enemy].total if enemy in report.losses else 0.0,
        "Area held (sq mi)": report.area_held_sq_mi,
        "Supply delivered (t)": report.supply.delivered_t,
    }
    bands = {
        "Own losses": forecast.own_losses,
        "Enemy losses": forecast.enemy_losses,
        "Area held (sq mi)": forecast.area_held_sq_mi,
        "Supply delivered (t)": forecast.supply_delivered_t,
    }
    return [
        ForecastCheck(
            what=k, p5=b.p5, p50=b.p50, p95=b.p95, actual=actual[k], inside=b.p5 - 1e-9 <= actual[k] <= b.p95 + 1e-9
        )
        for k, b in bands.items()
    ]


def _happened(report: TurnReport, previous_area: float, player: str, enemy: str) -> list[str]:
    from game.narrative.describe import convoy_line
    from game.narrative.fmt import count, split_whole

    own = report.losses.get(player)
    foe = report.losses.get(enemy)
    lines = []
    if own is not None:  # whole people, the parts adding up to the total shown
        killed, wounded, captured = split_whole([own.killed, own.wounded, own.captured])
        lines.append(
            f"Own losses {count(killed + wounded + captured)} (killed {count(killed)}, wounded "
            f"{count(wounded)}, captured {count(captured)}); enemy losses {count(foe.total if foe else 0.0)}."
        )
    change = report.area_held_sq_mi - previous_area
    lines.append(f"Area held {report.area_held_sq_mi:,.1f} sq mi ({change:+,.1f}).")
    s = report.supply
    lines.append(f"Convoys: {convoy_line(s)}, {_fmt(s.delivered_t)} t delivered.")
    lines.extend(e.text for e in report.events if e.kind in {"sector_lost", "sector_taken", "ending", "encirclement"})
    return lines


def _series_models(series: TimeSeries) -> list[CurveData]:
    return [
        CurveData(entity=c.entity, metric=c.metric, label=c.label, unit=c.unit, values=c.values)
        for c in series.curves.values()
    ]


def _total(score: dict[str, Any]) -> float:
    """The total of a branch's recorded score, 0 when it has none that is a finite number."""
    total = score.get("total")
    return float(total) if isinstance(total, (int, float)) and math.isfinite(total) else 0.0


def _branches(loaded: LoadedJournal, scenario_player: str) -> list[BranchView]:
    scenario = loaded.scenario
    out = []
    for b in loaded.branches:
        mine, orig = b.summary.branch or GameFigures(), b.summary.original or GameFigures()
        source = b.source
        if source.kind == "policy":
            text = policy_label(str(source.policy))
        elif source.kind == "orders":
            text = f"orders from {source.file or 'the debrief'}, then {source.then or 'original'}"
        else:
            text = source.kind or "unknown"
        losses, running = (
            [],
            sum(
                t.report.losses[scenario_player].total
                for t in loaded.turns[: b.from_turn - 1]
                if scenario_player in t.report.losses
            ),
        )
        for t in b.turns:
            running += t.report.losses[scenario_player].total if scenario_player in t.report.losses else 0.0
            losses.append(running)
        out.append(
            BranchView(
                id=b.id,
                label=b.label,
                from_turn=b.from_turn,
                source=text,
                score=mine.score if b.summary.branch is not None else _total(b.score),
                area_held_sq_mi=mine.area_held_sq_mi,
                own_losses=mine.own_losses,
                ending=mine.ending,
                original_score=orig.score,
                original_area_held_sq_mi=orig.area_held_sq_mi,
                original_own_losses=orig.own_losses,
                area_held=[t.report.area_held_sq_mi for t in b.turns],
                own_losses_cumulative=losses,
                series=_series_models(
                    build_series(
                        scenario, [t.report for t in loaded.turns[: b.from_turn - 1]] + [t.report for t in b.turns]
                    )
                ),
                notes=b.notes,
            )
        )
    return out


def build_aar(loaded: LoadedJournal, *, luck: LuckReport | None = None) -> AfterActionReview:
    """The whole review: replays (and so verifies) the journal's whole turns, then assembles the model."""
    from game.narrative.describe import orders_lines
    from game.narrative.ending import headline
    from game.narrative.safe_text import clean, name
    from game.record.replay import replay_world

    scenario = loaded.scenario
    snaps: list[_Snap] = []
    game = replay_world(loaded, before_turn=lambda g, r: snaps.append(_Snap(g, r)))
    player, enemy = scenario.meta.player_side, scenario.opfor.side
    names = {s.id: s.name for s in scenario.map.sectors}
    reports = [t.report for t in loaded.turns]
    series = build_series(scenario, reports)
    area_curve = series.get(player, "area_held_sq_mi").values
    luck_by_turn = {d.turn: d for d in luck.decisions} if luck is not None else {}

    moment_inputs = [
        Decision(t.turn, t.orders, t.report, s.intel, s.own_by_sector, s.enemy_by_sector)
        for t, s in zip(loaded.turns, snaps, strict=True)
    ]
    moments = find_moments(scenario, moment_inputs)
    moments_by_turn: dict[int, list[Moment]] = defaultdict(list)
    for m in moments:
        moments_by_turn[m.turn].append(m)

    decisions = []
    timeline: list[TimelineEntry] = []
    for i, (record, snap) in enumerate(zip(loaded.turns, snaps, strict=True)):
        previous = reports[i - 1] if i else None
        report = record.report
        decisions.append(
            DecisionView(
                turn=record.turn,
                when=snap.when,
                orders=record.orders,
                orders_text=orders_lines(scenario, record.orders),
                intel=snap.intel,
                intel_recomputed=snap.intel_recomputed,
                forecast=record.forecast,
                forecast_checks=_forecast_checks(record.forecast, report, player, enemy),
                report=report,
                happened=_happened(report, area_curve[i], player, enemy),
                truth=_truth(snap.intel, snap, previous, player, enemy, names),
                factors=list(report.factors[:6]),
                luck=luck_by_turn.get(record.turn),
                moments=moments_by_turn[record.turn],
            )
        )
        for e in report.events:
            timeline.append(
                TimelineEntry(
                    turn=record.turn,
                    when=snap.when,
                    kind=e.kind,
                    text=clean(e.text),
                    where=e.where,
                    visible_to=e.visible_to,
                )
            )
        for m in moments_by_turn[record.turn]:
            timeline.append(
                TimelineEntry(
                    turn=record.turn,
                    when=snap.when,
                    kind="moment",
                    text=f"Teaching moment: {m.title}",
                    visible_to="trainee",
                )
            )
    branches = _branches(loaded, player)
    for b in branches:
        when = next((d.when for d in decisions if d.turn == b.from_turn), f"Turn {b.from_turn}")
        timeline.append(
            TimelineEntry(
                turn=b.from_turn,
                when=when,
                kind="branch",
                text=f"What-if {b.id} ({b.label}): score {b.score:+,.1f} against {b.original_score:+,.1f}",
            )
        )
    timeline.sort(key=lambda e: e.turn)

    score = game.score()
    ending = game.ending if game.finished else None
    objectives = judge_objectives(scenario, series, ending)
    return AfterActionReview(
        journal=str(loaded.path or ""),
        title=f"After-action review — {scenario.meta.title}",
        scenario_id=scenario.meta.id,
        scenario_title=scenario.meta.title,
        trainee=name(loaded.header.trainee),
        seed=loaded.header.seed,
        created=loaded.header.created,
        turns_played=len(loaded.turns),
        turns_planned=scenario.meta.turns,
        finished=game.finished,
        ending=ending,
        ending_text=headline(ending) if ending else "The game was not finished; this reviews the turns played.",
        integrity=_integrity(loaded),
        intended=_intended(scenario),
        learning_objectives=[
            f"{o.title}" + (f" — {clean(o.description)}" if o.description else "")
            for o in scenario.meta.learning_objectives
        ],
        score_weights=[f"{line.label}: {line.weight:+g} per unit" for line in score.lines],
        happened=_summary(series, score, reports, player, enemy, game),
        why=_why(reports, luck, moments, player),
        keep=_keep(decisions, objectives),
        change=_change(decisions, objectives, moments),
        score=score,
        objectives=objectives,
        timeline=timeline,
        turns_axis=series.turns,
        series=_series_models(series),
        decisions=decisions,
        luck=luck,
        moments=moments,
        branches=branches,
    )


def _integrity(loaded: LoadedJournal) -> list[str]:
    notes = [
        f"Replayed {plural(len(loaded.turns), 'turn')} from the journal: every recorded outcome reproduced exactly."
    ]
    if loaded.torn or loaded.problems:
        notes.append(loaded.damage_note())
    return notes


def _intended(scenario: Scenario) -> list[str]:
    from game.narrative.safe_text import clean

    b = scenario.narrative.briefing
    lines = [f"Mission: {clean(b.mission)}"]
    for obj in scenario.scoring.objectives:
        lines.append(f"Objective: {obj.title} ({obj.points:+g} points)")
    return lines


def _summary(
    series: TimeSeries, score: Score, reports: list[TurnReport], player: str, enemy: str, game: Game
) -> list[str]:
    area = series.get(player, "area_held_sq_mi").values
    own = series.get(player, "losses_cumulative").values[-1]
    foe = series.get(enemy, "losses_cumulative").values[-1]
    killed = sum(series.get(player, "killed").values)
    wounded = sum(series.get(player, "wounded").values)
    captured = sum(series.get(player, "captured").values)
    delivered = sum(series.get("supply", "delivered_t").values)
    lines = [
        f"{plural(len(reports), 'turn')} played; {'ending: ' + str(game.ending) if game.finished else 'not finished'}.",
        f"Area held went from {area[0]:,.1f} to {area[-1]:,.1f} sq mi.",
        f"Own losses {own:,.0f} (killed {killed:,.0f}, wounded {wounded:,.0f}, captured {captured:,.0f}); "
        f"enemy losses {foe:,.0f}.",
        f"Supplies delivered: {delivered:,.1f} t.",
        f"Score {score.total:+,.1f}.",
    ]
    return lines


def _why(reports: list[TurnReport], luck: LuckReport | None, moments: list[Moment], player: str) -> list[str]:
    totals: dict[str, list[Any]] = {}
    for r in reports:
        for f in r.factors:
            entry = totals.setdefault(f.name, [f.label, f.unit, 0.0, f.side])
            entry[2] += f.value
    own_losses = sorted(((v[2], v[0], v[1]) for k, v in totals.items() if k.startswith("own.")), reverse=True)
    lines = (
        [
            "Largest causes of own losses: "
            + "; ".join(
                f"{label.removeprefix('Own soldiers lost to ')} ({value:,.0f} {unit})"
                for value, label, unit in own_losses[:3]
            )
        ]
        if own_losses
        else []
    )
    trucks = sorted(
        ((v[2], v[0]) for k, v in totals.items() if k.startswith("drones.") and k.endswith(".road")), reverse=True
    )
    if trucks and trucks[0][0] > 0:
        lines.append(
            "Trucks lost on the road: "
            + "; ".join(f"{label.removeprefix('Trucks lost to ')} ({value:,.0f})" for value, label in trucks)
        )
    if luck is not None:
        lines.append(
            f"Luck against judgement: {luck.verdict}; your decisions were worth "
            f"{luck.judgement_total:+,.1f} points against the alternatives' average."
        )
    if moments:
        lines.append(moments_line(moments))
    return lines


def moments_line(moments: list[Moment]) -> str:
    """'3 teaching moments bookmarked: No convoys (turns 2 and 6); The reserve stayed idle (turn 3).'

    Every moment is counted once and named once with its turn, so the count is the number of turns listed."""
    turns: dict[str, list[int]] = {}
    for m in moments:
        turns.setdefault(m.title, []).append(m.turn)
    parts = [f"{title} (turn{'' if len(ts) == 1 else 's'} {_and(ts)})" for title, ts in turns.items()]
    return f"{plural(len(moments), 'teaching moment')} bookmarked: " + "; ".join(parts) + "."


def _and(numbers: list[int]) -> str:
    """'3', '2 and 6', '1–4, 7 and 9': consecutive turns as one range."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    words = [str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def plural(count: int, noun: str) -> str:
    """'1 turn', '3 turns'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _keep(decisions: list[DecisionView], objectives: list[ObjectiveView]) -> list[str]:
    lines = [f"Objective met: {o.title} — {o.reason}." for o in objectives if o.met]
    for d in decisions:
        if d.luck is not None and d.luck.judgement == "better":
            lines.append(
                f"Turn {d.turn}: your orders beat every alternative on the same dice ({d.luck.judgement_text})."
            )
    if decisions and all(d.forecast is not None for d in decisions):
        lines.append("You checked the advisor's forecast before every turn.")
    return lines


def _change(decisions: list[DecisionView], objectives: list[ObjectiveView], moments: list[Moment]) -> list[str]:
    lines = [f"Objective missed: {o.title} — {o.reason}." for o in objectives if not o.met]
    for m in moments:
        lines.append(f"Turn {m.turn}: {m.title} — {m.detail}.")
    for d in decisions:
        if d.luck is not None and d.luck.judgement == "worse":
            lines.append(f"Turn {d.turn}: {d.luck.judgement_text}.")
    return lines


def aar_for_path(path: str | Path, *, luck: LuckReport | None = None) -> AfterActionReview:
    """Load a journal and build its review (JournalError for a journal that cannot be used)."""
    from game.record.journal import load_journal

    return build_aar(load_journal(path), luck=luck)
