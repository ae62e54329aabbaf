"""The class report as Markdown, HTML or JSON.

The report is laid out once as a list of blocks (headings, paragraphs, tables, bullet lists) and each
format renders the blocks, so Markdown and HTML never drift apart. The expert's choice is marked with a
word and a glyph, never by colour alone.

Names, titles and reasons come from trainees, scenarios and the class database: Markdown escapes them
(`for_markdown`), HTML is filled by a Jinja2 template with autoescape (`templates/class_report.html.j2`).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Literal

from game.narrative.fmt import counted, plural
from game.narrative.safe_text import for_html, for_json, for_markdown

from .report import ClassReport, DecisionPoint, DimensionStat, ScenarioReport

Format = Literal["md", "html", "json"]
EXPERT = "★ expert"


@dataclass
class Heading:
    level: int
    text: str
    kind: str = "heading"


@dataclass
class Para:
    text: str
    kind: str = "para"


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    kind: str = "table"


@dataclass
class Bullets:
    items: list[str]
    kind: str = "bullets"


Block = Heading | Para | Table | Bullets


def render(report: ClassReport, fmt: Format) -> str:
    """The report in one format."""
    if fmt == "json":
        return for_json(json.dumps(dataclasses.asdict(report), indent=2, ensure_ascii=False)) + "\n"
    blocks = layout(report)
    return to_markdown(blocks) if fmt == "md" else to_html(blocks)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


def _num(x: float | None, digits: int = 0) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))) or "—"


def _who(names: list[str], limit: int = 4) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" +{len(names) - limit}" if len(names) > limit else "")


def layout(report: ClassReport) -> list[Block]:
    """The report as blocks."""
    blocks: list[Block] = [Heading(1, "Class report"), Para(f"From {report.database}, {report.generated}.")]
    if not report.scenarios:
        blocks.append(Para("No games are recorded yet."))
    for sc in report.scenarios:
        blocks.extend(_scenario(sc))
    return blocks


def _scenario(sc: ScenarioReport) -> list[Block]:
    out: list[Block] = [
        Heading(2, f"{sc.title} ({sc.scenario_id})"),
        Para(
            f"{counted(sc.games, 'game')}, {sc.finished} finished, by {counted(sc.trainees, 'trainee')}. Endings: {_counts(sc.endings)}. "
            f"Mean score: {_num(sc.mean_score, 1)}."
            + (
                f" Games were played on {sc.versions} versions of the scenario; drills and the expert solution "
                "come from the newest."
                if sc.versions > 1
                else ""
            )
        ),
    ]
    for point in sc.decision_points:
        out.extend(_point(point))
    out.append(Heading(3, "Trainees"))
    out.append(
        Table(
            [
                "Trainee",
                "Games",
                "Mean score",
                "Endings",
                "Estimates",
                "Brier",
                "Model's Brier",
                "Umpire interventions",
            ],
            [
                [
                    t.trainee,
                    str(t.games),
                    _num(t.mean_score, 1),
                    _counts(t.endings),
                    str(t.calibration.estimates) if t.calibration else "0",
                    _num(t.calibration.brier, 3) if t.calibration else "—",
                    _num(t.calibration.model_brier, 3) if t.calibration else "—",
                    str(t.interventions),
                ]
                for t in sc.by_trainee
            ],
        )
    )
    out.append(
        Para(
            "Brier score: mean of (estimate − outcome)², 0 is perfect and 0.25 is what always saying 50% "
            "earns. The model's Brier score is its own forecast judged on the same events."
        )
    )
    out.append(Heading(3, "Teaching moments hit"))
    items = [
        f"{t.trainee}: "
        + "; ".join(
            f"{m.title} ({counted(m.games, 'game')}, {plural('turn', len(m.turns))} {', '.join(map(str, m.turns))})"
            for m in t.moments
        )
        for t in sc.by_trainee
        if t.moments
    ]
    out.append(Bullets(items) if items else Para("None."))
    if sc.interventions:
        out.append(Heading(3, "Umpire interventions"))
        out.append(
            Table(
                ["Trainee", "Before turn", "What", "Reason"],
                [[i["trainee"], str(i["turn"]), i["summary"], i["reason"]] for i in sc.interventions],
            )
        )
    return out


def _point(p: DecisionPoint) -> list[Block]:
    if p.trigger or p.turn is None:  # a drill put on a condition: its games put it at different turns
        title = p.drill.title if p.drill is not None else (p.drill_id or "")
        at = f"put at {plural('turn', len(p.turns))} {', '.join(map(str, p.turns))}" if p.turns else "put in no game"
        out: list[Block] = [Heading(3, f"Decision point: drill “{title}”, {at} ({counted(p.games, 'game')})")]
        if p.trigger:
            out.append(Para(f"Put {p.trigger}."))
    else:
        out = [Heading(3, f"Decision point: turn {p.turn} ({counted(p.games, 'game')})")]
    if p.expert_rationale or p.expert_policy:
        policy = f" (standing policy `{p.expert_policy}`)" if p.expert_policy else ""
        out.append(Para(f"Expert{policy}: {p.expert_rationale}".rstrip()))
    d = p.drill
    if d is not None:
        median = f", median {d.median_seconds:.0f} s" if d.median_seconds is not None else ""
        ran_out = f" ({d.timed_out} when the time ran out, ranking nothing)" if d.timed_out else ""
        out.append(
            Para(
                f"Drill “{d.title}”: {counted(d.answers, 'answer')}, {d.late} late{ran_out}, {d.rationales} with a "
                f"rationale{median}."
            )
        )
        if d.options:
            out.append(
                Table(
                    ["Option", "Put first", "Mean rank", "Expert's rank"],
                    [[o.label, str(o.first), _num(o.mean_rank, 1), str(o.expert_rank or "—")] for o in d.options],
                )
            )
        if d.agreement is not None:
            out.append(Para(f"Agreement with the expert's ranking (Kendall tau, 1 = same order): {d.agreement:+.2f}."))
        if d.question:
            out.append(
                Para(
                    f"Estimate “{d.question}”: class mean {_pct(d.mean_estimate)}, it happened in "
                    f"{_pct(d.event_rate)} of games, the model said {_pct(d.mean_model_p)}"
                    + (f", the expert {_pct(d.expert_estimate)}." if d.expert_estimate is not None else ".")
                )
            )
    rows: list[list[str]] = []
    for dim in p.dimensions:
        rows.extend(_dimension_rows(dim))
    out.append(
        Table(
            [
                "Decision",
                "Choice",
                "Games",
                "Who",
                "Own losses",
                "Area held",
                "Road cut",
                "Lost ground",
                "Model: own losses (p5–p95)",
                "Model: road cut",
            ],
            rows,
        )
    )
    return out


def _dimension_rows(dim: DimensionStat) -> list[list[str]]:
    rows = []
    for i, c in enumerate(dim.choices):
        m = c.model
        label = dim.label if i == 0 else ""
        if i == 0 and dim.expert_share is not None:
            label += f" (as expert: {_pct(dim.expert_share)})"
        rows.append(
            [
                label,
                c.choice + (f" {EXPERT}" if c.expert else ""),
                f"{c.games} ({_pct(c.share)})",
                _who(c.trainees),
                _num(c.own_losses),
                _num(c.area_held_sq_mi, 1),
                _pct(c.road_cut),
                _pct(c.lost_ground),
                f"{_num(m.own_losses_mean)} ({_num(m.own_losses_p5)}–{_num(m.own_losses_p95)})" if m else "—",
                _pct(m.p_road_cut) if m else "—",
            ]
        )
    return rows


def to_markdown(blocks: list[Block]) -> str:
    """Blocks as GitHub-flavoured Markdown, every text escaped so names and reasons read as written."""
    parts: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            parts.append(f"{'#' * b.level} {for_markdown(b.text)}")
        elif isinstance(b, Para):
            parts.append(for_markdown(b.text))
        elif isinstance(b, Bullets):
            parts.append("\n".join(f"- {for_markdown(item)}" for item in b.items))
        else:
            cells = [for_markdown(h, block=False) for h in b.header]
            lines = ["| " + " | ".join(cells) + " |", "|" + "|".join("---" for _ in b.header) + "|"]
            lines += ["| " + " | ".join(for_markdown(c, block=False) for c in row) + " |" for row in b.rows]
            parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem}"
    "table{border-collapse:collapse;margin:0.5rem 0 1rem}th,td{border:1px solid #999;padding:0.2rem 0.5rem;"
    "text-align:left;vertical-align:top}th{background:#eee}"
)


def to_html(blocks: list[Block]) -> str:
    """Blocks as a standalone HTML page (no scripts, no external files)."""
    from markupsafe import Markup

    return for_html("game.classroom", "class_report.html.j2", blocks=blocks, style=Markup(STYLE))
