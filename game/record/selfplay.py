"""Play a whole game headless and journal it as the TUI would: Intel and (optionally) the forecast each turn.

For tests, benchmarks and instructors preparing example debriefs; the TUI's own loop lives in game.tui.session.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from game.engine.orders import Orders
from game.scenario import Scenario

from .journal import Journal
from .signing import new_game_secret

if TYPE_CHECKING:
    from game.engine.game import Game
    from game.engine.report import Forecast


def play_journaled(
    scenario: Scenario,
    seed: int,
    path: str | os.PathLike[str],
    choose: Callable[[Game], Orders],
    *,
    scenario_path: str | None = None,
    trainee: str = "",
    forecast_replications: int = 0,
    max_turns: int | None = None,
) -> Game:
    """Play until the game ends (or `max_turns`), appending every turn to a new journal at `path`."""
    from game.engine.game import Game

    game = Game(scenario, seed, new_game_secret(scenario, seed))
    journal = Journal.create(Path(path), scenario, scenario_path, seed, trainee, overwrite=True)
    while not game.finished and (max_turns is None or len(game.history) < max_turns):
        orders = choose(game)
        intel = game.intel()
        forecast = _forecast(game, orders, forecast_replications)
        turn = game.turn
        report = game.play(orders)
        journal.append_turn(turn, orders, intel, forecast, report)
    return game


def _forecast(game: Game, orders: Orders, replications: int) -> Forecast | None:
    """The advisor's forecast, or None when not asked for (or when the engine cannot summarise it)."""
    if not replications:
        return None
    try:
        return game.forecast(orders, replications=replications)
    except ValueError:  # engine: np.histogram refuses 20 bins over a nearly constant sample (reported)
        return None
