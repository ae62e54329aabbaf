"""One turn as a pure function: (params, state, directives, noise) -> (new state, outcome arrays).

The turn runs in named phases, in this order (each a function below, reading the state and the work
of the phases before it):

 1. orders       postures, reserves, the withdrawal, netting take effect; units adapt to drones
 2. contact      who fights where: the opposing force picks its targets, waves go into contact
 3. drones       both sides' drones fly; the threat each road segment poses to a truck
 4. needs        what the line needs on hand and what its postures will use
 5. convoys      trucks run, losses are drawn, supplies arrive where the gaps are
 6. supply       shortages set the player's fire; what the guns can fire
 7. fight        the close fight, drones, artillery and air, in `substeps_per_turn` sub-steps
 8. morale       morale falls with losses and shortages, recovers in quiet turns; units (and assaults) break
 9. ground       sectors change hands; defenders fall back, attackers move in
10. works        fortifications are dug and eroded
11. books        every loss is split into killed, wounded and captured
12. stocks       what the turn used comes off the stocks
13. wounded      the wounded wait, die or are evacuated
14. attacker     units that bled too much, or took a sector, regroup; drones shift to the road; reinforcements arrive
15. road         repairs and air strikes; the road's state from the new front line; the encirclement clock
16. endings      the withdrawal completes; endings are judged
17. accounting   cumulative totals and the turn's outcome

Replications that had already ended are left exactly as they were. Every soldier is in exactly one
state at the end of a turn: fit (`strength`), killed, wounded or captured (`casualties`); fit soldiers
who left the bridgehead with a withdrawal stay fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from . import factors as fx
from . import layout
from .combat import (
    AIMED,
    AREA,
    DRONE_HITS,
    POSTURE_FIRE,
    SUPPORT,
    Attrition,
    Contact,
    Rates,
    aggregate,
    attrition,
    build_rates,
    effective,
    unit_losses,
)
from .directives import Directives
from .drones import (
    RADIO,
    DroneTurn,
    RoadExposure,
    front_casualties,
    plan_drones,
    road_distance,
    road_exposure,
    road_threat,
    screening,
)
from .opfor import broken, by_sector, contact_share, next_road_share, plan_targets, reformed, regroup, reinforce
from .params import (
    AMMUNITION,
    CAPTURED,
    CASUALTY_KINDS,
    CUT,
    DELAY,
    DRONES,
    ENDING_CODE,
    ENEMY,
    EW_FRONT,
    FOOD_MEDICAL,
    FORTIFY,
    FUEL,
    KILLED,
    PLAYER,
    SUPPLY_AMMUNITION,
    SUPPLY_FOOD_MEDICAL,
    SUPPLY_FUEL,
    WITHDRAW,
    WOUNDED,
    Params,
)
from .rng import Noise
from .sampling import rowany, rowdot, rowsum, rowwise_take
from .state import State
from .supply import (
    REPAIR_PROBABILITY,
    ConvoyResult,
    Routes,
    best_route_survival,
    blocked_segments,
    cut_off,
    drivable_routes,
    effectiveness,
    need_and_use,
    run_convoys,
    segment_states,
    split_cargo,
    wounded_step,
)
from .territory import TerritoryResult
from .territory import resolve as resolve_territory

MORALE_PER_LOSS = 0.6
"""Morale lost per unit of the share of a unit's strength lost in the turn."""
MORALE_SHORTAGE = 0.1
"""Morale lost per turn at the worst shortage of ammunition or food (effectiveness at its floor → a fraction of this)."""
MORALE_CUT = 0.05
"""Morale lost per turn while every route is cut."""
MORALE_RECOVERY = 0.2
"""Share of the gap to the starting morale recovered in a quiet turn; less as the turn's losses rise, none at
MORALE_RECOVERY_LOSSES or more."""
MORALE_RECOVERY_LOSSES = 0.05
"""Share of a unit's strength lost in a turn at which it no longer recovers any morale."""
MORALE_PAUSE = 0.1
"""Extra morale an attacking unit recovers while it pauses to regroup."""
MORALE_SECTOR_LOST = 0.05
"""Morale lost by units driven out of a sector."""
WITHDRAWAL_EXIT_LOSS = 0.5
"""Share of the grouping lost getting out, times (1 − the best route's survival per trip)."""
DIG_UNDER_FIRE = 0.5
"""Share of the digging done in a sector under assault, against a quiet one."""
CAPTURED_IN_CLOSE_FIGHT = 1.0
"""Multiplier on a unit's capture propensity for its losses in the close fight (aimed and area fire)."""
CAPTURED_WHEN_BROKEN = 4.0
"""Multiplier on a unit's capture propensity for all its losses once it has broken."""
OVERRUN_CAPTURED = 0.5
"""At least this share of the soldiers lost breaking out of a fallen bridgehead are taken prisoner."""
CONSOLIDATION_TURNS = 2
"""Turns an attacking unit spends clearing and securing a sector it has just taken before it assaults again."""
INFILTRATION_POWER = 2.0
"""Multiplier on the fighting power of attackers who come up inside a sector (infiltrators), for their share of
the attack: they strike from behind works that face outward (the TNDM puts complete surprise at about 2.5)."""
SUPPRESSION = 15.0
"""How fire wears a defence down: its fighting power is multiplied by exp(−SUPPRESSION × the share of its
soldiers that drones, shells and bombs hit this turn) — a position under fire keeps its head down."""


