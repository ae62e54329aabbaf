"""The optimiser's plan space: a real vector θ decoded into a whole-game plan, played as a vectorised policy.

A plan is what a commander decides once and lets stand: a posture per sector, how the drone teams, the
jammers and the trucks are shared out, what the reserve does, and the rule that says when to leave. Each
dimension of θ is an unbounded real number, so a Gaussian search distribution covers the whole space and
every θ decodes to orders the engine accepts. The dimensions, and why each exists:

- `posture.<sector>` (one per sector held at the start): below -0.5 delay, above +0.5 fortify, else hold.
  One ordered coordinate, not three, because the three postures are steps on one scale (give ground for
  time, stand, dig in); at θ = 0 every sector holds. Counter-attacks are left out: a standing counter-attack
  is not a plan anyone would leave in place for a game.
- `drones.<task>` (four): weights of the four tasks (softmax), so the shares always sum to one; the teams are
  whole teams in proportion (largest remainders), of however many teams exist that turn.
- `ew.front`: the share of jammers over the front (the logistic of θ); the rest jam over the road. Whether
  jamming the road is worth anything against fibre-optic drones is exactly what a trainee must find out.
- `convoys.day`: the share of trucks sent by day (logistic); every truck is sent, the rest by night.
- `convoys.escort`, `convoys.tracks`, `netting` (above 0: yes): the yes/no choices of the supply plan; the
  field tracks only where the scenario has them.
- `reserve.keep`, `reserve.<sector>` (only when the player has a reserve): the largest wins; the reserve is
  committed on turn 1 to that sector (to another held one if it has fallen), or kept back.
- `withdraw.<rule>.on` and `withdraw.<rule>.level` for five rules: the withdrawal is requested as soon as any
  rule that is on (its `on` above 0) holds, and never when all are off. The level (logistic) sets the rule's
  threshold: the turn; how bad the supply route is (the best route contested, or interdicted, or the grouping
  cut off from every route); how many of the sectors
  held at the start are lost; ammunition on hand in turns of the line's need; the grouping's strength as a
  share of its starting strength. Everything a rule reads is visible to the trainee, as in the built-in
  `hold_then_withdraw`.

Every built-in policy is a point of this space (`plan_of_policy`, `PlanSpace.encode`: encoded and decoded again,
each plays the very same games), so a search can start from the designed plans and say what it changed.

Thresholds are rounded (strength to 1%, ammunition to a tenth of a turn) so a plan reads cleanly and two
nearby θ that decode to the same words are the same plan.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from game.engine.combat import effective
from game.engine.directives import Directives, to_orders
from game.engine.opfor import by_sector
from game.engine.orders import Orders
from game.engine.params import (
    AMMUNITION,
    CONTESTED,
    CUT,
    DELAY,
    FORTIFY,
    HOLD,
    PLAYER,
    POSTURES,
    ROAD_STATES,
    SUPPLY_AMMUNITION,
    TASKS,
    Params,
)
from game.engine.policies import LEAVE_BELOW_AMMUNITION_TURNS, LEAVE_BELOW_STRENGTH, Policy
from game.engine.sampling import rowsum, rowwise_take
from game.engine.state import State

POSTURE_STEP = 0.5
"""|θ| beyond this on a posture coordinate moves the sector off `hold` (to delay below, fortify above)."""
WITHDRAW_RULES: tuple[str, ...] = ("turn", "road", "sectors_lost", "ammunition", "strength")
"""The withdrawal rules, in the order of their coordinates."""
FIXED_RULES: tuple[str, ...] = ("turn",)
"""The one withdrawal rule of a fixed plan: a set turn, whatever happens (what a trainee who reads nothing of the
game could still decide)."""
AMMUNITION_RANGE = (0.5, 4.0)
"""Turns of the line's need: the ammunition rule leaves when stocks fall below a level in this range."""
STRENGTH_RANGE = (0.3, 0.95)
"""Share of starting strength: the strength rule leaves when the grouping falls below a level in this range."""
TASK_WORDS = {
    "strike": "strike",
    "counter_drone": "counter-drone",
    "road_overwatch": "road overwatch",
    "recon": "reconnaissance",
}


def _logistic(x: float) -> float:
    return float(1.0 / (1.0 + np.exp(-x)))


