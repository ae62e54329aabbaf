"""Umpire mode, headless: the instructor sees ground truth and changes the world mid-game, with a reason.

What an intervention can do: fire any inject now; change a scenario number (a rate, by its dotted path
as in inject effects); set or change one of the player's stocks; put a road segment into a state; set or
change a unit's strength; change a side's morale. Every intervention needs a reason.

Order of events, which is what keeps replay exact:
1. the intervention is checked against the game (a problem raises `InterventionError`, nothing changes);
2. it is written to the journal as an `umpire` record carrying the turn about to be played — before
   the game changes, so a game is never changed without its record;
3. it is applied to the game at once (`apply_intervention`): state effects on the engine's arrays, the way
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

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from game.errors import SalientError
from game.scenario.scenario import path_value_problem, resolve_path

from .records import UMPIRE_RECORD

if TYPE_CHECKING:
    from game.engine.game import Game
    from game.engine.report import Intel, TurnReport
    from game.record.format import TurnRecord
    from game.record.journal import Journal, LoadedJournal

Kind = Literal[
    "fire_inject",
    "set_rate",
    "scale_rate",
    "set_stock",
    "change_stock",
    "set_road_state",
    "set_strength",
    "change_strength",
    "change_morale",
]
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


class Intervention(BaseModel):
    """One umpire decision, as asked for and as journalled."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    kind: Kind
    target: str = Field(min_length=1, max_length=200)
    value: float | str | None = None
    reason: str = Field(max_length=2000)
    turn: int = 0
    """The turn about to be played when it was made (set when applied)."""
    seq: int = 0
    """Order among the game's interventions, from 1 (set when applied)."""
    summary: str = ""
    """What was done, in words, with the value before and after (set when applied)."""
    announce: str = ""
    """What the trainee is told ('' for nothing: only trainee-visible injects are announced)."""
    written: str = ""
    """When it was journalled (UTC)."""

    @field_validator("reason")
    @classmethod
    def _reason_given(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("every intervention needs a reason")
        return value.strip()


MAX_STRENGTH = 10_000_000
"""Largest strength (and stock change) an umpire may set: the bound a scenario's own counts have, so a value
typed by mistake, or edited into a journal, cannot overflow the model."""


def _number(iv: Intervention) -> float | None:
    if isinstance(iv.value, bool) or iv.value is None:
        return None
    try:
        number = float(iv.value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


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
            old = float(resolve_path(sc, iv.target))  # type: ignore[arg-type]
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
        old = float(resolve_path(game.scenario, iv.target))  # type: ignore[arg-type]
        new = number if iv.kind == "set_rate" else old * float(number)  # type: ignore[operator]
        game.set_parameter(iv.target, float(new))  # type: ignore[arg-type]
        summary = f"{iv.target}: {old:g} → {float(resolve_path(game.scenario, iv.target)):g}"  # type: ignore[arg-type]
    elif iv.kind in {"set_stock", "change_stock"}:
        k = STOCKS.index(iv.target)
        old = float(st.stocks[0, k])
        st.stocks[0, k] = max(0.0, number if iv.kind == "set_stock" else old + number)  # type: ignore[operator]
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
        st.strength[0, u] = max(0.0, number if iv.kind == "set_strength" else old + number)  # type: ignore[operator]
        summary = f"unit {iv.target}: {old:.0f} → {float(st.strength[0, u]):.0f} soldiers"
    else:  # change_morale, as the engine applies ChangeMorale
        side = p.side_ids.index(iv.target)
        cols = p.units.side == side
        before = float(st.morale[0, cols].mean()) if cols.any() else 0.0
        st.morale[0, cols] = np.clip(st.morale[0, cols] + float(number), 0.0, 1.0)  # type: ignore[arg-type]
        after = float(st.morale[0, cols].mean()) if cols.any() else 0.0
        summary = f"morale of {iv.target}: {before:.2f} → {after:.2f}"
    return iv.model_copy(update={"summary": summary, "announce": announce})


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
            iv = Intervention(kind=kind, target=target.strip(), value=value, reason=reason)  # type: ignore[arg-type]
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

    try:
        loaded = load_journal(journal.path)
    except SalientError:
        loaded = journal.loaded
    return 0 if loaded is None else sum(1 for r in loaded.others if r.get("type") == UMPIRE_RECORD)


def _recorded_drills(journal: Journal | None) -> dict[str, int]:
    """Drills already put in this game (id → turn), read from the file like `_recorded_count`."""
    if journal is None:
        return {}
    from game.record.journal import load_journal
    from game.scenario.drills import drills_put

    try:
        loaded = load_journal(journal.path)
    except SalientError:
        loaded = journal.loaded
    return {} if loaded is None else drills_put(loaded.others)


# --- reading interventions back: the AAR and replay ------------------------------------------


def interventions(loaded: LoadedJournal) -> list[Intervention]:
    """Every umpire intervention in a journal, in the order made (for the AAR and the class record)."""
    out = []
    for raw in loaded.others:
        if raw.get("type") == UMPIRE_RECORD:
            try:
                out.append(Intervention.model_validate(raw))
            except ValueError:
                continue  # a record this version cannot read is skipped, not fatal to the debrief
    return out


def before_turn_hook(loaded: LoadedJournal) -> Callable[[Game, TurnRecord], None]:
    """For `replay_game(loaded, before_turn=...)`: apply the interventions recorded for each turn first."""
    by_turn = _by_turn(loaded)

    def hook(game: Game, record: TurnRecord) -> None:
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
    for iv in interventions(loaded):
        out.setdefault(iv.turn, []).append(iv)
    return out


def replay_with_interventions(loaded: LoadedJournal, *, verify: bool = True, pending: bool = False) -> Game:
    """Replay a journal with its umpire interventions, each at the point it was made (see module doc)."""
    from game.record.replay import replay_game

    game = replay_game(loaded, verify=verify, before_turn=before_turn_hook(loaded))
    if pending:
        apply_pending(game, loaded)
    return game