@dataclass
class Outcome:
    """What happened in the turn, per replication (zeros for replications that had already ended)."""

    losses: np.ndarray  # (R, 2, 3) new losses by side and kind (KILLED, WOUNDED, CAPTURED)
    died_of_wounds: np.ndarray  # (R,) player wounded who died waiting (reclassified in the cumulative totals)
    unit_loss: np.ndarray  # (R, U)
    sector_loss: np.ndarray  # (R, 2, S) by side and sector of the fighting
    factors: np.ndarray  # (R, F)
    trucks_sent: np.ndarray
    trucks_lost: np.ndarray
    delivered: np.ndarray
    consumed: np.ndarray
    effectiveness: np.ndarray
    road_survival: np.ndarray
    attacked: np.ndarray  # (R, S)
    fell: np.ndarray  # (R, S) lost by the player this turn
    newly_broken: np.ndarray  # (R, U)
    route_cut: np.ndarray  # (R,) every route cut (or only a pocket fed) at the end of the turn
    route_cut_start: np.ndarray  # (R,) the same at the start of the turn, before the fighting moved the front
    paused: np.ndarray  # (R,) some enemy unit sat this turn out to regroup
    enemy_road_sorties: np.ndarray  # (R, 2) sorties hunting the road by guidance (drones.RADIO, drones.FIBRE)
    road_distance: np.ndarray  # (R, G) km from enemy launch points at the end of the turn
    ended_now: np.ndarray  # (R,)
    strike_sorties: np.ndarray  # (R,) the player's strike sorties flown
    captured_unit: np.ndarray  # (R, U) soldiers of each unit taken prisoner


@dataclass
class _Turn:
    """The work of one turn's phases: what a later phase needs from an earlier one (arrays over R)."""

    frozen: np.ndarray
    coord: float
    factors: bool  # the factor accounting is wanted (see `resolve_turn`)
    held0: np.ndarray = field(init=False)  # (R, S) held at the start of the turn
    posture: np.ndarray = field(init=False)  # (R, S) posture in effect (delay while the grouping withdraws)
    brk0: np.ndarray = field(init=False)
    p_line: np.ndarray = field(init=False)  # (R, U) player units in the line of a held sector
    D0: np.ndarray = field(init=False)  # (R, S) player soldiers holding each sector at the start
    target: np.ndarray = field(init=False)  # (R, U) sector each enemy unit assaults, -1 none
    share: np.ndarray = field(init=False)  # (R, U) share of each assaulting unit in contact
    contact: Contact = field(init=False)
    attacked: np.ndarray = field(init=False)  # (R, S)
    attack_any: np.ndarray = field(init=False)  # (R,)
    dturn: DroneTurn = field(init=False)
    net_share: np.ndarray = field(init=False)
    screen0: np.ndarray = field(init=False)  # (R, S) how far each sector screened the road at the start
    expo: RoadExposure = field(init=False)
    states: np.ndarray = field(init=False)  # (R, G) road states at the start, from threat and damage
    conv: ConvoyResult = field(init=False)
    cut_start: np.ndarray = field(init=False)
    best_survival: np.ndarray = field(init=False)
    line: np.ndarray = field(init=False)  # (R, S) the player's soldiers in the line of each held sector
    need: np.ndarray = field(init=False)  # (R, 3) by supply kind (SUPPLY_KINDS): needed on hand to fight at full effect
    use: np.ndarray = field(init=False)  # (R, 3) by supply kind: what the postures use
    eff: np.ndarray = field(init=False)  # (R,) fire effectiveness after shortages
    medical: np.ndarray = field(init=False)
    fuel: np.ndarray = field(init=False)
    rounds_p: np.ndarray = field(init=False)
    rates: Rates = field(init=False)
    att: Attrition = field(init=False)
    loss_u: np.ndarray = field(init=False)
    drone_u: np.ndarray = field(init=False)
    close_u: np.ndarray = field(init=False)  # (R, U) losses in the close fight (aimed and area fire)
    waves: np.ndarray = field(init=False)  # (R, U) soldiers each unit sent into its assault (0: none)
    brk1: np.ndarray = field(init=False)
    ter: TerritoryResult = field(init=False)
    retreat: np.ndarray = field(init=False)
    built: np.ndarray = field(init=False)
    er_art: np.ndarray = field(init=False)
    er_air: np.ndarray = field(init=False)
    new: np.ndarray = field(init=False)  # (R, 2, 3) this turn's losses by side and kind (KILLED, WOUNDED, CAPTURED)
    captured_u: np.ndarray = field(init=False)
    consumed: np.ndarray = field(init=False)
    dow: np.ndarray = field(init=False)
    pending: np.ndarray = field(init=False)
    paused_now: np.ndarray = field(init=False)
    threat_end: np.ndarray = field(
        init=False
    )  # (R, G) the road threat from the front line at the end (`RoadExposure.total`)
    distance_end: np.ndarray = field(init=False)  # (R, G) the road's distance from the enemy's launch points at the end
    routes_end: Routes = field(init=False)  # the routes at the end of the turn
    cut_end: np.ndarray = field(init=False)
    done: np.ndarray = field(init=False)  # (R,) the withdrawal completed this turn
    exit_loss: np.ndarray = field(init=False)
    exit_captured: np.ndarray = field(init=False)
    area_before_exit: np.ndarray = field(init=False)
    ended_now: np.ndarray = field(init=False)


