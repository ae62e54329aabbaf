"""One turn as a pure function: (params, state, directives, noise) -> (new state, outcome arrays).

The order of play inside a turn: orders take effect (postures, reserves, withdrawal, netting);
units adapt to drones; the opposing force picks its targets; drones of both sides fly; convoys run
and supplies arrive; shortages set the player's fire effectiveness; the close fight, drones,
artillery and air are resolved in `substeps_per_turn` sub-steps; losses are split into killed,
wounded and captured; morale falls and units break; sectors change hands; fortifications are dug
and eroded; stocks are used; the wounded wait or are evacuated; the attacker reinforces, decides
whether to pause and where to send its drones next; air strikes and repairs change the road; the
encirclement clock ticks; the withdrawal completes; endings are judged. Replications that had
already ended are left exactly as they were.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import factors as fx
from . import layout
from .combat import COUNTER_ATTACK_FIRE, Attrition, Contact, Rates, aggregate, attrition, build_rates, unit_losses
from .directives import Directives
from .drones import DroneTurn, RoadExposure, front_casualties, plan_drones, road_exposure
from .opfor import broken, contact_share, next_road_share, plan_targets, reinforce, sector_sum
from .sampling import rowany, rowdot, rowsum, rowwise_take
from .params import COUNTER_ATTACK, DELAY, ENDING_CODE, ENEMY, FORTIFY, PLAYER, WITHDRAW, Params
from .rng import Noise
from .state import State
from .supply import (
    REPAIR_PROBABILITY, ConvoyResult, blocked_segments, effectiveness, need_and_use, routes_cut, run_convoys,
    segment_states, split_cargo, wounded_step,
)
from .territory import TerritoryResult
from .territory import resolve as resolve_territory

MORALE_PER_LOSS = 0.6
"""Morale lost per unit of the share of a unit's strength lost in the turn."""
MORALE_SHORTAGE = 0.1
"""Morale lost per turn at the worst shortage (effectiveness at its floor → a fraction of this)."""
MORALE_CUT = 0.05
"""Morale lost per turn while every route is cut."""
MORALE_RECOVERY = 0.2
"""Share of the gap to the starting morale recovered in a quiet turn (losses under 2%)."""
MORALE_PAUSE = 0.1
"""Extra morale the attacker's units recover while pausing to regroup."""
MORALE_SECTOR_LOST = 0.05
"""Morale lost by units driven out of a sector."""
WITHDRAWAL_EXIT_LOSS = 0.5
"""Share of the grouping lost getting out, times (1 − the best route's survival per trip)."""


@dataclass
class Outcome:
    """What happened in the turn, per replication (zeros for replications that had already ended)."""

    losses: np.ndarray  # (R, 2, 3) new killed, wounded, captured by side
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
    route_cut: np.ndarray  # (R,)
    paused: np.ndarray  # (R,) the attacker paused this turn
    enemy_road_sorties: np.ndarray  # (R, 2) radio, fibre sorties hunting the road
    road_distance: np.ndarray  # (R, G) km from enemy launch points at the end of the turn
    ended_now: np.ndarray  # (R,)
    strike_sorties: np.ndarray  # (R,) the player's strike sorties flown
    captured_unit: np.ndarray  # (R, U) soldiers of each unit taken prisoner


def _rows(a: np.ndarray, R: int) -> np.ndarray:
    return np.broadcast_to(a, (R, *a.shape[1:]))


