"""A pure-Python reference of one turn for one replication: plain floats, loops, exact random draws.

Test code, not part of the game: tests/test_engine_core.py and benchmarks/bench_engine.py import it.

It follows the same equations as the vectorised kernel (game.engine.turn and the modules it calls)
but written the slow, obvious way, one unit and one sector at a time, with Python's `random`
module drawing exact Poisson and binomial variates. It exists to cross-check the kernel
statistically (means over many replications must agree within a few standard errors) and to
measure the kernel's speed-up. It resolves one whole turn from a given state, as the kernel does, from
the orders to the endings, in the kernel's seventeen phases (one function each, same names); it leaves
injects out (they fire before the turn).

Only the kernel's named constants are imported; every equation is written out again here, so a change
to the kernel's model that the reference does not share shows up as a disagreement in the cross-check
(tests/test_engine_core.py).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from types import SimpleNamespace
from typing import Any

from game.engine.combat import (
    COUNTER_ATTACK_FIRE,
    DEPTH_LIMIT,
    DEPTH_WEIGHT,
    DRONE_COVER,
    DRONE_EXPOSURE,
    DRONE_HITS_PER_KM,
    DRONE_SATURATION,
    EXPOSURE,
    FORTIFY_FIRE,
    MORALE_REFERENCE,
    RECON_ARTILLERY,
    ROUNDS_PER_KM,
    SORTIES_PER_KM,
)
from game.engine.directives import Directives
from game.engine.drones import (
    COUNTER_DRONE_SUPPRESSION,
    FIBRE,
    FIBRE_OUT_OF_REACH,
    OVERWATCH_SUPPRESSION,
    RADIO,
    RECON_TEAMS,
    ROAD_HAZARD_KMH,
)
from game.engine.opfor import MAIN_EFFORT_WAVES, MORALE_BREAK, ORDINARY_BREAKING_POINT, REFORM_PER_TURN, WAVE_HOURS
from game.engine.params import (
    AMMUNITION,
    ASSAULT,
    CAPTURED,
    CASUALTY_KINDS,
    COUNTER_ATTACK,
    COUNTER_DRONE,
    CUT,
    DELAY,
    DRONES,
    ENDING_CODE,
    ENEMY,
    EW_FRONT,
    EW_ROAD,
    FAR,
    FOOD_MEDICAL,
    FORTIFY,
    FUEL,
    HOLD,
    KILLED,
    PLAYER,
    RECON,
    ROAD_OVERWATCH,
    STRIKE,
    SUPPLY_AMMUNITION,
    SUPPLY_FOOD_MEDICAL,
    SUPPLY_FUEL,
    SUPPLY_KINDS,
    SUPPLY_STOCK,
    WITHDRAW,
    WOUNDED,
    Params,
)
from game.engine.state import State
from game.engine.supply import (
    DOW_MEDICAL_SHORTAGE,
    EVACUATION_FLOOR,
    POCKET_SHARE,
    REPAIR_PROBABILITY,
    ROUTE_CUT_SURVIVAL,
    STATE_SURVIVAL,
    STATE_THROUGHPUT,
    STOCK_TARGET_TURNS,
)
from game.engine.territory import (
    CUT_OFF_LOSS,
    DELAY_ODDS,
    DELAY_PROGRESS,
    OVERRUN_LOSS,
    PROGRESS_DECAY,
    PROGRESS_RATE,
    RETREAT_LOSS,
)
from game.engine.turn import (
    CAPTURED_IN_CLOSE_FIGHT,
    CAPTURED_WHEN_BROKEN,
    CONSOLIDATION_TURNS,
    DIG_UNDER_FIRE,
    INFILTRATION_POWER,
    MORALE_CUT,
    MORALE_PAUSE,
    MORALE_PER_LOSS,
    MORALE_RECOVERY,
    MORALE_RECOVERY_LOSSES,
    MORALE_SECTOR_LOST,
    MORALE_SHORTAGE,
    OVERRUN_CAPTURED,
    SUPPRESSION,
    WITHDRAWAL_EXIT_LOSS,
)

SIDES = (PLAYER, ENEMY)
OTHER_SIDE = {PLAYER: ENEMY, ENEMY: PLAYER}
KINDS = range(len(CASUALTY_KINDS))
"""The loss-book columns: KILLED, WOUNDED, CAPTURED."""


# --- exact random draws -------------------------------------------------------------------------


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


# --- the model's small formulas, one number at a time ----------------------------------------------


def effective(x: float, cap: float) -> float:
    """Effective engaged soldiers: all up to the frontage's cap, DEPTH_WEIGHT of each beyond it, up to
    DEPTH_LIMIT caps beyond it."""
    return (1.0 - DEPTH_WEIGHT) * min(x, cap) + DEPTH_WEIGHT * min(x, (1.0 + DEPTH_LIMIT) * cap)


def saturate(x: float, per_km: float, frontage: float) -> float:
    """Fire delivered on a front with diminishing returns towards per_km × frontage."""
    limit = per_km * frontage
    return limit * -math.expm1(-x / limit)


def posture_fire(posture: int) -> float:
    """The player's own fire by posture: the close fight it accepts, less while digging, more counter-attacking."""
    boost = FORTIFY_FIRE if posture == FORTIFY else COUNTER_ATTACK_FIRE if posture == COUNTER_ATTACK else 1.0
    return float(EXPOSURE[posture]) * boost


def is_broken(p: Any, u: int, strength: float, morale: float, reference: float) -> bool:
    """Past the breaking point (measured from the reference strength), wiped out, or with collapsed morale."""
    return strength < 1.0 or strength < (1.0 - p.units.breaking[u]) * reference - 1e-9 or morale < MORALE_BREAK


def by_sector(S: int, pairs: Iterable[tuple[int, float]]) -> list[float]:
    """Sums of values by sector from (sector, value) pairs."""
    out = [0.0] * S
    for sec, value in pairs:
        out[sec] += value
    return out


def plain(params: Params) -> dict[str, Any]:
    """The parameters as plain Python: the frame as it is, each group of `Params` a namespace of lists and floats
    (the routes as lists of segment numbers), and the counts S, U, G, D."""
    out: dict[str, Any] = {}
    for f in fields(params):
        v = getattr(params, f.name)
        if is_dataclass(v) and f.name != "layout":
            v = SimpleNamespace(**{g.name: _plain_value(getattr(v, g.name)) for g in fields(v)})
        out[f.name] = v
    out["roads"].routes = [[int(g) for g in route] for route in params.roads.routes]
    out["S"], out["U"], out["G"], out["D"] = params.S, params.U, params.G, params.D
    return out


def _plain_value(v: Any) -> Any:
    return v.tolist() if hasattr(v, "tolist") else v


