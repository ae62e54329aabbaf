"""Replay: run a journal's orders through the engine and prove the outcome is the one recorded.

The engine is deterministic given (scenario, seed, orders), so replaying the recorded orders must give
back every recorded TurnReport bit for bit (compared as canonical JSON, field by field). When it does
not — the engine changed, the file was edited — the error names the turn and the fields that differ,
recorded against replayed, instead of silently continuing a different game.

Umpire interventions (`umpire` records, written by game.classroom.umpire, applied by
game.record.interventions) change the world mid-game; they are part of the game, so `replay_world` applies
them where they were made — before the turn they were recorded for — and everything in game.record and
game.debrief replays through it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from game import __version__
from game.engine.orders import OrdersError

from .canonical import to_jsonable
from .diff import Difference, differences
from .format import JournalError, TurnRecord
from .interventions import TurnHook, apply_pending, before_turn_hook
from .signing import replay_secret

if TYPE_CHECKING:
    from game.engine.game import Game

    from .journal import LoadedJournal

BeforeTurn = Callable[["Game", TurnRecord], None]


class ReplayDivergence(JournalError):
    """The replayed game differs from the journal: where (turn, field) and how (recorded vs replayed)."""

    def __init__(self, turn: int, diffs: list[Difference], written_by: str = "") -> None:
        self.turn = turn
        self.differences = diffs
        shown = "; ".join(d.describe() for d in diffs[:3])
        more = f" (and {len(diffs) - 3} more)" if len(diffs) > 3 else ""
        why = ""
        if written_by and written_by != __version__:
            why = f" — the journal was written by Salient {written_by}, this is {__version__}"
        super().__init__(f"the replay diverges from the journal at turn {turn}: {shown}{more}{why}")


def verify_turn(
    game: Game, record: TurnRecord, intel_raw: object | None, report_raw: object, written_by: str = ""
) -> None:
    """Compare one replayed turn with its record; raise ReplayDivergence on the first turn that differs."""
    diffs: list[Difference] = []
    recorded_intel = record.raw.get("intel")
    if recorded_intel is not None and intel_raw is not None:
        diffs += differences(recorded_intel, intel_raw, "intel")
    diffs += differences(record.raw.get("report"), report_raw, "report")
    if diffs:
        raise ReplayDivergence(record.turn, diffs, written_by)


def replay_game(
    loaded: LoadedJournal, *, upto: int | None = None, verify: bool = True, before_turn: BeforeTurn | None = None
) -> Game:
    """A `Game` with the journal's whole turns (or the first `upto`) played again, checked against the record.

    `before_turn(game, record)` is called before each turn is played (the debrief takes its snapshots there).
    Raises JournalError (ReplayDivergence for a different outcome) naming the turn where it goes wrong.
    """
    from game.engine.game import Game

    scenario = loaded.scenario
    name = str(loaded.path) if loaded.path else "the journal"
    secret = replay_secret(loaded.signed_by, loaded.header.scenario_sha256, loaded.header.seed, name)
    game = Game(scenario, loaded.header.seed, secret)
    for record in loaded.turns[: len(loaded.turns) if upto is None else upto]:
        if game.finished:
            raise JournalError(
                f"turn {record.turn} is recorded but the replayed game had already ended ({game.ending})"
            )
        if game.turn != record.turn:
            raise JournalError(f"turn {record.turn} is recorded where the replayed game is at turn {game.turn}")
        if before_turn is not None:
            before_turn(game, record)
        intel_raw = to_jsonable(game.intel()) if verify and record.raw.get("intel") is not None else None
        try:
            report = game.play(record.orders)
        except OrdersError as error:
            raise JournalError(
                f"the replay diverges at turn {record.turn}: the engine refuses the recorded orders ({error})"
            ) from None
        if verify:
            verify_turn(game, record, intel_raw, to_jsonable(report), loaded.header.salient)
    return game


def umpire_hook(loaded: LoadedJournal) -> TurnHook | None:
    """The hook that applies the journal's umpire interventions before their turn, or None when there are none."""
    if not loaded.interventions:
        return None
    return before_turn_hook(loaded)


def chain(*hooks: BeforeTurn | None) -> BeforeTurn | None:
    """Call the hooks in order (None when there are none)."""
    present = [h for h in hooks if h is not None]
    if not present:
        return None

    def run(game: Game, record: TurnRecord) -> None:
        for hook in present:
            hook(game, record)

    return run


def replay_world(
    loaded: LoadedJournal,
    *,
    upto: int | None = None,
    verify: bool = True,
    before_turn: BeforeTurn | None = None,
    pending: bool = False,
) -> Game:
    """`replay_game` with the umpire's interventions applied where they were made (before `before_turn` runs).

    With `pending`, interventions made during the turn that was never finished are applied at the end (for
    continuing the game); a partial replay (`upto`) never applies them.
    """
    game = replay_game(loaded, upto=upto, verify=verify, before_turn=chain(umpire_hook(loaded), before_turn))
    if pending and upto is None and loaded.interventions:
        apply_pending(game, loaded)
    return game
