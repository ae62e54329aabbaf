"""Attrition in sub-steps: direct fire (aimed and area Lanchester laws), drones, artillery and air, per sector.

Per sector s and sub-step of dt hours, a side's expected losses are the sum of four causes:
  aimed (square law):  a · E_other          a = aimed_rate·dt · quality_other / protection
                       (dt = assault hours / sub-steps: the waves are in contact waves × WAVE_HOURS of the turn)
  area (linear law):   b · E_other · X      b = area_rate·dt · firepower_other / (frontage · protection)
  drones:              d · X / (X + N0)        d = drone casualties per sub-step at saturation
  support fire:        k · X                k = (rounds·cas_per_round + sorties·cas_per_sortie) / frontage / protection
where X is the side's strength in contact, E = min(X, engaged_per_km · frontage) the engaged part (so
a 6-versus-50 fight is decided at the frontage, not by numbers alone), and the defender's protection
is posture × terrain × (1 + fortification_defence × fortification). Quality = firepower ×
(0.5 + training) × morale factor; the player's fire is also scaled by supply effectiveness. Both sides'
losses are computed from the same state and applied together; each total is one Poisson draw from
the sub-step's pre-drawn normal (game.engine.sampling), later split between causes in proportion
to their expected shares.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import layout
from .opfor import assault_hours
from .params import ENEMY, PLAYER, Params
from .sampling import PoissonWork, poisson_from_normal, rowmax, rowsum

DRONE_SATURATION = 10.0
"""Soldiers in contact below which drones start running out of targets (N0)."""
COUNTER_ATTACK_FIRE = 1.5
"""Multiplier on the player's fire in a sector that counter-attacks."""
EXPOSURE = np.array([1.0, 1.0, 1.0, 0.8, 0.3, 1.0])
"""Share of the close fight a posture accepts (hold, fortify, counter_attack, delay, withdraw, assault):
units that delay or withdraw break contact, so both sides' direct fire there falls."""
RECON_ARTILLERY = 0.5
"""Extra artillery effect at full recon (observed fire)."""
MORALE_REFERENCE = 0.7
"""Morale at which the morale factor on fire is 1."""