def _rows(a: np.ndarray, R: int) -> np.ndarray:
    """`a` seen with R rows (a directive shared by every replication, or already one per replication)."""
    return a if a.shape[:1] == (R,) else np.broadcast_to(a, (R, *a.shape[1:]))  # (broadcast_to costs ~7 µs a call)


def resolve_turn(p: Params, st: State, d: Directives, noise: Noise, *, factors: bool = True) -> tuple[State, Outcome]:
    """Resolve one turn for all replications at once (see module doc for the phases).

    `factors=False` leaves `Outcome.factors` empty, (R, 0): a batch that keeps only final outcomes
    skips the factor accounting (about a twentieth of a turn)."""
    s = replace(st)  # shallow: every array below is replaced, never written in place
    t = _Turn(frozen=st.ended.copy(), coord=1.0 + p.doctrine.adaptation * (st.turn - 1), factors=factors)
    _orders(p, s, d, t)
    _contact(p, s, t)
    _drones(p, s, d, t)
    _needs(p, s, t)
    _convoys(p, s, d, t, noise)
    _supply(p, s, t)
    _fight(p, s, t, noise)
    _morale(p, s, t)
    _ground(p, s, t)
    _works(p, s, t)
    _books(p, t)
    _stocks(p, s, t)
    _wounded(p, s, t)
    _attacker(p, s, t)
    _road(p, s, t, noise)
    _endings(p, st, s, t)
    out = _accounting(p, st, s, t, factors)
    if t.frozen.any():
        s.keep_where(t.frozen, st)
        rows = np.flatnonzero(t.frozen)
        for value in out.__dict__.values():
            value[rows] = 0  # False for the boolean outcomes
    return s, out


def _orders(p: Params, s: State, d: Directives, t: _Turn) -> None:
    """Postures, reserves, the withdrawal and netting take effect; units adapt to drones."""
    R = s.R
    t.held0 = s.holder == PLAYER
    s.posture = np.where(_rows(d.posture_set, R) & t.held0, _rows(d.posture, R), s.posture).astype(np.int8, copy=False)
    commit = _rows(d.commit, R)
    ok = (commit >= 0) & s.reserve
    if ok.any():  # most turns commit no reserve: then the gather and the new arrays below change nothing
        ok &= rowwise_take(t.held0, np.maximum(commit, 0))
        s.loc = np.where(ok, commit, s.loc)
        s.reserve = s.reserve & ~ok
    start_w = _rows(d.withdraw, R) & ~s.withdrawing
    s.withdraw_left = np.where(start_w, float(p.endings.withdrawal_turns), s.withdraw_left)
    s.withdrawing = s.withdrawing | start_w
    t.posture = np.where(s.withdrawing[:, None] & (s.posture != WITHDRAW), DELAY, s.posture)
    s.netting_km = s.netting_km * (1.0 - p.convoys.netting_decay) + p.convoys.netting_km_per_turn * _rows(d.netting, R)
    if s.turn > 1:
        s.vuln = np.maximum(p.units.vuln_floor, s.vuln * (1.0 - p.units.adapt))


def _contact(p: Params, s: State, t: _Turn) -> None:
    """Who fights where: the player's line, the enemy's targets (an approach march moves units), the waves in contact."""
    S = p.S
    is_p, is_e = p.units.side == PLAYER, p.units.side == ENEMY
    mine = p.side_units(PLAYER)
    t.brk0 = broken(p, s.strength, s.morale, s.reference)
    in_held = rowwise_take(t.held0, s.loc)
    t.p_line = is_p & ~s.reserve & in_held
    p_in = t.p_line & ~t.brk0
    t.D0 = by_sector(s.loc[:, mine], s.strength[:, mine], p_in[:, mine], S)
    able = is_e & ~t.brk0 & (s.paused == 0)
    t.target, s.loc = plan_targets(p, s.holder, s.loc, s.strength, able, t.D0, in_held)
    t.share = contact_share(p, t.target)
    x = np.where(p_in, s.strength, 0.0) + s.strength * t.share
    # each unit's sector of contact (S: none): a player unit's where it stands in the line, an enemy unit's where it
    # assaults; side by side, one np.where per unit rather than two (with a mask this random, np.where is costly)
    eng = np.full_like(s.loc, S)
    eng[:, mine] = np.where(p_in[:, mine], s.loc[:, mine], S)
    theirs = p.side_units(ENEMY)
    eng[:, theirs] = np.where(t.target[:, theirs] >= 0, t.target[:, theirs], S)
    t.contact = aggregate(p, eng, x, s.morale, s.vuln)
    t.attacked = t.contact.X[:, ENEMY] > 0
    t.attack_any = rowany(t.attacked)


