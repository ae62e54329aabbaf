"""Umpire interventions applied to a game: checked, carried out on the engine's state, and replayed.

The classroom's umpire console (game.classroom.umpire) makes interventions and journals them as `umpire`
records; this module is what changes the world, so replay (game.record.replay) applies them where they
were made without reaching up into the classroom. No intervention draws a random number, and the engine's
dice are keyed by (seed, turn, purpose), so an intervention never shifts a later draw: a replay is the same
game, bit for bit.

What an intervention can do: fire any inject now; change a scenario number (a rate, by its dotted path
as in inject effects); set or change one of the player's stocks; put a road segment into a state; set or
change a unit's strength; change a side's morale.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from game.errors import SalientError
from game.scenario.scenario import path_value_problem, resolve_path

from .records import UMPIRE as UMPIRE_RECORD
from .records import Intervention, InterventionKind

if TYPE_CHECKING:
    from game.engine.game import Game

    from .journal import LoadedJournal

__all__ = [
    "KINDS",
    "UMPIRE_RECORD",
    "HasTurn",
    "Intervention",
    "InterventionError",
    "Kind",
    "TurnHook",
    "TurnOnly",
    "apply_intervention",
    "apply_pending",
    "before_turn_hook",
    "check_intervention",
    "interventions",
]

Kind = InterventionKind
KINDS: dict[str, str] = {
    "fire_inject": "fire an inject now (target: inject id)",
    "set_rate": "set a scenario number (target: dotted path, value: number)",
    "scale_rate": "multiply a scenario number (target: dotted path, value: factor)",
    "set_stock": "set a stock (target: ammunition_t, drones, fuel_t or food_medical_t; value: amount)",
    "change_stock": "add to a stock (target: stock; value: amount, negative removes)",
    "set_road_state": "put a road segment in a state (target: road id; value: open, contested, interdicted, cut)",
    "set_strength": "set a unit's strength (target: unit id; value: soldiers)",
    "change_strength": "reinforce or deplete a unit (target: unit id; value: soldiers, negative removes)",
    "change_morale": "raise or lower a side's morale (target: side id; value: -1 to 1)",
}
"""Every kind of intervention, with what its target and value are (the umpire screen shows these)."""


class InterventionError(SalientError):
    """An intervention that cannot be made; `.problems` says why in plain words."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _number(iv: Intervention) -> float | None:
    if isinstance(iv.value, bool) or iv.value is None:
        return None
    try:
        number = float(iv.value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _rate(game: Game, path: str) -> float:
    """The scenario number at `path` (checked to exist before an intervention is applied)."""
    value = resolve_path(game.scenario, path)
    if value is None:
        raise InterventionError([f"'{path}' is not a number in this scenario"])
    return float(value)


MAX_STRENGTH = 10_000_000
"""Largest strength (and stock change) an umpire may set: the bound a scenario's own counts have, so a value
typed by mistake, or edited into a journal, cannot overflow the model."""


def check_intervention(game: Game, iv: Intervention) -> list[str]:
    """What stops this intervention, in plain words ([] when it can be made)."""
    from game.engine.params import ROAD_STATES, STOCKS

    if game.finished:
        return [f"the game is over ({game.ending}); nothing can change it now"]
    p = game.params
    sc = game.scenario
    number = _number(iv)
    needs_number = iv.kind not in {"fire_inject", "set_road_state"}
    out: list[str] = []
    if needs_number and number is None:
        out.append(f"{iv.kind} needs a number as its value")
    if iv.kind == "fire_inject":
        ids = [i.id for i in sc.injects]
        if iv.target not in ids:
            out.append(f"there is no inject '{iv.target}' (injects: {', '.join(ids) or 'none'})")
        else:
            i = ids.index(iv.target)
            if game.state.fired[0, i] and not sc.injects[i].repeatable:
                out.append(f"inject '{iv.target}' has already fired and is not repeatable")
    elif iv.kind in {"set_rate", "scale_rate"}:
        if resolve_path(sc, iv.target) is None:
            out.append(
                f"'{iv.target}' is not a number in this scenario (name list items by id, e.g. "
                "supply.border_resupply_t_per_turn)"
            )
        elif number is not None and number < 0:
            out.append("rates cannot be negative")
        elif number is not None:
            old = _rate(game, iv.target)
            problem = path_value_problem(sc, iv.target, number if iv.kind == "set_rate" else old * number)
            if problem is not None:
                out.append(problem)
    elif iv.kind in {"set_stock", "change_stock"}:
        if iv.target not in STOCKS:
            out.append(f"there is no stock '{iv.target}' (stocks: {', '.join(STOCKS)})")
        elif iv.kind == "set_stock" and number is not None and number < 0:
            out.append("a stock cannot be negative")
        elif number is not None and abs(number) > MAX_STRENGTH:
            out.append(f"a stock changes by at most {MAX_STRENGTH:,} at a time")
    elif iv.kind == "set_road_state":
        if iv.target not in p.roads.ids:
            out.append(f"there is no road segment '{iv.target}' (roads: {', '.join(p.roads.ids)})")
        if iv.value not in ROAD_STATES:
            out.append(f"a road state is one of {', '.join(ROAD_STATES)}")
    elif iv.kind in {"set_strength", "change_strength"}:
        if iv.target not in p.units.ids:
            out.append(f"there is no unit '{iv.target}'")
        elif iv.kind == "set_strength" and number is not None and number < 0:
            out.append("a strength cannot be negative")
        elif number is not None:
            now = float(game.state.strength[0, p.units.ids.index(iv.target)])
            if (number if iv.kind == "set_strength" else now + number) > MAX_STRENGTH:
                out.append(f"a unit's strength is at most {MAX_STRENGTH:,} soldiers, as in a scenario")
    elif iv.kind == "change_morale":
        if iv.target not in p.side_ids:
            out.append(f"side '{iv.target}' takes no part in the fighting (sides: {', '.join(p.side_ids)})")
        elif number is not None and not -1.0 <= number <= 1.0:
            out.append("a morale change lies between -1 and 1")
    return out


def apply_intervention(game: Game, iv: Intervention) -> Intervention:
    """Change the game as `iv` says (after `check_intervention`); returns it with `summary` and `announce`."""
    from game.engine import injects as engine_injects
    from game.engine.params import ROAD_STATES, STOCKS

    problems = check_intervention(game, iv)
    if problems:
        raise InterventionError(problems)
    game.state = st = game.state.copy()  # writable arrays of our own (a fresh game's may be read-only views)
    p = game.params
    number = _number(iv)
    value = 0.0 if number is None else number  # every kind but fire_inject and set_road_state has one (checked)
    announce = ""
    if iv.kind == "fire_inject":
        i = [x.id for x in game.scenario.injects].index(iv.target)
        fire = np.zeros((1, len(game.scenario.injects)), dtype=bool)
        fire[0, i] = True
        engine_injects.apply(game.model.base, st, fire)  # the engine's own effect code: same result as a trigger
        inject = game.scenario.injects[i]
        summary = f"inject '{inject.id}' fired: {inject.title}"
        if inject.visible_to == "trainee":
            announce = f"{inject.title}. {inject.message}".strip()
    elif iv.kind in {"set_rate", "scale_rate"}:
        old = _rate(game, iv.target)
        game.set_parameter(iv.target, value if iv.kind == "set_rate" else old * value)
        summary = f"{iv.target}: {old:g} → {_rate(game, iv.target):g}"
    elif iv.kind in {"set_stock", "change_stock"}:
        k = STOCKS.index(iv.target)
        old = float(st.stocks[0, k])
        st.stocks[0, k] = max(0.0, value if iv.kind == "set_stock" else old + value)
        summary = f"stock {iv.target}: {old:.1f} → {float(st.stocks[0, k]):.1f}"
    elif iv.kind == "set_road_state":
        g = p.roads.ids.index(iv.target)
        old_state = ROAD_STATES[int(st.road_state[0, g])]
        st.damage[0, g] = ROAD_STATES.index(str(iv.value))
        st.road_state[0, g] = ROAD_STATES.index(str(iv.value))
        summary = f"road {iv.target}: {old_state} → {iv.value}"
    elif iv.kind in {"set_strength", "change_strength"}:
        u = p.units.ids.index(iv.target)
        old = float(st.strength[0, u])
        st.strength[0, u] = max(0.0, value if iv.kind == "set_strength" else old + value)
        summary = f"unit {iv.target}: {old:.0f} → {float(st.strength[0, u]):.0f} soldiers"
    else:  # change_morale, as the engine applies ChangeMorale
        side = p.side_ids.index(iv.target)
        cols = p.units.side == side
        before = float(st.morale[0, cols].mean()) if cols.any() else 0.0
        st.morale[0, cols] = np.clip(st.morale[0, cols] + value, 0.0, 1.0)
        after = float(st.morale[0, cols].mean()) if cols.any() else 0.0
        summary = f"morale of {iv.target}: {before:.2f} → {after:.2f}"
    return iv.model_copy(update={"summary": summary, "announce": announce})


# --- reading interventions back: the AAR and replay ------------------------------------------


class HasTurn(Protocol):
    """A turn being replayed: a TurnRecord of the main line, or a turn of a what-if branch."""

    @property
    def turn(self) -> int: ...


@dataclass(frozen=True)
class TurnOnly:
    """Stands for a TurnRecord where only the turn number is known (the turns of a what-if branch)."""

    turn: int


TurnHook = Callable[["Game", HasTurn], None]


def interventions(loaded: LoadedJournal) -> list[Intervention]:
    """Every umpire intervention in a journal, in the order made (for the AAR and the class record)."""
    return loaded.interventions


def before_turn_hook(loaded: LoadedJournal) -> TurnHook:
    """For `replay_game(loaded, before_turn=...)`: apply the interventions recorded for each turn first."""
    by_turn = _by_turn(loaded)

    def hook(game: Game, record: HasTurn) -> None:
        for iv in by_turn.get(record.turn, []):
            apply_intervention(game, iv)

    return hook


def apply_pending(game: Game, loaded: LoadedJournal) -> list[Intervention]:
    """After replaying a journal to continue it: the interventions made during the unfinished turn."""
    if game.finished:
        return []
    pending = _by_turn(loaded).get(game.turn, [])
    for iv in pending:
        apply_intervention(game, iv)
    return pending


def _by_turn(loaded: LoadedJournal) -> dict[int, list[Intervention]]:
    out: dict[int, list[Intervention]] = {}
    for iv in loaded.interventions:
        out.setdefault(iv.turn, []).append(iv)
    return out
