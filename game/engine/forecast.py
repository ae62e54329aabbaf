"""The advisor's forecast: R replications of the next turn(s) under the proposed orders, from the trainee's picture.

The advisor knows what the trainee knows: their own side, the ground and the roads as they stand, and
the enemy only through the intel estimates (game.engine.fog). So the game's state is broadcast to
(R, …) and each replication's enemy strength is drawn from that picture (`sample_enemy`, stream
(seed, turn, "forecast.picture")): each sector's enemy is a draw from its estimate's lognormal, shared
among the enemy units counted there in proportion to their starting strengths. The true enemy
strengths never enter, so the advisor's bands carry the intel's errors (its bias and its lag) as the
trainee's own reading would. The turns are then advanced with stream(seed, turn, "forecast") (the
game's own dice are never touched), the same orders standing for every turn of the horizon.

What is not sampled, and why: the enemy's morale is not in the intel at all (the kernel's value is
used); its drone vulnerability follows the scenario's adaptation schedule, the same in every game;
whether it is regrouping is told in the intel notes; where its drones fly follows the convoys the
trainee sent. Own strengths, stocks, roads and ground are the trainee's to know.

Road cut, two ways (they differ: see `p_road_cut` and `p_supply_road_cut` in game.engine.report):
every route unusable — the encirclement clock's test, tracks included, at a route survival below
supply.ROUTE_CUT_SURVIVAL — and the supply road shown "cut" on the map (its worst segment in state CUT).
Each counts when it holds at the start of the forecast (the situation the trainee is in) or at the
end of any forecast turn.
"""

from __future__ import annotations

import numpy as np

from . import factors as fx
from .directives import Directives
from .events import factor_list
from .fog import EnemyPicture
from .params import CUT, ENEMY, PLAYER, Params
from .report import Band, Forecast
from .rng import stream
from .state import State
from .step import Model, advance

BINS = 20
"""Bins of the own-losses histogram."""


def band(x: np.ndarray) -> Band:
    """Mean and the 5/50/95% points."""
    p5, p50, p95 = np.percentile(x, (5.0, 50.0, 95.0))
    return Band(mean=float(x.mean()), p5=float(p5), p50=float(p50), p95=float(p95))


def sample_enemy(p: Params, st: State, picture: EnemyPicture, gen: np.random.Generator) -> None:
    """Overwrite the enemy's strengths in every replication with a draw from the picture (in place).

    Sector s gets centre[s]·exp(sigma·z), z standard normal per replication and sector — the
    distribution whose median and 5–95% band the trainee reads — shared among the units counted in
    s by their starting strengths (the picture says how many, not which units are weak). The draws
    are (R, S) in row order, so the first replications' pictures do not depend on R."""
    z = gen.standard_normal((st.R, p.S))
    drawn = (picture.centre[None, :] * np.exp(picture.sigma * z)) @ carry_over(p, picture)
    units = np.flatnonzero(picture.facing >= 0)
    if not units.size:
        return
    sector = picture.facing[units]
    weight = _composition(p, units)
    per_sector = np.bincount(sector, weights=weight, minlength=p.S)
    st.strength[:, units] = drawn[:, sector] * (weight / per_sector[sector])


def _composition(p: Params, units: np.ndarray) -> np.ndarray:
    """Each unit's weight in its sector's share: its starting strength (at least one soldier, so a unit
    that starts empty and is filled later still takes a share when it stands alone)."""
    result: np.ndarray = np.maximum(p.units.strength0[units].astype(float), 1.0)
    return result


def carry_over(p: Params, picture: EnemyPicture) -> np.ndarray:
    """(S, S) where each sector's estimate goes: to its own units, else to the nearest sectors that have some.

    Half of a report is a turn old (game.engine.fog), so after the enemy moves the analysts still count
    soldiers where no unit faces any more; they are the units that moved, so they join the units
    nearest to that sector (by hops, shared by starting strength) rather than vanish from the picture."""
    S = p.S
    units = np.flatnonzero(picture.facing >= 0)
    weight = np.bincount(picture.facing[units], weights=_composition(p, units), minlength=S)
    has = weight > 0
    if has.all() or not has.any():
        return np.eye(S)
    hops = np.where(has[None, :], p.sectors.dist.astype(float), np.inf)  # (from, to): only sectors with units
    nearest = hops == hops.min(axis=1, keepdims=True)
    moved = nearest * weight[None, :]
    move = moved / moved.sum(axis=1, keepdims=True)
    return np.where(has[:, None], np.eye(S), move)


def _supply_road_cut(p: Params, road_state: np.ndarray) -> np.ndarray:
    """(R,) the supply road shown cut: some segment of it in state CUT (what the map and the sitrep say)."""
    if not p.roads.on_road.any():
        return np.zeros(road_state.shape[0], dtype=bool)
    cut: np.ndarray = np.any(road_state[:, p.roads.on_road] >= CUT, axis=1)
    return cut


def run_forecast(
    model: Model,
    state: State,
    directives: Directives,
    seed: int,
    replications: int,
    turns: int,
    picture: EnemyPicture | None = None,
) -> Forecast:
    """Replicate the coming turn(s) and summarise the spread of outcomes.

    `picture`: the trainee's estimate of the enemy, sampled per replication (the advisor's forecast);
    None replicates the true state (an umpire's or analyst's view, never shown to the trainee)."""
    st = state.broadcast(replications)
    params = model.variants(st)[0][0]
    if picture is not None:
        sample_enemy(params, st, picture, stream(seed, state.turn, "forecast.picture"))
    own = np.zeros(replications)
    enemy = np.zeros(replications)
    delivered = np.zeros(replications)
    cut = st.cut_clock > 0  # every route already cut: the forecast says so whatever the turn brings
    road_cut = _supply_road_cut(params, st.road_state)
    factors = np.zeros(fx.F)
    for _ in range(turns):
        if st.ended.all():
            break
        st, out, _ = advance(model, st, directives, seed, purpose="forecast", inject_purpose="forecast.injects")
        own += out.losses[:, PLAYER].sum(axis=1)
        enemy += out.losses[:, ENEMY].sum(axis=1)
        delivered += out.delivered
        cut |= out.route_cut | out.route_cut_start
        params = model.variants(st)[0][0]
        road_cut |= _supply_road_cut(params, st.road_state)
        factors += out.factors.mean(axis=0)
    counts, edges = np.histogram(own, bins=BINS)
    place_held = st.place_holder(params) == PLAYER
    return Forecast(
        replications=replications,
        turns=turns,
        own_losses=band(own),
        enemy_losses=band(enemy),
        area_held_sq_mi=band(st.area_held(params)),
        supply_delivered_t=band(delivered),
        p_lose_sector={
            sid: float(1.0 - (st.holder[:, s] == PLAYER).mean()) for s, sid in enumerate(params.sectors.ids)
        },
        p_lose_place={pid: float(1.0 - place_held[:, i].mean()) for i, pid in enumerate(params.places.ids)},
        p_road_cut=float(cut.mean()),
        p_supply_road_cut=float(road_cut.mean()),
        own_losses_histogram=[int(c) for c in counts],
        own_losses_bin_edges=[float(e) for e in edges],
        factors=factor_list(factors, params),
    )