def resolve_turn(p: Params, st: State, d: Directives, noise: Noise, *, factors: bool = True) -> tuple[State, Outcome]:
    """Resolve one turn for all replications at once (see module doc for the order of play).

    `factors=False` leaves `Outcome.factors` empty, (R, 0): a batch that keeps only final outcomes
    skips the factor accounting (about a twentieth of a turn)."""
    R, S = st.R, p.S
    s = replace(st)  # shallow: every array below is replaced, never written in place
    frozen = st.ended.copy()
    turn = st.turn
    coord = 1.0 + p.adaptation * (turn - 1)
    is_p = p.unit_side == PLAYER
    is_e = p.unit_side == ENEMY

    # 1. orders take effect
    held0 = s.holder == PLAYER
    s.posture = np.where(_rows(d.posture_set, R) & held0, _rows(d.posture, R), s.posture).astype(np.int8)
    commit = _rows(d.commit, R)
    ok = (commit >= 0) & s.reserve & rowwise_take(held0, np.maximum(commit, 0))
    s.loc = np.where(ok, commit, s.loc)
    s.reserve = s.reserve & ~ok
    start_w = _rows(d.withdraw, R) & ~s.withdrawing
    s.withdraw_left = np.where(start_w, float(p.withdrawal_turns), s.withdraw_left)
    s.withdrawing = s.withdrawing | start_w
    posture = np.where(s.withdrawing[:, None] & (s.posture != WITHDRAW), DELAY, s.posture)
    s.netting_km = s.netting_km * (1.0 - p.netting_decay) + p.netting_km_per_turn * _rows(d.netting, R)
    if turn > 1:
        s.vuln = np.maximum(p.vuln_floor, s.vuln * (1.0 - p.adapt))

    # 2. who fights where
    brk0 = broken(p, s.strength, s.morale)
    in_held = rowwise_take(held0, s.loc)
    p_line = is_p & ~s.reserve & in_held
    p_in = p_line & ~brk0
    mine, theirs = p.side_units(PLAYER), p.side_units(ENEMY)  # each side's units: one slice of the unit axis
    D0 = sector_sum(np.where(p_in[:, mine], s.loc[:, mine], S), s.strength[:, mine], S + 1)[:, :S]
    able = is_e & ~brk0 & ~s.paused[:, None]
    target, s.loc = plan_targets(p, s.holder, s.loc, s.strength, able, D0)
    cs = contact_share(p)
    x = np.where(p_in, s.strength, 0.0) + np.where(target >= 0, s.strength * cs, 0.0)
    eng = np.where(p_in, s.loc, np.where(target >= 0, target, S))
    contact: Contact = aggregate(p, eng, x, s.morale, s.vuln)
    A0 = contact.X[:, ENEMY]
    attacked = A0 > 0
    attack_any = rowany(attacked)

    # 3. drones and the road threat
    tasks = np.array(_rows(d.drones, R), dtype=float, order="F")
    ew = np.array(_rows(d.ew, R), dtype=float, order="F")
    dturn = plan_drones(p, tasks, ew, s.stocks[:, 1], s.road_share, attack_any, coord)
    road_len = float((p.length * p.on_road).sum())
    net_share = np.minimum(1.0, s.netting_km / road_len) if road_len > 0 else np.zeros(R)
    expo = road_exposure(p, held0, dturn.road_sorties, dturn.p_jam_road, dturn.overwatch, net_share, coord,
                         s.road_distance, s.road_speed)
    dturn.front_sorties = dturn.front_sorties + expo.idle
    front_casualties(p, dturn, ew[:, 0], coord)

    # 4. convoys
    u = noise.uniforms
    lay = p.layout
    blocked = blocked_segments(p, s.holder, s.damage)
    states = segment_states(p, expo, s.damage, blocked)
    conv = run_convoys(
        p, _rows(d.tracks, R), _rows(d.day, R), _rows(d.night, R), _rows(d.escort, R).astype(float),
        expo, blocked, states, u[:, lay.DAY], u[:, lay.NIGHT], s.road_throughput, spared=factors,
    )
    s.stocks = s.stocks + split_cargo(p, conv.delivered)
    cut_start = routes_cut(p, expo, blocked)
    best_survival = _best_route_survival(p, expo.total, blocked)

    # 5. shortages and the guns' ammunition
    line_strength = sector_sum(np.where(p_line[:, mine], s.loc[:, mine], S), s.strength[:, mine], S + 1)[:, :S]
    reserve_strength = rowsum(s.strength[:, mine] * s.reserve[:, mine])
    need, use = need_and_use(p, line_strength, posture, reserve_strength)
    eff, medical, fuel = effectiveness(p, s.stocks, need)
    want_t = p.art_rounds[PLAYER] * p.art_ammo_t[PLAYER]
    ammo_left = np.maximum(0.0, s.stocks[:, 0] - use[:, 0])
    gun_share = np.minimum(1.0, ammo_left / want_t) if want_t > 0 else np.ones(R)
    rounds_p = p.art_rounds[PLAYER] * gun_share * attack_any

    # 6. the fight, in sub-steps
    rates = build_rates(p, contact, posture, s.fort, eff, coord, dturn.strike_cas, dturn.enemy_front_cas, rounds_p, dturn.recon)
    att = attrition(p, contact, rates, noise.normals)
    loss_u, drone_u = unit_losses(p, contact, att, s.strength)
    before = s.strength
    s.strength = s.strength - loss_u

    # 7. morale and breaking
    share_lost = loss_u / np.maximum(before, 1.0)
    dm = -MORALE_PER_LOSS * share_lost
    dm = dm - layout.outer(MORALE_SHORTAGE * (1.0 - eff) + MORALE_CUT * cut_start, is_p)
    dm = dm + (share_lost < 0.02) * MORALE_RECOVERY * np.maximum(p.morale0 - s.morale, 0.0)
    dm = dm + layout.outer(s.paused, is_e) * MORALE_PAUSE
    s.morale = np.clip(s.morale + dm, 0.0, 1.0)
    brk1 = broken(p, s.strength, s.morale)

    # 8. ground
    D1 = sector_sum(np.where((p_line & ~brk1)[:, mine], s.loc[:, mine], S), s.strength[:, mine], S + 1)[:, :S]
    A1 = sector_sum(np.where(((target >= 0) & ~brk1)[:, theirs], target[:, theirs], S), s.strength[:, theirs] * cs, S + 1)[:, :S]
    cap = p.engaged_per_km * p.frontage
    q_p = np.maximum(contact.quality[:, PLAYER], 0.5)
    q_e = np.maximum(contact.quality[:, ENEMY], 0.5)
    mult = np.where(posture == COUNTER_ATTACK, COUNTER_ATTACK_FIRE, 1.0)
    power = np.minimum(D1, cap) * q_p * rates.protection * eff[:, None] * mult
    ratio = np.minimum(A1, cap) * q_e / np.maximum(power, 1e-9)
    ter = resolve_territory(p, s.holder, s.progress, posture, s.loc, s.strength, D1, A1, ratio, attacked, target)
    retreat = np.where(s.reserve & ~ter.overrun, 0.0, ter.retreat_loss)
    s.strength = s.strength - retreat
    moved_out = rowwise_take(ter.fell, s.loc) & is_p
    s.morale = np.clip(s.morale - MORALE_SECTOR_LOST * moved_out, 0.0, 1.0)
    s.holder, s.progress, s.loc = ter.holder, ter.progress, ter.loc

    # 9. fortification
    dig = (posture == FORTIFY) & held0 & (D0 > 0)
    built = np.minimum(1.0, s.fort + p.fortify_gain * dig) - s.fort
    er_art = rates.rounds_enemy * p.art_erosion[ENEMY] * held0
    er_air = rates.sorties_enemy * p.air_erosion[ENEMY] * held0
    s.fort = np.clip(s.fort + built - er_art - er_air, 0.0, 1.0)

    # 10. killed, wounded, captured
    captured_u = (loss_u * brk1 + retreat) * p.capture
    rest = loss_u + retreat - captured_u
    killed_u = rest * p.kill_share[np.clip(p.unit_side, 0, 1)]
    wounded_u = rest - killed_u
    new = layout.columns([  # (R, 2, 3) by side: killed, wounded, captured
        layout.columns([rowsum(a[:, mine]), rowsum(a[:, theirs])]) for a in (killed_u, wounded_u, captured_u)
    ])

    # 11. stocks used
    drones_used = np.minimum(s.stocks[:, 1], dturn.drones_used)
    used = layout.columns([
        np.minimum(s.stocks[:, 0], use[:, 0] + rounds_p * p.art_ammo_t[PLAYER]),
        drones_used,
        np.minimum(s.stocks[:, 2], use[:, 1]),
        np.minimum(s.stocks[:, 3], use[:, 2]),
    ])
    s.stocks = s.stocks - used
    consumed = used[:, 0] + used[:, 2] + used[:, 3]

    # 12. the wounded
    dow, pending = wounded_step(p, s.wounded_pending, new[:, PLAYER, 1], ~cut_start, best_survival, medical, fuel)

    # 13. the attacker takes stock
    committed = rowsum(A0)
    enemy_lost = rowsum(new[:, ENEMY])
    paused_next = attack_any & ~s.paused & (enemy_lost > p.pause_threshold * np.maximum(committed, 1e-9))
    paused_now = s.paused.copy()
    s.road_share = next_road_share(p, conv.sent)
    s.strength = reinforce(p, s.strength, s.reserve)

    # 14. the road at the end of the turn: repairs, air strikes, the new front line
    repair = (u[:, lay.REPAIR0:lay.REPAIR0 + p.G] < REPAIR_PROBABILITY) & (s.damage > 0)
    s.damage = (s.damage - repair).astype(np.int8)
    if p.air_road_hit[ENEMY] > 0 and p.on_road.any():
        hit = u[:, lay.AIR_HIT] < p.air_road_hit[ENEMY]
        weights = np.cumsum(p.length * p.on_road)
        seg = np.minimum(np.searchsorted(weights / weights[-1], u[:, lay.AIR_SEGMENT], side="right"), p.G - 1)
        rows = np.flatnonzero(hit)
        s.damage[rows, seg[rows]] = np.minimum(3, np.maximum(states[rows, seg[rows]], s.damage[rows, seg[rows]]) + 1)
    expo_end = expo
    changed = np.flatnonzero(rowany(ter.fell))
    if changed.size:  # the front moved: recompute the threat where it did
        part = road_exposure(p, s.holder[changed] == PLAYER, dturn.road_sorties[changed], dturn.p_jam_road[changed],
                             dturn.overwatch[changed], net_share[changed], coord, s.road_distance[changed],
                             s.road_speed[changed])
        expo_end = _patch(expo, part, changed)
    blocked_end = blocked_segments(p, s.holder, s.damage)
    s.road_state = segment_states(p, expo_end, s.damage, blocked_end)
    cut_end = routes_cut(p, expo_end, blocked_end)
    s.cut_clock = np.where(cut_end, s.cut_clock + 1, 0.0)
    s.open_turns = s.open_turns + (s.road_state == 0)

    # 15. withdrawal and endings
    s.withdraw_left = np.where(s.withdrawing, s.withdraw_left - 1.0, s.withdraw_left)
    done = s.withdrawing & (s.withdraw_left <= 0) & ~frozen
    if done.any():  # the grouping gets out (most turns nobody does: the losses below are all zero then)
        exit_survival = _best_route_survival(p, expo_end.total, blocked_end)
        exit_loss = s.strength * is_p * (WITHDRAWAL_EXIT_LOSS * (1.0 - exit_survival) * done)[:, None]
        s.strength = s.strength - exit_loss
        exit_captured = exit_loss * p.capture
        exit_rest = exit_loss - exit_captured
        exit_killed = exit_rest * p.kill_share[PLAYER]
        new[:, PLAYER, 0] += rowsum(exit_killed)
        new[:, PLAYER, 1] += rowsum(exit_rest - exit_killed)
        new[:, PLAYER, 2] += rowsum(exit_captured) + pending * (1.0 - exit_survival) * done
        pending = np.where(done, 0.0, pending)
    else:
        exit_loss = exit_captured = np.zeros_like(s.strength)
    s.orderly = s.orderly | (done & ~cut_end)
    area_before_exit = rowdot(s.holder == PLAYER, p.area)
    s.area_turns = st.area_turns + area_before_exit  # ground held this turn (a withdrawing turn still counts)
    s.holder = np.where(done[:, None] & (s.holder == PLAYER), ENEMY, s.holder).astype(np.int8)

    start_total = float(p.strength0[is_p].sum())
    area = rowdot(s.holder == PLAYER, p.area)
    code = np.zeros(R, dtype=np.int8)
    code = np.where(turn >= p.turns, ENDING_CODE["time"], code)
    code = np.where(area <= p.falls_below, ENDING_CODE["bridgehead_fell"], code)
    code = np.where(s.cut_clock > p.clock_turns, ENDING_CODE["encircled"], code)
    code = np.where(rowsum(s.strength[:, mine]) < p.destroyed_share * start_total, ENDING_CODE["destroyed"], code)
    code = np.where(done, ENDING_CODE["withdrawn"], code)
    ended_now = (code > 0) & ~frozen
    s.ending = np.where(ended_now, code, s.ending).astype(np.int8)
    s.ended = s.ended | ended_now

    # 16. accounting
    s.casualties = s.casualties + new
    s.casualties[:, PLAYER, 0] += dow
    s.casualties[:, PLAYER, 1] -= dow
    s.wounded_pending = pending
    s.last_losses = rowsum(new)
    s.last_delivered = conv.delivered
    s.last_trucks = conv.sent
    s.delivered_total = s.delivered_total + conv.delivered
    s.trucks_lost_total = s.trucks_lost_total + conv.lost
    s.paused = paused_next
    s.turn = turn + 1
    s.played = st.played + 1.0

    F = _factors(p, st, s, att, rates, dturn, conv, ter, eff, drone_u, retreat, dow, exit_loss, consumed, built, er_art,
                 er_air, area_before_exit * done) if factors else layout.zeros((R, 0))
    road_sorties = layout.columns([rowsum(dturn.road_sorties * ~p.drone_fibre), rowsum(dturn.road_sorties * p.drone_fibre)])
    out = Outcome(
        losses=new, died_of_wounds=dow, unit_loss=loss_u + retreat + exit_loss, sector_loss=att.lost, factors=F,
        trucks_sent=conv.sent, trucks_lost=conv.lost, delivered=conv.delivered, consumed=consumed,
        effectiveness=eff, road_survival=conv.survival, attacked=attacked, fell=ter.fell,
        newly_broken=brk1 & ~brk0, route_cut=cut_end, paused=paused_now, enemy_road_sorties=road_sorties,
        road_distance=expo_end.distance, ended_now=ended_now, strike_sorties=dturn.strike_sorties,
        captured_unit=captured_u + exit_captured,
    )
    if frozen.any():
        s.keep_where(frozen, st)
        rows = np.flatnonzero(frozen)
        for value in out.__dict__.values():
            value[rows] = 0  # False for the boolean outcomes
    return s, out


