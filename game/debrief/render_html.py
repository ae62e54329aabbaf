"""The after-action review as one self-contained HTML file: inline CSS and SVG charts, no fonts or scripts.

It opens offline, prints cleanly (each decision starts on a fresh page when printed) and reads without
colour: series differ by dash and marker as well, and every chart's numbers are in the tables beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from game.narrative.story import by_unit

from .aar import AfterActionReview, DecisionView, plural
from .compare_plan import html_section
from .svg import Line, histogram_chart, line_chart
from .text import chart_groups, luck_sentence, num, pct, series_rows, sides_of, signed

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


def _e(text: object) -> str:
    return escape(str(text))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    head = "".join(f"<th{' class=n' if i in numeric else ''}>{_e(h)}</th>" for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f"<td{' class=n' if i in numeric else ''}>{_e(c)}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _list(items: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>" if items else "<p>(nothing stood out)</p>"


def render_html(aar: AfterActionReview) -> str:
    """The whole review as a standalone HTML document."""
    player, enemy = sides_of(aar)
    parts = [
        f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{_e(aar.title)}</title>"
        f"<meta name=viewport content='width=device-width,initial-scale=1'><style>{CSS}</style></head><body>",
        f"<h1>{_e(aar.title)}</h1>",
        f"<p>Trainee: <b>{_e(aar.trainee or '—')}</b> · seed {aar.seed} · {aar.turns_played} of {aar.turns_planned} turns"
        f" · {_e(aar.ending_text)} · final score <b>{_e(signed(aar.score.total))}</b></p>",
        "".join(f"<p class=note>{_e(n)}</p>" for n in aar.integrity),
    ]

    parts.append("<h2>1. What was meant to happen</h2>" + _list(aar.intended))
    if aar.learning_objectives:
        parts.append("<h3>Learning objectives</h3>" + _list(aar.learning_objectives))
    parts.append(
        "<h3>The score and its weights</h3>"
        + _table(
            ("Measured", "Quantity", "Weight", "Points", "Why this weight"),
            [(s.label, num(s.quantity), f"{s.weight:+g}", signed(s.points), s.why) for s in aar.score.lines]
            + [("Total", "", "", signed(aar.score.total), "")],
            numeric=(1, 2, 3),
        )
    )

    parts.append("<h2>2. What happened</h2>" + _list(aar.happened))
    for title, unit, curves in chart_groups(aar):
        parts.append(line_chart(title, aar.turns_axis, [Line(c.label, c.values) for c in curves], y_label=unit))
    parts.append(_series_table(aar, player, enemy))
    if aar.branches:
        parts.append(_branch_section(aar, player))
    if aar.plan_comparison is not None:
        parts.append(html_section(aar.plan_comparison))
    parts.append(
        "<h3>Timeline</h3>"
        + _table(
            ("Turn", "When", "What"),
            [
                (
                    str(e.turn),
                    e.when.split(" — ")[-1],
                    e.text + (" (instructor)" if e.visible_to == "instructor" else ""),
                )
                for e in aar.timeline
            ],
        )
    )

    parts.append("<h2>3. Why: decision by decision</h2>")
    if aar.luck is not None:
        parts.append(_luck_summary(aar))
    parts.extend(_decision(d) for d in aar.decisions)

    parts.append("<h2>4. What to keep</h2>" + _list(aar.keep))
    parts.append("<h2>5. What to change</h2>" + _list(aar.change))
    for m in aar.moments:
        parts.append(
            f"<div class=moment><b>Turn {m.turn}: {_e(m.title)}</b> — {_e(m.detail)}."
            f"{' <i>Objective: ' + _e(m.objective) + '</i>' if m.objective else ''}<p>{_e(m.explanation)}</p></div>"
        )
    parts.append(f"<p class=note>Salient {_e(aar.salient)} · journal {_e(aar.journal)}</p></body></html>")
    return "\n".join(parts) + "\n"


def _series_table(aar: AfterActionReview, player: str, enemy: str) -> str:
    headers, rows = series_rows(aar, player, enemy)
    return _table(headers, rows, numeric=range(1, len(headers)))


def _branch_section(aar: AfterActionReview, player: str) -> str:
    out = ["<h3>What-if branches (same dice; never scored)</h3>"]
    base = aar.curve(player, "area_held_sq_mi")
    lines = [Line("original", base.values)] if base else []
    for b in aar.branches:
        curve = next((c for c in b.series if c.entity == player and c.metric == "area_held_sq_mi"), None)
        if curve is not None:
            lines.append(Line(f"{b.id}: {b.label}", curve.values))
    if lines:
        longest = max(len(line.values) for line in lines)
        out.append(line_chart("Area held: original and what-ifs", list(range(longest)), lines, y_label="sq mi"))
    out.append(
        _table(
            ("Branch", "From turn", "Orders", "Score", "Original", "Area held", "Own losses", "Ending"),
            [
                (
                    f"{b.id}: {b.label}",
                    str(b.from_turn),
                    b.source,
                    signed(b.score),
                    signed(b.original_score),
                    num(b.area_held_sq_mi),
                    num(b.own_losses, 0),
                    b.ending or "—",
                )
                for b in aar.branches
            ],
            numeric=(1, 3, 4, 5, 6),
        )
    )
    return "".join(out)


def _luck_summary(aar: AfterActionReview) -> str:
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
    pcts = line_chart(
        "Luck: where the outcome fell in your orders' distribution",
        turns,
        [Line("percentile", [100 * d.percentile for d in lk.decisions]), Line("median (50)", [50.0] * len(turns))],
        y_label="percentile",
    )
    cls = "good" if lk.judgement == "good" else "bad" if lk.judgement == "poor" else ""
    return (
        f"<p class='verdict {cls}'>Luck against judgement: {_e(lk.verdict)}.</p>"
        f"<p>{_e(luck_sentence(lk))} Your decisions were worth "
        f"{_e(signed(lk.judgement_total))} points against the alternatives' average (z = {lk.judgement_z:.1f}). "
        f"Measure: {_e(lk.measure)}. {lk.replications:,} replications per decision on the same dice, horizon "
        f"{plural(lk.horizon, 'turn')}; alternatives: {_e(', '.join(list(lk.cases.values())[1:]))}.</p>" + chart + pcts
    )


def _decision(d: DecisionView) -> str:
    out = [f"<section class=decision id=turn-{d.turn}><h3>{_e(d.when)}</h3>", "<h4>Orders</h4>" + _list(d.orders_text)]
    if d.intel is not None:
        knew = "What you knew" + (" (recomputed: not recorded in the journal)" if d.intel_recomputed else "")
        out.append(
            f"<h4>{knew}</h4><p>Enemy in contact {num(d.intel.enemy_total.estimate, 0)} "
            f"({num(d.intel.enemy_total.low, 0)}–{num(d.intel.enemy_total.high, 0)}); road threat "
            f"{_e(d.intel.road_threat)}.</p>" + (_list(d.intel.notes) if d.intel.notes else "")
        )
    if d.forecast is not None:
        f = d.forecast
        out.append(
            f"<h4>What the forecast said</h4><p>{f.replications:,} replications: own losses "
            f"{num(f.own_losses.p5, 0)}–{num(f.own_losses.p95, 0)} (median {num(f.own_losses.p50, 0)}); area held "
            f"{num(f.area_held_sq_mi.p5)}–{num(f.area_held_sq_mi.p95)} sq mi; every route cut {pct(f.p_road_cut)}.</p>"
        )
    else:
        out.append("<h4>What the forecast said</h4><p>No forecast was asked for.</p>")
    out.append("<h4>What happened</h4>" + _list(d.happened))
    if d.forecast_checks:
        out.append(
            _table(
                ("Forecast", "5%", "median", "95%", "Actual", "In band"),
                [
                    (c.what, num(c.p5), num(c.p50), num(c.p95), num(c.actual), "yes" if c.inside else "NO")
                    for c in d.forecast_checks
                ],
                numeric=(1, 2, 3, 4),
            )
        )
    if d.truth:
        out.append(
            "<h4>What was true</h4>"
            + _table(
                ("", "You were told", "Truth", "Truth in band"),
                [
                    (t.what, t.told, num(t.true, 0), "—" if t.inside_band is None else "yes" if t.inside_band else "NO")
                    for t in d.truth
                ],
                numeric=(2,),
            )
        )
    if d.factors:
        rows = [(heading, f.label, num(f.value), f.unit) for heading, group in by_unit(d.factors) for f in group]
        out.append(
            "<h4>What drove it</h4><p>Ranked within each unit: a soldier and a tonne are not compared.</p>"
            + _table(("Kind", "Factor", "Value", "Unit"), rows, numeric=(2,))
        )
    if d.luck is not None:
        lk = d.luck
        out.append(
            f"<h4>Luck and judgement</h4><p><b>Luck: {_e(lk.luck)}</b> — the outcome ({_e(signed(lk.actual))} points) "
            f"fell at the {pct(lk.percentile)} point of your orders' distribution (mean {_e(signed(lk.trainee.mean))}, "
            f"5–95% {num(lk.trainee.p5)} to {num(lk.trainee.p95)}).<br><b>Judgement: {_e(lk.judgement)}</b> — "
            f"{_e(lk.judgement_text)}.</p>"
        )
        out.append(
            histogram_chart(
                f"Turn {d.turn}: your orders' outcomes over {sum(lk.histogram):,} replications",
                lk.histogram,
                lk.bin_edges,
                marker=lk.actual,
                marker_label="what happened",
                x_label="score change",
            )
        )
        out.append(
            _table(
                ("Alternative", "Expected score change", "You minus it", "You did better in", "Verdict"),
                [
                    (c.label, signed(a.mean), signed(c.difference), pct(c.p_trainee_better), c.verdict)
                    for c, a in zip(lk.comparisons, lk.alternatives, strict=True)
                ],
                numeric=(1, 2, 3),
            )
        )
    for m in d.moments:
        out.append(
            f"<div class=moment><b>Teaching moment — {_e(m.title)}:</b> {_e(m.detail)}.<p>{_e(m.explanation)}</p></div>"
        )
    out.append("</section>")
    return "".join(out)