def fire_quality(p: Params, morale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(R, U) aimed-fire quality and area-fire weight of each soldier of each unit."""
    m = (0.5 + morale) / (0.5 + MORALE_REFERENCE)
    return p.firepower * (0.5 + p.training) * m, p.firepower * m


@dataclass
class Contact:
    """Who is in contact where this turn (start-of-turn aggregates)."""

    eng: np.ndarray  # (R, U) sector index of each unit in contact, S when none
    x: np.ndarray  # (R, U) soldiers of each unit in contact
    X: np.ndarray  # (R, 2, S) soldiers in contact by side and sector
    quality: np.ndarray  # (R, 2, S) mean aimed-fire quality
    area_weight: np.ndarray  # (R, 2, S) mean area-fire weight
    vuln: np.ndarray  # (R, 2, S) mean drone vulnerability
    lead: np.ndarray  # (R, S) enemy soldiers in contact of the lead nationality
    unit_vuln: np.ndarray  # (R, U) drone vulnerability of each unit


def aggregate(p: Params, eng: np.ndarray, x: np.ndarray, morale: np.ndarray, vuln: np.ndarray) -> Contact:
    """Sum each side's contact strength and its weighted qualities by sector (one bincount per quantity)."""
    R, U = x.shape
    S = p.S
    bins = 2 * (S + 1)
    index = (p.unit_side.clip(0, 1).astype(np.intp) * (S + 1))[None, :] + eng
    # bin positions read unit by unit: each bin still adds its units in order
    flat = layout.column_positions(index).ravel()
    q, w = fire_quality(p, morale)

    def total(weights: np.ndarray) -> np.ndarray:
        out = np.bincount(flat, weights=weights.T.ravel(), minlength=R * bins).reshape(bins, R).T
        return layout.fortran(out.reshape(R, 2, S + 1)[:, :, :S])

    X = total(x)
    safe = np.where(X > 0, X, 1.0)
    lead = total(x * p.lead)[:, ENEMY]
    return Contact(
        eng=eng, x=x, X=X,
        quality=total(x * q) / safe,
        area_weight=total(x * w) / safe,
        vuln=total(x * vuln) / safe,
        lead=lead,
        unit_vuln=vuln,
    )


@dataclass
class Rates:
    """Per-sub-step coefficients of the four causes, (R, 2, S) each; side index = the side that suffers."""

    aimed: np.ndarray
    area: np.ndarray
    drones: np.ndarray
    support: np.ndarray
    art_share: np.ndarray  # (R, 2, S) share of support-fire losses due to artillery (the rest: air)
    protection: np.ndarray  # (R, S) player's protection against direct fire
    rounds_enemy: np.ndarray  # (R, S) enemy rounds per sector (for erosion)
    sorties_enemy: np.ndarray  # (R, S) enemy air sorties per sector (for erosion)


def support_split(A: np.ndarray, D: np.ndarray, share: float) -> np.ndarray:
    """(R, S) distribution of the enemy's support fire: `share` on the assaults, the rest on the defence in depth."""
    # A, D ≥ 0: a zero total means a row of zeros, which 0 / 1 leaves at 0 (no np.where on the quotient)
    a_tot = rowsum(A, keepdims=True)
    d_tot = rowsum(D, keepdims=True)
    on_assault = A / np.where(a_tot > 0, a_tot, 1.0)
    in_depth = D / np.where(d_tot > 0, d_tot, 1.0)
    s = np.where(a_tot > 0, share, 0.0)
    return s * on_assault + (1.0 - s) * in_depth


def build_rates(
    p: Params, c: Contact, posture: np.ndarray, fort: np.ndarray, eff: np.ndarray, coord: float,
    strike_cas: np.ndarray, enemy_drone_cas: np.ndarray, rounds_player: np.ndarray, recon: np.ndarray,
) -> Rates:
    """Coefficients of the sub-step equations for this turn."""
    n = p.substeps
    dt = assault_hours(p) / n  # direct fire only while the waves are in contact
    D, A = c.X[:, PLAYER], c.X[:, ENEMY]
    prot = p.posture_defence[posture] * p.terrain_defence * (1.0 + p.fort_defence * fort)  # (R, S)
    dig = p.terrain_defence * (1.0 + p.fort_defence * fort)  # protection from shells and bombs
    prot_att = p.posture_defence[5]
    expo = EXPOSURE[posture]
    fire_mult = expo * np.where(posture == 2, COUNTER_ATTACK_FIRE, 1.0) * eff[:, None]
    R, S = D.shape
    aimed = layout.empty((R, 2, S))
    area = layout.empty((R, 2, S))
    aimed[:, PLAYER] = p.aimed_rate * dt * c.quality[:, ENEMY] * expo / prot
    area[:, PLAYER] = p.area_rate * dt * c.area_weight[:, ENEMY] * expo / (p.frontage * prot)
    aimed[:, ENEMY] = p.aimed_rate * dt * c.quality[:, PLAYER] * fire_mult / prot_att
    area[:, ENEMY] = p.area_rate * dt * c.area_weight[:, PLAYER] * fire_mult / (p.frontage * prot_att)

    a_tot = rowsum(A, keepdims=True)
    on_assault = A / np.where(a_tot > 0, a_tot, 1.0)  # A ≥ 0 (see support_split)
    # the attacker's support presses hardest where the defence is thinnest
    press = A * (2.0 - D / (rowmax(D, keepdims=True) + 1.0))
    drone_dist = support_split(press, D, 1.0)  # enemy drones: the assaults, else harassment of the defence
    drones = layout.empty((R, 2, S))
    drones[:, PLAYER] = rowsum(enemy_drone_cas, keepdims=True) * drone_dist * c.vuln[:, PLAYER] / n
    drones[:, ENEMY] = rowsum(strike_cas, keepdims=True) * on_assault * c.vuln[:, ENEMY] / n

    split = support_split(press, D, p.support_share)
    rounds_e = p.art_rounds[ENEMY] * coord * split
    sorties_e = p.air_sorties[ENEMY] * coord * split
    art_e = rounds_e * p.art_cas[ENEMY]
    air_e = sorties_e * p.air_cas[ENEMY]
    art_p = rounds_player[:, None] * on_assault * p.art_cas[PLAYER] * (1.0 + RECON_ARTILLERY * recon[:, None])
    air_p = p.air_sorties[PLAYER] * on_assault * p.air_cas[PLAYER]
    support = layout.empty((R, 2, S))
    support[:, PLAYER] = (art_e + air_e) / (p.frontage * dig) / n
    support[:, ENEMY] = (art_p + air_p) / p.frontage / n
    art_share = layout.empty((R, 2, S))
    tot_e, tot_p = art_e + air_e, art_p + air_p
    art_share[:, PLAYER] = np.where(tot_e > 0, art_e / np.where(tot_e > 0, tot_e, 1.0), 1.0)
    art_share[:, ENEMY] = np.where(tot_p > 0, art_p / np.where(tot_p > 0, tot_p, 1.0), 1.0)
    return Rates(aimed, area, drones, support, art_share, prot, rounds_e, sorties_e)


def _by_cause(parts: list[np.ndarray]) -> np.ndarray:
    """(4, R, 2, S) float64 from four (R, 2, S) arrays, each cause's slice in the engine's layout."""
    R, two, S = parts[0].shape
    out = np.empty((len(parts), S, two, R)).transpose(0, 3, 2, 1)
    for i, part in enumerate(parts):
        out[i] = part
    return out


@dataclass
class Attrition:
    """Losses of the turn by side and sector, and their split between causes."""

    lost: np.ndarray  # (R, 2, S) realised
    causes: np.ndarray  # (4, R, 2, S) realised, split by expected shares: aimed, area, drones, support
    expected: np.ndarray  # (4, R, 2, S) expected sums over the sub-steps


def attrition(p: Params, c: Contact, r: Rates, normals: np.ndarray | None) -> Attrition:
    """Run the turn's sub-steps (integer counter; both sides' losses from the same state).

    The loop runs in float32 (whole soldiers are exact far beyond any strength here) to halve the
    memory traffic of the hottest code; the results are returned in float64.
    """
    f32 = np.float32
    X = c.X.astype(f32)
    cap = (p.engaged_per_km * p.frontage).astype(f32)
    a, b, d, k = (x.astype(f32) for x in (r.aimed, r.area, r.drones, r.support))
    z = None if normals is None else normals.astype(f32, copy=False)
    raw = [np.zeros_like(X) for _ in range(4)]  # sums of: engaged enemy, engaged enemy × X, saturation, X
    lost = np.zeros_like(X)
    # work buffers reused by every sub-step (same operations in the same order, without temporaries)
    other, oX, sat, lam, tmp = (np.empty_like(X) for _ in range(5))
    work = PoissonWork(X.shape, f32)
    for i in range(p.substeps):
        np.minimum(X[:, ::-1], cap, out=other)  # the other side's engaged soldiers
        np.multiply(other, X, out=oX)
        np.add(X, f32(DRONE_SATURATION), out=sat)
        np.divide(X, sat, out=sat)
        np.multiply(a, other, out=lam)
        lam += np.multiply(b, oX, out=tmp)
        lam += np.multiply(d, sat, out=tmp)
        lam += np.multiply(k, X, out=tmp)
        if z is None:
            loss = np.minimum(lam, X)
        else:
            loss = poisson_from_normal(lam, z[i], X, work)
        raw[3] += X  # the strength at the start of the sub-step
        X -= loss
        lost += loss
        raw[0] += other
        raw[1] += oX
        raw[2] += sat
    acc = _by_cause([a * raw[0], b * raw[1], d * raw[2], k * raw[3]])
    lost64 = lost.astype(np.float64)
    total = ((acc[0] + acc[1]) + acc[2]) + acc[3]
    causes = lost64 * acc / np.where(total > 0, total, 1.0)
    return Attrition(lost64, causes, acc)


def unit_losses(p: Params, c: Contact, att: Attrition, strength: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Losses of each unit (R, U), and the part due to drones (R, U).

    Aimed fire hits the engaged soldiers, lead-nationality units first (they fill the engaged
    frontage); area and support fire hit everyone in contact alike; drones hit in proportion to
    vulnerability. Each cause's sector total becomes a rate per soldier (or per unit of
    vulnerability), gathered once per unit; no unit loses more than it has.
    """
    S = p.S
    R, U = c.x.shape
    X = c.X
    aim, area, dr, sup = att.causes
    cap = p.engaged_per_km * p.frontage
    engaged = np.minimum(X, cap)
    lead = np.zeros_like(X)
    lead[:, ENEMY] = c.lead
    lead_eng = np.minimum(lead, engaged)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_engaged = np.where(engaged > 0, aim / engaged, 0.0)
        rest = X - lead
        rates = layout.zeros((R, 4, 2, S + 1))
        rates[:, 0, :, :S] = np.where(lead > 0, per_engaged * lead_eng / lead, 0.0)  # aimed, per lead soldier
        rates[:, 1, :, :S] = np.where(rest > 0, per_engaged * (engaged - lead_eng) / rest, 0.0)  # aimed, others
        rates[:, 2, :, :S] = np.where(X > 0, (area + sup) / X, 0.0)
        rates[:, 3, :, :S] = np.where(X * c.vuln > 0, dr / (X * c.vuln), 0.0)
    # one column-major position per unit (its replication, side and sector), then three gathers: the
    # aimed rate (the lead-soldier or the other-soldier one, chosen per unit once per Params),
    # area + support, drones; gathered as (U, R) and transposed, so the results are in the engine's layout
    side = p.unit_side.clip(0, 1).astype(np.intp)
    pos = c.eng.T.astype(np.intp) * (8 * R)
    pos += (side * (4 * R))[:, None] + np.arange(R, dtype=np.intp)
    flat = rates.ravel(order="F")
    aimed = np.take(flat, pos + np.where(p.lead, 0, R)[:, None]).T
    drones = c.x * c.unit_vuln * np.take(flat, pos + 3 * R).T
    total = c.x * (aimed + np.take(flat, pos + 2 * R).T) + drones
    scale = np.where(total > strength, strength / np.where(total > 0, total, 1.0), 1.0)
    return total * scale, drones * scale
