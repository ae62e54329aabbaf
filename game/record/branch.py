"""What-if branches: replay a game to turn N, give other orders, play on with the same dice.

A branch is stored as a `branch` record in the game's own journal (never counted in the score) with its
orders and reports, so the debrief can draw it beside the original without replaying anything. Turns
1…N−1 are replayed with the original orders and checked against the record, so the branch starts from
exactly the original's situation; see README.md for what the shared dice do and do not cover.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from game.engine.orders import Orders, OrdersError

from .canonical import to_jsonable
from .format import JournalError, now_iso
from .interventions import TurnOnly
from .journal import Journal, LoadedJournal
from .replay import replay_world, umpire_hook

if TYPE_CHECKING:
    from game.engine.game import Game

Chooser = Callable[["Game"], tuple[Orders, str]]
"""Orders for the game's current turn, and a note ('' when nothing to say)."""


def policy_names() -> list[str]:
    """Names of the engine's standing policies ([] until the engine provides them)."""
    try:
        from game.engine.policies import POLICIES
    except ImportError:
        return []
    return sorted(POLICIES)


def policy_chooser(name: str) -> Chooser:
    """Orders from one of the engine's standing policies."""
    try:
        from game.engine.policies import POLICIES
    except ImportError:
        raise JournalError("this version of Salient has no standing policies") from None
    if name not in POLICIES:
        raise JournalError(f"no policy named '{name}' (known: {', '.join(sorted(POLICIES))})")
    policy = POLICIES[name]
    return lambda game: (policy(game), "")


def default_chooser(game: Game) -> tuple[Orders, str]:
    """The engine's default orders for the turn (postures kept, assets balanced)."""
    return game.default_orders(), ""


def original_chooser(loaded: LoadedJournal) -> Chooser:
    """The orders the trainee gave on that turn, where they can still be carried out; else default orders."""

    def choose(game: Game) -> tuple[Orders, str]:
        if game.turn <= len(loaded.turns):
            orders = loaded.turns[game.turn - 1].orders
            problems = game.check(orders)
            if not problems:
                return orders, ""
            return game.default_orders(), (
                f"turn {game.turn}: the original orders no longer fit the branch "
                f"({'; '.join(problems)}); default orders used"
            )
        return game.default_orders(), ""

    return choose


def then_chooser(loaded: LoadedJournal, then: str) -> Chooser:
    """What plays the turns after the given orders run out: `original`, `default` or a policy name."""
    if then == "original":
        return original_chooser(loaded)
    if then == "default":
        return default_chooser
    return policy_chooser(then)


def listed_chooser(orders: Sequence[Orders], first_turn: int, after: Chooser) -> Chooser:
    """Orders from a list for turns first_turn, first_turn+1, …; `after` once the list runs out."""

    def choose(game: Game) -> tuple[Orders, str]:
        index = game.turn - first_turn
        if 0 <= index < len(orders):
            return orders[index], ""
        return after(game)

    return choose


@dataclass(frozen=True)
class GameSummary:
    """The figures a branch and its original are compared on."""

    score: float
    area_held_sq_mi: float
    own_losses: float
    enemy_losses: float
    ending: str | None
    turns: int

    @classmethod
    def of(cls, game: Game) -> GameSummary:
        """Read them off a game (finished or not)."""
        summary = game.state_summary()
        player = game.scenario.meta.player_side
        own = sum(summary["casualties"].get(player, {}).values())
        enemy = sum(v for side, c in summary["casualties"].items() if side != player for v in c.values())
        return cls(
            game.score().total,
            float(summary["area_held_sq_mi"]),
            float(own),
            float(enemy),
            game.ending,
            len(game.history),
        )


@dataclass
class Branch:
    """A branch that has been played: its journal record, and the two games side by side."""

    record: dict[str, Any]
    branch: GameSummary
    original: GameSummary
    notes: list[str] = field(default_factory=list)


def branch_turns(loaded: LoadedJournal) -> int:
    """The last turn a branch can start from: the last turn played, or the next one while the game goes on."""
    return len(loaded.turns) if loaded.finished else len(loaded.turns) + 1


def _branch_range(last: int) -> str:
    return "the only turn to branch from is turn 1" if last == 1 else f"branch from turn 1 to {last}"


