"""The after-action review as one self-contained HTML file: inline CSS and SVG charts, no fonts or scripts.

It opens offline, prints cleanly (each decision starts on a fresh page when printed) and reads without
colour: series differ by dash and marker as well, and every chart's numbers are in the tables beside it.

The page is laid out in `templates/aar.html.j2` and filled by Jinja2 with autoescape: every name, title and
sentence is escaped where it is put; only the charts (drawn by `svg`, which escapes its own labels) are marked
safe. This module gathers the values and formats the numbers.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from game.narrative.safe_text import for_html
from game.narrative.story import by_unit

from .aar import AfterActionReview, DecisionView, plural
from .compare_plan import summary_lines, table_rows
from .svg import Line, histogram_chart, line_chart
from .text import branch_rows, chart_groups, luck_sentence, num, pct, series_rows, sides_of, signed

CSS = """
body{font-family:Georgia,'Times New Roman',serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.45}
h1,h2,h3{font-family:Helvetica,Arial,sans-serif}h1{font-size:1.6rem}h2{border-bottom:2px solid #333;margin-top:2.2rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}th,td{border:1px solid #bbb;padding:.2rem .45rem;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#eee}
.note{background:#f4f4f4;border-left:4px solid #777;padding:.4rem .8rem}.moment{border-left:4px solid #c0392b;padding:.2rem .8rem;margin:.6rem 0}
.verdict{font-weight:bold}.bad{color:#a31515}.good{color:#1b5e20}svg{max-width:100%;height:auto;display:block;margin:.5rem 0}
section.decision{border-top:1px solid #999;margin-top:1.5rem}
@media print{body{max-width:none;margin:0}section.decision{break-before:page}svg{break-inside:avoid}a{color:inherit}}
"""


def render_html(aar: AfterActionReview) -> str:
    """The whole review as a standalone HTML document."""
    player, enemy = sides_of(aar)
    headers, rows = series_rows(aar, player, enemy)
    page = for_html(
        "game.debrief",
        "aar.html.j2",
        aar=aar,
        css=Markup(CSS),
        num=num,
        pct=pct,
        signed=signed,
        score_rows=[
            (line.label, num(line.quantity), f"{line.weight:+g}", signed(line.points), line.why)
            for line in aar.score.lines
        ]
        + [("Total", "", "", signed(aar.score.total), "")],
        charts=[
            Markup(line_chart(title, aar.turns_axis, [Line(c.label, c.values) for c in curves], y_label=unit))
            for title, unit, curves in chart_groups(aar)
        ],
        series=(headers, rows, range(1, len(headers))),
        branches=_branches(aar, player) if aar.branches else None,
        timeline=[
            (str(e.turn), e.when.split(" — ")[-1], e.text + (" (instructor)" if e.visible_to == "instructor" else ""))
            for e in aar.timeline
        ],
        plan=(
            None
            if aar.plan_comparison is None
            else {
                "c": aar.plan_comparison,
                "summary": summary_lines(aar.plan_comparison),
                "rows": table_rows(aar.plan_comparison),
            }
        ),
        luck=_luck_summary(aar) if aar.luck is not None else None,
        decisions=[_decision(d) for d in aar.decisions],
    )
    return "\n".join(line for line in page.splitlines() if line.strip()) + "\n"


def _branches(aar: AfterActionReview, player: str) -> dict[str, Any]:
    base = aar.curve(player, "area_held_sq_mi")
    lines = [Line("original", base.values)] if base else []
    for b in aar.branches:
        curve = next((c for c in b.series if c.entity == player and c.metric == "area_held_sq_mi"), None)
        if curve is not None:
            lines.append(Line(f"{b.id}: {b.label}", curve.values))
    chart = None
    if lines:
        longest = max(len(line.values) for line in lines)
        chart = Markup(line_chart("Area held: original and what-ifs", list(range(longest)), lines, y_label="sq mi"))
    return {"chart": chart, "rows": branch_rows(aar)}


def _luck_summary(aar: AfterActionReview) -> dict[str, Any]:
    lk = aar.luck
    assert lk is not None
    turns = [d.turn for d in lk.decisions]
    best = [max([d.trainee.mean] + [a.mean for a in d.alternatives]) for d in lk.decisions]
    chart = line_chart(
        "Each decision: actual and expected score change",
        turns,
        [
            Line("actual", [d.actual for d in lk.decisions]),
            Line("your orders (expected)", [d.trainee.mean for d in lk.decisions]),
            Line("best alternative (expected)", best),
        ],
        y_label="score change",
        y_zero=False,
    )
    percentiles = line_chart(
        "Luck: where the outcome fell in your orders' distribution",
        turns,
        [Line("percentile", [100 * d.percentile for d in lk.decisions]), Line("median (50)", [50.0] * len(turns))],
        y_label="percentile",
    )
    return {
        "lk": lk,
        "cls": "good" if lk.judgement == "good" else "bad" if lk.judgement == "poor" else "",
        "sentence": luck_sentence(lk),
        "horizon": plural(lk.horizon, "turn"),
        "alternatives": ", ".join(list(lk.cases.values())[1:]),
        "chart": Markup(chart),
        "percentiles": Markup(percentiles),
    }


def _decision(d: DecisionView) -> dict[str, Any]:
    out: dict[str, Any] = {
        "view": d,
        "checks": [
            (c.what, num(c.p5), num(c.p50), num(c.p95), num(c.actual), "yes" if c.inside else "NO")
            for c in d.forecast_checks
        ],
        "truth": [
            (t.what, t.told, num(t.true, 0), "—" if t.inside_band is None else "yes" if t.inside_band else "NO")
            for t in d.truth
        ],
        "factors": [(heading, f.label, num(f.value), f.unit) for heading, group in by_unit(d.factors) for f in group],
    }
    if d.luck is not None:
        lk = d.luck
        out["histogram"] = Markup(
            histogram_chart(
                f"Turn {d.turn}: your orders' outcomes over {sum(lk.histogram):,} replications",
                lk.histogram,
                lk.bin_edges,
                marker=lk.actual,
                marker_label="what happened",
                x_label="score change",
            )
        )
        out["alternatives"] = [
            (c.label, signed(a.mean), signed(c.difference), pct(c.p_trainee_better), c.verdict)
            for c, a in zip(lk.comparisons, lk.alternatives, strict=True)
        ]
    return out
