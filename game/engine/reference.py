"""A pure-Python reference of one turn for one replication: plain floats, loops, exact random draws.

It follows the same equations as the vectorised kernel (game.engine.turn and the modules it calls)
but written the slow, obvious way, one unit and one sector at a time, with Python's `random`
module drawing exact Poisson and binomial variates. It exists to cross-check the kernel
statistically (means over many replications must agree within a few standard errors) and to
measure the kernel's speed-up. It resolves one whole turn from a given state, as the kernel does, from
the orders to the endings; it leaves injects out (they fire before the turn).
"""

from __future__ import annotations

import math
import random
from typing import Any

from .combat import COUNTER_ATTACK_FIRE, DRONE_SATURATION, EXPOSURE, MORALE_REFERENCE, RECON_ARTILLERY
from .directives import Directives
from .drones import COUNTER_DRONE_SUPPRESSION, OVERWATCH_SUPPRESSION, RECON_TEAMS, ROAD_HAZARD_KMH
from .opfor import MORALE_BREAK, WAVE_HOURS
from .params import COUNTER_ATTACK, DELAY, ENDING_CODE, ENEMY, FORTIFY, PLAYER, WITHDRAW, Params
from .state import State
from .supply import (
    DOW_MEDICAL_SHORTAGE, EVACUATION_FLOOR, REPAIR_PROBABILITY, ROUTE_CUT_SURVIVAL, STATE_SURVIVAL, STATE_THROUGHPUT,
)
from .territory import CUT_OFF_LOSS, DELAY_PROGRESS, OVERRUN_LOSS, PROGRESS_DECAY, PROGRESS_RATE, RETREAT_LOSS
from .turn import (
    MORALE_CUT, MORALE_PAUSE, MORALE_PER_LOSS, MORALE_RECOVERY, MORALE_SECTOR_LOST, MORALE_SHORTAGE, WITHDRAWAL_EXIT_LOSS,
)

L = list  # short alias: the reference copies arrays into plain lists


def poisson(rng: random.Random, lam: float) -> int:
    """An exact Poisson variate (Knuth for small means, sums of halves for large ones)."""
    if lam <= 0:
        return 0
    if lam > 30:
        half = lam / 2
        return poisson(rng, half) + poisson(rng, lam - half)
    limit, k, prod = math.exp(-lam), 0, rng.random()
    while prod > limit:
        k += 1
        prod *= rng.random()
    return k


def binomial(rng: random.Random, n: int, q: float) -> int:
    """Exact: one Bernoulli per truck."""
    return sum(1 for _ in range(n) if rng.random() < q)


def _broken(p: Any, u: int, strength: float, morale: float) -> bool:
    return strength < 1.0 or strength < (1.0 - p["breaking"][u]) * p["strength0"][u] - 1e-9 or morale < MORALE_BREAK


def plain(params: Params) -> dict[str, Any]:
    """The parameters as plain Python lists and floats."""
    out: dict[str, Any] = {}
    for k, v in params.__dict__.items():
        out[k] = v.tolist() if hasattr(v, "tolist") else v
    return out