# --- the road -----------------------------------------------------------------------------------------


def blocked_segments(p: Any, holder: list[int], damage: list[int]) -> list[bool]:
    """Segments no truck can pass: destroyed, or with an end place in enemy hands."""
    out = []
    for g in range(p.G):
        ends_lost = any(e >= 0 and holder[e] == ENEMY for e in p.roads.end_sectors[g])
        out.append(damage[g] >= CUT or ends_lost)
    return out


def reachable(p: Any, blocked: list[bool]) -> list[tuple[bool, list[int]]]:
    """Per route (is it the road?, the segments a convoy from the border drives: those before the first blocked)."""
    out = []
    for route in p.roads.routes:
        driven = []
        for g in route:
            if blocked[g]:
                break
            driven.append(g)
        out.append((bool(p.roads.on_road[route[0]]), driven))
    return out


def segment_states(total: list[float], damage: list[int], blocked: list[bool]) -> list[int]:
    """Road state codes, OPEN .. CUT: the worse of the drone threat, physical damage and a blocked segment."""
    out = []
    for g in range(len(total)):
        survival = math.exp(-total[g])
        threat = sum(1 for level in STATE_SURVIVAL if survival < level)
        out.append(max(threat, damage[g], CUT if blocked[g] else 0))
    return out


def route_survival(total: list[float], driven: list[int]) -> float:
    """Daylight survival of one truck over the segments driven."""
    return math.exp(-sum(total[g] for g in driven))


def best_route_survival(p: Any, total: list[float], blocked: list[bool]) -> float:
    """Survival per trip on the better route as far as it reaches (0 when none reaches)."""
    return max([route_survival(total, driven) for _, driven in reachable(p, blocked) if driven], default=0.0)


def cut_off(p: Any, total: list[float], blocked: list[bool], holder: list[int], line: list[float]) -> bool:
    """Every route unusable, or the usable ones feed only a pocket holding at most POCKET_SHARE of the line."""
    S = p.S
    held = [h == PLAYER for h in holder]
    fed = [False] * S
    for _, driven in reachable(p, blocked):
        if not driven or route_survival(total, driven) < ROUTE_CUT_SURVIVAL:
            continue
        for g in driven:  # the convoys can unload at every place they reach
            for end in p.roads.end_sectors[g]:
                if end >= 0 and held[end]:
                    fed[end] = True
    grew = True
    while grew:  # and the supplies go on through held neighbours
        grew = False
        for a in range(S):
            if held[a] and not fed[a] and any(fed[b] and p.sectors.adjacent[a][b] for b in range(S)):
                fed[a] = grew = True
    if not any(fed):
        return True
    pocketed = sum(line[sec] for sec in range(S) if not fed[sec])
    return pocketed > POCKET_SHARE * max(sum(line), 1e-9)


def road_exposure(p: Any, s: Any, t: Any, screen: list[float]) -> SimpleNamespace:
    """Expected attacks on one truck crossing each segment by day (radio, fibre, total), and the road sorties
    with no segment in reach (they go to the front)."""
    S, G = p.S, p.G
    depth = p.sectors.screen_depth
    distance = [s.road_distance[g] + sum(screen[sec] * depth[sec][g] for sec in range(S)) for g in range(G)]
    radio, fibre, idle = [0.0] * G, [0.0] * G, [0.0] * p.D
    for i in range(p.D):
        if p.drones.side[i] != ENEMY:
            continue
        in_reach = [distance[g] <= p.drones.reach[i] for g in range(G)]
        watched = sum(p.roads.length[g] * p.roads.watch[g] for g in range(G) if in_reach[g])
        if watched <= 0:
            idle[i] = t.road_sorties[i]
            continue
        kill = (
            p.drones.p_reach[i]
            * (1 - p.drones.p_fail[i])
            * min(1.0, p.drones.p_hit[i] * t.coord)
            * p.drones.vehicle_kill[i]
        )
        for g in range(G):
            if not in_reach[g]:
                continue
            per_km = t.road_sorties[i] * p.roads.watch[g] / watched  # spread by length × watch, per km of this segment
            netting = 1 - p.convoys.netting_protection * t.net_share * p.roads.on_road[g]
            hours = p.roads.length[g] / s.road_speed[g]
            exposed = per_km * kill * netting * (1 - p.roads.concealment[g]) * ROAD_HAZARD_KMH * hours
            if p.drones.fibre[i]:  # part of the fibre threat is out of overwatch's reach
                fibre[g] += exposed * (FIBRE_OUT_OF_REACH + (1 - FIBRE_OUT_OF_REACH) * t.overwatch)
            else:
                radio[g] += exposed * t.overwatch * (1 - p.drones.jam[i] * t.pj_road)
    total = [radio[g] + fibre[g] for g in range(G)]
    return SimpleNamespace(radio=radio, fibre=fibre, total=total, idle=idle)


# --- the turn, phase by phase ------------------------------------------------------------------------


def reference_turn(
    params: Params, st: State, d: Directives, rng: random.Random, row: int = 0, pp: dict[str, Any] | None = None
) -> dict[str, float]:
    """Resolve one turn of replication `row` of `st`; returns the headline outcomes."""
    p = SimpleNamespace(**(pp or plain(params)))
    s = SimpleNamespace(turn=st.turn, **{name: value[row].tolist() for name, value in st.arrays().items()})
    r0 = 0 if d.drones.shape[0] == 1 else row
    o = SimpleNamespace(**{name: value[r0].tolist() for name, value in d.__dict__.items()})
    t = SimpleNamespace(
        coord=1.0 + p.doctrine.adaptation * (s.turn - 1),
        start=SimpleNamespace(casualties=[row_[:] for row_ in s.casualties], arrived=s.arrived[:]),
    )
    _orders(p, s, o, t)
    _contact(p, s, t)
    _drones(p, s, o, t)
    _needs(p, s, t)
    _convoys(p, s, o, t, rng)
    _supply(p, s, t)
    _fight(p, s, t, rng)
    _morale(p, s, t)
    _ground(p, s, t)
    _works(p, s, t)
    _books(p, t)
    _stocks(p, s, t)
    _wounded(p, s, t)
    _attacker(p, s, t)
    _road(p, s, t, rng)
    _endings(p, s, t)
    return _accounting(p, s, t)