def _drones(p: Params, s: State, d: Directives, t: _Turn) -> None:
    """Both sides' drones: sorties, the enemy's front casualties, and each road segment's threat to a truck."""
    R = s.R
    tasks = np.array(_rows(d.drones, R), dtype=float, order="F")
    ew = np.array(_rows(d.ew, R), dtype=float, order="F")
    t.dturn = plan_drones(p, tasks, ew, s.stocks[:, DRONES], s.road_share, t.attack_any, t.coord)
    road_len = float((p.roads.length * p.roads.on_road).sum())
    t.net_share = np.minimum(1.0, s.netting_km / road_len) if road_len > 0 else np.zeros(R)
    t.screen0 = screening(t.held0, s.progress)
    t.expo = road_exposure(
        p,
        t.screen0,
        t.dturn.road_sorties,
        t.dturn.p_jam_road,
        t.dturn.overwatch,
        t.net_share,
        t.coord,
        s.road_distance,
        s.road_speed,
    )
    t.dturn.front_sorties = t.dturn.front_sorties + t.expo.idle
    front_casualties(p, t.dturn, ew[:, EW_FRONT], t.coord)


def _convoys(p: Params, s: State, d: Directives, t: _Turn, noise: Noise) -> None:
    """Trucks run on the road or the tracks; losses are drawn; the survivors' cargo goes into the stocks."""
    R = s.R
    u, lay = noise.uniforms, p.layout
    blocked = blocked_segments(p, s.holder, s.damage)
    t.states = segment_states(p, t.expo.total, s.damage, blocked)
    routes = drivable_routes(p, t.expo.total, blocked)
    t.conv = run_convoys(
        p,
        _rows(d.tracks, R),
        _rows(d.day, R),
        _rows(d.night, R),
        _rows(d.escort, R).astype(float),
        t.expo,
        routes,
        t.states,
        u[:, lay.DAY],
        u[:, lay.NIGHT],
        s.road_throughput,
        spared=t.factors,
    )
    s.stocks = s.stocks + split_cargo(p, t.conv.delivered, s.stocks, t.need)
    t.cut_start = cut_off(p, routes, s.holder, t.line)
    t.best_survival = best_route_survival(routes, R)


def _needs(p: Params, s: State, t: _Turn) -> None:
    """What the line needs on hand to fight at full effect, and what its postures will use this turn."""
    S = p.S
    mine = p.side_units(PLAYER)
    t.line = by_sector(s.loc[:, mine], s.strength[:, mine], t.p_line[:, mine], S)
    fighters = effective(t.line, p.combat.engaged_per_km * p.sectors.frontage)
    reserve_strength = rowsum(s.strength[:, mine] * s.reserve[:, mine])
    t.need, t.use = need_and_use(p, t.line, fighters, t.posture, reserve_strength)


def _supply(p: Params, s: State, t: _Turn) -> None:
    """Shortages set the player's fire; the guns fire what ammunition is left after the line's needs."""
    t.eff, t.medical, t.fuel = effectiveness(p, s.stocks, t.need)
    want_t = p.artillery.rounds[PLAYER] * p.artillery.ammo_t_per_round[PLAYER]
    line_fires = t.use[:, SUPPLY_AMMUNITION] * t.eff  # the line's (rationed) use
    ammo_left = np.maximum(0.0, s.stocks[:, AMMUNITION] - line_fires)
    gun_share = np.minimum(1.0, ammo_left / want_t) if want_t > 0 else np.ones(s.R)
    t.rounds_p = p.artillery.rounds[PLAYER] * gun_share * t.attack_any


def _fight(p: Params, s: State, t: _Turn, noise: Noise) -> None:
    """The close fight, drones, artillery and air in sub-steps; each unit's share of its sector's losses."""
    t.rates = build_rates(
        p,
        t.contact,
        t.posture,
        s.fort,
        t.eff,
        t.coord,
        t.dturn.strike_cas,
        t.dturn.enemy_front_cas,
        t.rounds_p,
        t.dturn.recon,
    )
    t.att = attrition(p, t.contact, t.rates, noise.normals)
    t.loss_u, t.drone_u, t.close_u = unit_losses(p, t.contact, t.att, s.strength)
    s.strength = s.strength - t.loss_u


