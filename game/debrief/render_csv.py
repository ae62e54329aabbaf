"""The after-action review's time series as CSV in long form, for spreadsheets, pandas and R.

Columns: case, replication, turn, entity, metric, value, unit — one row per turn × entity (unit, side,
stock, road, sector) × metric × replication. The played game is case `actual`, replication 0; each what-if
branch is case `branch:<id>`; the luck analysis adds its per-decision summaries as case `luck:<case>`
(metric mean, sd, p5, p50, p95, own_losses, area_lost, enemy_losses; replication 0 — they summarise the
replications) and `luck:actual` (the outcome and its percentile).

Text cells (entity and branch ids, labels, units) go through `csv_cell`: a name from a scenario that starts with
`=` or `@` stays text in a spreadsheet instead of becoming a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from game.narrative.safe_text import csv_cell

from .aar import AfterActionReview, CurveData

HEADER = ("case", "replication", "turn", "entity", "metric", "value", "unit")


def _curve_rows(case: str, turns: Sequence[int], curves: Sequence[CurveData]) -> Iterator[tuple[object, ...]]:
    for c in curves:
        for t, v in zip(turns, c.values, strict=True):
            yield (case, 0, t, c.entity, c.metric, float(v), c.unit)


def rows(aar: AfterActionReview) -> Iterator[tuple[object, ...]]:
    """Every row after the header."""
    yield from _curve_rows("actual", aar.turns_axis, aar.series)
    for b in aar.branches:
        length = len(b.series[0].values) if b.series else 0
        yield from _curve_rows(f"branch:{b.id}", list(range(length)), b.series)
    if aar.luck is not None:
        for d in aar.luck.decisions:
            for stats in [d.trainee, *d.alternatives]:
                for metric in ("mean", "sd", "p5", "p50", "p95", "own_losses", "area_lost", "enemy_losses"):
                    unit = "soldiers" if metric.endswith("losses") else "sq mi" if metric == "area_lost" else "points"
                    yield (
                        f"luck:{stats.case}",
                        0,
                        d.turn,
                        "outcome",
                        metric,
                        float(getattr(stats, metric)),
                        unit,
                    )
            yield ("luck:actual", 0, d.turn, "outcome", "value", float(d.actual), "points")
            yield ("luck:actual", 0, d.turn, "outcome", "percentile", float(d.percentile), "share")


def render_csv(aar: AfterActionReview) -> str:
    """The whole CSV as text (RFC 4180, `\\r\\n` line ends as the csv module writes them)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows([csv_cell(cell) for cell in row] for row in rows(aar))
    return buffer.getvalue()