def _orders(p: Any, s: Any, o: Any, t: Any) -> None:
    """1. Postures, reserves, the withdrawal and netting take effect; units adapt to drones."""
    t.held0 = [h == PLAYER for h in s.holder]
    for sec in range(p.S):
        if o.posture_set[sec] and t.held0[sec]:
            s.posture[sec] = o.posture[sec]
    for u in range(p.U):
        c = o.commit[u]
        if c >= 0 and s.reserve[u] and t.held0[c]:
            s.loc[u], s.reserve[u] = c, False
    if o.withdraw and not s.withdrawing:
        s.withdrawing, s.withdraw_left = True, float(p.endings.withdrawal_turns)
    # while the grouping withdraws, every sector not yet given up delays
    t.posture = [DELAY if s.withdrawing and s.posture[sec] != WITHDRAW else s.posture[sec] for sec in range(p.S)]
    s.netting_km = s.netting_km * (1 - p.convoys.netting_decay) + p.convoys.netting_km_per_turn * o.netting
    if s.turn > 1:
        s.vuln = [max(p.units.vuln_floor[u], s.vuln[u] * (1 - p.units.adapt[u])) for u in range(p.U)]


def _contact(p: Any, s: Any, t: Any) -> None:
    """2. Who fights where: the player's line, the enemy's targets (an approach march moves units), the waves."""
    S, U = p.S, p.U
    t.brk0 = [is_broken(p, u, s.strength[u], s.morale[u], s.reference[u]) for u in range(U)]
    t.p_line = [p.units.side[u] == PLAYER and not s.reserve[u] and t.held0[s.loc[u]] for u in range(U)]
    fighting = [t.p_line[u] and not t.brk0[u] for u in range(U)]
    t.D0 = by_sector(S, ((s.loc[u], s.strength[u]) for u in range(U) if fighting[u]))
    t.target = _targets(p, s, t)
    t.share = [_contact_share(p, u, t.target[u]) for u in range(U)]
    t.x = [(s.strength[u] if fighting[u] else 0.0) + s.strength[u] * t.share[u] for u in range(U)]
    t.eng = [s.loc[u] if fighting[u] else t.target[u] if t.target[u] >= 0 else S for u in range(U)]
    # each side's soldiers in contact by sector and their mean qualities
    X, Q, W, V = ([[0.0] * S for _ in SIDES] for _ in range(4))
    lead, infiltrators = [0.0] * S, [0.0] * S
    for u in range(U):
        sd, sec = p.units.side[u], t.eng[u]
        if sec >= S or sd not in SIDES:
            continue
        m = (0.5 + s.morale[u]) / (0.5 + MORALE_REFERENCE)
        X[sd][sec] += t.x[u]
        Q[sd][sec] += t.x[u] * p.units.firepower[u] * (0.5 + p.units.training[u]) * m
        W[sd][sec] += t.x[u] * p.units.firepower[u] * m
        V[sd][sec] += t.x[u] * s.vuln[u]
        if p.units.lead[u]:
            lead[sec] += t.x[u]
        if p.units.infiltrator[u]:
            infiltrators[sec] += t.x[u]
    for sd in SIDES:
        for sec in range(S):
            if X[sd][sec] > 0:
                Q[sd][sec] /= X[sd][sec]
                W[sd][sec] /= X[sd][sec]
                V[sd][sec] /= X[sd][sec]
    t.X, t.Q, t.W, t.V, t.lead = X, Q, W, V, lead
    t.inside = [infiltrators[sec] / X[ENEMY][sec] if X[ENEMY][sec] > 0 else 0.0 for sec in range(S)]
    t.attacked = [X[ENEMY][sec] > 0 for sec in range(S)]
    t.attack_any = any(t.attacked)


def _targets(p: Any, s: Any, t: Any) -> list[int]:
    """Each enemy unit's target sector (-1 none): where it stands if the player holds it, else the best held
    sector in reach (main effort, then the thinnest defence, near before far), approached a sector a turn if
    not adjacent; assaulted only at the doctrine's force ratio, except by infiltrators inside the sector."""
    S, U = p.S, p.U
    strongest = max(t.D0) if S else 0.0

    def score(origin: int, sec: int) -> float:
        hops = p.sectors.dist[origin][sec]
        return float(
            4.0 * p.sectors.main_effort_rank[sec]
            - 3.0 * max(hops - 1.0, 0.0)
            + 2.0 * (1.0 - t.D0[sec] / (strongest + 1.0))
        )

    aim, inside = [-1] * U, [False] * U
    for u in range(U):
        if p.units.side[u] != ENEMY or t.brk0[u] or s.paused[u] > 0:
            continue
        here = s.loc[u]
        if t.held0[here]:  # already in the player's sector: it fights there
            aim[u], inside[u] = here, True
            continue
        options = [sec for sec in range(S) if t.held0[sec] and p.sectors.dist[here][sec] < FAR]
        if not options:
            continue
        best = max(options, key=lambda sec: (score(here, sec), -sec))
        if p.sectors.dist[here][best] <= 1:
            aim[u] = best
        else:
            s.loc[u] = p.sectors.next_hop[here][best]
    massed = by_sector(S, ((aim[u], s.strength[u]) for u in range(U) if aim[u] >= 0))
    target = [-1] * U
    for u in range(U):
        if aim[u] < 0:
            continue
        if massed[aim[u]] >= p.doctrine.min_ratio * t.D0[aim[u]] or (inside[u] and p.units.infiltrator[u]):
            target[u] = aim[u]
    return target


def _contact_share(p: Any, u: int, target: int) -> float:
    """Share of an assaulting unit in contact at a time: one wave, more against the main effort; an infiltrator all."""
    if target < 0:
        return 0.0
    if p.units.infiltrator[u]:
        return 1.0
    wave = p.doctrine.aggression * p.doctrine.wave_share if p.doctrine.waves > 0 else 0.0
    return float(wave * (1.0 + MAIN_EFFORT_WAVES * p.sectors.main_effort_rank[target]))


