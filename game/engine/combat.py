"""Attrition in sub-steps: direct fire (aimed and area Lanchester laws), drones, artillery and air, per sector.

Per sector s and sub-step of dt hours, a side's expected losses are the sum of four causes:
  aimed (square law):  a · E_other          a = aimed_rate·dt · quality_other / protection
                       (dt = assault hours / sub-steps: the waves are in contact waves × WAVE_HOURS of the turn)
  area (linear law):   b · E_other · X      b = area_rate·dt · firepower_other / (frontage · protection)
  drones:              d · X / (X + N0)        d = drone casualties per sub-step at saturation
  support fire:        k · X                k = (rounds·cas_per_round + sorties·cas_per_sortie) / frontage / protection
where X is the side's strength in contact and E its effective engaged part: the soldiers the frontage
holds (cap = engaged_per_km · frontage) count in full, those beyond it count DEPTH_WEIGHT each up to
DEPTH_LIMIT caps more (E = (1 − w)·min(X, cap) + w·min(X, (1 + DEPTH_LIMIT)·cap)), so a 6-versus-50
fight is shaped by the frontage but numbers beyond it still tell. The defender's protection is posture × terrain × (1 +
fortification_defence × fortification), the fortification counting only against attackers outside the
sector (infiltrators come up behind it). Dug-in troops are also harder for drones to find (DRONE_COVER),
moving troops easier (DRONE_EXPOSURE). Quality = firepower × (0.5 + training) × morale factor; the
player's fire is also scaled by supply effectiveness and by the posture (a sector that fortifies has
part of its soldiers digging: FORTIFY_FIRE). Both sides' losses are computed from the same state and
applied together; each total is one Poisson draw from the sub-step's pre-drawn normal
(game.engine.sampling), later split between causes in proportion to their expected shares.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import layout
from .opfor import assault_hours
from .params import ASSAULT, ENEMY, PLAYER, Params, per_posture
from .sampling import PoissonWork, poisson_from_normal, rowmax, rowsum

AIMED, AREA, DRONE_HITS, SUPPORT = range(4)
"""The four causes of loss, in the order of `Attrition.causes` and `Rates`."""
DRONE_SATURATION = 10.0
"""Soldiers in contact below which drones start running out of targets (N0)."""
DEPTH_WEIGHT = 0.25
"""Weight of a soldier beyond the frontage against one in the firing line: the second line relieves,
resupplies and replaces the first, so numbers beyond the frontage still add fire and push, for less."""
DEPTH_LIMIT = 4.0
"""Soldiers beyond the frontage count up to this many times the frontage's cap; more wait their turn."""
COUNTER_ATTACK_FIRE = 1.5
"""Multiplier on the player's fire in a sector that counter-attacks."""
FORTIFY_FIRE = 0.75
"""Multiplier on the player's fire in a sector that fortifies: a quarter of the soldiers dig and carry."""
EXPOSURE = per_posture(hold=1.0, fortify=1.0, counter_attack=1.0, delay=0.8, withdraw=0.3, assault=1.0)
"""Share of the close fight a posture accepts, by posture code: units that delay or withdraw break contact, so
both sides' direct fire there falls."""
POSTURE_FIRE = EXPOSURE * per_posture(
    hold=1.0, fortify=FORTIFY_FIRE, counter_attack=COUNTER_ATTACK_FIRE, delay=1.0, withdraw=1.0, assault=1.0
)
"""Multiplier on the player's own fire by posture code (before supply)."""
DRONE_EXPOSURE = per_posture(hold=1.0, fortify=1.0, counter_attack=1.3, delay=1.2, withdraw=1.5, assault=2.0)
"""Multiplier on drone casualties by posture code: troops on the move or crossing open ground are easier to find."""
DRONE_COVER = 1.0
"""Drone casualties are divided by 1 + DRONE_COVER × fortification (dugouts, overhead cover, camouflage)."""
DRONE_HITS_PER_KM = 4.0
"""Drone casualties per km of front per turn around which the targets run out: crews massed over a narrow
front find fewer and fewer soldiers in the open (see `saturate`)."""
ROUNDS_PER_KM = 150.0
"""Shells per km of front per turn around which more fire finds fewer targets (see `saturate`)."""
SORTIES_PER_KM = 1.0
"""Air strikes per km of front per turn around which more strikes find fewer targets (see `saturate`)."""
RECON_ARTILLERY = 0.5
"""Extra artillery effect at full recon (observed fire)."""
MORALE_REFERENCE = 0.7
"""Morale at which the morale factor on fire is 1."""


