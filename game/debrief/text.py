"""Small text helpers shared by the renderers: numbers, sparklines, the chart selection."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .aar import AfterActionReview, CurveData
from .luck import LUCKY, UNLUCKY, LuckReport

BLOCKS = "▁▂▃▄▅▆▇█"


def num(x: float | None, digits: int = 1) -> str:
    """A number with thousands separators (— for None or not finite)."""
    if x is None or not math.isfinite(x):
        return "—"
    return f"{x:,.{digits}f}"


def signed(x: float, digits: int = 1) -> str:
    """A number with its sign."""
    return f"{x:+,.{digits}f}"


def pct(p: float) -> str:
    """A share as a whole percentage."""
    return f"{100 * p:.0f}%"


def sparkline(values: Sequence[float]) -> str:
    """One block character per value, lowest to highest (empty for no values)."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return ""
    lo, hi = min(finite), max(finite)
    span = hi - lo or 1.0
    return "".join(BLOCKS[min(7, int((v - lo) / span * 7.999))] if math.isfinite(v) else " " for v in values)


def chart_groups(aar: AfterActionReview) -> list[tuple[str, str, list[CurveData]]]:
    """(title, y label, curves) of the charts every renderer shows, in order."""
    player = next((c.entity for c in aar.series if c.metric == "area_held_sq_mi"), "")
    sides = [c for c in aar.series if c.metric == "strength" and c.entity in _sides(aar)]
    groups = [
        ("Strength of both sides", "soldiers", sides),
        ("Area held", "sq mi", [c for c in aar.series if c.metric == "area_held_sq_mi"]),
        (
            "Supply delivered and stocks",
            "t",
            [
                c
                for c in aar.series
                if (c.entity, c.metric) == ("supply", "delivered_t") or (c.metric == "stock" and c.unit == "t")
            ],
        ),
        (
            "Own losses per turn",
            "soldiers",
            [c for c in aar.series if c.entity == player and c.metric in ("killed", "wounded", "captured")],
        ),
    ]
    return [g for g in groups if g[2]]


def _sides(aar: AfterActionReview) -> set[str]:
    return {c.entity for c in aar.series if c.metric == "losses_total"}


def sides_of(aar: AfterActionReview) -> tuple[str, str]:
    """(player side id, enemy side id)."""
    player = next((c.entity for c in aar.series if c.metric == "area_held_sq_mi"), "")
    others = sorted(_sides(aar) - {player})
    return player, (others[0] if others else "")


def series_rows(aar: AfterActionReview, player: str, enemy: str) -> tuple[list[str], list[list[str]]]:
    """The per-turn table every report shows: headers and formatted rows (one row per turn)."""

    def values(entity: str, metric: str) -> list[float]:
        c = aar.curve(entity, metric)
        return c.values if c is not None else [float("nan")] * len(aar.turns_axis)

    cols = [
        ("Own strength", values(player, "strength")),
        ("Enemy strength", values(enemy, "strength")),
        ("Area held", values(player, "area_held_sq_mi")),
        ("Delivered t", values("supply", "delivered_t")),
        ("Ammunition t", values("ammunition_t", "stock")),
        ("Own killed", values(player, "killed")),
        ("Own wounded", values(player, "wounded")),
        ("Own captured", values(player, "captured")),
        ("Enemy losses", values(enemy, "losses_total")),
    ]
    rows = [[str(t)] + [num(v[i]) for _, v in cols] for i, t in enumerate(aar.turns_axis)]
    return ["Turn"] + [c for c, _ in cols], rows


BRANCH_HEADINGS = ("Branch", "From turn", "Orders", "Score", "Original", "Area held", "Own losses", "Ending")
"""Columns of the what-if branches table (every format)."""


def branch_rows(aar: AfterActionReview) -> list[tuple[str, ...]]:
    """The what-if branches, one row each under BRANCH_HEADINGS, as plain text (each format escapes it)."""
    return [
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
    ]


def luck_sentence(luck: LuckReport) -> str:
    """The game's luck in the words of the turns' own marks, and the points it came to."""
    n = len(luck.decisions)
    return (
        f"Turns marked lucky: {luck.lucky_turns} of {n}; unlucky: {luck.unlucky_turns} (an outcome in the best "
        f"{1 - LUCKY:.0%} or the worst {UNLUCKY:.0%} of what your orders could produce; chance alone marks about "
        f"{n * UNLUCKY:.1f} of each), so {_luck_word(luck.luck)}. In all, the dice gave {signed(luck.luck_total)} "
        "points against expectation."
    )


def _luck_word(word: str) -> str:
    return {"lucky": "a lucky game", "unlucky": "an unlucky game"}.get(word, "ordinary luck")