def _drones(p: Any, s: Any, o: Any, t: Any) -> None:
    """3. Both sides' drones: sorties, the enemy's front casualties, each road segment's threat to a truck."""
    D = p.D
    tasks = [float(v) for v in o.drones]
    ew_front, ew_road = float(o.ew[EW_FRONT]), float(o.ew[EW_ROAD])
    mine = [p.drones.side[i] == PLAYER for i in range(D)]
    theirs = [p.drones.side[i] == ENEMY for i in range(D)]
    teams_p = max(sum(p.drones.teams[i] for i in range(D) if mine[i]), 1.0)
    per_team = [p.drones.teams[i] / teams_p * p.drones.sorties[i] if mine[i] else 0.0 for i in range(D)]
    strike = [tasks[STRIKE] * per_team[i] * t.attack_any for i in range(D)]
    counter = [tasks[COUNTER_DRONE] * per_team[i] for i in range(D)]
    wanted = sum(strike) + sum(counter)
    f = min(1.0, s.stocks[DRONES] / wanted) if wanted > 0 else 0.0
    pj_enemy = 1 - math.exp(p.drones.ew_teams[ENEMY] * p.drones.ew_log_survival[ENEMY])
    t.strike_cas, cd_hits, ow_hits = [0.0, 0.0], 0.0, 0.0
    for i in range(D):
        if not mine[i]:
            continue
        reach = p.drones.p_reach[i] * (1 - p.drones.jam[i] * pj_enemy) * (1 - p.drones.p_fail[i])
        guidance = FIBRE if p.drones.fibre[i] else RADIO
        t.strike_cas[guidance] += strike[i] * f * reach * p.drones.p_hit[i] * p.drones.lethality[i]
        cd_hits += counter[i] * f * reach * p.drones.p_hit[i]
        ow_hits += (
            tasks[ROAD_OVERWATCH] * per_team[i] * p.drones.p_reach[i] * (1 - p.drones.p_fail[i]) * p.drones.p_hit[i]
        )
    t.drones_used = wanted * f
    t.recon = 1 - math.exp(-tasks[RECON] / RECON_TEAMS)
    teams_e = max(sum(p.drones.teams[i] for i in range(D) if theirs[i]), 1.0)
    suppression = math.exp(-COUNTER_DRONE_SUPPRESSION * cd_hits / teams_e)
    flown = [p.drones.teams[i] * p.drones.sorties[i] * suppression if theirs[i] else 0.0 for i in range(D)]
    t.road_sorties = [flown[i] * s.road_share for i in range(D)]
    front = [flown[i] - t.road_sorties[i] for i in range(D)]
    t.overwatch = math.exp(-OVERWATCH_SUPPRESSION * ow_hits / max(teams_e * s.road_share, 1e-9))
    t.pj_road = 1 - math.exp(ew_road * p.drones.ew_log_survival[PLAYER])
    road_len = sum(p.roads.length[g] for g in range(p.G) if p.roads.on_road[g])
    t.net_share = min(1.0, s.netting_km / road_len) if road_len > 0 else 0.0
    # the road, screened by held sectors as far as the attacker has not penetrated them
    t.screen0 = [(1.0 - s.progress[sec]) if t.held0[sec] else 0.0 for sec in range(p.S)]
    t.expo = road_exposure(p, s, t, t.screen0)
    pj_front = 1 - math.exp(ew_front * p.drones.ew_log_survival[PLAYER])
    t.enemy_cas = [0.0, 0.0]
    for i in range(D):
        if theirs[i]:  # road sorties with nothing in reach fly over the front
            sorties = front[i] + t.expo.idle[i]
            hits = sorties * p.drones.p_reach[i] * (1 - p.drones.p_fail[i]) * min(1.0, p.drones.p_hit[i] * t.coord)
            guidance = FIBRE if p.drones.fibre[i] else RADIO
            t.enemy_cas[guidance] += hits * p.drones.lethality[i] * (1 - p.drones.jam[i] * pj_front)


def _needs(p: Any, s: Any, t: Any) -> None:
    """4. What the line needs on hand to fight at full effect (ammunition by the soldiers who fire, fuel and food
    by head), and what its postures use this turn."""
    S, U = p.S, p.U
    t.line = by_sector(S, ((s.loc[u], s.strength[u]) for u in range(U) if t.p_line[u]))
    fighters = [effective(t.line[sec], p.combat.engaged_per_km * p.sectors.frontage[sec]) for sec in range(S)]
    reserve = sum(s.strength[u] for u in range(U) if p.units.side[u] == PLAYER and s.reserve[u])
    heads = sum(t.line) + reserve
    need, consumption = p.supply.need, p.supply.consumption  # by supply kind
    t.need = [0.0] * len(SUPPLY_KINDS)
    t.need[SUPPLY_AMMUNITION] = sum(fighters) / 100 * need[SUPPLY_AMMUNITION]
    t.need[SUPPLY_FUEL] = heads / 100 * need[SUPPLY_FUEL]
    t.need[SUPPLY_FOOD_MEDICAL] = heads / 100 * need[SUPPLY_FOOD_MEDICAL]
    t.use = [0.0] * len(SUPPLY_KINDS)
    t.use[SUPPLY_AMMUNITION] = sum(
        fighters[sec] / 100 * consumption[t.posture[sec]][SUPPLY_AMMUNITION] for sec in range(S)
    )
    for k in (SUPPLY_FUEL, SUPPLY_FOOD_MEDICAL):
        in_line = sum(t.line[sec] / 100 * consumption[t.posture[sec]][k] for sec in range(S))
        t.use[k] = in_line + reserve / 100 * consumption[HOLD][k]  # the reserves use as if they held


def _convoys(p: Any, s: Any, o: Any, t: Any, rng: random.Random) -> None:
    """5. Trucks drive their route as far as it is open; losses are drawn; the cargo fills the largest gaps."""
    blocked = blocked_segments(p, s.holder, s.damage)
    t.states = segment_states(t.expo.total, s.damage, blocked)
    driven = next((segs for is_road, segs in reachable(p, blocked) if is_road != bool(o.tracks)), [])
    lam = sum(t.expo.total[g] for g in driven)
    esc = 1 - p.convoys.escort_protection * float(o.escort)
    n_day = round(float(o.day)) if driven else 0
    n_night = round(float(o.night)) if driven else 0
    t.trucks_sent = n_day + n_night
    t.trucks_lost = binomial(rng, n_day, 1 - math.exp(-lam * esc)) + binomial(
        rng, n_night, 1 - math.exp(-lam * p.convoys.night_visibility * esc)
    )
    cargo = (t.trucks_sent - t.trucks_lost) * p.convoys.cargo_t * (1 - p.convoys.escort_penalty * float(o.escort))
    capacity = min((s.road_throughput[g] * float(STATE_THROUGHPUT[t.states[g]]) for g in driven), default=math.inf)
    t.delivered = min(cargo, capacity, p.supply.border_t)
    # drones by count; the rest where the gap to STOCK_TARGET_TURNS of need is largest, then by need
    rest = t.delivered * (1 - p.convoys.cargo_share_drones)
    kinds = range(len(SUPPLY_KINDS))
    gaps = [max(STOCK_TARGET_TURNS * t.need[k] - s.stocks[SUPPLY_STOCK[k]], 0.0) for k in kinds]
    into_gaps = min(rest, sum(gaps))
    for k in kinds:
        to_gap = into_gaps * gaps[k] / sum(gaps) if sum(gaps) > 0 else 0.0
        by_need = t.need[k] / sum(t.need) if sum(t.need) > 0 else 1 / 3
        s.stocks[SUPPLY_STOCK[k]] += to_gap + (rest - into_gaps) * by_need
    s.stocks[DRONES] += t.delivered * p.convoys.cargo_share_drones * p.convoys.drones_per_t
    t.cut_start = cut_off(p, t.expo.total, blocked, s.holder, t.line)
    t.best_survival = best_route_survival(p, t.expo.total, blocked)