def whole_teams(total: int, shares: tuple[float, ...]) -> list[int]:
    """`total` whole teams in proportion to `shares` (largest remainders; ties go to the earlier task)."""
    raw = np.asarray(shares, dtype=float) * total
    teams = np.floor(raw).astype(int)
    left = total - int(teams.sum())
    for i in np.argsort(-(raw - teams), kind="stable")[:left]:
        teams[i] += 1
    return [int(t) for t in teams]


@dataclass(frozen=True)
class Withdrawal:
    """When to request the withdrawal: as soon as any rule given (not None) holds; never when none is given."""

    turn: int | None = None
    """From this turn on."""
    road: int | None = None
    """Once the best route out is at least this bad (a road state code: CONTESTED or INTERDICTED), or (CUT) once
    the grouping is cut off: no usable route reaches the line (the engine's every-route-cut, which starts the
    encirclement clock; a cut segment alone is not enough, since convoys unload short of it)."""
    sectors_lost: int | None = None
    """Once this many of the sectors held at the start are lost."""
    ammunition: float | None = None
    """Once ammunition on hand is below this many turns of the line's need."""
    strength: float | None = None
    """Once the grouping is below this share of its starting strength."""

    @property
    def never(self) -> bool:
        """No rule is given: the plan never asks to leave."""
        return all(getattr(self, name) is None for name in WITHDRAW_RULES)

    @property
    def only_by_turn(self) -> bool:
        """The one rule is the turn: the plan leaves at a set turn whatever happens (fixed orders say it exactly)."""
        return self.turn is not None and all(getattr(self, n) is None for n in WITHDRAW_RULES if n != "turn")

    def due(self, p: Params, st: State, start_held: np.ndarray) -> np.ndarray:
        """(R,) where some rule holds now."""
        due = np.zeros(st.R, dtype=bool)
        if self.turn is not None:
            due |= st.turn >= self.turn
        if self.road is not None:
            due |= (st.cut_clock > 0) if self.road == CUT else best_route_state(p, st) >= self.road
        if self.sectors_lost is not None:
            due |= (start_held & (st.holder != PLAYER)).sum(axis=1) >= self.sectors_lost
        if self.ammunition is not None:
            due |= st.stocks[:, AMMUNITION] < self.ammunition * ammunition_need(p, st)
        if self.strength is not None:
            start = float(p.units.strength0[p.units.side == PLAYER].sum())
            due |= st.player_strength(p) < self.strength * start
        return due

    def words(self, names: tuple[str, ...]) -> str:
        """The rule in plain words (`names`: the sectors held at the start)."""
        if self.never:
            return "never requested"
        parts = []
        if self.turn is not None:
            parts.append(f"on turn {self.turn}")
        if self.road is not None:
            parts.append(
                "once the grouping is cut off (no usable route reaches the line)"
                if self.road == CUT
                else f"once the best route out is {ROAD_STATES[self.road]} or worse"
            )
        if self.sectors_lost is not None:
            parts.append(
                f"once {self.sectors_lost} of the {len(names)} sectors held at the start "
                f"{'is' if self.sectors_lost == 1 else 'are'} lost"
            )
        if self.ammunition is not None:
            parts.append(f"once ammunition on hand falls below {self.ammunition:.1f} turns of the line's need")
        if self.strength is not None:
            parts.append(f"once the grouping is below {self.strength:.0%} of its starting strength")
        return "requested " + ", or ".join(parts) + ", whichever comes first" * (len(parts) > 1)


def best_route_state(p: Params, st: State) -> np.ndarray:
    """(R,) the state of the best route out (road or tracks): the worst segment along each, the better route."""
    worst = [st.road_state[:, route].max(axis=1) for route in p.roads.routes if route.size]
    return np.min(worst, axis=0) if worst else np.zeros(st.R, dtype=np.int8)


def ammunition_need(p: Params, st: State) -> np.ndarray:
    """(R,) tonnes of ammunition the line uses in a turn, counted as the engine counts it (as the built-in
    `withdrawal_due` does): the effective fighters of the units in the line, per hundred, times the need."""
    mine = p.units.side == PLAYER
    in_line = mine & ~st.reserve & rowwise_take(st.holder == PLAYER, st.loc)
    line = by_sector(st.loc, st.strength * mine, in_line, p.S)
    fighters = effective(line, p.combat.engaged_per_km * p.sectors.frontage)
    result: np.ndarray = rowsum(fighters) / 100.0 * p.supply.need[SUPPLY_AMMUNITION]
    return result