def play_branch(
    loaded: LoadedJournal,
    from_turn: int,
    first: Chooser,
    *,
    label: str = "",
    source: dict[str, Any] | None = None,
    max_turns: int | None = None,
) -> Branch:
    """Replay to `from_turn`, then let `first` choose every turn's orders until the game ends (or `max_turns`)."""
    last = branch_turns(loaded)
    if not 1 <= from_turn <= last:
        played = len(loaded.turns)
        ended = (
            f"the game ended at turn {last}"
            if loaded.finished
            else "no turn has been played yet"
            if not played
            else f"{played} turn{'' if played == 1 else 's'} played so far"
        )
        raise JournalError(f"turn {from_turn} is outside this game ({ended}): {_branch_range(last)}")
    original = replay_world(loaded)
    game = replay_world(loaded, upto=from_turn - 1)
    umpire = umpire_hook(loaded)  # the umpire's interventions are part of the world the branch plays in
    turns: list[dict[str, Any]] = []
    notes: list[str] = []
    while not game.finished and (max_turns is None or len(turns) < max_turns):
        if umpire is not None:
            umpire(game, TurnOnly(game.turn))
        orders, note = first(game)
        if note:
            notes.append(note)
        turn = game.turn
        try:
            report = game.play(orders)
        except OrdersError as error:
            raise JournalError(f"the branch's orders for turn {turn} cannot be carried out: {error}") from None
        turns.append({"turn": turn, "orders": to_jsonable(orders), "report": to_jsonable(report)})
    ident = f"b{len(loaded.branches) + 1}"
    mine, theirs = GameSummary.of(game), GameSummary.of(original)
    record = {
        "type": "branch",
        "id": ident,
        "label": label or f"what-if from turn {from_turn}",
        "created": now_iso(),
        "from_turn": from_turn,
        "source": source or {},
        "turns": turns,
        "score": to_jsonable(game.score()),
        "original_score": to_jsonable(original.score()),
        "summary": {"branch": to_jsonable(mine.__dict__), "original": to_jsonable(theirs.__dict__)},
        "notes": notes,
    }
    return Branch(record, mine, theirs, notes)


def branch_from_journal(
    loaded: LoadedJournal,
    from_turn: int,
    *,
    policy: str | None = None,
    orders_file: str | Path | None = None,
    orders: Sequence[Orders] | None = None,
    then: str | None = None,
    label: str = "",
    max_turns: int | None = None,
) -> Branch:
    """The usual ways to branch: a policy from turn N on, or given orders for turn N (…) then `then`."""
    if (policy is None) == (orders_file is None and orders is None):
        raise JournalError("give either a policy or orders for the branch")
    if policy is not None:
        after = policy_chooser(policy)
        source: dict[str, Any] = {"kind": "policy", "policy": policy}
        return play_branch(
            loaded,
            from_turn,
            after,
            label=label or f"policy {policy} from turn {from_turn}",
            source=source,
            max_turns=max_turns,
        )
    if orders is None:
        from .orders_file import read_orders_file

        orders = read_orders_file(orders_file)  # type: ignore[arg-type]
    then = then or "original"
    chooser = listed_chooser(list(orders), from_turn, then_chooser(loaded, then))
    source = {
        "kind": "orders",
        "file": None if orders_file is None else str(orders_file),
        "orders": [to_jsonable(o) for o in orders],
        "then": then,
    }
    text = f"{len(orders)} turns of other orders" if len(orders) > 1 else "other orders"
    return play_branch(
        loaded, from_turn, chooser, label=label or f"{text} from turn {from_turn}", source=source, max_turns=max_turns
    )


def store_branch(loaded: LoadedJournal, branch: Branch) -> Path:
    """Append the branch to the game's journal (refused when the journal is damaged: it may be mid-write)."""
    if loaded.path is None:
        raise JournalError("this journal was not read from a file; nowhere to store the branch")
    if not loaded.intact:
        raise JournalError(
            f"the branch was not stored: {loaded.damage_note()}; open the game with "
            "`salient play --load` to repair it first"
        )
    journal = Journal(loaded.path, loaded.header, len(loaded.turns) + 1, len(loaded.branches), loaded.finished)
    journal.append_branch(branch.record)
    return loaded.path


def replay_branch(loaded: LoadedJournal, branch_id: str) -> Game:
    """Replay a stored branch and check its reports, as `replay` does for the main line."""
    from .diff import differences
    from .replay import ReplayDivergence

    record = next((b for b in loaded.branches if b.id == branch_id), None)
    if record is None:
        raise JournalError(f"no branch '{branch_id}' in this journal")
    game = replay_world(loaded, upto=record.from_turn - 1)
    umpire = umpire_hook(loaded)
    for step in record.turns:
        if umpire is not None:
            umpire(game, TurnOnly(game.turn))
        report = game.play(step.orders)
        diffs = differences(step.raw.get("report"), to_jsonable(report), "report")
        if diffs:
            raise ReplayDivergence(step.turn, diffs, loaded.header.salient)
    return game


COMPARED = (
    ("score", "Score"),
    ("area_held_sq_mi", "Area held (sq mi)"),
    ("own_losses", "Own losses"),
    ("enemy_losses", "Enemy losses"),
    ("turns", "Turns played"),
    ("ending", "Ending"),
)


def comparison_rows(branch: GameSummary, original: GameSummary) -> list[tuple[str, str, str, str]]:
    """(label, original, branch, difference) for printing."""
    rows = []
    for attr, label in COMPARED:
        a, b = getattr(original, attr), getattr(branch, attr)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            digits = 0 if attr in ("own_losses", "enemy_losses", "turns") else 1
            rows.append((label, f"{a:,.{digits}f}", f"{b:,.{digits}f}", f"{b - a:+,.{digits}f}"))
        else:
            rows.append((label, str(a or "—"), str(b or "—"), "" if a == b else "differs"))
    return rows