def _supply(p: Any, s: Any, t: Any) -> None:
    """6. An ammunition shortage sets the player's fire; the guns fire what is left after the line's (rationed) use."""
    ratio = [s.stocks[SUPPLY_STOCK[k]] / t.need[k] if t.need[k] > 0 else 1.0 for k in range(len(SUPPLY_KINDS))]
    fire = min(max(ratio[SUPPLY_AMMUNITION], 0.0), 1.0) ** p.supply.shortage_exponent
    t.eff = min(max(fire, p.supply.shortage_floor), 1.0)
    t.fuel = min(max(ratio[SUPPLY_FUEL], 0.0), 1.0)
    t.medical = min(max(ratio[SUPPLY_FOOD_MEDICAL], 0.0), 1.0)
    want_t = p.artillery.rounds[PLAYER] * p.artillery.ammo_t_per_round[PLAYER]
    gun = min(1.0, max(0.0, s.stocks[AMMUNITION] - t.use[SUPPLY_AMMUNITION] * t.eff) / want_t) if want_t > 0 else 1.0
    t.rounds_p = p.artillery.rounds[PLAYER] * gun * t.attack_any


def _fight(p: Any, s: Any, t: Any, rng: random.Random) -> None:
    """7. The close fight, drones, artillery and air in sub-steps; each unit's share of its sector's losses."""
    _rates(p, s, t)
    _attrition(p, t, rng)
    _unit_losses(p, s, t)
    s.strength = [s.strength[u] - t.loss_u[u] for u in range(p.U)]


def _rates(p: Any, s: Any, t: Any) -> None:
    """Per sub-step coefficients of aimed, area, drone and support fire by side (the one that suffers) and sector."""
    S, n = p.S, p.substeps
    A, D = t.X[ENEMY], t.X[PLAYER]
    dt = min(p.turn_hours, p.doctrine.waves * WAVE_HOURS) / n
    a_tot, d_tot = sum(A), sum(D)
    deepest = max(D) if S else 0.0
    press = [A[sec] * (2.0 - D[sec] / (deepest + 1.0)) for sec in range(S)]  # hardest where the defence is thinnest
    p_tot = sum(press)
    t.coef = {k: [[0.0] * S for _ in SIDES] for k in ("aim", "area", "dr", "sup")}
    t.rounds_e, t.sorties_e, t.prot = [0.0] * S, [0.0] * S, [0.0] * S
    prot_att = p.combat.posture_defence[ASSAULT]
    for sec in range(S):
        fr, pos, fort = p.sectors.frontage[sec], t.posture[sec], s.fort[sec]
        # the works face outward: infiltrators come up behind them
        t.prot[sec] = (
            p.combat.posture_defence[pos]
            * p.sectors.terrain_defence[sec]
            * (1 + p.combat.fort_defence * fort * (1 - t.inside[sec]))
        )
        dig = p.sectors.terrain_defence[sec] * (1 + p.combat.fort_defence * fort)
        expo = float(EXPOSURE[pos])
        fire = posture_fire(pos) * t.eff
        t.coef["aim"][PLAYER][sec] = p.combat.aimed_rate * dt * t.Q[ENEMY][sec] * expo / t.prot[sec]
        t.coef["area"][PLAYER][sec] = p.combat.area_rate * dt * t.W[ENEMY][sec] * expo / (fr * t.prot[sec])
        t.coef["aim"][ENEMY][sec] = p.combat.aimed_rate * dt * t.Q[PLAYER][sec] * fire / prot_att
        t.coef["area"][ENEMY][sec] = p.combat.area_rate * dt * t.W[PLAYER][sec] * fire / (fr * prot_att)
        on_assault = A[sec] / a_tot if a_tot > 0 else 0.0
        on_press = press[sec] / p_tot if p_tot > 0 else 0.0
        in_depth = D[sec] / d_tot if d_tot > 0 else 0.0
        # drones: the enemy's go to the assaults (else harass the defence), found less under cover
        drone_share = on_press if p_tot > 0 else in_depth
        cover = float(DRONE_EXPOSURE[pos]) / (1 + DRONE_COVER * fort)
        hits_p = sum(t.enemy_cas) * drone_share * t.V[PLAYER][sec] * cover
        hits_e = sum(t.strike_cas) * on_assault * t.V[ENEMY][sec] * float(DRONE_EXPOSURE[ASSAULT])
        t.coef["dr"][PLAYER][sec] = saturate(hits_p, DRONE_HITS_PER_KM, fr) / n
        t.coef["dr"][ENEMY][sec] = saturate(hits_e, DRONE_HITS_PER_KM, fr) / n
        # guns and bombs: the enemy's support_share on the assaults, the rest on the defence in depth
        share = p.doctrine.support_share if p_tot > 0 else 0.0
        split = share * on_press + (1 - share) * in_depth
        t.rounds_e[sec] = saturate(p.artillery.rounds[ENEMY] * t.coord * split, ROUNDS_PER_KM, fr)
        t.sorties_e[sec] = saturate(p.air.sorties[ENEMY] * t.coord * split, SORTIES_PER_KM, fr)
        on_p = t.rounds_e[sec] * p.artillery.cas_per_round[ENEMY] + t.sorties_e[sec] * p.air.cas_per_sortie[ENEMY]
        art_p = (
            saturate(t.rounds_p * on_assault, ROUNDS_PER_KM, fr)
            * p.artillery.cas_per_round[PLAYER]
            * (1 + RECON_ARTILLERY * t.recon)
        )
        air_p = saturate(p.air.sorties[PLAYER] * on_assault, SORTIES_PER_KM, fr) * p.air.cas_per_sortie[PLAYER]
        t.coef["sup"][PLAYER][sec] = on_p / (fr * dig) / n
        t.coef["sup"][ENEMY][sec] = (art_p + air_p) / fr / n