def effective(x: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Effective engaged soldiers: all of them up to the frontage's cap, DEPTH_WEIGHT of each beyond it, up to
    DEPTH_LIMIT caps beyond it."""
    result: np.ndarray = (1.0 - DEPTH_WEIGHT) * np.minimum(x, cap) + DEPTH_WEIGHT * np.minimum(
        x, (1.0 + DEPTH_LIMIT) * cap
    )
    return result


def saturate(x: np.ndarray, per_km: float, frontage: np.ndarray) -> np.ndarray:
    """Fire delivered on a front, with diminishing returns: x while it is well under per_km × frontage,
    approaching that limit as more is massed (limit × (1 − exp(−x / limit)))."""
    limit = per_km * frontage
    return -limit * np.expm1(-x / limit)


def fire_quality(p: Params, morale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(R, U) aimed-fire quality and area-fire weight of each soldier of each unit."""
    m = (0.5 + morale) / (0.5 + MORALE_REFERENCE)
    return p.units.firepower * (0.5 + p.units.training) * m, p.units.firepower * m


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
    inside: np.ndarray  # (R, S) share of the enemy in contact that fights from inside the sector (infiltrators)


def aggregate(p: Params, eng: np.ndarray, x: np.ndarray, morale: np.ndarray, vuln: np.ndarray) -> Contact:
    """Sum each side's contact strength and its weighted qualities by sector (one bincount per quantity)."""
    R, _U = x.shape
    S = p.S
    bins = 2 * (S + 1)
    # bin number side + 2 × sector: the (R, bins) sums, seen as (R, 2, S + 1) without a copy, are then already in the
    # engine's layout; bin positions read unit by unit, so each bin still adds its units in order
    positions = layout.column_positions(p.units.side_axis[None, :] + 2 * eng)  # (U, R)
    q, w = fire_quality(p, morale)

    def total(weights: np.ndarray, units: np.ndarray | None = None) -> np.ndarray:
        """(R, 2, S) sums of `weights` (R, U) by side and sector, over `units` only when given (the units a
        mask would weight by zero: leaving them out adds nothing, and spares the bincount their rows)."""
        columns, where = weights.T, positions  # (U, R) each, contiguous
        if units is not None:
            columns, where = columns[units], where[units]
        out = np.bincount(where.ravel(), weights=columns.ravel(), minlength=R * bins).reshape(bins, R).T
        return out.reshape(R, 2, S + 1, order="F")[:, :, :S]

    X = total(x)
    safe = np.where(X > 0, X, 1.0)
    lead = total(x, np.flatnonzero(p.units.lead))[:, ENEMY]
    if p.units.infiltrator.any():
        inside = total(x, np.flatnonzero(p.units.infiltrator))[:, ENEMY] / safe[:, ENEMY]
    else:
        inside = layout.zeros((R, S))
    return Contact(
        eng=eng,
        x=x,
        X=X,
        quality=total(x * q) / safe,
        area_weight=total(x * w) / safe,
        vuln=total(x * vuln) / safe,
        lead=lead,
        unit_vuln=vuln,
        inside=inside,
    )


@dataclass
class Rates:
    """Per-sub-step coefficients of the four causes, (R, 2, S) each; side index = the side that suffers."""

    aimed: np.ndarray
    area: np.ndarray
    drones: np.ndarray
    support: np.ndarray
    protection: np.ndarray  # (R, S) player's protection against direct fire
    rounds_enemy: np.ndarray  # (R, S) enemy rounds per sector (for erosion)
    sorties_enemy: np.ndarray  # (R, S) enemy air sorties per sector (for erosion)
    artillery: tuple[np.ndarray, np.ndarray]  # (R, S) by the side that suffers: casualties from artillery...
    air: tuple[np.ndarray, np.ndarray]  # ...and from air strikes, per sector (for `art_share`)

    def art_share(self) -> np.ndarray:
        """(R, 2, S) share of support-fire losses due to artillery (the rest: air), 1 where there is none.

        Only the factor accounting asks, so a batch, which skips it, never pays for the four np.where."""
        R, S = self.protection.shape
        out = layout.empty((R, 2, S))
        for side in (PLAYER, ENEMY):
            art, total = self.artillery[side], self.artillery[side] + self.air[side]
            out[:, side] = np.where(total > 0, art / np.where(total > 0, total, 1.0), 1.0)
        return out


def support_split(A: np.ndarray, D: np.ndarray, *shares: float) -> list[np.ndarray]:
    """(R, S) distributions of the enemy's support fire, one per share: `share` on the assaults, the rest on the
    defence in depth (the assaults' and the defence's own distributions worked out once for all the shares)."""
    # A, D ≥ 0: a zero total means a row of zeros, which 0 / 1 leaves at 0 (no np.where on the quotient)
    a_tot = rowsum(A, keepdims=True)
    d_tot = rowsum(D, keepdims=True)
    on_assault = A / np.where(a_tot > 0, a_tot, 1.0)
    in_depth = D / np.where(d_tot > 0, d_tot, 1.0)
    out = []
    for share in shares:
        s = np.where(a_tot > 0, share, 0.0)
        out.append(s * on_assault + (1.0 - s) * in_depth)
    return out


def build_rates(
    p: Params,
    c: Contact,
    posture: np.ndarray,
    fort: np.ndarray,
    eff: np.ndarray,
    coord: float,
    strike_cas: np.ndarray,
    enemy_drone_cas: np.ndarray,
    rounds_player: np.ndarray,
    recon: np.ndarray,
) -> Rates:
    """Coefficients of the sub-step equations for this turn."""
    n = p.substeps
    dt = assault_hours(p) / n  # direct fire only while the waves are in contact
    D, A = c.X[:, PLAYER], c.X[:, ENEMY]
    facing = fort * (1.0 - c.inside)  # fortification faces outward: infiltrators come up behind it
    terrain, fort_defence = p.sectors.terrain_defence, p.combat.fort_defence
    prot = p.combat.posture_defence[posture] * terrain * (1.0 + fort_defence * facing)  # (R, S)
    dig = terrain * (1.0 + fort_defence * fort)  # protection from shells and bombs
    prot_att = p.combat.posture_defence[ASSAULT]
    expo = EXPOSURE[posture]
    fire_mult = POSTURE_FIRE[posture] * eff[:, None]
    R, S = D.shape
    aimed = layout.empty((R, 2, S))
    area = layout.empty((R, 2, S))
    aimed[:, PLAYER] = p.combat.aimed_rate * dt * c.quality[:, ENEMY] * expo / prot
    area[:, PLAYER] = p.combat.area_rate * dt * c.area_weight[:, ENEMY] * expo / (p.sectors.frontage * prot)
    aimed[:, ENEMY] = p.combat.aimed_rate * dt * c.quality[:, PLAYER] * fire_mult / prot_att
    area[:, ENEMY] = p.combat.area_rate * dt * c.area_weight[:, PLAYER] * fire_mult / (p.sectors.frontage * prot_att)

    a_tot = rowsum(A, keepdims=True)
    on_assault = A / np.where(a_tot > 0, a_tot, 1.0)  # A ≥ 0 (see support_split)
    # the attacker's support presses hardest where the defence is thinnest
    press = A * (2.0 - D / (rowmax(D, keepdims=True) + 1.0))
    # enemy drones: the assaults, else harassment of the defence; artillery and air: the doctrine's share on the assaults
    drone_dist, split = support_split(press, D, 1.0, p.doctrine.support_share)
    drones = layout.empty((R, 2, S))
    cover = DRONE_EXPOSURE[posture] / (1.0 + DRONE_COVER * fort)
    hits_p = rowsum(enemy_drone_cas, keepdims=True) * drone_dist * c.vuln[:, PLAYER] * cover
    hits_e = rowsum(strike_cas, keepdims=True) * on_assault * c.vuln[:, ENEMY] * DRONE_EXPOSURE[ASSAULT]
    drones[:, PLAYER] = saturate(hits_p, DRONE_HITS_PER_KM, p.sectors.frontage) / n
    drones[:, ENEMY] = saturate(hits_e, DRONE_HITS_PER_KM, p.sectors.frontage) / n

    rounds_e = saturate(p.artillery.rounds[ENEMY] * coord * split, ROUNDS_PER_KM, p.sectors.frontage)
    sorties_e = saturate(p.air.sorties[ENEMY] * coord * split, SORTIES_PER_KM, p.sectors.frontage)
    art_e = rounds_e * p.artillery.cas_per_round[ENEMY]
    air_e = sorties_e * p.air.cas_per_sortie[ENEMY]
    rounds_on_p = saturate(rounds_player[:, None] * on_assault, ROUNDS_PER_KM, p.sectors.frontage)
    art_p = rounds_on_p * p.artillery.cas_per_round[PLAYER] * (1.0 + RECON_ARTILLERY * recon[:, None])
    sorties_on_p = saturate(p.air.sorties[PLAYER] * on_assault, SORTIES_PER_KM, p.sectors.frontage)
    air_p = sorties_on_p * p.air.cas_per_sortie[PLAYER]
    support = layout.empty((R, 2, S))
    support[:, PLAYER] = (art_e + air_e) / (p.sectors.frontage * dig) / n
    support[:, ENEMY] = (art_p + air_p) / p.sectors.frontage / n
    return Rates(aimed, area, drones, support, prot, rounds_e, sorties_e, (art_e, art_p), (air_e, air_p))


@dataclass
class Attrition:
    """Losses of the turn by side and sector, and their split between causes."""

    lost: np.ndarray  # (R, 2, S) realised
    causes: np.ndarray  # (4, R, 2, S) realised, split by expected shares: aimed, area, drones, support


def attrition(p: Params, c: Contact, r: Rates, normals: np.ndarray | None) -> Attrition:
    """Run the turn's sub-steps (integer counter; both sides' losses from the same state), then split the
    realised losses between the causes in proportion to their expected shares."""
    coefficients, summed, lost32 = _substeps(p, c, r, normals)
    R, two, S = lost32.shape
    # the float64 split reuses the memory the sub-steps' work buffers just released (a turn's peak memory
    # matters: the allocator hands the top of its heap back to the system, and the next turn faults it in again)
    causes = np.empty((len(summed), S, two, R)).transpose(0, 3, 2, 1)  # (4, R, 2, S) in the engine's layout
    for cause in range(len(summed)):  # expected losses: coefficient × its sum, in float32 as in the loop
        causes[cause] = np.multiply(coefficients[cause], summed[cause], out=summed[cause])
    lost = lost32.astype(np.float64)
    total = causes[AIMED] + causes[AREA]
    total += causes[DRONE_HITS]
    total += causes[SUPPORT]
    causes *= lost  # lost × expected / total, in place
    causes /= np.where(total > 0, total, 1.0)
    return Attrition(lost, causes)


def _substeps(
    p: Params, c: Contact, r: Rates, normals: np.ndarray | None
) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """The sub-step loop: by cause (AIMED, AREA, DRONE_HITS, SUPPORT), each coefficient of the module doc and the
    sum over the sub-steps of what it multiplies; and the realised losses, (R, 2, S) each.

    The loop runs in float32 (whole soldiers are exact far beyond any strength here) to halve the
    memory traffic of the hottest code; its work buffers are freed when it returns.
    """
    f32 = np.float32
    X = c.X.astype(f32)
    cap = (p.combat.engaged_per_km * p.sectors.frontage).astype(f32)
    a, b, d, k = (x.astype(f32) for x in (r.aimed, r.area, r.drones, r.support))
    z = None if normals is None else normals.astype(f32, copy=False)
    # sums over the sub-steps of what each cause's coefficient multiplies (a, b, d, k: see the module doc)
    sum_other, sum_other_x, sum_saturation, sum_x = (np.zeros_like(X) for _ in range(4))
    lost = np.zeros_like(X)
    # work buffers reused by every sub-step (same operations in the same order, without temporaries)
    other, oX, sat, lam, tmp = (np.empty_like(X) for _ in range(5))
    work = PoissonWork(X.shape, f32)
    front, depth = f32(1.0 - DEPTH_WEIGHT), f32(DEPTH_WEIGHT)
    deep = (cap * (1.0 + DEPTH_LIMIT)).astype(f32)
    for i in range(p.substeps):
        np.minimum(X[:, ::-1], cap, out=other)  # the other side's effective engaged soldiers (see `effective`)
        other *= front
        np.minimum(X[:, ::-1], deep, out=tmp)
        tmp *= depth
        other += tmp
        np.multiply(other, X, out=oX)
        np.add(X, f32(DRONE_SATURATION), out=sat)
        np.divide(X, sat, out=sat)
        np.multiply(a, other, out=lam)
        lam += np.multiply(b, oX, out=tmp)
        lam += np.multiply(d, sat, out=tmp)
        lam += np.multiply(k, X, out=tmp)
        loss = np.minimum(lam, X) if z is None else poisson_from_normal(lam, z[i], X, work)
        sum_x += X  # the strength at the start of the sub-step
        X -= loss
        lost += loss
        sum_other += other
        sum_other_x += oX
        sum_saturation += sat
    return [a, b, d, k], [sum_other, sum_other_x, sum_saturation, sum_x], lost


RATE_SLOTS = (
    "close fire per lead soldier",
    "close fire per other soldier",
    "support per soldier",
    "drones per unit of vulnerability",
)
LEAD_CLOSE_SLOT, OTHER_CLOSE_SLOT, SUPPORT_SLOT, DRONE_SLOT = range(len(RATE_SLOTS))
"""Slots of `unit_losses`' rate table, in the order of RATE_SLOTS: per soldier of a unit in contact (aimed fire per
engaged soldier of the lead nationality or of the others, plus area fire), per unit of drone vulnerability for
drone hits."""


def unit_losses(
    p: Params, c: Contact, att: Attrition, strength: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Losses of each unit (R, U), the part due to drones and the part lost in the close fight (aimed and area fire).

    Aimed fire hits the engaged soldiers, lead-nationality units first (they fill the engaged
    frontage); area and support fire hit everyone in contact alike; drones hit in proportion to
    vulnerability. Each cause's sector total becomes a rate per soldier (or per unit of
    vulnerability), gathered once per unit; no unit loses more than it has.
    """
    S = p.S
    R, _U = c.x.shape
    X = c.X
    aim, area, dr, sup = (att.causes[cause] for cause in (AIMED, AREA, DRONE_HITS, SUPPORT))
    cap = p.combat.engaged_per_km * p.sectors.frontage
    engaged = np.minimum(X, cap)
    lead = np.zeros_like(X)
    lead[:, ENEMY] = c.lead
    lead_eng = np.minimum(lead, engaged)
    slots = len(RATE_SLOTS)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_engaged = np.where(engaged > 0, aim / engaged, 0.0)
        per_soldier = np.where(X > 0, area / X, 0.0)  # area fire
        rest = X - lead
        rates = layout.zeros((R, slots, 2, S + 1))
        # a unit's close-fire rate, aimed plus area, added here once per sector rather than after gathering both
        # once per unit (the same two numbers added: the same sum)
        rates[:, LEAD_CLOSE_SLOT, :, :S] = np.where(lead > 0, per_engaged * lead_eng / lead, 0.0) + per_soldier
        rates[:, OTHER_CLOSE_SLOT, :, :S] = (
            np.where(rest > 0, per_engaged * (engaged - lead_eng) / rest, 0.0) + per_soldier
        )
        rates[:, SUPPORT_SLOT, :, :S] = np.where(X > 0, sup / X, 0.0)
        rates[:, DRONE_SLOT, :, :S] = np.where(X * c.vuln > 0, dr / (X * c.vuln), 0.0)
    # one column-major position per unit (its replication, side and sector) in the table's first slot; a slot's rates
    # are gathered from the table seen from that slot on (no index array to add the offset to), as (U, R) and
    # transposed, so the results are in the engine's layout
    pos = np.multiply(c.eng.T, 2 * slots * R, dtype=np.intp)
    pos += (p.units.side_axis * (slots * R))[:, None]
    pos += np.arange(R, dtype=np.intp)
    flat = rates.ravel(order="F")

    def rate(slot: int) -> np.ndarray:
        """(R, U) each unit's rate in `slot`."""
        result: np.ndarray = np.take(flat[slot * R :], pos).T
        return result

    # each unit's own close-fire slot: the lead-soldier or the other-soldier rate (the same in every replication)
    own_close = np.where(p.units.lead, LEAD_CLOSE_SLOT * R, OTHER_CLOSE_SLOT * R)[:, None]
    close = c.x * np.take(flat, pos + own_close).T
    drones = c.x * c.unit_vuln * rate(DRONE_SLOT)
    total = close + c.x * rate(SUPPORT_SLOT) + drones
    over = total > strength
    if over.any():  # rare: a unit would lose more than it has, so it loses what it has, each part scaled alike
        scale = np.where(over, strength / np.where(total > 0, total, 1.0), 1.0)
        return total * scale, drones * scale, close * scale
    return total, drones, close  # (a scale of 1 everywhere would leave every number as it is)
