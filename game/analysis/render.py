"""The checker's report as plain text (for a terminal or CI log) or JSON (for tools)."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

from .check import CheckReport
from .exploit import as_lines

STATUS_WORD = {"pass": "PASS", "fail": "FAIL", "inconclusive": "INCONCLUSIVE", "error": "ERROR"}


def as_json(report: CheckReport) -> str:
    """The report as JSON (NaN and infinities written as null)."""

    def clean(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v) for v in value]
        return value

    data = clean(dataclasses.asdict(report))
    data["failed"] = report.failed
    if report.exploit is not None:
        data["exploit"]["failed"] = report.exploit.failed
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _share(x: float) -> str:
    """A share as a percentage; a rare event is `<1%`, never a misleading `0%`."""
    if 0 < x < 0.005:
        return "<1%"
    if 0.995 < x < 1:
        return ">99%"
    return f"{x:.0%}"


def _n(x: float, digits: int = 1) -> str:
    return "—" if not math.isfinite(x) else f"{x:,.{digits}f}"


def as_text(report: CheckReport) -> str:
    """The report for people: one section per concern, warnings last so they are seen."""
    files = any(p.orders_file is not None for p in report.policies)
    each = "policy and orders file" if files else "policy"
    out: list[str] = [
        f"Scenario check: {report.title} ({report.scenario_id})",
        f"{report.runs} games per {each}, seed {report.seed}, up to {report.turns} turns; "
        f"every {each} played on the same dice.",
        "",
        f"Endings and scores per {each}",
    ]
    for p in report.policies:
        endings = ", ".join(f"{k} {_share(v)}" for k, v in sorted(p.endings.items(), key=lambda kv: -kv[1]))
        source = f" (orders file {p.orders_file})" if p.orders_file is not None else ""
        out.append(f"  {p.policy}{source}: {endings}")
        out.append(
            f"    score mean {_n(p.score_mean)} (95% CI {_n(p.score_ci[0])} to {_n(p.score_ci[1])}), sd "
            f"{_n(p.score_sd)}, 5-50-95% {_n(p.score_p5)} / {_n(p.score_p50)} / {_n(p.score_p95)}; "
            f"{p.turns_mean:.1f} turns on average"
        )
        if p.objectives:
            out.append("    objectives met: " + ", ".join(f"{k} {_share(v)}" for k, v in p.objectives.items()))
    if report.injects:
        out += ["", "Injects (share of games in which each fired)"]
        names = [p.policy for p in report.policies]
        for inj, row in report.injects.items():
            tag = " (inactive: fired only by an umpire)" if inj in report.inactive_injects else ""
            out.append(f"  {inj}{tag}: " + ", ".join(f"{n} {_share(row[n])}" for n in names))
    if len(report.wins) > 1:
        out += [
            "",
            f"Head to head (share of games on the same dice in which the row {each.replace(' and ', ' or ')} "
            "scored higher)",
        ]
        for winner, row in report.wins.items():
            out.append(f"  {winner}: " + ", ".join(f"vs {b} {_share(v)}" for b, v in row.items()))
    if report.assertions:
        out += ["", "Assertions"]
        for a in report.assertions:
            lo, hi = a.between
            line = (
                f"  {STATUS_WORD[a.status]}: {a.label} — {a.metric} = {_n(a.value, 3)} "
                f"({a.confidence:.0%} CI {_n(a.ci[0], 3)} to {_n(a.ci[1], 3)}), expected {lo:g} to {hi:g}"
            )
            out.append(line)
            if a.note and a.status != "pass":
                out.append(f"    {a.note}")
    if report.exploit is not None:
        out += ["", "Exploit guard (the best plan of one fixed rule against the expert solution, on the same dice)"]
        out += as_lines(report.exploit)
    if report.notes:
        out += ["", "Notes"] + [f"  - {n}" for n in report.notes]
    if report.warnings:
        out += ["", "Warnings"] + [f"  ! {w}" for w in report.warnings]
    failed = sum(1 for a in report.assertions if a.status in {"fail", "error"})
    out += [
        "",
        f"{failed} assertion{'' if failed == 1 else 's'} failed."
        if failed
        else (
            f"All {len(report.assertions)} assertions hold."
            if len(report.assertions) > 1
            else "The one assertion holds."
        )
        if report.assertions
        else "No assertions to test.",
    ]
    if report.exploit is not None and report.exploit.failed:
        e = report.exploit
        out.append(
            f"The exploit guard failed: a fixed rule beats the expert solution by {e.difference:,.1f} points "
            f"(at most {e.margin:,.1f} allowed)."
        )
    return "\n".join(out) + "\n"
