"""Fog of war: what the trainee is told, which is not the truth with a band drawn around it.

Each estimate is the truth seen through three distortions:
* a lag — half of every strength report is a turn old (the picture at the start of the last turn);
* a persistent bias — drawn once per game from stream(seed, 0, "intel_bias"): per sector, analysts
  over- or under-count the same way all game (lognormal, sigma INTEL_BIAS); claims of enemy losses
  are inflated on top (CLAIM_INFLATION);
* noise — lognormal with sigma INTEL_SIGMA, shrinking with the recon teams flown last turn. Each
  turn's picture refines the last one rather than starting afresh: a sector's error follows a
  stationary AR(1) with correlation INTEL_PERSISTENCE, fed by the draws of stream(seed, k, "intel")
  for the turns k so far, so the picture is deterministic per (seed, turn) and does not swing by half
  from one turn to the next while nothing changes at the front.
The band is the analysts' own stated uncertainty (±1.645 sigma of the noise); it does not include
the bias they do not know about, so the truth can lie outside it.

`enemy_picture` is that picture as numbers (each sector's median and log-sigma), and it is all the
advisor's forecast knows of the enemy's strength: it samples the enemy from it (game.engine.forecast).
Every figure is a whole number of soldiers. A sector's figure is the mean of its lognormal (the number
the forecast's draws average), so figures add up: the enemy total is exactly the sum of the sectors'
figures as shown, and the mean of what the forecast draws in all. Bands are the 5–95% points of each
lognormal (the total's from Fenton–Wilkinson), so the sitrep's total, the per-sector estimates and the
forecast tell one story.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from .drones import RECON_TEAMS
from .opfor import broken, by_sector, plan_targets, sector_sum
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
INTEL_PERSISTENCE = 0.8
"""Correlation of a sector's estimate error from one turn to the next (the analysts revise, not restart)."""
INTEL_BIAS = 0.25
"""Sigma of the persistent per-sector bias of the analysts."""
CLAIM_INFLATION = 0.25
"""Mean log-inflation of claimed enemy losses."""
Z90 = 1.645
ROAD_THREAT: tuple[Literal["low", "moderate", "high", "severe"], ...] = ("low", "moderate", "high", "severe")
"""The road threat the intel reports, by the worst road state code on the supply road (OPEN .. CUT)."""


@dataclass(frozen=True)
class EnemyPicture:
    """The analysts' estimate of the enemy at the start of a turn: a lognormal per sector.

    No true strength is in here. `facing` says which sector's estimate each enemy unit is counted
    in (the formations the analysts place there), not how strong it is.
    """

    centre: np.ndarray
    """(S,) median of the enemy soldiers facing each sector (the estimate the trainee reads)."""
    sigma: float
    """Log-sigma of every sector's estimate (its 5–95% band is centre·exp(∓1.645·sigma))."""
    facing: np.ndarray
    """(U,) sector each enemy unit is counted in; -1 for the player's units and enemy units out of action."""

    def total(self) -> tuple[float, float]:
        """Median and log-sigma of the enemy total, the sum of the sectors' lognormals.

        Fenton–Wilkinson: the lognormal with the sum's mean and variance (sectors independent), so the
        sitrep's total band is what the forecast's draws add up to."""
        c = self.centre.astype(float)
        v = self.sigma**2
        mean = float(c.sum()) * math.exp(v / 2.0)
        if mean <= 0.0:
            return 0.0, self.sigma
        var = float((c**2).sum()) * math.exp(v) * math.expm1(v)
        s2 = math.log1p(var / mean**2)
        return mean * math.exp(-s2 / 2.0), math.sqrt(s2)


def facing_sector(p: Params, st: State) -> np.ndarray:
    """(R, U) sector each enemy unit faces this coming turn (its target, else where it stands); S otherwise."""
    S = p.S
    brk = broken(p, st.strength, st.morale)
    is_e = p.units.side == ENEMY
    held = st.holder == PLAYER
    in_held = np.take_along_axis(held, st.loc, axis=1)
    p_in = (p.units.side == PLAYER) & ~st.reserve & ~brk & in_held
    defenders = by_sector(st.loc, st.strength, p_in, S)
    able = is_e & ~brk & ~st.paused.reshape(st.R, -1)  # the pause is (R,) side-wide or (R, U) per unit
    target, loc = plan_targets(p, st.holder, st.loc, st.strength, able, defenders)
    where = np.where(target >= 0, target, loc)
    return np.where(is_e & (st.strength > 0), where, S)


def enemy_by_sector(p: Params, st: State) -> np.ndarray:
    """(R, S) enemy soldiers facing each sector this coming turn (or standing in it when idle)."""
    return sector_sum(facing_sector(p, st), st.strength, p.S + 1)[:, : p.S]


def _confidence(sigma: float) -> Literal["low", "medium", "high"]:
    return "high" if sigma < 0.2 else "medium" if sigma < 0.35 else "low"


def _whole(x: float) -> float:
    """Soldiers are counted whole (halves away from zero)."""
    return float(math.floor(x + 0.5))


def _estimate(centre: float, sigma: float) -> Estimate:
    """A lognormal with median `centre` as the trainee reads it: its mean (which adds up across sectors) and its
    5–95% band, in whole soldiers (the band always contains the estimate)."""
    mid = _whole(centre * math.exp(sigma**2 / 2.0))
    return Estimate(
        estimate=mid,
        low=min(mid, _whole(centre * math.exp(-Z90 * sigma))),
        high=max(mid, _whole(centre * math.exp(Z90 * sigma))),
        confidence=_confidence(sigma),
    )


