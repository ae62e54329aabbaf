"""The end of the game: how it ended, in words, and the score with every weight shown."""

from __future__ import annotations

from game.engine.report import Ending, Score
from game.scenario import Scenario

from .fmt import clean, humanise

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
    rows = [(line.label, f"{line.quantity:,.1f}", weight_text(line.weight), f"{line.points:+,.1f}")
            for line in score.lines]
    rows.append(("Total", "", "", f"{score.total:+,.1f}"))
    return rows
