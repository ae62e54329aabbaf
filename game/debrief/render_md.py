"""The after-action review as Markdown: readable in a terminal, a wiki or a pull request.

Every string from the model passes through `m` (Markdown-escaped, controls removed): titles, names, notes and
sentences carry scenario and trainee text, which must read as written and never become links, HTML or layout.
"""

from __future__ import annotations

from collections.abc import Sequence

from game.narrative.safe_text import for_markdown
from game.narrative.story import by_unit, factor_line

from .aar import AfterActionReview, DecisionView, plural
from .compare_plan import markdown_lines
from .text import (
    BRANCH_HEADINGS,
    branch_rows,
    chart_groups,
    luck_sentence,
    num,
    pct,
    series_rows,
    sides_of,
    signed,
    sparkline,
)


class Marked(str):
    """Markdown written here (bold around a number): a table passes it through unescaped."""


def m(text: object) -> str:
    """Text from the model, escaped for a Markdown line."""
    return for_markdown(text)


def _cell(text: object) -> str:
    return str(text) if isinstance(text, Marked) else for_markdown(text, block=False)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(_cell(h) for h in header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def render_markdown(aar: AfterActionReview) -> str:
    """The whole review: meant, happened, why (decision by decision), keep, change, what-ifs."""
    player, enemy = sides_of(aar)
    out = [f"# {m(aar.title)}", ""]
    out += [
        f"- Trainee: {m(aar.trainee or '—')} · seed {aar.seed} · journal {m(aar.journal)}",
        f"- Turns played: {aar.turns_played} of {aar.turns_planned} · {m(aar.ending_text)}",
        f"- Final score: **{signed(aar.score.total)}**",
        "",
    ]
    out += [f"> {m(note)}" for note in aar.integrity] + [""]

    out += ["## 1. What was meant to happen", ""]
    out += [f"- {m(line)}" for line in aar.intended]
    if aar.learning_objectives:
        out += ["", "Learning objectives:", ""] + [f"- {m(o)}" for o in aar.learning_objectives]
    out += ["", "The score and its weights:", ""]
    out += _table(
        ("Measured", "Quantity", "Weight", "Points", "Why this weight"),
        [(s.label, num(s.quantity), f"{s.weight:+g}", signed(s.points), s.why) for s in aar.score.lines]
        + [(Marked("**Total**"), "", "", Marked(f"**{signed(aar.score.total)}**"), "")],
    )

    out += ["", "## 2. What happened", ""] + [f"- {m(line)}" for line in aar.happened] + [""]
    out += ["### Over time", ""]
    for _title, unit, curves in chart_groups(aar):
        for c in curves:
            out.append(f"- {m(c.label)} ({m(unit)}): `{sparkline(c.values)}` {num(c.values[0])} → {num(c.values[-1])}")
    out += [""]
    out += [*_series_table(aar, player, enemy), ""]
    out += ["### Timeline", ""]
    out += _table(
        ("Turn", "When", "What"),
        [
            (
                str(e.turn),
                e.when.split(" — ")[-1],
                Marked(_cell(e.text) + (" *(instructor)*" if e.visible_to == "instructor" else "")),
            )
            for e in aar.timeline
        ],
    )

    out += ["", "## 3. Why: decision by decision", ""]
    if aar.luck is not None:
        lk = aar.luck
        out += [
            f"**Luck against judgement: {m(lk.verdict)}.** {m(luck_sentence(lk))} Your decisions were worth "
            f"{signed(lk.judgement_total)} points against the alternatives' average (z = {lk.judgement_z:.1f}). "
            f"Measure: {m(lk.measure)}. {lk.replications:,} replications per decision, horizon "
            f"{plural(lk.horizon, 'turn')}, alternatives: {m(', '.join(list(lk.cases.values())[1:]))}.",
            "",
        ]
    for d in aar.decisions:
        out += _decision(d)

    out += ["## 4. What to keep", ""] + ([f"- {m(k)}" for k in aar.keep] or ["- (nothing stood out)"]) + [""]
    out += ["## 5. What to change", ""] + ([f"- {m(c)}" for c in aar.change] or ["- (nothing stood out)"]) + [""]
    if aar.moments:
        out += ["### Teaching moments", ""]
        for mo in aar.moments:
            out += [
                f"- **Turn {mo.turn}: {m(mo.title)}** — {m(mo.detail)}."
                + (f" *(Objective: {m(mo.objective)})*" if mo.objective else ""),
                f"  > {m(mo.explanation)}",
            ]
        out += [""]
    if aar.plan_comparison is not None:
        out += markdown_lines(aar.plan_comparison)
    if aar.branches:
        out += ["## What-if branches (same dice; never scored)", ""]
        out += _table(
            BRANCH_HEADINGS,
            branch_rows(aar),
        )
        out += [""]
    return "\n".join(out).rstrip() + "\n"


def _series_table(aar: AfterActionReview, player: str, enemy: str) -> list[str]:
    headers, rows = series_rows(aar, player, enemy)
    return _table(headers, rows)


def _decision(d: DecisionView) -> list[str]:
    out = [f"### {m(d.when)}", ""]
    out += ["**Orders:** " + "; ".join(m(o) for o in d.orders_text), ""]
    knew = "What you knew" + (" (recomputed: not recorded in the journal)" if d.intel_recomputed else "")
    if d.intel is not None:
        parts = [
            f"enemy in contact {num(d.intel.enemy_total.estimate, 0)} ({num(d.intel.enemy_total.low, 0)}–"
            f"{num(d.intel.enemy_total.high, 0)})",
            f"road threat {m(d.intel.road_threat)}",
        ]
        out += [f"**{knew}:** " + "; ".join(parts) + "."] + [f"- {m(n)}" for n in d.intel.notes] + [""]
    if d.forecast is not None:
        f = d.forecast
        out += [
            f"**What the forecast said** ({f.replications:,} replications): own losses {num(f.own_losses.p5, 0)}–"
            f"{num(f.own_losses.p95, 0)} (median {num(f.own_losses.p50, 0)}), area held {num(f.area_held_sq_mi.p5)}–"
            f"{num(f.area_held_sq_mi.p95)} sq mi, every route cut {pct(f.p_road_cut)}.",
            "",
        ]
    else:
        out += ["**What the forecast said:** no forecast was asked for.", ""]
    out += ["**What happened:** " + " ".join(m(h) for h in d.happened), ""]
    if d.forecast_checks:
        out += _table(
            ("Forecast", "5%", "median", "95%", "Actual", "In band"),
            [
                (c.what, num(c.p5), num(c.p50), num(c.p95), num(c.actual), "yes" if c.inside else "NO")
                for c in d.forecast_checks
            ],
        )
        out.append("")
    if d.truth:
        out += ["**What was true:**", ""]
        out += _table(
            ("", "You were told", "Truth", "Truth in band"),
            [
                (t.what, t.told, num(t.true, 0), "—" if t.inside_band is None else "yes" if t.inside_band else "NO")
                for t in d.truth
            ],
        )
        out.append("")
    if d.factors:
        out += ["**What drove it** (ranked within each unit; a soldier and a tonne are not compared):", ""]
        out += [
            f"- {m(heading)}: " + "; ".join(m(factor_line(f)) for f in group) for heading, group in by_unit(d.factors)
        ]
        out += [""]
    if d.luck is not None:
        lk = d.luck
        out += [
            f"**Luck:** {m(lk.luck)} — the outcome ({signed(lk.actual)} points) fell at the {pct(lk.percentile)} point of "
            f"your orders' distribution (mean {signed(lk.trainee.mean)}, 5–95% {num(lk.trainee.p5)} to {num(lk.trainee.p95)}).",
            f"**Judgement:** {m(lk.judgement)} — {m(lk.judgement_text)}.",
            "",
        ]
        out += _table(
            ("Alternative", "Expected score change", "You minus it", "You did better in", "Verdict"),
            [
                (c.label, signed(a.mean), signed(c.difference), pct(c.p_trainee_better), c.verdict)
                for c, a in zip(lk.comparisons, lk.alternatives, strict=True)
            ],
        )
        out.append("")
    for mo in d.moments:
        out += [f"**Teaching moment — {m(mo.title)}:** {m(mo.detail)}.", f"> {m(mo.explanation)}", ""]
    return out
