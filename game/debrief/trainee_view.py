"""The after-action review a trainee may see when the game was played under an instructor key.

The instructor's review shows everything: true enemy strengths against the intelligence picture, enemy losses,
the umpire's events, the luck analysis (which plays the expert's answers). The trainee's review, shown on the
trainee's own screen, keeps what the trainee saw and what befell their own side: their orders, the picture
and forecasts they were given, their losses, ground and supply, the score and the teaching moments.
"""

from __future__ import annotations

import re

from game.engine.report import TurnReport
from game.record.canonical import to_jsonable
from game.record.redact import Hidden, redact_report
from game.scenario import Scenario

from .aar import AfterActionReview, DecisionView

__all__ = ["for_trainee"]

_ENEMY_LOSSES = re.compile(r";\s*enemy losses [^.;]*\.")
"""The clause of the summary lines that gives the true enemy losses."""


def _without_enemy_losses(lines: list[str]) -> list[str]:
    return [_ENEMY_LOSSES.sub(".", line) for line in lines]


def _decision(view: DecisionView, hidden: Hidden) -> DecisionView:
    report = TurnReport.model_validate(redact_report(to_jsonable(view.report), hidden))
    return view.model_copy(
        update={
            "report": report,
            "truth": [],
            "forecast_checks": [c for c in view.forecast_checks if not c.what.lower().startswith("enemy")],
            "happened": _without_enemy_losses(view.happened),
            "factors": [f for f in view.factors if f.side not in hidden.sides],
            "luck": None,
        }
    )


def for_trainee(aar: AfterActionReview, scenario: Scenario) -> AfterActionReview:
    """The review without the ground truth and the answer key (see the module's doc)."""
    hidden = Hidden(scenario.model_dump(mode="json"))
    return aar.model_copy(
        update={
            "happened": _without_enemy_losses(aar.happened),
            "timeline": [t for t in aar.timeline if t.visible_to == "trainee"],
            "series": [c for c in aar.series if c.entity not in hidden.sides and c.entity not in hidden.units],
            "decisions": [_decision(d, hidden) for d in aar.decisions],
            "luck": None,
            "branches": [],
        }
    )
