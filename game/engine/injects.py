"""Injects: scenario events fired on a turn, after a turn, on conditions or by chance, per replication.

Triggers are evaluated at the start of a turn on each replication's own state; the chance part
draws from stream(seed, turn, "injects") (one uniform per replication and inject, whatever fires).
State effects (stocks, road state, morale, strength) apply to the replications where the inject
fired, and so do rate effects on numbers the engine keeps in the state (a road segment's speed,
throughput and enemy distance; a sector's fortification — see STATE_PATHS). Other rate effects (scale_rate, set_rate on a scenario path) change the compiled parameters: each
replication carries how many times each rate inject fired, and replications that differ are
resolved with their own parameter set (see game.engine.step), so a forecast or a batch run treats
a chance inject honestly, replication by replication.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

import numpy as np

from game.scenario.injects import (
    ChangeMorale,
    ChangeStock,
    ChangeStrength,
    Condition,
    Inject,
    ScaleRate,
    SetRate,
    SetRoadState,
)

from .params import AMMUNITION, ENEMY, KILLED, NEUTRAL, PLAYER, ROAD_STATES, STOCKS, WOUNDED, Params
from .state import State

_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    ">=": operator.ge,
    ">": operator.gt,
    "!=": operator.ne,
}


STATE_PATHS = {
    "map.roads": {
        "speed_kmh": "road_speed",
        "throughput_t_per_turn": "road_throughput",
        "enemy_distance_km": "road_distance",
    },
    "map.sectors": {"fortification": "fort"},
}
"""Scenario numbers that live in the state, replication by replication: a rate effect on one of them
changes the state where the inject fired instead of recompiling the parameters."""


def state_target(effect: ScaleRate | SetRate) -> tuple[str, str, str] | None:
    """(state field, kind of item, item id) when the effect targets a number kept in the state."""
    parts = effect.target.split(".")
    if len(parts) == 4:
        fields = STATE_PATHS.get(".".join(parts[:2]))
        if fields and parts[3] in fields:
            return fields[parts[3]], parts[1], parts[2]
    return None


def is_rate(inj: Inject) -> bool:
    """True when the inject changes a compiled parameter (a scenario number not kept in the state)."""
    return any(isinstance(e, (ScaleRate, SetRate)) and state_target(e) is None for e in inj.effects)


def metric(p: Params, st: State, cond: Condition) -> np.ndarray:
    """(R,) value of a condition's metric on each replication."""
    m = cond.metric
    R = st.R
    if m == "turn":
        return np.full(R, float(st.turn))
    if m == "area_held_sq_mi":
        return st.area_held(p)
    if m == "area_held_share":
        start = float((p.sectors.holder0 == PLAYER) @ p.sectors.area)
        return st.area_held(p) / max(start, 1e-9)
    if m == "own_strength":
        return st.player_strength(p)
    if m == "own_losses":
        own: np.ndarray = st.casualties[:, PLAYER].sum(axis=1)
        return own
    if m == "enemy_losses":
        enemy: np.ndarray = st.casualties[:, ENEMY].sum(axis=1)
        return enemy
    if m == "road_cut_turns":
        return st.cut_clock.astype(float)
    if m == "supply_delivered_t":
        return st.last_delivered
    if m == "ammunition_t":
        return st.stocks[:, AMMUNITION]
    if m == "sector_held":
        sector: np.ndarray = (st.holder[:, p.sectors.ids.index(cond.target)] == PLAYER).astype(float)
        return sector
    if m == "place_held":
        place: np.ndarray = (st.holder_of_place(p, p.places.ids.index(cond.target)) == PLAYER).astype(float)
        return place
    if m == "road_state_index":
        return st.road_state[:, p.roads.ids.index(cond.target)].astype(float)
    if m == "sector_progress":  # the attacker's progress into the sector; a sector the player lost counts as 1
        s = p.sectors.ids.index(cond.target)
        return np.where(st.holder[:, s] == PLAYER, st.progress[:, s], 1.0)
    raise ValueError(f"unknown metric {m}")


def evaluate(p: Params, st: State, uniforms: np.ndarray) -> np.ndarray:
    """(R, I) bool: which injects fire at the start of this turn (uniforms: (R, I) from the injects stream)."""
    injects = p.scenario.injects
    fire = np.zeros((st.R, len(injects)), dtype=bool, order="F")
    for i, inj in enumerate(injects):
        if not inj.active:
            continue
        trig = inj.trigger
        if trig.turn is not None and st.turn != trig.turn:
            continue
        if trig.after_turn is not None and st.turn < trig.after_turn:
            continue
        ok = ~st.ended
        if not inj.repeatable:
            ok &= st.fired[:, i] == 0
        for cond in trig.conditions:
            ok &= _OPS[cond.op](metric(p, st, cond), cond.value)
        if trig.probability < 1.0:
            ok &= uniforms[:, i] < trig.probability
        fire[:, i] = ok
    return fire


