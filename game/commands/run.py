"""`salient run`: play a scenario headless with a policy or an orders file, print the turns and the score."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from game.errors import SalientError

if TYPE_CHECKING:
    from game.engine.game import Game
    from game.engine.orders import Orders
    from game.engine.report import TurnReport

    Chooser = Callable[[Game], Orders]
    """Where a headless game's orders come from: a policy, an orders file or the defaults."""
    OnTurn = Callable[[Game, Orders, TurnReport], None]
    """Called after each turn with the game, the orders played and the turn's report."""
from . import _bounds as bounds
from ._bounds import NAME_HELP, ORDERS_HELP, SEED_HELP

POLICY_NAMES = ("hold", "delay_withdraw", "hold_sudzha_road", "hold_then_withdraw")
"""The built-in policies, named here without importing the engine so that `--help` stays instant (a test keeps
this list equal to `game.engine.policies.POLICIES`)."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `run` subcommand."""
    parser = subparsers.add_parser(
        "run",
        help="play a scenario headless with a policy or an orders file",
        description="Play a scenario without the interface: each turn's orders come from a standing policy "
        "or from an orders file (YAML or JSON: a list of per-turn orders, a mapping `turns:` holding one, "
        "or a mapping turn -> orders; the last orders given stand for the turns after, as in play: a posture "
        "for a sector since lost is dropped, a reserve already committed stays committed).",
    )
    parser.add_argument("path", metavar="PATH", help="scenario file")
    parser.add_argument("--seed", type=int, required=True, help=f"random seed ({SEED_HELP})")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--orders", metavar="FILE", help=f"orders file ({ORDERS_HELP})")
    source.add_argument("--policy", metavar="NAME", help=f"standing policy ({', '.join(POLICY_NAMES)})")
    parser.add_argument("--turns", type=int, metavar="K", help="play at most K turns")
    parser.add_argument("--json", action="store_true", help="print every turn and the score as JSON")
    parser.add_argument(
        "--save", metavar="FILE", help="also write the game's journal to FILE (for salient aar, branch)"
    )
    parser.add_argument(
        "--trainee",
        metavar="NAME",
        help=f"record the finished game in the class database under NAME ({NAME_HELP}; "
        "the journal is written first, to --save FILE or the saves folder)",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="class database for --trainee (default $SALIENT_DB, else class.sqlite3 in the user data directory)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Handler: load, play, print."""
    from game.engine.game import Game
    from game.record.signing import new_game_secret
    from game.scenario.load import load_scenario

    bounds.seed("--seed", args.seed)
    if args.trainee:
        bounds.name("--trainee", args.trainee)
    if args.turns is not None and args.turns < 1:
        raise SalientError("--turns must be at least 1")
    scenario = load_scenario(args.path)
    chooser = orders_source(args)
    game = Game(scenario, args.seed, new_game_secret(scenario, args.seed))
    on_turn: list[OnTurn] = []
    recorder = None
    if args.trainee:  # --trainee: journal first, then the class database (game.classroom, instructor tools)
        from game.classroom.headless import HeadlessRecorder

        recorder = HeadlessRecorder(scenario, args.path, args.seed, args.trainee, args.db, args.save)
        on_turn.append(recorder.on_turn)
    elif args.save:  # --save: the journal belongs to game.record (record engineer)
        from game.record.journal import journal_writer

        on_turn.append(journal_writer(args.save, scenario, args.path, args.seed))
    play_game(game, chooser, args.turns, on_turn=on_turn)
    if args.json:
        from game.narrative.safe_text import for_json

        print(for_json(json.dumps(as_json(game, args), sort_keys=True, indent=1, ensure_ascii=False)))
    else:
        print_text(game)
    if recorder is not None:
        print(recorder.finish(game), file=sys.stderr)
    return 0


# --- where the orders come from ------------------------------------------------------------


def orders_source(args: argparse.Namespace) -> Chooser:
    """A function game -> Orders, from --policy, --orders or the game's defaults."""
    if args.orders:
        return OrdersFile(Path(args.orders))
    if args.policy:
        from game.engine.policies import POLICIES

        if args.policy not in POLICIES:
            raise SalientError(f"unknown policy '{args.policy}' (policies: {', '.join(sorted(POLICIES))})")
        return POLICIES[args.policy]
    return lambda game: game.default_orders()


class OrdersFile:
    """Orders read from a YAML or JSON file (see game.record.orders_file): the last orders given stand, carried
    over turn by turn by the same rule as in play (`Game.standing_orders`)."""

    def __init__(self, path: Path) -> None:
        from game.record.orders_file import read_orders_by_turn

        self.path = path
        self.planned = read_orders_by_turn(path)
        self.by_turn = {turn: planned.orders for turn, planned in self.planned.items()}

    def __call__(self, game: Game) -> Orders:
        if game.turn in self.by_turn:
            return self.by_turn[game.turn]
        if not any(t < game.turn for t in self.by_turn) or not game.history:  # nothing given yet
            return game.default_orders()
        # orders stand as in play (game.engine.standing): last turn's, adapted where the game forces it
        return game.standing_orders(game.history[-1].orders).orders

    def describe(self, turn: int) -> str:
        """Where the orders of a turn come from (file, line and column of the standing orders), for error messages."""
        given = max((t for t in self.planned if t <= turn), default=None)
        return f"{self.planned[given].where if given is not None else self.path}: turn {turn}"


def play_game(game: Game, chooser: Chooser, max_turns: int | None, on_turn: list[OnTurn]) -> None:
    """Play until the end (or K turns); `on_turn` callbacks get (game, orders, report) after each turn."""
    from game.engine.orders import OrdersError

    played = 0
    while not game.finished and (max_turns is None or played < max_turns):
        orders = chooser(game)
        try:
            report = game.play(orders)
        except OrdersError as error:
            where = chooser.describe(game.turn) if isinstance(chooser, OrdersFile) else f"turn {game.turn}"
            raise SalientError(f"{where}: {'; '.join(error.problems)}") from None
        for callback in on_turn:
            callback(game, orders, report)
        played += 1


# --- output ----------------------------------------------------------------------------------


def _round(value: Any) -> Any:
    """Floats rounded to 3 decimals (and -0.0 to 0.0), recursively, so the bytes are stable."""
    if isinstance(value, float):
        r = round(value, 3)
        return 0.0 if r == 0 else r
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_round(v) for v in value]
    return value


