"""Recording a headless game (`salient run --trainee NAME`) the way the TUI records one: journal first.

Each turn is appended to a journal in the saves folder as it is played; when the game ends the journal is
recorded in the class database. A database failure is reported and leaves the journal (and a note to
import it later), never a lost game.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .recorder import record_game_safely

if TYPE_CHECKING:
    from game.engine.game import Game
    from game.engine.orders import Orders
    from game.engine.report import TurnReport
    from game.scenario import Scenario


class HeadlessRecorder:
    """Journal a headless game turn by turn, then record it in the class database."""

    def __init__(
        self,
        scenario: Scenario,
        scenario_path: str | None,
        seed: int,
        trainee: str,
        db_path: str | None = None,
        save_path: str | Path | None = None,
    ) -> None:
        from game.record.journal import journal_writer
        from game.record.paths import new_save_path

        self.db_path = db_path
        self.path = Path(save_path) if save_path else new_save_path(scenario.meta.id, seed)
        self._append = journal_writer(self.path, scenario, scenario_path, seed, trainee)

    def on_turn(self, game: Game, orders: Orders, report: TurnReport) -> None:
        """After each turn (the `on_turn` callback of `salient run`): append it to the journal."""
        self._append(game, orders, report)

    def finish(self, game: Game) -> str:
        """Record the game in the class database; returns the line to print (a warning if that failed)."""
        path = self.path
        warning = record_game_safely(path, db_path=self.db_path, score=game.score())
        if warning:
            return f"salient: warning: {warning}"
        from .db import resolve_db_path

        return f"salient: game saved in {path} and recorded in the class database {resolve_db_path(self.db_path)}"
