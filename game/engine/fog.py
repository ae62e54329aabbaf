"""Fog of war: what the trainee is told, which is not the truth with a band drawn around it.

Each estimate is the truth seen through three distortions:
* a lag — half of every strength report is a turn old (the picture at the start of the last turn);
* a persistent bias — drawn once per game from stream(seed, 0, "intel_bias"): per sector, analysts
  over- or under-count the same way all game (lognormal, sigma INTEL_BIAS); claims of enemy losses
  are inflated on top (CLAIM_INFLATION);
* noise — lognormal with sigma INTEL_SIGMA, shrinking with the recon teams flown last turn,
  drawn from stream(seed, turn, "intel"), so the picture is deterministic per (seed, turn).
The band is the analysts' own stated uncertainty (±1.645 sigma of the noise); it does not include
the bias they do not know about, so the truth can lie outside it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

import numpy as np

from .drones import RECON_TEAMS
from .opfor import broken, plan_targets, sector_sum
from .params import ENEMY, PLAYER, Params
from .report import Estimate, Intel
from .rng import stream
from .state import State

if TYPE_CHECKING:
    from .game import Game

INTEL_SIGMA = 0.45
"""Lognormal sigma of a strength report with no recon."""
RECON_SHARPENING = 0.6
"""Share of that sigma removed at full recon."""
INTEL_BIAS = 0.25
"""Sigma of the persistent per-sector bias of the analysts."""
CLAIM_INFLATION = 0.25
"""Mean log-inflation of claimed enemy losses."""
Z90 = 1.645


def enemy_by_sector(p: Params, st: State) -> np.ndarray:
    """(R, S) enemy soldiers facing each sector this coming turn (or standing in it when idle)."""
    S = p.S
    brk = broken(p, st.strength, st.morale)
    is_e = p.unit_side == ENEMY
    held = st.holder == PLAYER
    in_held = np.take_along_axis(held, st.loc, axis=1)
    p_in = (p.unit_side == PLAYER) & ~st.reserve & ~brk & in_held
    defenders = sector_sum(np.where(p_in, st.loc, S), st.strength, S + 1)[:, :S]
    able = is_e & ~brk & ~st.paused[:, None]
    target, loc = plan_targets(p, st.holder, st.loc, st.strength, able, defenders)
    where = np.where(target >= 0, target, loc)
    return sector_sum(np.where(is_e & (st.strength > 0), where, S), st.strength, S + 1)[:, :S]


def _confidence(sigma: float) -> Literal["low", "medium", "high"]:
    return "high" if sigma < 0.2 else "medium" if sigma < 0.35 else "low"


def _estimate(centre: float, sigma: float) -> Estimate:
    return Estimate(
        estimate=round(centre, 1), low=round(centre * math.exp(-Z90 * sigma), 1),
        high=round(centre * math.exp(Z90 * sigma), 1), confidence=_confidence(sigma),
    )


def intel(game: "Game") -> Intel:
    """The trainee's picture at the start of the current turn."""
    p = game.params
    st = game.state
    S = p.S
    turn = st.turn
    bias = stream(game.seed, 0, "intel_bias").normal(0.0, INTEL_BIAS, size=S + 3)
    eps = stream(game.seed, turn, "intel").standard_normal(S + 4)
    recon_teams = game.history[-1].orders.drones.recon if game.history else 0
    recon = 1.0 - math.exp(-recon_teams / RECON_TEAMS)
    sigma = INTEL_SIGMA * (1.0 - RECON_SHARPENING * recon)
    now = enemy_by_sector(p, st)[0]
    prev = game.previous_enemy_by_sector if game.previous_enemy_by_sector is not None else now
    seen = 0.5 * now + 0.5 * prev
    per_sector = {}
    for s, sid in enumerate(p.sector_ids):
        centre = float(seen[s]) * math.exp(bias[s] + sigma * eps[s])
        per_sector[sid] = _estimate(centre, sigma)
    total_true = float(seen.sum())
    total = _estimate(total_true * math.exp(bias[S] + sigma * eps[S]), sigma)
    last = game.history[-1] if game.history else None
    own_true = last.losses[p.side_ids[PLAYER]].total if last else 0.0
    enemy_true = last.losses[p.side_ids[ENEMY]].total if last else 0.0
    completeness = 0.75 + 0.2 / (1.0 + math.exp(-eps[S + 1]))  # units report late and partly
    own = _estimate(own_true * completeness * math.exp(0.1 * eps[S + 2]), 0.15)
    claim_sigma = max(0.3, sigma)
    enemy = _estimate(enemy_true * math.exp(CLAIM_INFLATION + bias[S + 2] + claim_sigma * eps[S + 3]), claim_sigma)
    road = st.road_state[0][p.on_road] if p.on_road.any() else st.road_state[0]
    worst = int(road.max()) if road.size else 0
    threat: Literal["low", "moderate", "high", "severe"] = ("low", "moderate", "high", "severe")[worst]
    return Intel(
        turn=turn, enemy_strength=per_sector, enemy_total=total, own_losses_last_turn=own,
        enemy_losses_last_turn=enemy, road_threat=threat, notes=_notes(game, p, st, now),
    )


def _notes(game: "Game", p: Params, st: State, facing: np.ndarray) -> list[str]:
    notes: list[str] = []
    fibre = (p.drone_side == ENEMY) & p.drone_fibre
    if fibre.any() and p.G:
        distance = st.road_distance[0] + (st.holder[0] == PLAYER).astype(float) @ p.screen_depth
        reach = p.drone_reach[fibre].max()
        near = [p.scenario.map.roads[g].name for g in range(p.G) if distance[g] <= reach and (p.on_road[g] or p.on_tracks[g])]
        if near:
            notes.append(f"Fibre-optic drones seen over the supply routes ({', '.join(near)}); jamming will not stop them.")
    lead = p.lead & (st.strength[0] > 0)
    if lead.any() and facing.max() > 0:
        s = int(np.argmax(facing))
        notes.append(f"Enemy assault groups are massing against {p.sector_names[s]}.")
    if st.paused[0]:
        notes.append("The enemy appears to be regrouping after heavy losses.")
    if st.cut_clock[0] > 0:
        notes.append(f"Every route has been cut for {int(st.cut_clock[0])} turn(s).")
    return notes