def _morale(p: Params, s: State, t: _Turn) -> None:
    """Morale falls with losses, shortages and a cut road; recovers in quiet turns and while regrouping."""
    mine, theirs = p.side_units(PLAYER), p.side_units(ENEMY)
    before = s.strength + t.loss_u
    share_lost = t.loss_u / np.maximum(before, 1.0)
    starving = 1.0 - np.minimum(t.eff, np.maximum(t.medical, p.supply.shortage_floor))
    dm = -MORALE_PER_LOSS * share_lost
    # shortages and a cut road weigh on the player's units, a pause lifts the enemy's: each term on its side's slice
    # of the unit axis only (elsewhere it was a zero: taking +0 away changes nothing, and adding it changes nothing
    # once the recovery term, never −0, has been added)
    dm[:, mine] -= (MORALE_SHORTAGE * starving + MORALE_CUT * t.cut_start)[:, None]
    calm = np.maximum(1.0 - share_lost / MORALE_RECOVERY_LOSSES, 0.0)
    dm = dm + calm * MORALE_RECOVERY * np.maximum(p.units.morale0 - s.morale, 0.0)
    dm[:, theirs] += (s.paused[:, theirs] > 0) * MORALE_PAUSE
    s.morale = np.clip(s.morale + dm, 0.0, 1.0)
    t.waves = t.contact.x * (t.target >= 0)  # an assault breaks when its waves lose more than the breaking point
    t.brk1 = broken(p, s.strength, s.morale, s.reference) | ((t.waves > 0) & (t.loss_u > p.units.breaking * t.waves))


def _ground(p: Params, s: State, t: _Turn) -> None:
    """Attacker's progress against the defence's power; fallen sectors change hands and units move."""
    S = p.S
    mine, theirs = p.side_units(PLAYER), p.side_units(ENEMY)
    cs = t.share[:, theirs]
    D1 = by_sector(s.loc[:, mine], s.strength[:, mine], (t.p_line & ~t.brk1)[:, mine], S)
    A1 = by_sector(t.target[:, theirs], s.strength[:, theirs] * cs, ((t.target >= 0) & ~t.brk1)[:, theirs], S)
    cap = p.combat.engaged_per_km * p.sectors.frontage
    q_p = np.maximum(t.contact.quality[:, PLAYER], 0.5)
    q_e = np.maximum(t.contact.quality[:, ENEMY], 0.5)
    hit = (t.att.causes[DRONE_HITS][:, PLAYER] + t.att.causes[SUPPORT][:, PLAYER]) / np.maximum(t.D0, 1.0)
    power = (
        effective(D1, cap)
        * q_p
        * t.rates.protection
        * t.eff[:, None]
        * POSTURE_FIRE[t.posture]
        * np.exp(-SUPPRESSION * hit)
    )
    ratio = effective(A1, cap) * q_e * (1.0 + (INFILTRATION_POWER - 1.0) * t.contact.inside) / np.maximum(power, 1e-9)
    t.ter = resolve_territory(
        p, s.holder, s.progress, t.posture, s.loc, s.strength, D1, A1, ratio, t.attacked, t.target
    )
    spared = s.reserve & ~t.ter.overrun  # reserves lose nothing falling back, unless the bridgehead is overrun
    t.retreat = np.where(spared, 0.0, t.ter.retreat_loss) if spared.any() else t.ter.retreat_loss
    s.strength = s.strength - t.retreat
    # the player's units driven out of a fallen sector (the others' morale, clipped in _morale, stays as it is), in place:
    # s.morale is this turn's own array
    moved_out = rowwise_take(t.ter.fell, s.loc[:, mine])
    s.morale[:, mine] = np.clip(s.morale[:, mine] - MORALE_SECTOR_LOST * moved_out, 0.0, 1.0)
    s.holder, s.progress, s.loc = t.ter.holder, t.ter.progress, t.ter.loc


def _works(p: Params, s: State, t: _Turn) -> None:
    """Digging in (slower near completion, under assault and short of fuel) and erosion by shells and bombs."""
    dig = (t.posture == FORTIFY) & t.held0 & (t.D0 > 0)
    pace = (1.0 - s.fort) * np.where(t.attacked, DIG_UNDER_FIRE, 1.0) * t.fuel[:, None]
    t.built = np.minimum(1.0, s.fort + p.combat.fortify_gain * pace * dig) - s.fort
    t.er_art = t.rates.rounds_enemy * p.artillery.erosion_per_round[ENEMY] * t.held0
    t.er_air = t.rates.sorties_enemy * p.air.erosion_per_sortie[ENEMY] * t.held0
    s.fort = np.clip(s.fort + t.built - t.er_art - t.er_air, 0.0, 1.0)


def _books(p: Params, t: _Turn) -> None:
    """Every loss of the turn split into killed, wounded and captured, by side.

    Prisoners are taken in the close fight (at each unit's capture propensity), far more once a unit has
    broken, and at least OVERRUN_CAPTURED of those lost breaking out of a fallen bridgehead; drones,
    shells and bombs take no prisoners."""
    mine, theirs = p.side_units(PLAYER), p.side_units(ENEMY)
    overrun = t.ter.overrun
    taken = p.units.capture * (CAPTURED_IN_CLOSE_FIGHT * t.close_u + CAPTURED_WHEN_BROKEN * t.loss_u * t.brk1)
    taken = np.minimum(taken, t.loss_u)
    out_share = (
        np.where(overrun, np.maximum(p.units.capture, OVERRUN_CAPTURED), p.units.capture)
        if overrun.any()
        else p.units.capture
    )  # (most turns no bridgehead is overrun: the (U,) shares as they are)
    t.captured_u = taken + t.retreat * out_share
    rest = t.loss_u + t.retreat - t.captured_u
    killed_u = rest * p.sides.kill_share[p.units.side_axis]
    wounded_u = rest - killed_u
    by_kind = {KILLED: killed_u, WOUNDED: wounded_u, CAPTURED: t.captured_u}
    t.new = layout.columns(
        [  # (R, 2, 3): by side (PLAYER, ENEMY), then by kind
            layout.columns([rowsum(by_kind[k][:, mine]), rowsum(by_kind[k][:, theirs])])
            for k in range(len(CASUALTY_KINDS))
        ]
    )