def _total(parts: list[Estimate], median: float, sigma: float) -> Estimate:
    """The enemy total: exactly the sum of the sector figures shown (the mean of the sum, bar rounding), with the
    band of the sum's lognormal."""
    total = sum(e.estimate for e in parts)
    band = _estimate(median, sigma)
    return Estimate(estimate=total, low=min(total, band.low), high=max(total, band.high), confidence=band.confidence)


def _draws(game: Game) -> tuple[np.ndarray, np.ndarray]:
    """The analysts' persistent bias (per game) and this turn's noise (per turn; the sectors' part carried over
    from the turns before with correlation INTEL_PERSISTENCE)."""
    S = game.params.S
    turn = game.state.turn
    bias = stream(game.dice, 0, "intel_bias").normal(0.0, INTEL_BIAS, size=S + 3)
    eps = stream(game.dice, turn, "intel").standard_normal(S + 4)
    carried = eps[:S].copy()
    if turn > 1:
        carried = stream(game.dice, 1, "intel").standard_normal(S + 4)[:S]
        fresh = math.sqrt(1.0 - INTEL_PERSISTENCE**2)
        for k in range(2, turn + 1):
            new = eps[:S] if k == turn else stream(game.dice, k, "intel").standard_normal(S + 4)[:S]
            carried = INTEL_PERSISTENCE * carried + fresh * new
    eps[:S] = carried
    return bias, eps


def enemy_picture(game: Game) -> EnemyPicture:
    """The enemy as the trainee's intel gives it at the start of the current turn (deterministic per seed and turn)."""
    return _picture(game)[0]


def _picture(game: Game) -> tuple[EnemyPicture, np.ndarray]:
    """The picture, and the true (S,) enemy facing each sector now (for the notes, never for the numbers)."""
    p = game.params
    st = game.state
    bias, eps = _draws(game)
    S = p.S
    recon_teams = game.history[-1].orders.drones.recon if game.history else 0
    recon = 1.0 - math.exp(-recon_teams / RECON_TEAMS)
    sigma = INTEL_SIGMA * (1.0 - RECON_SHARPENING * recon)
    where = facing_sector(p, st)
    now = sector_sum(where, st.strength, S + 1)[0, :S]
    prev = game.previous_enemy_by_sector if game.previous_enemy_by_sector is not None else now
    seen = 0.5 * now + 0.5 * prev
    centre = seen * np.exp(bias[:S] + sigma * eps[:S])
    return EnemyPicture(centre=centre, sigma=sigma, facing=np.where(where[0] < S, where[0], -1)), now


def intel(game: Game) -> Intel:
    """The trainee's picture at the start of the current turn."""
    p = game.params
    st = game.state
    S = p.S
    bias, eps = _draws(game)
    pic, now = _picture(game)
    per_sector = {sid: _estimate(float(pic.centre[s]), pic.sigma) for s, sid in enumerate(p.sectors.ids)}
    total = _total(list(per_sector.values()), *pic.total())
    last = game.history[-1] if game.history else None
    own_true = last.losses[p.side_ids[PLAYER]].total if last else 0.0
    enemy_true = last.losses[p.side_ids[ENEMY]].total if last else 0.0
    completeness = 0.75 + 0.2 / (1.0 + math.exp(-eps[S + 1]))  # units report late and partly
    own = _estimate(own_true * completeness * math.exp(0.1 * eps[S + 2]), 0.15)
    claim_sigma = max(0.3, pic.sigma)
    enemy = _estimate(enemy_true * math.exp(CLAIM_INFLATION + bias[S + 2] + claim_sigma * eps[S + 3]), claim_sigma)
    road = st.road_state[0][p.roads.on_road] if p.roads.on_road.any() else st.road_state[0]
    worst = int(road.max()) if road.size else 0
    threat: Literal["low", "moderate", "high", "severe"] = ROAD_THREAT[worst]
    return Intel(
        turn=st.turn,
        enemy_strength=per_sector,
        enemy_total=total,
        own_losses_last_turn=own,
        enemy_losses_last_turn=enemy,
        road_threat=threat,
        notes=_notes(game, p, st, now),
    )


def _notes(game: Game, p: Params, st: State, facing: np.ndarray) -> list[str]:
    notes: list[str] = []
    fibre = (p.drones.side == ENEMY) & p.drones.fibre
    if fibre.any() and p.G:
        distance = st.road_distance[0] + (st.holder[0] == PLAYER).astype(float) @ p.sectors.screen_depth
        reach = p.drones.reach[fibre].max()
        on_route = p.roads.on_road | p.roads.on_tracks
        near = [p.scenario.map.roads[g].name for g in range(p.G) if distance[g] <= reach and on_route[g]]
        if near:
            notes.append(
                f"Fibre-optic drones seen over the supply routes ({', '.join(near)}); jamming will not stop them."
            )
    lead = p.units.lead & (st.strength[0] > 0)
    if lead.any() and facing.max() > 0:
        s = int(np.argmax(facing))
        notes.append(f"Enemy assault groups are massing against {p.sectors.names[s]}.")
    if st.paused[0].any():
        notes.append("The enemy appears to be regrouping after heavy losses.")
    if st.cut_clock[0] > 0:
        cut = int(st.cut_clock[0])
        notes.append(f"Every route has been cut for {cut} turn{'' if cut == 1 else 's'}.")
    return notes