@dataclass(frozen=True)
class Plan:
    """A decoded θ: everything a standing plan decides (shares, not counts, so injects that take teams away
    are followed turn by turn)."""

    postures: tuple[int, ...]
    """Posture code for each sector held at the start (PlanSpace.sectors order)."""
    drone_shares: tuple[float, float, float, float]
    """Share of drone teams by task (params.TASKS order)."""
    ew_front: float
    """Share of jammers over the front; the rest over the road."""
    day: float
    """Share of trucks sent by day; the rest by night."""
    escort: bool
    tracks: bool
    netting: bool
    reserve: int
    """Sector index every reserve is committed to on turn 1, or -1: kept back."""
    withdrawal: Withdrawal
    sectors: tuple[int, ...]
    """Sector indices the postures are for: the sectors held at the start."""

    def directives(self, p: Params, st: State) -> Directives:
        """Every replication's orders for this turn, as arrays (no loop over replications)."""
        R, S, U = st.R, p.S, p.U
        held = st.holder == PLAYER
        chosen = np.zeros(S, dtype=bool)
        chosen[list(self.sectors)] = True
        row = np.full(S, HOLD, dtype=np.int8)
        row[list(self.sectors)] = self.postures
        teams = whole_teams(p.player_teams(), self.drone_shares)
        ew = int(p.drones.ew_teams[PLAYER])
        front = round(ew * self.ew_front)
        trucks = int(p.convoys.trucks_available)
        day = round(trucks * self.day)
        commit = np.full((R, U), -1, dtype=np.int64, order="F")
        if self.reserve >= 0 and st.reserve.any():  # turn 1 (or whenever a reserve still waits)
            where = np.where(held[:, self.reserve], self.reserve, np.argmax(held, axis=1))
            ok = held.any(axis=1)[:, None] & st.reserve
            commit = np.where(ok, where[:, None], -1)
        start_held = np.broadcast_to(chosen, (R, S))
        return Directives(
            posture_set=held & chosen,
            posture=np.array(np.broadcast_to(row, (R, S)), order="F"),
            drones=np.array(np.broadcast_to(np.array(teams, dtype=float), (R, 4)), order="F"),
            ew=np.array(np.broadcast_to(np.array([front, ew - front], dtype=float), (R, 2)), order="F"),
            day=np.full(R, float(day)),
            night=np.full(R, float(trucks - day)),
            escort=np.full(R, self.escort),
            tracks=np.full(R, self.tracks),
            netting=np.full(R, self.netting),
            commit=commit,
            withdraw=self.withdrawal.due(p, st, start_held) & ~st.withdrawing,
        )

    def policy(self, name: str = "optimised", description: str = "The plan the optimiser found.") -> Policy:
        """The plan as a standing policy (so `run_batch`, `salient check` and a single game can play it)."""
        return Policy(name, description, self.directives)

    def first_orders(self, p: Params, st: State) -> Orders:
        """The orders of turn 1 from the starting state `st` (one replication)."""
        return to_orders(p, self.directives(p, st.take(np.array([0]))))

    def describe(self, p: Params) -> list[tuple[str, str]]:
        """One (decision, plain words) pair per decision, with counts as they stand at the start (sectors by id, as
        orders name them)."""
        names = tuple(p.sectors.ids[s] for s in self.sectors)
        by_posture: dict[int, list[str]] = {}
        for s, code in zip(self.sectors, self.postures, strict=True):
            by_posture.setdefault(code, []).append(p.sectors.ids[s])
        postures = "; ".join(
            f"{POSTURES[c]} {', '.join(by_posture[c])}" for c in (FORTIFY, HOLD, DELAY) if c in by_posture
        )
        teams = p.player_teams()
        split = whole_teams(teams, self.drone_shares)
        drones = ", ".join(f"{n} {TASK_WORDS[t]}" for t, n in zip(TASKS, split, strict=True)) + f" (of {teams} teams)"
        ew = int(p.drones.ew_teams[PLAYER])
        front = round(ew * self.ew_front)
        trucks = int(p.convoys.trucks_available)
        day = round(trucks * self.day)
        convoys = (
            f"all {trucks} trucks, {day} by day and {trucks - day} by night, by "
            f"{'the field tracks' if self.tracks else 'road'}, {'with' if self.escort else 'no'} escort; "
            f"netting over the road: {'yes' if self.netting else 'no'}"
        )
        reserves = [p.units.names[u] for u in np.flatnonzero(p.units.reserve0 & (p.units.side == PLAYER))]
        if not reserves:
            reserve = "none in this scenario"
        elif self.reserve < 0:
            reserve = f"{', '.join(reserves)} kept back"
        else:
            reserve = f"{', '.join(reserves)} committed to {p.sectors.ids[self.reserve]} on turn 1"
        return [
            ("postures", postures),
            ("drones", drones),
            ("jammers", f"{front} over the front, {ew - front} over the road"),
            ("convoys", convoys),
            ("reserve", reserve),
            ("withdrawal", self.withdrawal.words(names)),
        ]