def _stocks(p: Params, s: State, t: _Turn) -> None:
    """What the postures, the guns and the drones used comes off the stocks (never below zero)."""
    ammunition = t.use[:, SUPPLY_AMMUNITION] * t.eff + t.rounds_p * p.artillery.ammo_t_per_round[PLAYER]
    used = layout.columns(
        [  # by stock (STOCKS); short of ammunition, the line fires (and uses) only what `eff` allows
            np.minimum(s.stocks[:, AMMUNITION], ammunition),
            np.minimum(s.stocks[:, DRONES], t.dturn.drones_used),
            np.minimum(s.stocks[:, FUEL], t.use[:, SUPPLY_FUEL]),
            np.minimum(s.stocks[:, FOOD_MEDICAL], t.use[:, SUPPLY_FOOD_MEDICAL]),
        ]
    )
    s.stocks = s.stocks - used
    t.consumed = used[:, AMMUNITION] + used[:, FUEL] + used[:, FOOD_MEDICAL]


def _wounded(p: Params, s: State, t: _Turn) -> None:
    """The player's wounded wait for evacuation; some die waiting."""
    t.dow, t.pending = wounded_step(
        p, s.wounded_pending, t.new[:, PLAYER, WOUNDED], ~t.cut_start, t.best_survival, t.medical, t.fuel
    )


def _attacker(p: Params, s: State, t: _Turn) -> None:
    """Units that lost too much of their assault waves regroup next turn; drones shift; reinforcements arrive."""
    t.paused_now = rowany(s.paused > 0)
    # in the state's own int8 (Python ints would make np.where and np.maximum work in int64, then cast back)
    regrouping = regroup(p, t.waves, t.loss_u, t.target >= 0).astype(np.int8)
    s.paused = np.maximum(s.paused - 1, np.where(t.ter.took, np.int8(CONSOLIDATION_TURNS), regrouping))
    s.road_share = next_road_share(p, t.conv.sent)
    before = s.strength
    s.strength = reinforce(p, s.strength, s.reserve)
    gained = s.strength - before
    s.reference = reformed(s.reference, s.strength)
    s.arrived = s.arrived + layout.columns([rowsum(gained[:, p.side_units(side)]) for side in (PLAYER, ENEMY)])


def _road(p: Params, s: State, t: _Turn, noise: Noise) -> None:
    """Repairs and air strikes; the threat from the new front line; road states and the encirclement clock."""
    u, lay = noise.uniforms, p.layout
    repair = (u[:, lay.REPAIR0 : lay.REPAIR0 + p.G] < REPAIR_PROBABILITY) & (s.damage > 0)
    s.damage = (s.damage - repair).astype(np.int8)
    if p.air.p_road_hit[ENEMY] > 0 and p.roads.on_road.any():
        hit = u[:, lay.AIR_HIT] < p.air.p_road_hit[ENEMY]
        weights = np.cumsum(p.roads.length * p.roads.on_road)
        seg = np.minimum(np.searchsorted(weights / weights[-1], u[:, lay.AIR_SEGMENT], side="right"), p.G - 1)
        rows = np.flatnonzero(hit)
        worse = np.maximum(t.states[rows, seg[rows]], s.damage[rows, seg[rows]]) + 1
        s.damage[rows, seg[rows]] = np.minimum(CUT, worse)
    t.threat_end, t.distance_end = t.expo.total, t.expo.distance
    screen = screening(s.holder == PLAYER, s.progress)
    changed = np.flatnonzero(rowany((screen != t.screen0) & (p.sectors.screen_depth.sum(axis=1) > 0)))
    if changed.size:  # the front moved where it screens the road: the threat from the new distances
        # the moved rows' distances by one product over those rows (as the start's over all rows: a BLAS
        # product's rounding may depend on its shape, so the rows are not recomputed in another one)
        t.distance_end = np.copy(t.expo.distance)
        t.distance_end[changed] = road_distance(p, screen[changed], s.road_distance[changed])
        # the threat of every row at once: element-wise and row-wise steps give an unmoved row its start values
        # bit for bit, and with most rows moved (an attacker's progress thins the screen) this costs less than
        # gathering the moved rows' inputs and patching their results back
        t.threat_end = road_threat(p, t.expo, t.distance_end, t.dturn.road_sorties, t.dturn.p_jam_road, t.coord)
    blocked_end = blocked_segments(p, s.holder, s.damage)
    s.road_state = segment_states(p, t.threat_end, s.damage, blocked_end)
    mine = p.side_units(PLAYER)
    in_line = ~s.reserve[:, mine] & rowwise_take(s.holder == PLAYER, s.loc[:, mine])
    line = by_sector(s.loc[:, mine], s.strength[:, mine], in_line, p.S)
    t.routes_end = drivable_routes(p, t.threat_end, blocked_end)
    t.cut_end = cut_off(p, t.routes_end, s.holder, line)
    s.cut_clock = np.where(t.cut_start | t.cut_end, s.cut_clock + 1, 0.0)  # a turn without supply counts
    s.usable_turns = s.usable_turns + (s.road_state < CUT)