def _attrition(p: Any, t: Any, rng: random.Random) -> None:
    """The sub-steps: both sides' losses drawn from the same state (exact Poisson), then split by cause."""
    S = p.S
    Xc = [row_[:] for row_ in t.X]
    acc = {k: [[0.0] * S for _ in SIDES] for k in t.coef}
    lost = [[0.0] * S for _ in SIDES]
    for _ in range(p.substeps):
        lam = [[0.0] * S for _ in SIDES]
        for sd in SIDES:
            for sec in range(S):
                cap = p.combat.engaged_per_km * p.sectors.frontage[sec]
                other = effective(Xc[OTHER_SIDE[sd]][sec], cap)
                here = Xc[sd][sec]
                parts = {
                    "aim": t.coef["aim"][sd][sec] * other,
                    "area": t.coef["area"][sd][sec] * other * here,
                    "dr": t.coef["dr"][sd][sec] * here / (here + DRONE_SATURATION),
                    "sup": t.coef["sup"][sd][sec] * here,
                }
                for k, v in parts.items():
                    acc[k][sd][sec] += v
                lam[sd][sec] = sum(parts.values())
        for sd in SIDES:
            for sec in range(S):
                loss = min(poisson(rng, lam[sd][sec]), Xc[sd][sec])
                Xc[sd][sec] -= loss
                lost[sd][sec] += loss
    t.lost = lost
    t.causes = {k: [[0.0] * S for _ in SIDES] for k in acc}
    for sd in SIDES:
        for sec in range(S):
            total = sum(acc[k][sd][sec] for k in acc)
            for k in acc:
                t.causes[k][sd][sec] = lost[sd][sec] * acc[k][sd][sec] / total if total > 0 else 0.0


def _unit_losses(p: Any, s: Any, t: Any) -> None:
    """Each unit's losses, the part to drones and the part in the close fight: aimed fire on the engaged soldiers
    (the enemy's lead nationality first), area and support fire on all in contact, drones by vulnerability."""
    S, U = p.S, p.U
    t.loss_u, t.drone_u, t.close_u = [0.0] * U, [0.0] * U, [0.0] * U
    for u in range(U):
        sd, sec = p.units.side[u], t.eng[u]
        if sec >= S or sd not in SIDES:
            continue
        X, x = t.X[sd][sec], t.x[u]
        engaged = min(X, p.combat.engaged_per_km * p.sectors.frontage[sec])
        lead = t.lead[sec] if sd == ENEMY else 0.0
        lead_engaged = min(lead, engaged)
        per_engaged = t.causes["aim"][sd][sec] / engaged if engaged > 0 else 0.0
        if p.units.lead[u]:
            aimed = per_engaged * lead_engaged / lead if lead > 0 else 0.0
        else:
            aimed = per_engaged * (engaged - lead_engaged) / (X - lead) if X - lead > 0 else 0.0
        area = t.causes["area"][sd][sec] / X if X > 0 else 0.0
        support = t.causes["sup"][sd][sec] / X if X > 0 else 0.0
        V = t.V[sd][sec]
        drone = t.causes["dr"][sd][sec] / (X * V) if X * V > 0 else 0.0
        close = x * (aimed + area)
        drones = x * s.vuln[u] * drone
        total = close + x * support + drones
        scale = s.strength[u] / total if total > s.strength[u] else 1.0
        t.loss_u[u], t.drone_u[u], t.close_u[u] = total * scale, drones * scale, close * scale


def _morale(p: Any, s: Any, t: Any) -> None:
    """8. Morale falls with losses, shortages and a cut road, recovers in quiet turns and while regrouping; units
    break, and so does an assault whose waves lost more than the breaking point."""
    t.brk1 = [False] * p.U
    for u in range(p.U):
        share_lost = t.loss_u[u] / max(s.strength[u] + t.loss_u[u], 1.0)
        dm = -MORALE_PER_LOSS * share_lost
        if p.units.side[u] == PLAYER:
            starving = 1 - min(t.eff, max(t.medical, p.supply.shortage_floor))
            dm -= MORALE_SHORTAGE * starving + MORALE_CUT * t.cut_start
        calm = max(1 - share_lost / MORALE_RECOVERY_LOSSES, 0.0)
        dm += calm * MORALE_RECOVERY * max(p.units.morale0[u] - s.morale[u], 0.0)
        if p.units.side[u] == ENEMY and s.paused[u] > 0:
            dm += MORALE_PAUSE
        s.morale[u] = min(max(s.morale[u] + dm, 0.0), 1.0)
        waves = t.x[u] if t.target[u] >= 0 else 0.0
        assault_broke = waves > 0 and t.loss_u[u] > p.units.breaking[u] * waves
        t.brk1[u] = is_broken(p, u, s.strength[u], s.morale[u], s.reference[u]) or assault_broke


def _ground(p: Any, s: Any, t: Any) -> None:
    """9. The attacker's progress against the defence's power (worn down by fire, outflanked by infiltrators);
    fallen sectors change hands, defenders fall back, attackers move in."""
    S, U = p.S, p.U
    D1 = by_sector(S, ((s.loc[u], s.strength[u]) for u in range(U) if t.p_line[u] and not t.brk1[u]))
    A1 = by_sector(
        S, ((t.target[u], s.strength[u] * t.share[u]) for u in range(U) if t.target[u] >= 0 and not t.brk1[u])
    )
    ratio = [0.0] * S
    for sec in range(S):
        cap = p.combat.engaged_per_km * p.sectors.frontage[sec]
        hit = (t.causes["dr"][PLAYER][sec] + t.causes["sup"][PLAYER][sec]) / max(t.D0[sec], 1.0)
        power = (
            effective(D1[sec], cap)
            * max(t.Q[PLAYER][sec], 0.5)
            * t.prot[sec]
            * t.eff
            * posture_fire(t.posture[sec])
            * math.exp(-SUPPRESSION * hit)
        )
        push = effective(A1[sec], cap) * max(t.Q[ENEMY][sec], 0.5) * (1 + (INFILTRATION_POWER - 1) * t.inside[sec])
        ratio[sec] = push / max(power, 1e-9)
    _territory(p, s, t, D1, ratio)


def _territory(p: Any, s: Any, t: Any, D1: list[float], ratio: list[float]) -> None:
    """Progress, fallen sectors and the retreats (game.engine.territory.resolve)."""
    S, U = p.S, p.U
    t.fell = [False] * S
    for sec in range(S):
        pos = t.posture[sec]
        delta = min(max(PROGRESS_RATE * (ratio[sec] - 1), 0.0), 1.0)
        if pos == COUNTER_ATTACK:
            delta -= 0.3 * min(max(1 - ratio[sec], 0.0), 1.0)
        if pos == DELAY:
            delta = max(DELAY_PROGRESS, DELAY_ODDS * delta)
        if not t.attacked[sec]:
            delta = -PROGRESS_DECAY
        if t.attacked[sec] and D1[sec] < 1:
            delta = 1.0
        progress = min(max(s.progress[sec] + delta, 0.0), 1.0)
        if t.held0[sec] and pos == WITHDRAW:
            progress = 1.0
        t.fell[sec] = t.held0[sec] and progress >= 0.999
        s.progress[sec] = 0.0 if t.fell[sec] or not t.held0[sec] else progress
    holder = [ENEMY if t.fell[sec] else s.holder[sec] for sec in range(S)]
    still = [sec for sec in range(S) if holder[sec] == PLAYER]
    strongest = max(D1) if S else 0.0
    t.retreat, t.overrun = [0.0] * U, [False] * U
    for u in range(U):
        here = s.loc[u]
        if p.units.side[u] != PLAYER or not t.fell[here]:
            continue
        s.morale[u] = min(max(s.morale[u] - MORALE_SECTOR_LOST, 0.0), 1.0)
        if not still:  # nowhere to fall back to: they break out of the bridgehead
            t.overrun[u] = True
            t.retreat[u] = s.strength[u] * OVERRUN_LOSS
            continue
        dest = max(still, key=lambda sec: (-1000 * p.sectors.dist[here][sec] + D1[sec] / (strongest + 1), -sec))
        share = float(RETREAT_LOSS[t.posture[here]]) if p.sectors.dist[here][dest] <= 1 else CUT_OFF_LOSS
        t.retreat[u] = 0.0 if s.reserve[u] else s.strength[u] * share
        s.loc[u] = dest
    for u in range(U):
        if t.target[u] >= 0 and t.fell[t.target[u]]:
            s.loc[u] = t.target[u]
    s.strength = [s.strength[u] - t.retreat[u] for u in range(U)]
    s.holder = holder


