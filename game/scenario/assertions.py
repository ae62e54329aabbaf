"""Statistical assertions: what an instructor expects of a scenario, checked by `salient check`.

An assertion says, for one standing policy, where a proportion or a mean should lie, for example
"under `hold`, the road is cut by turn 8 in 30-70% of games". The checker plays the policy many times
and tests the claim with a confidence interval (Wilson for proportions, Student's t for means): the
assertion fails only when the whole interval lies outside `between`, so a small run never fails a
scenario on luck alone; an interval straddling a bound is reported as inconclusive.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from .common import Id, Strict, Text
from .problems import FieldProblem, Problem

if TYPE_CHECKING:
    from .scenario import Scenario

AssertionMetric = Literal[
    "ending_share",
    "road_cut_by_turn",
    "sector_lost_by_turn",
    "inject_fired",
    "objective_met",
    "mean_score",
    "area_held",
    "own_losses",
]
PROPORTIONS: frozenset[str] = frozenset(
    {"ending_share", "road_cut_by_turn", "sector_lost_by_turn", "inject_fired", "objective_met"}
)
"""Metrics that are a share of games (tested with a Wilson interval); the rest are means (t interval)."""
EndingName = Literal["time", "withdrawn", "encircled", "destroyed", "bridgehead_fell"]


class StatAssertion(Strict):
    """`policy` played many times must give `metric` within `between` (tested with a confidence interval)."""

    id: Id | None = None
    """Name shown in the checker's report (defaults to a description of the assertion)."""
    policy: Id
    """Built-in standing policy to play (for example `hold`, `delay_withdraw`, `hold_sudzha_road`)."""
    metric: AssertionMetric
    """`ending_share` (needs `ending`), `road_cut_by_turn` (needs `turn`), `sector_lost_by_turn` (needs
    `target` and `turn`), `inject_fired` (needs `target`, optional `turn`), `objective_met` (needs `target`),
    `mean_score`, `area_held` (sq mi at `turn` or at the end), `own_losses` (soldiers, by `turn` or the end)."""
    turn: int | None = Field(default=None, ge=1)
    """Turn the metric is measured at (inclusive)."""
    ending: EndingName | None = None
    """For `ending_share`: which ending."""
    target: Id | None = None
    """Sector, inject or objective the metric is about."""
    between: list[float] = Field(min_length=2, max_length=2)
    """Lowest and highest acceptable value (a share from 0 to 1, or a mean in the metric's unit)."""
    confidence: float = Field(default=0.95, ge=0.5, le=0.999)
    """Confidence level of the interval."""
    note: Text = ""
    """Why the instructor expects this."""

    @model_validator(mode="after")
    def _complete(self) -> StatAssertion:
        lo, hi = self.between
        if lo > hi:
            raise FieldProblem("between", "between: the lower bound is above the upper bound")
        if self.metric in PROPORTIONS and not (lo >= 0.0 and hi <= 1.0):
            raise FieldProblem(
                "between", f"between: {self.metric} is a share of games, so both bounds lie between 0 and 1"
            )
        needs = {
            "ending_share": ("ending",),
            "road_cut_by_turn": ("turn",),
            "sector_lost_by_turn": ("target", "turn"),
            "inject_fired": ("target",),
            "objective_met": ("target",),
        }.get(self.metric, ())
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise FieldProblem("metric", f"{self.metric} needs {' and '.join(missing)}")
        return self

    def label(self) -> str:
        """A readable name: the id, or the claim in words."""
        if self.id:
            return self.id
        parts: list[str] = [self.metric]
        for name in ("ending", "target"):
            if getattr(self, name) is not None:
                parts.append(str(getattr(self, name)))
        if self.turn is not None:
            parts.append(f"turn {self.turn}")
        return f"{self.policy}: {' '.join(parts)}"


def assertion_problems(sc: Scenario) -> Iterator[Problem]:
    """Broken references in assertions (policy names are checked by `salient check`, which knows them)."""
    known = {
        "sector_lost_by_turn": ({s.id for s in sc.map.sectors}, "sector"),
        "inject_fired": ({i.id for i in sc.injects}, "inject"),
        "objective_met": ({o.id for o in sc.scoring.objectives}, "objective"),
    }
    for n, a in enumerate(sc.assertions):
        where = f"assertion {a.id or n + 1}"
        if a.metric in known:
            ids, kind = known[a.metric]
            if a.target not in ids:
                yield Problem(("assertions", n, "target"), f"{where} names {kind} '{a.target}', which does not exist")
        if a.turn is not None and a.turn > sc.meta.turns:
            message = f"{where} measures at turn {a.turn}, after the last turn ({sc.meta.turns})"
            yield Problem(("assertions", n, "turn"), message)