def _endings(p: Params, st: State, s: State, t: _Turn) -> None:
    """The withdrawal completes (losses on the way out; wounded left behind are taken); endings are judged."""
    R = s.R
    is_p = p.units.side == PLAYER
    mine = p.side_units(PLAYER)
    s.withdraw_left = np.where(s.withdrawing, s.withdraw_left - 1.0, s.withdraw_left)
    t.done = s.withdrawing & (s.withdraw_left <= 0) & ~t.frozen
    t.exit_loss = t.exit_captured = layout.zeros(s.strength.shape)
    if t.done.any():  # the grouping gets out (most turns nobody does: the losses below are all zero then)
        exit_survival = best_route_survival(t.routes_end, R)  # the road as the turn left it (holder and damage)
        mobility = np.maximum(t.fuel, 0.5)  # without fuel, more of the grouping walks out under the drones
        t.exit_loss = s.strength * is_p * (WITHDRAWAL_EXIT_LOSS * (1.0 - exit_survival * mobility) * t.done)[:, None]
        s.strength = s.strength - t.exit_loss
        t.exit_captured = t.exit_loss * p.units.capture
        exit_rest = t.exit_loss - t.exit_captured
        exit_killed = exit_rest * p.sides.kill_share[PLAYER]
        left_behind = t.pending * (1.0 - exit_survival) * t.done  # wounded no vehicle could take out
        t.new[:, PLAYER, KILLED] += rowsum(exit_killed)
        t.new[:, PLAYER, WOUNDED] += rowsum(exit_rest - exit_killed)
        t.new[:, PLAYER, CAPTURED] += rowsum(t.exit_captured)
        s.casualties = np.copy(s.casualties)
        s.casualties[:, PLAYER, WOUNDED] -= left_behind  # already counted as wounded: now prisoners
        s.casualties[:, PLAYER, CAPTURED] += left_behind
        t.pending = np.where(t.done, 0.0, t.pending)
    s.orderly = s.orderly | (t.done & ~t.cut_end)
    t.area_before_exit = rowdot(s.holder == PLAYER, p.sectors.area)
    s.area_turns = st.area_turns + t.area_before_exit  # ground held this turn (a withdrawing turn still counts)
    s.holder = np.where(t.done[:, None] & (s.holder == PLAYER), ENEMY, s.holder).astype(np.int8)

    start_total = float(p.units.strength0[is_p].sum())
    area = rowdot(s.holder == PLAYER, p.sectors.area)
    code = np.zeros(R, dtype=np.int8)
    code = np.where(s.turn >= p.turns, ENDING_CODE["time"], code)
    code = np.where(area <= p.endings.falls_below, ENDING_CODE["bridgehead_fell"], code)
    code = np.where(s.cut_clock > p.endings.clock_turns, ENDING_CODE["encircled"], code)
    destroyed = rowsum(s.strength[:, mine]) < p.endings.destroyed_share * start_total
    code = np.where(destroyed, ENDING_CODE["destroyed"], code)
    code = np.where(t.done, ENDING_CODE["withdrawn"], code)
    t.ended_now = (code > 0) & ~t.frozen
    s.ending = np.where(t.ended_now, code, s.ending).astype(np.int8)
    s.ended = s.ended | t.ended_now


