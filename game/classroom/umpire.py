"""Umpire mode, headless: the instructor sees ground truth and changes the world mid-game, with a reason.

What an intervention can do: fire any inject now; change a scenario number (a rate, by its dotted path
as in inject effects); set or change one of the player's stocks; put a road segment into a state; set or
change a unit's strength; change a side's morale. Every intervention needs a reason.

Order of events, which is what keeps replay exact:
1. the intervention is checked against the game (a problem raises `InterventionError`, nothing changes);
2. it is written to the journal as an `umpire` record carrying the turn about to be played — before
   the game changes, so a game is never changed without its record;
3. it is applied to the game at once (`apply_intervention`, in game.record.interventions, which replay uses
   too: the classroom only makes and writes interventions): state effects on the engine's arrays, the way
   the engine applies an inject's effects; rate changes through `Game.set_parameter`; an inject is marked
   as fired, so the engine applies its rate effects from then on and never fires it again on its own;
4. the trainee's picture for the current turn must be recomputed (the world has changed; it is still
   fog of war, never ground truth). Replay does the same: before turn t is replayed — before its intel
   is recomputed and checked — the interventions recorded for turn t are applied in file order
   (`before_turn_hook`, for `game.record.replay.replay_game`), and those recorded for the turn that was
   never finished are applied after the replay (`apply_pending`).
No intervention draws a random number, and the engine's dice are keyed by (seed, turn, purpose), so an
intervention never shifts any later draw: a replay is the same game, bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from game.errors import SalientError
from game.record.interventions import (
    KINDS,
    UMPIRE_RECORD,
    Intervention,
    InterventionError,
    Kind,
    apply_intervention,
    apply_pending,
    before_turn_hook,
    check_intervention,
    interventions,
)

if TYPE_CHECKING:
    from game.engine.game import Game
    from game.engine.report import Intel, TurnReport
    from game.record.journal import Journal, LoadedJournal

__all__ = [
    "KINDS",
    "GroundTruth",
    "Intervention",
    "InterventionError",
    "Kind",
    "Umpire",
    "apply_intervention",
    "apply_pending",
    "before_turn_hook",
    "check_intervention",
    "interventions",
    "replay_with_interventions",
]


@dataclass
class GroundTruth:
    """What only the umpire sees: the state now, the last turn's full report, and where the drills stand."""

    state: dict[str, Any]
    last_report: TurnReport | None
    drills: list[str] = field(default_factory=list)
    """One line per drill of the scenario: put (at which turn), due when this turn ends, or waiting for what."""


class Umpire:
    """The instructor's hand on one game: ground truth beside the trainee's picture, and interventions."""

    def __init__(
        self,
        game: Game,
        journal: Journal | None,
        *,
        on_change: Callable[[Intervention], None] | None = None,
        recorded: int = 0,
    ) -> None:
        self.game = game
        self.journal = journal
        self.on_change = on_change
        """Called after each intervention (the play screen drops its cached intel and forecast, and tells
        the trainee `announce` when it is not empty)."""
        self.made: list[Intervention] = []
        self._seq = recorded or _recorded_count(journal)

    def ground_truth(self) -> GroundTruth:
        """The state now (`Game.state_summary`), the last TurnReport and the drills' status.

        A drill's trigger is judged on the game as it stands, so an intervention can make a drill due (or
        not) before the turn ends: the status shows what ending the turn would put to the trainee."""
        from .drills import drill_status

        drills = (
            drill_status(self.game.scenario, self.game, _recorded_drills(self.journal))
            if self.game.scenario.drills
            else []
        )
        return GroundTruth(self.game.state_summary(), self.game.history[-1] if self.game.history else None, drills)

    def trainee_picture(self) -> Intel:
        """What the trainee is shown this turn (fog of war)."""
        return self.game.intel()

    def intervene(self, kind: str, target: str, value: float | str | None, reason: str) -> Intervention:
        """Check, journal, then apply one intervention; returns it as applied."""
        try:
            iv = Intervention.model_validate({"kind": kind, "target": target.strip(), "value": value, "reason": reason})
        except ValueError as error:
            raise InterventionError([_plain(error)]) from None
        problems = check_intervention(self.game, iv)
        if problems:
            raise InterventionError(problems)
        iv = iv.model_copy(update={"turn": self.game.turn, "seq": self._seq + 1})
        preview = _preview(self.game, iv)
        if self.journal is not None:
            self.journal.append_record(UMPIRE_RECORD, preview.model_dump(mode="json", exclude={"written"}))
        self._seq += 1
        applied = apply_intervention(self.game, iv)
        self.made.append(applied)
        if self.on_change is not None:
            self.on_change(applied)
        return applied


def _preview(game: Game, iv: Intervention) -> Intervention:
    """The intervention with its summary filled in, computed on a copy so the journal line comes first."""
    import copy

    shadow = copy.copy(game)  # apply_intervention replaces the shadow's state and model, never the game's
    return apply_intervention(shadow, iv)


def _plain(error: ValueError) -> str:
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        return f"{where}: {first['msg'].removeprefix('Value error, ')}"
    return str(error)


def _recorded_count(journal: Journal | None) -> int:
    """Interventions already in the journal: read from the file, since the umpire screen can be opened again
    after interventions made earlier in the same session (`journal.loaded` only knows those of the save)."""
    if journal is None:
        return 0
    from game.record.journal import load_journal

    loaded: LoadedJournal | None
    try:
        loaded = load_journal(journal.path)
    except SalientError:
        loaded = journal.loaded
    return 0 if loaded is None else len(loaded.interventions)


def _recorded_drills(journal: Journal | None) -> dict[str, int]:
    """Drills already put in this game (id → turn), read from the file like `_recorded_count`."""
    if journal is None:
        return {}
    from game.record.journal import load_journal

    loaded: LoadedJournal | None
    try:
        loaded = load_journal(journal.path)
    except SalientError:
        loaded = journal.loaded
    return {} if loaded is None else loaded.drills_put()


# --- reading interventions back ------------------------------------------------------------


def replay_with_interventions(loaded: LoadedJournal, *, verify: bool = True, pending: bool = False) -> Game:
    """Replay a journal with its umpire interventions, each at the point it was made (see module doc)."""
    from game.record.replay import replay_world

    return replay_world(loaded, verify=verify, pending=pending)