@dataclass(frozen=True)
class PlanSpace:
    """The coordinates of θ for one scenario, and the decoder."""

    sectors: tuple[int, ...]
    """Sectors held at the start (one posture coordinate each)."""
    sector_ids: tuple[str, ...]
    has_reserve: bool
    has_tracks: bool
    turns: int
    rules: tuple[str, ...] = WITHDRAW_RULES
    """The withdrawal rules the space offers (a subset of WITHDRAW_RULES, in its order); `FIXED_RULES` for plans
    that read nothing of the game."""

    @classmethod
    def of(cls, p: Params, rules: tuple[str, ...] = WITHDRAW_RULES) -> PlanSpace:
        """The plan space of a scenario's parameters (withdrawal rules limited to `rules`)."""
        sectors = tuple(int(s) for s in np.flatnonzero(p.sectors.holder0 == PLAYER))
        return cls(
            sectors=sectors,
            sector_ids=tuple(p.sectors.ids[s] for s in sectors),
            has_reserve=bool((p.units.reserve0 & (p.units.side == PLAYER)).any()),
            has_tracks=p.has_tracks,
            turns=p.turns,
            rules=tuple(r for r in WITHDRAW_RULES if r in rules),
        )

    @property
    def names(self) -> tuple[str, ...]:
        """The name of every coordinate of θ, in order."""
        out = [f"posture.{s}" for s in self.sector_ids]
        out += [f"drones.{t}" for t in TASKS]
        out += ["ew.front", "convoys.day", "convoys.escort"] + ["convoys.tracks"] * self.has_tracks + ["netting"]
        if self.has_reserve:
            out += ["reserve.keep"] + [f"reserve.{s}" for s in self.sector_ids]
        for rule in self.rules:
            out += [f"withdraw.{rule}.on", f"withdraw.{rule}.level"]
        return tuple(out)

    @property
    def size(self) -> int:
        """Dimensions of θ."""
        return len(self.names)

    def decode(self, theta: np.ndarray) -> Plan:
        """The plan a θ stands for; every θ of the right length decodes (non-finite numbers are refused)."""
        x = np.asarray(theta, dtype=float)
        if x.shape != (self.size,) or not np.isfinite(x).all():
            raise ValueError(f"θ must be {self.size} finite numbers, got shape {x.shape}")
        it = iter(x.tolist())

        def take(n: int) -> list[float]:
            return [next(it) for _ in range(n)]

        postures = tuple(
            DELAY if v < -POSTURE_STEP else FORTIFY if v > POSTURE_STEP else HOLD for v in take(len(self.sectors))
        )
        logits = np.array(take(4))
        weights = np.exp(logits - logits.max())
        w = weights / weights.sum()
        shares = (float(w[0]), float(w[1]), float(w[2]), float(w[3]))
        ew_front, day = _logistic(next(it)), _logistic(next(it))
        escort = next(it) > 0
        tracks = self.has_tracks and next(it) > 0
        netting = next(it) > 0
        reserve = -1
        if self.has_reserve:
            choice = int(np.argmax(take(1 + len(self.sectors))))
            reserve = -1 if choice == 0 else self.sectors[choice - 1]
        rules: dict[str, float | int | None] = {}
        for rule in self.rules:
            on, level = next(it) > 0, _logistic(next(it))
            rules[rule] = self._threshold(rule, level) if on else None
        return Plan(
            postures=postures,
            drone_shares=shares,
            ew_front=ew_front,
            day=day,
            escort=escort,
            tracks=tracks,
            netting=netting,
            reserve=reserve,
            withdrawal=Withdrawal(**rules),  # type: ignore[arg-type]  # each rule's threshold has its own type (_threshold)
            sectors=self.sectors,
        )

    def _threshold(self, rule: str, u: float) -> float | int:
        """A rule's threshold from a level in (0, 1)."""
        if rule == "turn":
            return min(self.turns, 1 + int(u * self.turns))
        if rule == "road":
            return min(CUT, CONTESTED + int(u * (CUT - CONTESTED + 1)))
        if rule == "sectors_lost":
            return max(1, min(len(self.sectors), 1 + int(u * len(self.sectors))))
        if rule == "ammunition":
            lo, hi = AMMUNITION_RANGE
            return round(lo + u * (hi - lo), 1)
        lo, hi = STRENGTH_RANGE
        return round(lo + u * (hi - lo), 2)

    def encode(self, plan: Plan) -> np.ndarray:
        """A θ that decodes to `plan` (up to the rounding of whole teams, trucks and thresholds)."""
        x: list[float] = [{DELAY: -1.0, HOLD: 0.0, FORTIFY: 1.0}.get(c, 0.0) for c in plan.postures]
        x += [float(np.log(max(share, 1e-3))) for share in plan.drone_shares]
        x += [_logit(plan.ew_front), _logit(plan.day), 1.0 if plan.escort else -1.0]
        x += [1.0 if plan.tracks else -1.0] * self.has_tracks + [1.0 if plan.netting else -1.0]
        if self.has_reserve:
            x += [float(plan.reserve == -1)] + [float(plan.reserve == s) for s in self.sectors]
        for rule in self.rules:
            value = getattr(plan.withdrawal, rule)
            x += [-1.0, 0.0] if value is None else [1.0, _logit(self._level(rule, value))]
        return np.array(x)

    def _level(self, rule: str, value: float) -> float:
        """The level in (0, 1) that `_threshold` turns into `value` (the middle of its step for whole numbers)."""
        if rule == "turn":
            return (value - 0.5) / self.turns
        if rule == "road":
            return (value - CONTESTED + 0.5) / (CUT - CONTESTED + 1)
        if rule == "sectors_lost":
            return (value - 0.5) / max(1, len(self.sectors))
        lo, hi = AMMUNITION_RANGE if rule == "ammunition" else STRENGTH_RANGE
        return (value - lo) / (hi - lo)


