"""The model's view of each decision a trainee made, for games in which nobody asked the advisor.

A game played in the TUI journals the forecast the trainee saw; a headless game (`salient run`) does not.
For the class report to set each choice beside what the model expected of it, the journal is replayed
(with its umpire interventions) and the one-turn forecast of the recorded orders is computed from the
state just before each decision point. The forecast has its own dice, so this never changes the game.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .umpire import before_turn_hook

if TYPE_CHECKING:
    from game.engine.game import Game
    from game.engine.report import Forecast
    from game.record.format import TurnRecord
    from game.record.journal import LoadedJournal


def decision_turns(loaded: "LoadedJournal") -> set[int]:
    """The scenario's drill and expert turns; every played turn when it names none."""
    sc = loaded.scenario
    turns = {d.turn for d in sc.drills} | {e.turn for e in sc.expert}
    return turns or {t.turn for t in loaded.turns}


def forecasts_at_decision_points(loaded: "LoadedJournal", replications: int = 500,
                                 turns: set[int] | None = None) -> dict[int, "Forecast"]:
    """turn → the model's one-turn forecast of the orders recorded for that turn (only turns without one)."""
    from game.record.replay import replay_game

    wanted = (turns if turns is not None else decision_turns(loaded)) - {
        t.turn for t in loaded.turns if t.forecast is not None}
    out: dict[int, "Forecast"] = {}
    if not wanted:
        return out
    umpire = before_turn_hook(loaded)

    def before(game: "Game", record: "TurnRecord") -> None:
        umpire(game, record)
        if record.turn in wanted:
            out[record.turn] = game.forecast(record.orders, replications=replications, turns=1)

    replay_game(loaded, verify=False, before_turn=before)
    return out