def _factors(
    p: Params, st: State, s: State, att: Attrition, rates: Rates, dturn: DroneTurn, conv: ConvoyResult,
    ter: TerritoryResult, eff: np.ndarray, drone_u: np.ndarray, retreat: np.ndarray, dow: np.ndarray,
    exit_loss: np.ndarray, consumed: np.ndarray, built: np.ndarray, er_art: np.ndarray, er_air: np.ndarray,
    given_on_exit: np.ndarray,
) -> np.ndarray:
    """(R, F) each factor's contribution this turn, in the unit of the outcome it changes (game.engine.factors).

    `st` is the state at the start of the turn, `s` at its end."""
    R = s.R
    F = layout.zeros((R, fx.F))
    drone_split = [dturn.enemy_front_cas, dturn.strike_cas]
    cause = rowsum(att.causes)  # (4, R, 2): sector totals by cause and side
    art_part = rowsum(att.causes[3] * rates.art_share)  # (R, 2)
    for side, base in ((PLAYER, fx.OWN0), (ENEMY, fx.ENEMY0)):
        sup_total = cause[3][:, side]
        art_frac = np.where(sup_total > 0, art_part[:, side] / np.where(sup_total > 0, sup_total, 1.0), 1.0)
        split = drone_split[side]
        tot = rowsum(split)
        radio_frac = np.where(tot > 0, split[:, 0] / np.where(tot > 0, tot, 1.0), 1.0)
        F[:, base + fx.AIM] = cause[0][:, side]
        F[:, base + fx.AREA] = cause[1][:, side]
        F[:, base + fx.DRONE_RADIO] = cause[2][:, side] * radio_frac
        F[:, base + fx.DRONE_FIBRE] = cause[2][:, side] * (1.0 - radio_frac)
        F[:, base + fx.ARTILLERY] = sup_total * art_frac
        F[:, base + fx.AIR] = sup_total * (1.0 - art_frac)
        F[:, base + fx.RETREAT] = rowsum(retreat[:, p.side_units(side)])
    I = fx.INDEX
    F[:, I["own.died_of_wounds"]] = dow
    F[:, I["own.withdrawal"]] = rowsum(exit_loss)
    F[:, I["ew.front.spared"]] = F[:, I["own.drones.radio.front"]] * (dturn.ew_front_multiplier - 1.0)
    close = att.causes[0][:, PLAYER] + att.causes[1][:, PLAYER] + att.causes[3][:, PLAYER]
    F[:, I["fortification.spared"]] = rowsum(close * p.fort_defence * st.fort)
    F[:, I["shortage.enemy_spared"]] = (F[:, I["enemy.fire.aimed"]] + F[:, I["enemy.fire.area"]]) * (1.0 / eff - 1.0)
    theirs = p.side_units(ENEMY)
    F[:, I["adaptation.enemy_spared"]] = rowsum(drone_u[:, theirs] * (p.vuln0[theirs] / np.maximum(s.vuln[:, theirs], 1e-9) - 1.0))
    F[:, I["counter_drone.suppressed"]] = dturn.suppressed_sorties
    F[:, I["supply.delivered"]] = conv.delivered
    F[:, I["supply.consumed"]] = consumed
    F[:, I["drones.radio.road"]] = conv.lost_radio
    F[:, I["drones.fibre_optic.road"]] = conv.lost_fibre
    for name, value in conv.spared.items():
        F[:, I[name]] = value
    F[:, I["territory.lost"]] = rowdot(ter.fell & ~ter.given, p.area)
    F[:, I["territory.given"]] = rowdot(ter.given, p.area) + given_on_exit
    F[:, I["fortification.built"]] = rowsum(built)
    F[:, I["fortification.eroded.artillery"]] = rowsum(np.minimum(er_art, st.fort + built))
    F[:, I["fortification.eroded.air"]] = rowsum(er_air)
    return F


def _patch(full: RoadExposure, part: RoadExposure, rows: np.ndarray) -> RoadExposure:
    """A copy of `full` with the rows recomputed in `part`."""
    fields = {}
    for name, value in full.__dict__.items():
        new = np.copy(value)
        new[rows] = getattr(part, name)
        fields[name] = new
    return RoadExposure(**fields)


def _best_route_survival(p: Params, exposure: np.ndarray, blocked: np.ndarray) -> np.ndarray:
    """(R,) daylight survival per trip on the better of the road and the tracks (0 when both are blocked)."""
    best = np.zeros(exposure.shape[0])
    for route in (p.on_road, p.on_tracks):
        if route.any():
            surv = np.exp(-rowsum(exposure * route)) * ~rowany(blocked & route)
            best = np.maximum(best, surv)
    return best
