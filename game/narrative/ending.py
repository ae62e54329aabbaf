"""The end of the game: how it ended, in words, and the score with every weight shown."""

from __future__ import annotations

from game.engine.report import Ending, Score, ScoreLine
from game.scenario import Scenario

from .fmt import count, humanise
from .safe_text import clean

HEADLINES: dict[str, str] = {
    "time": "Time is up: the bridgehead is still in our hands.",
    "withdrawn": "The grouping has withdrawn from the bridgehead.",
    "encircled": "The grouping is encircled: every route out has been cut too long.",
    "destroyed": "The grouping has been destroyed as a fighting force.",
    "bridgehead_fell": "The bridgehead has fallen.",
}


def headline(ending: Ending | None) -> str:
    """One sentence saying how the game ended."""
    return HEADLINES.get(ending or "", "The game is over.")


def ending_lines(scenario: Scenario, score: Score) -> list[str]:
    """Headline, the scenario's closing words (victory or defeat by the sign of the score), the total."""
    closing = scenario.narrative.victory_text if score.total >= 0 else scenario.narrative.defeat_text
    lines = [headline(score.ending)]
    if closing:
        lines.append(clean(closing))
    lines.append(f"Final score: {score.total:+,.1f} points.")
    met = [k for k, ok in score.objectives_met.items() if ok]
    missed = [k for k, ok in score.objectives_met.items() if not ok]
    titles = {o.id: o.title for o in scenario.scoring.objectives}
    if met:
        lines.append("Objectives met: " + "; ".join(titles.get(k, humanise(k)) for k in met) + ".")
    if missed:
        lines.append("Objectives missed: " + "; ".join(titles.get(k, humanise(k)) for k in missed) + ".")
    return lines


def weight_text(weight: float) -> str:
    """A weight as written in the scenario: "+20", "-0.05", "-1,500" (never in exponent form)."""
    return f"{weight:+,.4f}".rstrip("0").rstrip(".")


def score_rows(score: Score) -> list[tuple[str, str, str, str]]:
    """The score as table rows: what was measured, how much, its weight, the points — and the total."""
    rows = [
        (line.label, _quantity_text(line), weight_text(line.weight), _points_text(line.points)) for line in score.lines
    ]
    rows.append(("Total", "", "", _points_text(score.total)))
    return rows


_COUNTED_LINES = ("own_casualties", "enemy_casualties")
"""Score lines that count soldiers: shown whole (the score counts them whole)."""


def _quantity_text(line: ScoreLine) -> str:
    """Soldiers whole, a yes/no line (an ending, an objective) as yes or no, ground to a tenth of a square mile."""
    if line.name in _COUNTED_LINES:
        return count(line.quantity)
    if line.name in {"encircled", "orderly_withdrawal"} or line.name.startswith("objective."):
        return "yes" if line.quantity >= 0.5 else "no"
    return f"{line.quantity:,.1f}"


def _points_text(points: float) -> str:
    """Signed, to a tenth; no "-0.0" for a line that gave nothing."""
    return f"{points + 0.0:+,.1f}" if round(points, 1) != 0 else "0.0"