def fields_written(p: Params, fire: np.ndarray) -> set[str]:
    """The state fields `apply` changes for these firings (so a caller copies only those)."""
    names = {"fired"}
    kinds: dict[type, tuple[str, ...]] = {
        ChangeStock: ("stocks",),
        SetRoadState: ("damage", "road_state"),
        ChangeMorale: ("morale",),
        ChangeStrength: ("strength", "reference", "arrived", "casualties", "wounded_pending"),
    }
    for i in np.flatnonzero(fire.any(axis=0)):
        for eff in p.scenario.injects[i].effects:
            if isinstance(eff, (ScaleRate, SetRate)):
                where = state_target(eff)
                names.update(() if where is None else (where[0],))
            else:
                names.update(kinds.get(type(eff), ()))
    return names


def apply(p: Params, st: State, fire: np.ndarray) -> None:
    """Count the firings and apply the state effects where each inject fired (in place).

    Each effect rewrites whole columns, keeping the old value where the inject did not fire: a
    boolean row gather and scatter per effect costs several times a pass over the column."""
    st.fired += fire.astype(st.fired.dtype)
    for i, inj in enumerate(p.scenario.injects):
        rows = fire[:, i]
        if not rows.any():
            continue
        for eff in inj.effects:
            if isinstance(eff, ChangeStock):
                k = STOCKS.index(eff.stock)
                _where(st.stocks, k, rows, np.maximum(0.0, st.stocks[:, k] + eff.delta))
            elif isinstance(eff, SetRoadState):
                g = p.roads.ids.index(eff.road)
                _where(st.damage, g, rows, ROAD_STATES.index(eff.state))
                _where(st.road_state, g, rows, ROAD_STATES.index(eff.state))
            elif isinstance(eff, ChangeMorale):
                side = PLAYER if eff.side == p.side_ids[PLAYER] else ENEMY if eff.side == p.side_ids[ENEMY] else NEUTRAL
                units = p.side_units(side)
                _where(st.morale, units, rows[:, None], np.clip(st.morale[:, units] + eff.delta, 0.0, 1.0))
            elif isinstance(eff, ChangeStrength):
                _change_strength(p, st, rows, p.units.ids.index(eff.unit), eff.delta)
            elif isinstance(eff, (ScaleRate, SetRate)) and (where := state_target(eff)) is not None:
                name, kind, item = where
                col = (p.roads.ids if kind == "roads" else p.sectors.ids).index(item)
                arr = getattr(st, name)
                new = arr[:, col] * eff.factor if isinstance(eff, ScaleRate) else np.full(st.R, eff.value)
                if name == "fort":
                    new = np.clip(new, 0.0, 1.0)
                elif name == "road_speed":
                    new = np.maximum(new, 0.1)
                _where(arr, col, rows, np.maximum(new, 0.0))


def _change_strength(p: Params, st: State, rows: np.ndarray, u: int, delta: float) -> None:
    """Soldiers join a unit (they count as arrived) or are lost from it (they count as killed or wounded, the
    player's wounded waiting for evacuation), so every soldier stays in exactly one state."""
    side = int(p.units.side[u])
    new = np.maximum(0.0, st.strength[:, u] + delta)
    change = np.where(rows, new - st.strength[:, u], 0.0)
    st.strength[:, u] += change
    st.reference[:, u] = np.maximum(st.reference[:, u] + np.maximum(change, 0.0), st.strength[:, u])  # fresh soldiers
    if side not in (PLAYER, ENEMY):
        return
    st.arrived[:, side] += np.maximum(change, 0.0)
    lost = np.maximum(-change, 0.0)
    killed = lost * p.sides.kill_share[side]
    st.casualties[:, side, KILLED] += killed
    st.casualties[:, side, WOUNDED] += lost - killed
    if side == PLAYER:
        st.wounded_pending += lost - killed


def _where(arr: np.ndarray, col: int | slice, rows: np.ndarray, new: np.ndarray | float) -> None:
    """arr[:, col] = new where `rows`, unchanged elsewhere (in place)."""
    arr[:, col] = np.where(rows, new, arr[:, col])


def rate_effects(p: Params, counts: tuple[int, ...]) -> list[tuple[str, str, str, float]]:
    """The (inject id, kind, path, number) rate changes of injects fired `counts` times each, in scenario order."""
    out: list[tuple[str, str, str, float]] = []
    for inj, n in zip(p.scenario.injects, counts, strict=True):
        for _ in range(n):
            for eff in inj.effects:
                if isinstance(eff, (ScaleRate, SetRate)) and state_target(eff) is not None:
                    continue  # kept in the state, applied per replication by `apply`
                if isinstance(eff, ScaleRate):
                    out.append((inj.id, "scale_rate", eff.target, eff.factor))
                elif isinstance(eff, SetRate):
                    out.append((inj.id, "set_rate", eff.target, eff.value))
    return out