def _logit(u: float) -> float:
    u = min(max(u, 1e-3), 1 - 1e-3)
    return float(np.log(u / (1 - u)))


STATE_RULES: dict[str, Withdrawal] = {
    "hold_then_withdraw": Withdrawal(road=CUT, ammunition=LEAVE_BELOW_AMMUNITION_TURNS, strength=LEAVE_BELOW_STRENGTH),
}
"""Withdrawal rules of built-in policies that read the game's state (a probe of the opening cannot see them)."""


def plan_of_policy(policy: Policy, p: Params, st: State) -> Plan:
    """A standing policy as a point of the plan space: its orders in the opening state `st` (one replication),
    the first turn it asks to leave when only the clock moves, and its state-reading rule from STATE_RULES.

    How the search starts from the designed plans (and how a report says what the plan found changed)."""
    d = policy.directives(p, st)
    space = PlanSpace.of(p)
    current = st.posture[0]
    postures = tuple(int(d.posture[0, s]) if d.posture_set[0, s] else int(current[s]) for s in space.sectors)
    teams = d.drones[0]
    w = teams / teams.sum() if teams.sum() > 0 else np.full(4, 0.25)
    shares = (float(w[0]), float(w[1]), float(w[2]), float(w[3]))
    ew = d.ew[0]
    trucks = float(d.day[0] + d.night[0])
    committed = [int(c) for c in d.commit[0] if c >= 0]
    withdrawal = STATE_RULES.get(policy.name, Withdrawal())
    for turn in range(1, p.turns + 1):  # a rule on the clock alone shows when only the turn changes
        probe = st.copy()
        probe.turn = turn
        if bool(np.asarray(policy.directives(p, probe).withdraw).any()):
            withdrawal = replace(withdrawal, turn=turn)
            break
    return Plan(
        postures=tuple(c if c in (DELAY, HOLD, FORTIFY) else HOLD for c in postures),
        drone_shares=shares,
        ew_front=float(ew[0] / ew.sum()) if ew.sum() > 0 else 0.5,
        day=float(d.day[0] / trucks) if trucks > 0 else 0.0,
        escort=bool(d.escort[0]),
        tracks=bool(d.tracks[0]) and space.has_tracks,
        netting=bool(d.netting[0]),
        reserve=committed[0] if committed else -1,
        withdrawal=withdrawal,
        sectors=space.sectors,
    )
