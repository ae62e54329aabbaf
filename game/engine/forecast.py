"""The advisor's forecast: R replications of the next turn(s) under the proposed orders.

The game's state is broadcast to (R, …) and advanced with stream(seed, turn, "forecast") (the
game's own dice are never touched), the same orders standing for every turn of the horizon.
"""

from __future__ import annotations

import numpy as np

from . import factors as fx
from .directives import Directives
from .events import factor_list
from .params import PLAYER
from .report import Band, Forecast
from .state import State
from .step import Model, advance

BINS = 20
"""Bins of the own-losses histogram."""


def band(x: np.ndarray) -> Band:
    """Mean and the 5/50/95% points."""
    p5, p50, p95 = np.percentile(x, (5.0, 50.0, 95.0))
    return Band(mean=float(x.mean()), p5=float(p5), p50=float(p50), p95=float(p95))


def run_forecast(model: Model, state: State, directives: Directives, seed: int, replications: int, turns: int) -> Forecast:
    """Replicate the coming turn(s) and summarise the spread of outcomes."""
    st = state.broadcast(replications)
    own = np.zeros(replications)
    enemy = np.zeros(replications)
    delivered = np.zeros(replications)
    cut = np.zeros(replications, dtype=bool)
    factors = np.zeros(fx.F)
    params = model.base
    for _ in range(turns):
        if st.ended.all():
            break
        st, out, _ = advance(model, st, directives, seed, purpose="forecast", inject_purpose="forecast.injects")
        own += out.losses[:, PLAYER].sum(axis=1)
        enemy += out.losses[:, 1].sum(axis=1)
        delivered += out.delivered
        cut |= out.route_cut
        factors += out.factors.mean(axis=0)
        params = model.variants(st)[0][0]
    counts, edges = np.histogram(own, bins=BINS)
    place_held = st.place_holder(params) == PLAYER
    return Forecast(
        replications=replications,
        turns=turns,
        own_losses=band(own),
        enemy_losses=band(enemy),
        area_held_sq_mi=band(st.area_held(params)),
        supply_delivered_t=band(delivered),
        p_lose_sector={sid: float(1.0 - (st.holder[:, s] == PLAYER).mean()) for s, sid in enumerate(params.sector_ids)},
        p_lose_place={pid: float(1.0 - place_held[:, i].mean()) for i, pid in enumerate(params.place_ids)},
        p_road_cut=float(cut.mean()),
        own_losses_histogram=[int(c) for c in counts],
        own_losses_bin_edges=[float(e) for e in edges],
        factors=factor_list(factors, params),
    )