def _works(p: Any, s: Any, t: Any) -> None:
    """10. Digging in where a held, defended sector fortifies (slower near completion, under assault and short of
    fuel); shells and bombs erode the works."""
    t.built = [0.0] * p.S
    for sec in range(p.S):
        if t.posture[sec] == FORTIFY and t.held0[sec] and t.D0[sec] > 0:
            pace = (1 - s.fort[sec]) * (DIG_UNDER_FIRE if t.attacked[sec] else 1.0) * t.fuel
            t.built[sec] = min(1.0, s.fort[sec] + p.combat.fortify_gain * pace) - s.fort[sec]
        shells = t.rounds_e[sec] * p.artillery.erosion_per_round[ENEMY]
        bombs = t.sorties_e[sec] * p.air.erosion_per_sortie[ENEMY]
        eroded = (shells + bombs) * t.held0[sec]
        s.fort[sec] = min(max(s.fort[sec] + t.built[sec] - eroded, 0.0), 1.0)


def _books(p: Any, t: Any) -> None:
    """11. Every loss split into killed, wounded and captured by side: prisoners in the close fight, many more from
    broken units, at least OVERRUN_CAPTURED of those breaking out of a fallen bridgehead; none to fire from afar."""
    t.new = [[0.0, 0.0, 0.0] for _ in SIDES]
    t.captured_u = [0.0] * p.U
    for u in range(p.U):
        sd = p.units.side[u]
        if sd not in SIDES:
            continue
        in_close_fight = CAPTURED_IN_CLOSE_FIGHT * t.close_u[u]
        once_broken = CAPTURED_WHEN_BROKEN * t.loss_u[u] if t.brk1[u] else 0.0
        taken = min(p.units.capture[u] * (in_close_fight + once_broken), t.loss_u[u])
        out_share = max(p.units.capture[u], OVERRUN_CAPTURED) if t.overrun[u] else p.units.capture[u]
        t.captured_u[u] = taken + t.retreat[u] * out_share
        rest = t.loss_u[u] + t.retreat[u] - t.captured_u[u]
        killed = rest * p.sides.kill_share[sd]
        t.new[sd][KILLED] += killed
        t.new[sd][WOUNDED] += rest - killed
        t.new[sd][CAPTURED] += t.captured_u[u]


def _stocks(p: Any, s: Any, t: Any) -> None:
    """12. What the line fired (rationed by the shortage), the guns, the drones, the postures used, off the stocks."""
    used = {
        AMMUNITION: t.use[SUPPLY_AMMUNITION] * t.eff + t.rounds_p * p.artillery.ammo_t_per_round[PLAYER],
        DRONES: t.drones_used,
        FUEL: t.use[SUPPLY_FUEL],
        FOOD_MEDICAL: t.use[SUPPLY_FOOD_MEDICAL],
    }
    for k, amount in used.items():
        s.stocks[k] -= min(s.stocks[k], amount)


def _wounded(p: Any, s: Any, t: Any) -> None:
    """13. The player's wounded wait; some die (more without medical supplies); the rest leave while a route is
    usable, as fast as the route's survival and the fuel allow."""
    waiting = s.wounded_pending + t.new[PLAYER][WOUNDED]
    t.dow = waiting * min(1.0, p.supply.died_of_wounds * (1.0 + DOW_MEDICAL_SHORTAGE * (1.0 - t.medical)))
    left = waiting - t.dow
    route_usable = 0.0 if t.cut_start else 1.0
    evacuated = (
        left * p.supply.evacuation * route_usable * min(max(t.best_survival, 0.0), 1.0) * max(t.fuel, EVACUATION_FLOOR)
    )
    t.pending = left - evacuated


def _attacker(p: Any, s: Any, t: Any) -> None:
    """14. Units that took a sector consolidate, those that bled too much regroup; drones shift to the road;
    reinforcements arrive; reference strengths re-form."""
    t.paused_now = any(n > 0 for n in s.paused)
    limit_share = p.doctrine.pause_threshold / ORDINARY_BREAKING_POINT
    for u in range(p.U):
        pause = 0
        if t.target[u] >= 0:
            took = s.loc[u] == t.target[u] and t.fell[t.target[u]]
            bled = p.units.side[u] == ENEMY and t.loss_u[u] > limit_share * p.units.breaking[u] * max(t.x[u], 1.0)
            pause = CONSOLIDATION_TURNS if took else 1 if bled else 0
        s.paused[u] = max(s.paused[u] - 1, pause)
    activity = min(1.0, t.trucks_sent / max(p.convoys.trucks_available, 1))
    doc = p.doctrine
    s.road_share = doc.road_share0 + doc.react * activity * (doc.road_share_max - doc.road_share0)
    for sd in SIDES:
        amount = p.sides.reinforcements[sd]
        if amount <= 0:
            continue
        weights = [
            p.units.strength0[u] if p.units.side[u] == sd and s.strength[u] >= 1.0 and not s.reserve[u] else 0.0
            for u in range(p.U)
        ]
        if sum(weights) > 0:
            total = sum(weights)
            for u in range(p.U):
                s.strength[u] += amount * weights[u] / total
            s.arrived[sd] += amount
    for u in range(p.U):
        s.reference[u] = max(s.strength[u], s.reference[u] + REFORM_PER_TURN * (s.strength[u] - s.reference[u]))