def as_json(game: Game, args: argparse.Namespace) -> dict[str, Any]:
    """Everything a headless run produced."""
    data: dict[str, Any] = _round(
        {
            "scenario": game.scenario.meta.id,
            "seed": game.seed,
            "source": {"policy": args.policy}
            if args.policy
            else {"orders": args.orders}
            if args.orders
            else {"default": True},
            "turns": [report.model_dump(mode="json") for report in game.history],
            "score": game.score().model_dump(mode="json"),
            "final_state": game.state_summary(),
        }
    )
    return data


def print_text(game: Game) -> None:
    """One line per turn, then the score with every weight."""
    from game.narrative.safe_text import for_terminal

    player, enemy = game.params.side_ids
    out = sys.stdout
    for r in game.history:
        roads = ", ".join(f"{k} {v}" for k, v in r.road_state.items())
        line = (
            f"turn {r.turn:>2}: held {r.area_held_sq_mi:6.1f} sq mi | losses {player} {r.losses[player].total:5.0f}"
            f" {enemy} {r.losses[enemy].total:5.0f} | delivered {r.supply.delivered_t:5.1f} t,"
            f" trucks lost {r.supply.trucks_lost:3.0f} | {roads}"
        )
        if r.ending:
            line += f" | ENDED: {r.ending}"
        print(line, file=out)
    score = game.score()
    print(f"score {score.total:.1f} (ending: {score.ending or 'game not finished'})", file=out)
    for score_line in score.lines:
        print(
            for_terminal(
                f"  {score_line.label}: {score_line.quantity:.1f} x {score_line.weight:g} = {score_line.points:.1f}"
            ),
            file=out,
        )