def reference_turn(params: Params, st: State, d: Directives, rng: random.Random, row: int = 0, pp: dict | None = None) -> dict[str, float]:
    """Resolve one turn of replication `row` of `st`; returns the headline outcomes."""
    p = pp or plain(params)
    S, U, G, D = params.S, params.U, params.G, len(p["drone_side"])
    side = p["unit_side"]
    strength = L(st.strength[row].tolist())
    morale = L(st.morale[row].tolist())
    vuln = L(st.vuln[row].tolist())
    loc = L(st.loc[row].tolist())
    reserve = L(st.reserve[row].tolist())
    holder = L(st.holder[row].tolist())
    fort = L(st.fort[row].tolist())
    progress = L(st.progress[row].tolist())
    posture_st = L(st.posture[row].tolist())
    damage = L(st.damage[row].tolist())
    road_speed = L(st.road_speed[row].tolist())
    road_throughput = L(st.road_throughput[row].tolist())
    road_distance = L(st.road_distance[row].tolist())
    stocks = L(st.stocks[row].tolist())
    netting_km = float(st.netting_km[row])
    paused = bool(st.paused[row])
    road_share = float(st.road_share[row])
    withdrawing = bool(st.withdrawing[row])
    withdraw_left = float(st.withdraw_left[row])
    wounded_pending = float(st.wounded_pending[row])
    cut_clock = float(st.cut_clock[row])
    turn = st.turn
    r0 = 0 if d.drones.shape[0] == 1 else row
    coord = 1.0 + params.adaptation * (turn - 1)

    held0 = [h == PLAYER for h in holder]
    for s in range(S):
        if d.posture_set[r0, s] and held0[s]:
            posture_st[s] = int(d.posture[r0, s])
    for u in range(U):
        c = int(d.commit[r0, u])
        if c >= 0 and reserve[u] and held0[c]:
            loc[u] = c
            reserve[u] = False
    if bool(d.withdraw[r0]) and not withdrawing:
        withdrawing = True
        withdraw_left = float(params.withdrawal_turns)
    posture = [DELAY if withdrawing and posture_st[s] != WITHDRAW else posture_st[s] for s in range(S)]
    netting_km = netting_km * (1 - params.netting_decay) + params.netting_km_per_turn * bool(d.netting[r0])
    if turn > 1:
        vuln = [max(p["vuln_floor"][u], vuln[u] * (1 - p["adapt"][u])) for u in range(U)]

    brk0 = [_broken(p, u, strength[u], morale[u]) for u in range(U)]
    p_line = [side[u] == PLAYER and not reserve[u] and held0[loc[u]] for u in range(U)]
    p_in = [p_line[u] and not brk0[u] for u in range(U)]
    D0 = [0.0] * S
    for u in range(U):
        if p_in[u]:
            D0[loc[u]] += strength[u]
    # targeting
    dmax = max(D0) if S else 0.0
    best = []
    for o in range(S):
        top, arg = -math.inf, -1
        for t in range(S):
            if not held0[t] or p["dist"][o][t] >= 90:
                continue
            sc = 4 * p["main_effort_rank"][t] + 2 * (1 - D0[t] / (dmax + 1)) - 3 * max(p["dist"][o][t] - 1, 0) + (100 if p["dist"][o][t] == 0 else 0)
            if sc > top:
                top, arg = sc, t
        best.append(arg)
    target = [-1] * U
    for u in range(U):
        if side[u] != ENEMY or brk0[u] or paused:
            continue
        t = best[loc[u]]
        if t < 0:
            continue
        if p["dist"][loc[u]][t] <= 1:
            target[u] = t
        else:
            loc[u] = p["next_hop"][loc[u]][t]
    massed = [0.0] * S
    for u in range(U):
        if target[u] >= 0:
            massed[target[u]] += strength[u]
    for u in range(U):
        if target[u] >= 0 and massed[target[u]] < params.min_ratio * D0[target[u]]:
            target[u] = -1
    cs = params.aggression * params.wave_share if params.waves > 0 else 0.0
    x = [strength[u] if p_in[u] else (strength[u] * cs if target[u] >= 0 else 0.0) for u in range(U)]
    eng = [loc[u] if p_in[u] else (target[u] if target[u] >= 0 else S) for u in range(U)]
    X = [[0.0] * S for _ in range(2)]
    Q = [[0.0] * S for _ in range(2)]
    W = [[0.0] * S for _ in range(2)]
    V = [[0.0] * S for _ in range(2)]
    lead = [0.0] * S
    for u in range(U):
        if eng[u] < S and side[u] in (0, 1):
            m = (0.5 + morale[u]) / (0.5 + MORALE_REFERENCE)
            sd, s = side[u], eng[u]
            X[sd][s] += x[u]
            Q[sd][s] += x[u] * p["firepower"][u] * (0.5 + p["training"][u]) * m
            W[sd][s] += x[u] * p["firepower"][u] * m
            V[sd][s] += x[u] * vuln[u]
            if p["lead"][u]:
                lead[s] += x[u]
    for sd in range(2):
        for s in range(S):
            if X[sd][s] > 0:
                Q[sd][s] /= X[sd][s]
                W[sd][s] /= X[sd][s]
                V[sd][s] /= X[sd][s]
    A0 = X[ENEMY][:]
    attacked = [a > 0 for a in A0]
    attack_any = any(attacked)

    # drones
    tasks = [float(v) for v in d.drones[r0]]
    ew_front, ew_road = float(d.ew[r0, 0]), float(d.ew[r0, 1])
    dside = p["drone_side"]
    teams_p = max(sum(p["drone_teams"][i] for i in range(D) if dside[i] == PLAYER), 1.0)
    pj_enemy = 1 - math.exp(p["ew_teams"][ENEMY] * p["ew_log_survival"][ENEMY])
    strike_cas = [0.0, 0.0]
    cd_hits = 0.0
    wanted = 0.0
    strike, counter = [0.0] * D, [0.0] * D
    for i in range(D):
        if dside[i] != PLAYER:
            continue
        per_team = p["drone_teams"][i] / teams_p * p["drone_sorties"][i]
        strike[i] = tasks[0] * per_team * attack_any
        counter[i] = tasks[1] * per_team
        wanted += strike[i] + counter[i]
    f = min(1.0, stocks[1] / wanted) if wanted > 0 else 0.0
    ow_hits = 0.0
    for i in range(D):
        if dside[i] != PLAYER:
            continue
        reach = p["drone_p_reach"][i] * (1 - p["drone_jam"][i] * pj_enemy) * (1 - p["drone_p_fail"][i])
        strike_cas[1 if p["drone_fibre"][i] else 0] += strike[i] * f * reach * p["drone_p_hit"][i] * p["drone_lethality"][i]
        cd_hits += counter[i] * f * reach * p["drone_p_hit"][i]
        ow_hits += tasks[2] * p["drone_teams"][i] / teams_p * p["drone_sorties"][i] * p["drone_p_reach"][i] * (1 - p["drone_p_fail"][i]) * p["drone_p_hit"][i]
    drones_used = wanted * f
    recon = 1 - math.exp(-tasks[3] / RECON_TEAMS)
    teams_e = max(sum(p["drone_teams"][i] for i in range(D) if dside[i] == ENEMY), 1.0)
    suppression = math.exp(-COUNTER_DRONE_SUPPRESSION * cd_hits / teams_e)
    road_sorties = [0.0] * D
    front_sorties = [0.0] * D
    for i in range(D):
        if dside[i] == ENEMY:
            flown = p["drone_teams"][i] * p["drone_sorties"][i] * suppression
            road_sorties[i] = flown * road_share
            front_sorties[i] = flown - road_sorties[i]
    road_teams = teams_e * road_share
    overwatch = math.exp(-OVERWATCH_SUPPRESSION * ow_hits / max(road_teams, 1e-9))
    pj_front = 1 - math.exp(ew_front * p["ew_log_survival"][PLAYER])
    pj_road = 1 - math.exp(ew_road * p["ew_log_survival"][PLAYER])
    road_len = sum(p["length"][g] for g in range(G) if p["on_road"][g])
    net_share = min(1.0, netting_km / road_len) if road_len > 0 else 0.0

    def exposure(held: list[bool]) -> tuple[list[float], list[float], list[float], list[float], list[float]]:
        dist = [road_distance[g] + sum(p["screen_depth"][s][g] for s in range(S) if held[s]) for g in range(G)]
        radio, fibre, radio_raw, netf = [0.0] * G, [0.0] * G, [0.0] * G, [0.0] * G
        for i in range(D):
            if dside[i] != ENEMY:
                continue
            inr = [dist[g] <= p["drone_reach"][i] for g in range(G)]
            tot = sum(p["length"][g] * p["watch"][g] for g in range(G) if inr[g])
            if tot <= 0:
                front_idle[i] = road_sorties[i]
                continue
            kill = p["drone_p_reach"][i] * (1 - p["drone_p_fail"][i]) * min(1.0, p["drone_p_hit"][i] * coord) * p["drone_vehicle_kill"][i]
            jam = 1 - p["drone_jam"][i] * pj_road
            for g in range(G):
                if not inr[g]:
                    continue
                per_km = road_sorties[i] * p["length"][g] * p["watch"][g] / tot / p["length"][g]
                common = (1 - p["concealment"][g]) * p["length"][g] / road_speed[g] * ROAD_HAZARD_KMH
                netting = 1 - params.netting_protection * net_share * p["on_road"][g]
                netf[g] = netting
                if p["drone_fibre"][i]:
                    fibre[g] += per_km * kill * common * netting * overwatch
                else:
                    radio[g] += per_km * kill * jam * common * netting * overwatch
                    radio_raw[g] += per_km * kill * common * netting * overwatch
        return radio, fibre, radio_raw, netf, dist

    front_idle = [0.0] * D
    radio, fibre, _, _, _ = exposure(held0)
    for i in range(D):
        front_sorties[i] += front_idle[i]
    enemy_cas = [0.0, 0.0]
    for i in range(D):
        if dside[i] == ENEMY:
            base = front_sorties[i] * p["drone_p_reach"][i] * (1 - p["drone_p_fail"][i]) * min(1.0, p["drone_p_hit"][i] * coord) * p["drone_lethality"][i]
            enemy_cas[1 if p["drone_fibre"][i] else 0] += base * (1 - p["drone_jam"][i] * pj_front)

    def blocked_of(hold: list[int], dmg: list[int]) -> list[bool]:
        out = []
        for g in range(G):
            b = dmg[g] >= 3
            for k in range(2):
                e = p["end_sectors"][g][k]
                if e >= 0 and hold[e] == ENEMY:
                    b = True
            out.append(b)
        return out

    def states_of(rad: list[float], fib: list[float], dmg: list[int], blk: list[bool]) -> list[int]:
        out = []
        for g in range(G):
            surv = math.exp(-(rad[g] + fib[g]))
            threat = sum(1 for thr in STATE_SURVIVAL if surv < thr)
            out.append(max(threat, dmg[g], 3 if blk[g] else 0))
        return out

    def route_survivals(rad: list[float], fib: list[float], blk: list[bool]) -> list[tuple[float, bool]]:
        out = []
        for key in ("on_road", "on_tracks"):
            mask = p[key]
            if not any(mask):
                continue
            lam = sum(rad[g] + fib[g] for g in range(G) if mask[g])
            out.append((math.exp(-lam), any(blk[g] for g in range(G) if mask[g])))
        return out

    blocked = blocked_of(holder, damage)
    states = states_of(radio, fibre, damage, blocked)
    tracks = bool(d.tracks[r0])
    route = [p["on_tracks"][g] if tracks else p["on_road"][g] for g in range(G)]
    route_blocked = any(blocked[g] and route[g] for g in range(G)) or not any(route)
    lam = sum(radio[g] + fibre[g] for g in range(G) if route[g])
    esc = 1 - params.escort_protection * float(d.escort[r0])
    n_day = 0 if route_blocked else int(round(float(d.day[r0])))
    n_night = 0 if route_blocked else int(round(float(d.night[r0])))
    lost = binomial(rng, n_day, 1 - math.exp(-lam * esc)) + binomial(rng, n_night, 1 - math.exp(-lam * params.night_visibility * esc))
    cargo = (n_day + n_night - lost) * params.cargo_t * (1 - params.escort_penalty * float(d.escort[r0]))
    capacity = min((road_throughput[g] * float(STATE_THROUGHPUT[states[g]]) for g in range(G) if route[g]), default=math.inf)
    delivered = min(cargo, capacity, params.border_t)
    needsum = sum(p["need"])
    share = [n / needsum for n in p["need"]] if needsum > 0 else [1 / 3] * 3
    rest = delivered * (1 - params.cargo_share_drones)
    stocks[0] += rest * share[0]
    stocks[1] += delivered * params.cargo_share_drones * params.drones_per_t
    stocks[2] += rest * share[1]
    stocks[3] += rest * share[2]
    rs = route_survivals(radio, fibre, blocked)
    cut_start = all((blk or surv < ROUTE_CUT_SURVIVAL) for surv, blk in rs) if rs else True
    best_surv = max([0.0 if blk else surv for surv, blk in rs], default=0.0)

    # shortages
    line = [0.0] * S
    for u in range(U):
        if p_line[u]:
            line[loc[u]] += strength[u]
    reserve_str = sum(strength[u] for u in range(U) if side[u] == PLAYER and reserve[u])
    total = sum(line) + reserve_str
    need = [total / 100 * n for n in p["need"]]
    use = [reserve_str / 100 * p["consumption"][0][k] for k in range(3)]
    for s in range(S):
        for k in range(3):
            use[k] += line[s] / 100 * p["consumption"][posture[s]][k]
    ratios = [stocks[[0, 2, 3][k]] / need[k] if need[k] > 0 else 1.0 for k in range(3)]
    eff = min(max(min(max(min(ratios[0], ratios[1]), 0.0), 1.0) ** params.shortage_exponent, params.shortage_floor), 1.0)
    medical = min(max(ratios[2], 0.0), 1.0)
    want_t = p["art_rounds"][PLAYER] * p["art_ammo_t"][PLAYER]
    gun = min(1.0, max(0.0, stocks[0] - use[0]) / want_t) if want_t > 0 else 1.0
    rounds_p = p["art_rounds"][PLAYER] * gun * attack_any

    # rates
    n = params.substeps
    dt = min(params.turn_hours, params.waves * WAVE_HOURS) / n
    a_tot, d_tot = sum(A0), sum(X[PLAYER])
    dmax0 = max(X[PLAYER]) if S else 0.0
    press = [A0[s] * (2.0 - X[PLAYER][s] / (dmax0 + 1.0)) for s in range(S)]
    p_tot = sum(press)
    coef = {k: [[0.0] * S for _ in range(2)] for k in ("aim", "area", "dr", "sup", "art")}
    rounds_e, sorties_e = [0.0] * S, [0.0] * S
    prot = [0.0] * S
    for s in range(S):
        fr = p["frontage"][s]
        prot[s] = p["posture_defence"][posture[s]] * p["terrain_defence"][s] * (1 + params.fort_defence * fort[s])
        dig = p["terrain_defence"][s] * (1 + params.fort_defence * fort[s])
        expo = float(EXPOSURE[posture[s]])
        fm = expo * (COUNTER_ATTACK_FIRE if posture[s] == COUNTER_ATTACK else 1.0) * eff
        pa = p["posture_defence"][5]
        coef["aim"][PLAYER][s] = params.aimed_rate * dt * Q[ENEMY][s] * expo / prot[s]
        coef["area"][PLAYER][s] = params.area_rate * dt * W[ENEMY][s] * expo / (fr * prot[s])
        coef["aim"][ENEMY][s] = params.aimed_rate * dt * Q[PLAYER][s] * fm / pa
        coef["area"][ENEMY][s] = params.area_rate * dt * W[PLAYER][s] * fm / (fr * pa)
        on_a = A0[s] / a_tot if a_tot > 0 else 0.0
        on_p = press[s] / p_tot if p_tot > 0 else 0.0
        in_d = X[PLAYER][s] / d_tot if d_tot > 0 else 0.0
        ddist = on_p if p_tot > 0 else in_d
        coef["dr"][PLAYER][s] = sum(enemy_cas) * ddist * V[PLAYER][s] / n
        coef["dr"][ENEMY][s] = sum(strike_cas) * on_a * V[ENEMY][s] / n
        sh = params.support_share if p_tot > 0 else 0.0
        split = sh * on_p + (1 - sh) * in_d
        rounds_e[s] = p["art_rounds"][ENEMY] * coord * split
        sorties_e[s] = p["air_sorties"][ENEMY] * coord * split
        art_e = rounds_e[s] * p["art_cas"][ENEMY]
        air_e = sorties_e[s] * p["air_cas"][ENEMY]
        art_p = rounds_p * on_a * p["art_cas"][PLAYER] * (1 + RECON_ARTILLERY * recon)
        air_p = p["air_sorties"][PLAYER] * on_a * p["air_cas"][PLAYER]
        coef["sup"][PLAYER][s] = (art_e + air_e) / (fr * dig) / n
        coef["sup"][ENEMY][s] = (art_p + air_p) / fr / n

    Xc = [row_[:] for row_ in X]
    acc = {k: [[0.0] * S for _ in range(2)] for k in ("aim", "area", "dr", "sup")}
    lostX = [[0.0] * S for _ in range(2)]
    for _ in range(n):
        lam_ = [[0.0] * S for _ in range(2)]
        for sd in range(2):
            for s in range(S):
                cap = params.engaged_per_km * p["frontage"][s]
                other = min(Xc[1 - sd][s], cap)
                parts = {
                    "aim": coef["aim"][sd][s] * other,
                    "area": coef["area"][sd][s] * other * Xc[sd][s],
                    "dr": coef["dr"][sd][s] * Xc[sd][s] / (Xc[sd][s] + DRONE_SATURATION),
                    "sup": coef["sup"][sd][s] * Xc[sd][s],
                }
                for k, v in parts.items():
                    acc[k][sd][s] += v
                lam_[sd][s] = sum(parts.values())
        for sd in range(2):
            for s in range(S):
                loss = min(poisson(rng, lam_[sd][s]), Xc[sd][s])
                Xc[sd][s] -= loss
                lostX[sd][s] += loss
    causes = {}
    for k in acc:
        causes[k] = [[0.0] * S for _ in range(2)]
        for sd in range(2):
            for s in range(S):
                tot = sum(acc[c][sd][s] for c in acc)
                causes[k][sd][s] = lostX[sd][s] * acc[k][sd][s] / tot if tot > 0 else 0.0
    # losses per unit
    loss_u = [0.0] * U
    by_cause_u = [[0.0] * 4 for _ in range(U)]
    for u in range(U):
        s = eng[u]
        if s >= S or side[u] not in (0, 1):
            continue
        sd = side[u]
        Xs = X[sd][s]
        sh = x[u] / Xs if Xs > 0 else 0.0
        if sd == ENEMY:
            engaged = min(Xs, params.engaged_per_km * p["frontage"][s])
            le = min(lead[s], engaged)
            if p["lead"][u]:
                aim_sh = (le / engaged if engaged > 0 else 0.0) * (x[u] / lead[s] if lead[s] > 0 else 0.0)
            else:
                restx = Xs - lead[s]
                aim_sh = ((engaged - le) / engaged if engaged > 0 else 0.0) * (x[u] / restx if restx > 0 else 0.0)
        else:
            aim_sh = sh
        vsh = sh * vuln[u] / V[sd][s] if V[sd][s] > 0 else sh
        parts = [causes["aim"][sd][s] * aim_sh, causes["area"][sd][s] * sh, causes["dr"][sd][s] * vsh, causes["sup"][sd][s] * sh]
        tot = sum(parts)
        scale = strength[u] / tot if tot > strength[u] and tot > 0 else 1.0
        by_cause_u[u] = [v * scale for v in parts]
        loss_u[u] = tot * scale
    before = strength[:]
    strength = [strength[u] - loss_u[u] for u in range(U)]
    for u in range(U):
        sl = loss_u[u] / max(before[u], 1.0)
        dm = -MORALE_PER_LOSS * sl
        if side[u] == PLAYER:
            dm -= MORALE_SHORTAGE * (1 - eff) + MORALE_CUT * cut_start
        if sl < 0.02:
            dm += MORALE_RECOVERY * max(p["morale0"][u] - morale[u], 0.0)
        if side[u] == ENEMY and paused:
            dm += MORALE_PAUSE
        morale[u] = min(max(morale[u] + dm, 0.0), 1.0)
    brk1 = [_broken(p, u, strength[u], morale[u]) for u in range(U)]

    # ground
    D1, A1 = [0.0] * S, [0.0] * S
    for u in range(U):
        if p_line[u] and not brk1[u]:
            D1[loc[u]] += strength[u]
        if target[u] >= 0 and not brk1[u]:
            A1[target[u]] += strength[u] * cs
    fell = [False] * S
    given = [False] * S
    newprog = progress[:]
    for s in range(S):
        held = held0[s]
        cap = params.engaged_per_km * p["frontage"][s]
        power = min(D1[s], cap) * max(Q[PLAYER][s], 0.5) * prot[s] * eff * (COUNTER_ATTACK_FIRE if posture[s] == COUNTER_ATTACK else 1.0)
        ratio = min(A1[s], cap) * max(Q[ENEMY][s], 0.5) / max(power, 1e-9)
        delta = min(max(PROGRESS_RATE * (ratio - 1), 0.0), 1.0)
        if posture[s] == COUNTER_ATTACK:
            delta -= 0.3 * min(max(1 - ratio, 0.0), 1.0)
        if posture[s] == DELAY:
            delta = DELAY_PROGRESS
        if not attacked[s]:
            delta = -PROGRESS_DECAY
        if attacked[s] and D1[s] < 1:
            delta = 1.0
        pr = min(max(progress[s] + delta, 0.0), 1.0)
        if held and posture[s] == WITHDRAW:
            pr = 1.0
        fell[s] = held and pr >= 0.999
        given[s] = fell[s] and posture[s] == WITHDRAW
        newprog[s] = 0.0 if (fell[s] or not held) else pr
    new_holder = [ENEMY if fell[s] else holder[s] for s in range(S)]
    still = [h == PLAYER for h in new_holder]
    dmax1 = max(D1) if S else 0.0
    retreat = [0.0] * U
    overrun = [False] * U
    before_loc = loc[:]
    for u in range(U):
        if side[u] != PLAYER or not fell[loc[u]]:
            continue
        s = loc[u]
        cands = [t for t in range(S) if still[t]]
        if not cands:
            overrun[u] = True
            retreat[u] = strength[u] * OVERRUN_LOSS
            continue
        dest = max(cands, key=lambda t: (-1000 * p["dist"][s][t] + D1[t] / (dmax1 + 1), -t))
        share_ = float(RETREAT_LOSS[posture[s]]) if p["dist"][s][dest] <= 1 else CUT_OFF_LOSS
        retreat[u] = 0.0 if reserve[u] else strength[u] * share_
        loc[u] = dest
    for u in range(U):
        if target[u] >= 0 and fell[target[u]]:
            loc[u] = target[u]
    strength = [strength[u] - retreat[u] for u in range(U)]

    # killed, wounded, captured
    new = [[0.0] * 3 for _ in range(2)]
    for u in range(U):
        if side[u] not in (0, 1):
            continue
        cap_u = (loss_u[u] * brk1[u] + retreat[u]) * p["capture"][u]
        rest_u = loss_u[u] + retreat[u] - cap_u
        k = rest_u * p["kill_share"][side[u]]
        new[side[u]][0] += k
        new[side[u]][1] += rest_u - k
        new[side[u]][2] += cap_u
    morale = [morale[u] - MORALE_SECTOR_LOST if side[u] == PLAYER and fell[before_loc[u]] else morale[u] for u in range(U)]
    morale = [min(max(m, 0.0), 1.0) for m in morale]

    # fortification: digging where the grouping fortifies a held, defended sector; shells and bombs erode it
    for s in range(S):
        dig = posture[s] == FORTIFY and held0[s] and D0[s] > 0
        built = min(1.0, fort[s] + params.fortify_gain * dig) - fort[s]
        eroded = (rounds_e[s] * p["art_erosion"][ENEMY] + sorties_e[s] * p["air_erosion"][ENEMY]) * held0[s]
        fort[s] = min(max(fort[s] + built - eroded, 0.0), 1.0)

    # stocks used
    used = [min(stocks[0], use[0] + rounds_p * p["art_ammo_t"][PLAYER]), min(stocks[1], drones_used),
            min(stocks[2], use[1]), min(stocks[3], use[2])]
    stocks = [stocks[k] - used[k] for k in range(4)]

    # the wounded: some die waiting, the rest leave while a route is usable
    waiting = wounded_pending + new[PLAYER][1]
    fuel = min(max(ratios[1], 0.0), 1.0)
    dow = waiting * min(1.0, params.died_of_wounds * (1.0 + DOW_MEDICAL_SHORTAGE * (1.0 - medical)))
    left = waiting - dow
    evacuated = left * params.evacuation * (not cut_start) * min(max(best_surv, 0.0), 1.0) * max(fuel, EVACUATION_FLOOR)
    pending = left - evacuated

    # the attacker takes stock; fresh soldiers join the units still in being
    paused_next = attack_any and not paused and sum(new[ENEMY]) > params.pause_threshold * max(sum(A0), 1e-9)
    activity = min(1.0, (n_day + n_night) / max(params.trucks_available, 1))
    road_share = params.road_share0 + params.react * activity * (params.road_share_max - params.road_share0)
    for sd in (PLAYER, ENEMY):
        amount = p["reinforcements"][sd]
        if amount <= 0:
            continue
        weights = [p["strength0"][u] if side[u] == sd and strength[u] >= 1.0 and not reserve[u] else 0.0 for u in range(U)]
        total_w = sum(weights)
        if total_w > 0:
            strength = [strength[u] + amount * weights[u] / total_w for u in range(U)]

    # the road at the end of the turn: repairs, an air strike, the threat from the new front line
    for g in range(G):
        if rng.random() < REPAIR_PROBABILITY and damage[g] > 0:
            damage[g] -= 1
    if p["air_road_hit"][ENEMY] > 0 and any(p["on_road"]):
        hit = rng.random() < p["air_road_hit"][ENEMY]
        pick = rng.random() * sum(p["length"][g] for g in range(G) if p["on_road"][g])
        reached, seg = 0.0, G - 1
        for g in range(G):
            reached += p["length"][g] * p["on_road"][g]
            if reached > pick:
                seg = g
                break
        if hit:
            damage[seg] = min(3, max(states[seg], damage[seg]) + 1)
    if any(fell):
        radio, fibre, _, _, _ = exposure([h == PLAYER for h in new_holder])
    blocked_end = blocked_of(new_holder, damage)
    road_end = states_of(radio, fibre, damage, blocked_end)
    routes_end = route_survivals(radio, fibre, blocked_end)
    cut_end = all((blk or surv < ROUTE_CUT_SURVIVAL) for surv, blk in routes_end) if routes_end else True
    cut_clock = cut_clock + 1 if cut_end else 0

    # withdrawal and endings
    if withdrawing:
        withdraw_left -= 1
    done = withdrawing and withdraw_left <= 0
    if done:  # the grouping gets out, paying on the way in proportion to the danger of the best route
        exit_survival = max([0.0 if blk else surv for surv, blk in routes_end], default=0.0)
        for u in range(U):
            if side[u] != PLAYER:
                continue
            out_loss = strength[u] * WITHDRAWAL_EXIT_LOSS * (1.0 - exit_survival)
            strength[u] -= out_loss
            out_captured = out_loss * p["capture"][u]
            out_killed = (out_loss - out_captured) * p["kill_share"][PLAYER]
            new[PLAYER][0] += out_killed
            new[PLAYER][1] += out_loss - out_captured - out_killed
            new[PLAYER][2] += out_captured
        new[PLAYER][2] += pending * (1.0 - exit_survival)
        pending = 0.0
        new_holder = [ENEMY if h == PLAYER else h for h in new_holder]
    area = sum(p["area"][s] for s in range(S) if new_holder[s] == PLAYER)
    start_total = sum(p["strength0"][u] for u in range(U) if side[u] == PLAYER)
    ending = 0
    if turn >= params.turns:
        ending = ENDING_CODE["time"]
    if area <= params.falls_below:
        ending = ENDING_CODE["bridgehead_fell"]
    if cut_clock > params.clock_turns:
        ending = ENDING_CODE["encircled"]
    if sum(strength[u] for u in range(U) if side[u] == PLAYER) < params.destroyed_share * start_total:
        ending = ENDING_CODE["destroyed"]
    if done:
        ending = ENDING_CODE["withdrawn"]
    return {
        "own_losses": sum(new[PLAYER]),
        "enemy_losses": sum(new[ENEMY]),
        "own_killed": new[PLAYER][0],
        "enemy_captured": new[ENEMY][2],
        "trucks_lost": float(lost),
        "delivered": delivered,
        "area_held": area,
        "effectiveness": eff,
        "best_survival": best_surv,
        "died_of_wounds": dow,
        "wounded_pending": pending,
        "own_strength": sum(strength[u] for u in range(U) if side[u] == PLAYER),
        "enemy_strength": sum(strength[u] for u in range(U) if side[u] == ENEMY),
        "own_morale": sum(morale[u] for u in range(U) if side[u] == PLAYER),
        "fortification": sum(fort),
        "ammunition": stocks[0],
        "drones": stocks[1],
        "fuel": stocks[2],
        "road_damage": float(sum(damage)),
        "road_state": float(sum(road_end)),
        "cut_clock": float(cut_clock),
        "road_share": road_share,
        "paused": float(paused_next),
        "ended": float(ending > 0),
    }