def _accounting(p: Params, st: State, s: State, t: _Turn, factors: bool) -> Outcome:
    """Cumulative totals, the turn's last-turn figures and the outcome arrays (each its own array)."""
    R = s.R
    s.casualties = s.casualties + t.new
    s.casualties[:, PLAYER, KILLED] += t.dow  # the wounded who died waiting
    s.casualties[:, PLAYER, WOUNDED] -= t.dow
    s.wounded_pending = t.pending
    s.last_losses = rowsum(t.new)
    s.last_delivered = np.copy(t.conv.delivered)
    s.last_trucks = np.copy(t.conv.sent)
    s.delivered_total = s.delivered_total + t.conv.delivered
    s.trucks_lost_total = s.trucks_lost_total + t.conv.lost
    s.turn = st.turn + 1
    s.played = st.played + 1.0

    F = _factors(p, st, s, t) if factors else layout.zeros((R, 0))
    dt = t.dturn
    road_sorties = layout.columns(
        [  # by guidance: RADIO, FIBRE
            rowsum(dt.road_sorties * ~p.drones.fibre),
            rowsum(dt.road_sorties * p.drones.fibre),
        ]
    )
    return Outcome(
        losses=np.copy(t.new),
        died_of_wounds=np.copy(t.dow),
        unit_loss=t.loss_u + t.retreat + t.exit_loss,
        sector_loss=np.copy(t.att.lost),
        factors=F,
        trucks_sent=np.copy(t.conv.sent),
        trucks_lost=np.copy(t.conv.lost),
        delivered=np.copy(t.conv.delivered),
        consumed=np.copy(t.consumed),
        effectiveness=np.copy(t.eff),
        road_survival=np.copy(t.conv.survival),
        attacked=np.copy(t.attacked),
        fell=np.copy(t.ter.fell),
        newly_broken=t.brk1 & ~t.brk0,
        route_cut=np.copy(t.cut_end),
        route_cut_start=np.copy(t.cut_start),
        paused=np.copy(t.paused_now),
        enemy_road_sorties=road_sorties,
        road_distance=np.copy(t.distance_end),
        ended_now=np.copy(t.ended_now),
        strike_sorties=np.copy(dt.strike_sorties),
        captured_unit=t.captured_u + t.exit_captured,
    )


def _factors(p: Params, st: State, s: State, t: _Turn) -> np.ndarray:
    """(R, F) each factor's contribution this turn, in the unit of the outcome it changes (game.engine.factors).

    `st` is the state at the start of the turn, `s` at its end."""
    R = s.R
    att, rates, dturn, conv, ter = t.att, t.rates, t.dturn, t.conv, t.ter
    F = layout.zeros((R, fx.F))
    drone_split = [dturn.enemy_front_cas, dturn.strike_cas]  # by the side that suffers: (R, 2) by guidance each
    cause = rowsum(att.causes)  # (4, R, 2): sector totals by cause and side
    art_part = rowsum(att.causes[SUPPORT] * rates.art_share())  # (R, 2)
    for side, base in ((PLAYER, fx.OWN0), (ENEMY, fx.ENEMY0)):
        sup_total = cause[SUPPORT][:, side]
        art_frac = np.where(sup_total > 0, art_part[:, side] / np.where(sup_total > 0, sup_total, 1.0), 1.0)
        split = drone_split[side]
        tot = rowsum(split)
        radio_frac = np.where(tot > 0, split[:, RADIO] / np.where(tot > 0, tot, 1.0), 1.0)
        F[:, base + fx.AIM] = cause[AIMED][:, side]
        F[:, base + fx.AREA] = cause[AREA][:, side]
        F[:, base + fx.DRONE_RADIO] = cause[DRONE_HITS][:, side] * radio_frac
        F[:, base + fx.DRONE_FIBRE] = cause[DRONE_HITS][:, side] * (1.0 - radio_frac)
        F[:, base + fx.ARTILLERY] = sup_total * art_frac
        F[:, base + fx.AIR] = sup_total * (1.0 - art_frac)
        F[:, base + fx.RETREAT] = rowsum(t.retreat[:, p.side_units(side)])
    col = fx.INDEX
    F[:, col["own.died_of_wounds"]] = t.dow
    F[:, col["own.withdrawal"]] = rowsum(t.exit_loss)
    F[:, col["ew.front.spared"]] = F[:, col["own.drones.radio.front"]] * (dturn.ew_front_multiplier - 1.0)
    close = att.causes[AIMED][:, PLAYER] + att.causes[AREA][:, PLAYER] + att.causes[SUPPORT][:, PLAYER]
    F[:, col["fortification.spared"]] = rowsum(close * p.combat.fort_defence * st.fort * (1.0 - t.contact.inside))
    F[:, col["shortage.enemy_spared"]] = (F[:, col["enemy.fire.aimed"]] + F[:, col["enemy.fire.area"]]) * (
        1.0 / t.eff - 1.0
    )
    theirs = p.side_units(ENEMY)
    adapted = p.units.vuln0[theirs] / np.maximum(s.vuln[:, theirs], 1e-9) - 1.0
    F[:, col["adaptation.enemy_spared"]] = rowsum(t.drone_u[:, theirs] * adapted)
    F[:, col["counter_drone.suppressed"]] = dturn.suppressed_sorties
    F[:, col["supply.delivered"]] = conv.delivered
    F[:, col["supply.consumed"]] = t.consumed
    F[:, col["drones.radio.road"]] = conv.lost_radio
    F[:, col["drones.fibre_optic.road"]] = conv.lost_fibre
    for name, value in conv.spared.items():
        F[:, col[name]] = value
    F[:, col["territory.lost"]] = rowdot(ter.fell & ~ter.given, p.sectors.area)
    F[:, col["territory.given"]] = rowdot(ter.given, p.sectors.area) + t.area_before_exit * t.done
    F[:, col["fortification.built"]] = rowsum(t.built)
    F[:, col["fortification.eroded.artillery"]] = rowsum(np.minimum(t.er_art, st.fort + t.built))
    F[:, col["fortification.eroded.air"]] = rowsum(t.er_air)
    return F
