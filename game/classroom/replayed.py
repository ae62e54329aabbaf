"""One replay of a journal that gives the class record what the journal alone cannot.

- the score (when the caller has no Game to ask), trusted only if every replayed turn report matches the
  recorded one;
- the model's one-turn forecast of the recorded orders at each decision point the trainee did not forecast
  (a headless game journals none), so the class report can set each choice beside what the model expected;
- the ground truth at the start of each turn that the teaching-moment detectors use (own and enemy soldiers
  per sector), taken exactly as the AAR takes it, so the class report lists the moments the AAR shows.
The journal's umpire interventions are applied at the points they were made. Forecasts draw from their own
dice, so nothing here changes the game being replayed.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from game.errors import SalientError
from game.record.canonical import to_jsonable
from game.record.interventions import before_turn_hook

if TYPE_CHECKING:
    from game.engine.game import Game
    from game.engine.report import Forecast, Intel, Score
    from game.record.format import TurnRecord
    from game.record.journal import LoadedJournal


@dataclass
class TurnTruth:
    """Ground truth at the start of one turn, for the teaching-moment detectors."""

    intel: Intel | None
    own_by_sector: dict[str, float]
    enemy_by_sector: dict[str, float]


@dataclass
class Replayed:
    """What one replay found (empty when the journal could not be replayed)."""

    score: Score | None = None
    forecasts: dict[int, Forecast] = field(default_factory=dict)
    truth: dict[int, TurnTruth] = field(default_factory=dict)


def decision_turns(loaded: LoadedJournal) -> set[int]:
    """This game's decision points: the turns its drills were put at (a conditional drill's differs from game to
    game), the set turns of fixed drills, the turns of expert lines; every played turn when the scenario has
    neither drills nor an expert solution."""
    from game.scenario.drills import expert_turn

    sc = loaded.scenario
    if not sc.drills and not sc.expert:
        return {t.turn for t in loaded.turns}
    put = loaded.drills_put()
    fixed = {d.fixed_turn for d in sc.drills}
    experts = {expert_turn(sc, e, put) for e in sc.expert}
    return {t for t in (set(put.values()) | fixed | experts) if t is not None}


def replay_for_record(loaded: LoadedJournal, replications: int = 500) -> Replayed:
    """Replay once (see module doc); never raises for a journal this engine cannot replay."""
    from game.record.diff import differences
    from game.record.replay import replay_game

    out = Replayed()
    if not loaded.turns:
        return out
    wanted = decision_turns(loaded) - {t.turn for t in loaded.turns if t.forecast is not None}
    umpire = before_turn_hook(loaded)

    def before(game: Game, record: TurnRecord) -> None:
        umpire(game, record)
        out.truth[record.turn] = _truth(game, record)
        if replications > 0 and record.turn in wanted:
            with contextlib.suppress(
                ValueError, SalientError
            ):  # a turn the engine cannot forecast costs that turn only
                out.forecasts[record.turn] = game.forecast(record.orders, replications=replications, turns=1)

    try:
        game = replay_game(loaded, verify=False, before_turn=before)
    except Exception:
        return Replayed()
    faithful = len(game.history) == len(loaded.turns) and not any(
        differences(rec.raw.get("report"), to_jsonable(rep), limit=1)
        for rec, rep in zip(loaded.turns, game.history, strict=True)
    )
    if not faithful:  # another engine, another game: keep nothing computed from it
        return Replayed()
    out.score = game.score()
    return out


def _truth(game: Game, record: TurnRecord) -> TurnTruth:
    from game.engine.fog import enemy_by_sector

    p = game.params
    facing = enemy_by_sector(p, game.state)[0]
    summary = game.state_summary()
    reserves = set(summary["reserves"])
    player_units = {u.id for u in game.scenario.player.units}
    own: dict[str, float] = defaultdict(float)
    for uid, sector in summary["unit_location"].items():
        if uid in player_units and uid not in reserves:
            own[sector] += summary["unit_strength"][uid]
    intel = record.intel if record.intel is not None else game.intel()
    return TurnTruth(intel, dict(own), {sid: float(facing[s]) for s, sid in enumerate(p.sectors.ids)})
