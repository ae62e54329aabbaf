"""Endings and the score: every weight from `scenario.scoring`, as quantity × weight = points.

Vectorised over replications (`score_arrays`) for forecasts and batch analysis, and rendered as a
`Score` with one `ScoreLine` per term for the trainee.
"""

from __future__ import annotations

import numpy as np

from .params import ENDING_CODE, ENDINGS, ENEMY, PLAYER, Params
from .report import Score, ScoreLine
from .state import State


def _whole(x: np.ndarray) -> np.ndarray:
    """Counts of people rounded to whole soldiers (halves up): the model's casualties are expected values."""
    return np.floor(x + 0.5)


def objectives_met(p: Params, st: State, turns_played: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """(R,) bool per objective id, judged on the state as it stands (each replication's own turns played)."""
    out: dict[str, np.ndarray] = {}
    turns_played = np.maximum(turns_played if turns_played is not None else st.played, 1)
    start_strength = float(p.units.strength0[p.units.side == PLAYER].sum())
    for obj in p.scenario.scoring.objectives:
        if obj.kind == "hold_place":
            met = st.place_holder(p)[:, p.places.ids.index(obj.target)] == PLAYER
        elif obj.kind == "hold_sector":
            met = st.holder[:, p.sectors.ids.index(obj.target)] == PLAYER
        elif obj.kind == "keep_road_open":  # over the whole game: a grouping that left early did not keep it open
            g = p.roads.ids.index(obj.target)
            met = st.usable_turns[:, g] / np.maximum(turns_played, p.turns) >= obj.threshold
        elif obj.kind == "avoid_encirclement":  # a destroyed or overrun grouping avoided nothing
            met = ~np.isin(st.ending, [ENDING_CODE[e] for e in ("encircled", "destroyed", "bridgehead_fell")])
        else:  # preserve_strength
            met = st.player_strength(p) >= obj.threshold * start_strength
        out[obj.id] = np.asarray(met, dtype=bool)
    return out


def score_arrays(
    p: Params, st: State, turns_played: np.ndarray | None = None
) -> tuple[list[tuple[str, str, np.ndarray, float]], np.ndarray]:
    """Score lines as (name, label, quantity (R,), weight) and the total (R,)."""
    w = p.scenario.scoring
    lines: list[tuple[str, str, np.ndarray, float]] = [
        ("ground_held", "Square miles still held", st.area_held(p), w.per_sq_mi_held),
        ("ground_turns_held", "Square miles held, summed over the turns played", st.area_turns, w.per_sq_mi_turn_held),
        # soldiers are scored whole, as the trainee reads them, so points = quantity × weight on the score table
        (
            "own_casualties",
            "Own soldiers killed, wounded or captured",
            _whole(st.casualties[:, PLAYER].sum(axis=1)),
            w.per_own_casualty,
        ),
        (
            "enemy_casualties",
            "Enemy soldiers put out of action",
            _whole(st.casualties[:, ENEMY].sum(axis=1)),
            w.per_enemy_casualty,
        ),
        (
            "encircled",
            "Grouping encircled",
            (st.ending == ENDING_CODE["encircled"]).astype(float),
            w.encirclement_penalty,
        ),
        (
            "orderly_withdrawal",
            "Withdrawal completed with a route out still open",
            ((st.ending == ENDING_CODE["withdrawn"]) & st.orderly).astype(float),
            w.orderly_withdrawal_bonus,
        ),
    ]
    met = objectives_met(p, st, turns_played)
    for obj in w.objectives:
        lines.append((f"objective.{obj.id}", obj.title, met[obj.id].astype(float), obj.points))
    total = sum(q * weight for _, _, q, weight in lines)
    return lines, np.asarray(total, dtype=float)


WEIGHT_OF_LINE = {
    "ground_held": "per_sq_mi_held",
    "ground_turns_held": "per_sq_mi_turn_held",
    "own_casualties": "per_own_casualty",
    "enemy_casualties": "per_enemy_casualty",
    "encircled": "encirclement_penalty",
    "orderly_withdrawal": "orderly_withdrawal_bonus",
}
"""The scoring weight behind each score line (objectives are named `objective.<id>`)."""


def line_reason(p: Params, name: str) -> str:
    """Why a score line's weight is what it is, as the scenario says it ('' when it does not)."""
    w = p.scenario.scoring
    if name.startswith("objective."):
        return next((o.description for o in w.objectives if f"objective.{o.id}" == name), "")
    weight = WEIGHT_OF_LINE.get(name)
    return next((text for key, text in w.rationale.items() if key == weight), "")


def score_model(p: Params, st: State, row: int = 0) -> Score:
    """The score of one replication with every weight shown, and why it has its value."""
    lines, total = score_arrays(p, st)
    met = objectives_met(p, st)
    return Score(
        total=round(float(total[row]), 6),
        lines=[
            ScoreLine(
                name=n,
                label=lab,
                quantity=float(q[row]),
                weight=float(wt),
                points=float(q[row] * wt),
                why=line_reason(p, n),
            )
            for n, lab, q, wt in lines
        ],
        ending=ENDINGS[int(st.ending[row])],
        objectives_met={k: bool(v[row]) for k, v in met.items()},
    )
