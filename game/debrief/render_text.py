"""The after-action review as plain lines for an 80-column terminal: the TUI's panels and screen readers.

No markup here: the TUI escapes and styles these lines itself, so the same words read the same anywhere.
"""

from __future__ import annotations

from game.narrative.story import drove_lines

from .aar import AfterActionReview, DecisionView
from .compare_plan import text_lines
from .text import num, pct, signed


def summary_lines(aar: AfterActionReview) -> list[str]:
    """Meant, happened, why, keep, change: the review's first page."""
    out = [
        f"{aar.scenario_title} · trainee {aar.trainee or '—'} · seed {aar.seed}",
        aar.ending_text,
        f"Final score {signed(aar.score.total)}",
        *aar.integrity,
        "",
        "WHAT WAS MEANT TO HAPPEN",
    ]
    out += [f"• {line}" for line in aar.intended]
    out += ["", "WHAT HAPPENED"] + [f"• {line}" for line in aar.happened]
    out += ["", "WHY"] + ([f"• {line}" for line in aar.why] or ["• (see the decisions)"])
    if aar.luck is not None:
        out.append(f"• Measure: {aar.luck.measure}; {aar.luck.replications:,} replications per decision.")
    out += ["", "WHAT TO KEEP"] + ([f"• {k}" for k in aar.keep] or ["• (nothing stood out)"])
    out += ["", "WHAT TO CHANGE"] + ([f"• {c}" for c in aar.change] or ["• (nothing stood out)"])
    if aar.moments:
        out += ["", "TEACHING MOMENTS"]
        for m in aar.moments:
            out += [f"• Turn {m.turn}: {m.title} — {m.detail}.", f"  {m.explanation}"]
    out += ["", "SCORE (quantity × weight = points)"]
    for score_line in aar.score.lines:
        out.append(
            f"  {score_line.label}: {num(score_line.quantity)} × {score_line.weight:+g} = {signed(score_line.points)}"
        )
        if score_line.why:
            out.append(f"    why: {score_line.why}")
    if aar.plan_comparison is not None:
        out += ["", *text_lines(aar.plan_comparison)]
    return out


def decision_lines(d: DecisionView) -> list[str]:
    """One decision: orders, knew, forecast, happened, true, drivers, luck and judgement, moments."""
    out = [d.when, "", "ORDERS"] + [f"  {line}" for line in d.orders_text]
    if d.intel is not None:
        out += [
            "",
            "WHAT YOU KNEW" + (" (recomputed)" if d.intel_recomputed else ""),
            f"  Enemy in contact {num(d.intel.enemy_total.estimate, 0)} ({num(d.intel.enemy_total.low, 0)}–"
            f"{num(d.intel.enemy_total.high, 0)}); road threat {d.intel.road_threat}",
        ]
        out += [f"  {n}" for n in d.intel.notes]
    out += ["", "WHAT THE FORECAST SAID"]
    if d.forecast is None:
        out.append("  No forecast was asked for.")
    for c in d.forecast_checks:
        out.append(
            f"  {c.what}: {num(c.p5)}–{num(c.p95)} (median {num(c.p50)}); actual {num(c.actual)}"
            f" — {'inside' if c.inside else 'OUTSIDE'} the band"
        )
    out += ["", "WHAT HAPPENED"] + [f"  {h}" for h in d.happened]
    if d.truth:
        out += ["", "WHAT WAS TRUE (told → truth)"]
        out += [
            f"  {t.what}: {t.told} → {num(t.true, 0)}"
            + ("" if t.inside_band is None else " (in band)" if t.inside_band else " (OUTSIDE the band)")
            for t in d.truth
        ]
    if d.factors:
        out += ["", "WHAT DROVE IT (ranked within each unit)"] + [f"  {line}" for line in drove_lines(d.factors)]
    if d.luck is not None:
        lk = d.luck
        out += [
            "",
            "LUCK AND JUDGEMENT",
            f"  Luck: {lk.luck} — outcome {signed(lk.actual)} at the {pct(lk.percentile)} point of your orders' "
            f"distribution (mean {signed(lk.trainee.mean)}, 5–95% {num(lk.trainee.p5)} to {num(lk.trainee.p95)})",
            f"  Judgement: {lk.judgement} — {lk.judgement_text}",
        ]
        out += [
            f"  vs {c.label}: {signed(c.difference)} points ({c.verdict}; you did better in "
            f"{pct(c.p_trainee_better)} of replications)"
            for c in lk.comparisons
        ]
    for m in d.moments:
        out += ["", f"TEACHING MOMENT — {m.title}", f"  {m.detail}.", f"  {m.explanation}"]
    return out


def branch_lines(aar: AfterActionReview) -> list[str]:
    """The what-if branches beside the original."""
    if not aar.branches:
        return [
            "No what-if branches yet. Pick a turn under Decisions and press w to try other orders with the "
            "same dice, or run: salient branch SAVE --turn N --policy NAME"
        ]
    out = []
    for b in aar.branches:
        out += [
            f"{b.id}: {b.label} (from turn {b.from_turn}; {b.source})",
            f"  score {signed(b.score)} against {signed(b.original_score)} ({signed(b.score - b.original_score)})",
            f"  area held {num(b.area_held_sq_mi)} against {num(b.original_area_held_sq_mi)} sq mi; "
            f"own losses {num(b.own_losses, 0)} against {num(b.original_own_losses, 0)}; ending {b.ending or '—'}",
        ]
        out += [f"  note: {n}" for n in b.notes]
    return out