def _road(p: Any, s: Any, t: Any, rng: random.Random) -> None:
    """15. Repairs and an air strike; the threat from the new front line; road states and the encirclement clock."""
    G = p.G
    for g in range(G):
        if rng.random() < REPAIR_PROBABILITY and s.damage[g] > 0:
            s.damage[g] -= 1
    if p.air.p_road_hit[ENEMY] > 0 and any(p.roads.on_road):
        hit = rng.random() < p.air.p_road_hit[ENEMY]
        pick = rng.random() * sum(p.roads.length[g] for g in range(G) if p.roads.on_road[g])
        reached, seg = 0.0, G - 1
        for g in range(G):  # the segment, by length along the road
            reached += p.roads.length[g] * p.roads.on_road[g]
            if reached > pick:
                seg = g
                break
        if hit:
            s.damage[seg] = min(CUT, max(t.states[seg], s.damage[seg]) + 1)
    screen = [(1.0 - s.progress[sec]) if s.holder[sec] == PLAYER else 0.0 for sec in range(p.S)]
    t.expo_end = road_exposure(p, s, t, screen)
    t.blocked_end = blocked_segments(p, s.holder, s.damage)
    s.road_state = segment_states(t.expo_end.total, s.damage, t.blocked_end)
    line = by_sector(
        p.S,
        (
            (s.loc[u], s.strength[u])
            for u in range(p.U)
            if p.units.side[u] == PLAYER and not s.reserve[u] and s.holder[s.loc[u]] == PLAYER
        ),
    )
    t.cut_end = cut_off(p, t.expo_end.total, t.blocked_end, s.holder, line)
    s.cut_clock = s.cut_clock + 1 if t.cut_start or t.cut_end else 0.0  # a turn without supply counts


def _endings(p: Any, s: Any, t: Any) -> None:
    """16. The withdrawal completes (losses on the way out, the wounded no vehicle could take are taken); endings."""
    if s.withdrawing:
        s.withdraw_left -= 1
    t.done = s.withdrawing and s.withdraw_left <= 0
    t.left_behind = 0.0
    if t.done:
        survival = best_route_survival(p, t.expo_end.total, t.blocked_end)
        mobility = max(t.fuel, 0.5)  # without fuel, more of the grouping walks out under the drones
        for u in range(p.U):
            if p.units.side[u] != PLAYER:
                continue
            lost = s.strength[u] * WITHDRAWAL_EXIT_LOSS * (1 - survival * mobility)
            s.strength[u] -= lost
            captured = lost * p.units.capture[u]
            killed = (lost - captured) * p.sides.kill_share[PLAYER]
            t.new[PLAYER][KILLED] += killed
            t.new[PLAYER][WOUNDED] += lost - captured - killed
            t.new[PLAYER][CAPTURED] += captured
        t.left_behind = t.pending * (1 - survival)  # already counted as wounded: now prisoners
        s.casualties[PLAYER][WOUNDED] -= t.left_behind
        s.casualties[PLAYER][CAPTURED] += t.left_behind
        t.pending = 0.0
        s.orderly = s.orderly or not t.cut_end
        s.holder = [ENEMY if h == PLAYER else h for h in s.holder]
    area = sum(p.sectors.area[sec] for sec in range(p.S) if s.holder[sec] == PLAYER)
    start_total = sum(p.units.strength0[u] for u in range(p.U) if p.units.side[u] == PLAYER)
    ending = 0
    if s.turn >= p.turns:
        ending = ENDING_CODE["time"]
    if area <= p.endings.falls_below:
        ending = ENDING_CODE["bridgehead_fell"]
    if s.cut_clock > p.endings.clock_turns:
        ending = ENDING_CODE["encircled"]
    if sum(s.strength[u] for u in range(p.U) if p.units.side[u] == PLAYER) < p.endings.destroyed_share * start_total:
        ending = ENDING_CODE["destroyed"]
    if t.done:
        ending = ENDING_CODE["withdrawn"]
    t.area, t.ending = area, ending


def _accounting(p: Any, s: Any, t: Any) -> dict[str, float]:
    """17. Cumulative totals and the turn's outcomes (the names the cross-check compares)."""
    for sd in SIDES:
        for k in KINDS:
            s.casualties[sd][k] += t.new[sd][k]
    s.casualties[PLAYER][KILLED] += t.dow
    s.casualties[PLAYER][WOUNDED] -= t.dow
    s.wounded_pending = t.pending

    def of(side: int, values: list[float]) -> float:
        return sum(values[u] for u in range(p.U) if p.units.side[u] == side)

    grew = [[s.casualties[sd][k] - t.start.casualties[sd][k] for k in KINDS] for sd in SIDES]
    return {
        "own_losses": sum(t.new[PLAYER]),
        "enemy_losses": sum(t.new[ENEMY]),
        "own_killed": grew[PLAYER][KILLED],
        "own_wounded": grew[PLAYER][WOUNDED],
        "own_captured": grew[PLAYER][CAPTURED],
        "enemy_killed": grew[ENEMY][KILLED],
        "enemy_captured": grew[ENEMY][CAPTURED],
        "trucks_lost": float(t.trucks_lost),
        "delivered": t.delivered,
        "effectiveness": t.eff,
        "area_held": t.area,
        "sectors_fell": float(sum(t.fell)),
        "progress": sum(s.progress),
        "died_of_wounds": t.dow,
        "wounded_pending": t.pending,
        "own_strength": of(PLAYER, s.strength),
        "enemy_strength": of(ENEMY, s.strength),
        "own_reference": of(PLAYER, s.reference),
        "enemy_reference": of(ENEMY, s.reference),
        "own_broken": float(sum(1 for u in range(p.U) if p.units.side[u] == PLAYER and t.brk1[u] and not t.brk0[u])),
        "enemy_broken": float(sum(1 for u in range(p.U) if p.units.side[u] == ENEMY and t.brk1[u] and not t.brk0[u])),
        "own_morale": of(PLAYER, s.morale),
        "enemy_morale": of(ENEMY, s.morale),
        "own_arrived": s.arrived[PLAYER] - t.start.arrived[PLAYER],
        "enemy_arrived": s.arrived[ENEMY] - t.start.arrived[ENEMY],
        "fortification": sum(s.fort),
        "fortification_built": sum(t.built),
        "ammunition": s.stocks[AMMUNITION],
        "drones": s.stocks[DRONES],
        "fuel": s.stocks[FUEL],
        "food_medical": s.stocks[FOOD_MEDICAL],
        "road_damage": float(sum(s.damage)),
        "road_state": float(sum(s.road_state)),
        "cut_start": float(t.cut_start),
        "cut_end": float(t.cut_end),
        "cut_clock": float(s.cut_clock),
        "road_share": s.road_share,
        "paused": float(sum(1 for n in s.paused if n > 0)),
        "paused_turns": float(sum(s.paused)),
        "orderly": float(s.orderly),
        "ended": float(t.ending > 0),
    }
