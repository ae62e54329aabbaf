"""The game facade: one game (R = 1) driven turn by turn, with intelligence, forecasts and the score.

`Game(scenario, seed)` followed by `play(o1) … play(oN)` is bit-for-bit reproducible: every draw
comes from rng.stream(seed, turn, purpose). `Game(scenario, seed, secret)` mixes a secret (bytes an instructor
key gives) into the seed, so the same game cannot be played again without it. The working state is `self.state` (numpy arrays with
R = 1); the outside world sees pydantic reports (`TurnReport`, `Intel`, `Forecast`, `Score`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from game.scenario import Scenario
from game.scenario.injects import SetRate
from game.scenario.scenario import set_path

from .directives import check_orders, compile_orders
from .events import holders, side_morale, turn_report
from .fog import enemy_by_sector, enemy_picture, intel
from .forecast import run_forecast
from .injects import state_target
from .orders import ConvoyPlan, DroneTasks, EwAllocation, Orders, OrdersError
from .params import CASUALTY_KINDS, ENDINGS, ENEMY, PLAYER, POSTURES, ROAD_STATES, STOCKS, Params
from .report import Ending, Forecast, Intel, Score, TurnReport
from .rng import dice_seed
from .scoring import score_model
from .standing import StandingOrders, carry_over
from .state import State
from .step import Model, advance


class Game:
    """One game of a scenario with a seed."""

    def __init__(self, scenario: Scenario, seed: int, secret: bytes = b"") -> None:
        if seed < 0:
            raise ValueError("the seed must be a non-negative integer")
        self.scenario = scenario
        self.seed = int(seed)
        self.dice = dice_seed(self.seed, secret)
        """What every stream is keyed by: the seed, or with an instructor's secret a number only the key gives."""
        self.model = Model(scenario)
        self.state: State = self.model.initial_state(1)
        self.history: list[TurnReport] = []
        self.previous_enemy_by_sector: np.ndarray | None = None

    # --- what the game is ---------------------------------------------------------------

    @property
    def turn(self) -> int:
        """The turn about to be played, from 1."""
        return self.state.turn

    @property
    def finished(self) -> bool:
        """True once an ending has been reached."""
        return bool(self.state.ended[0])

    @property
    def ending(self) -> Ending | None:
        """How the game ended, or None while it goes on."""
        return ENDINGS[int(self.state.ending[0])]

    @property
    def withdrawing(self) -> bool:
        """The grouping is on its way out of the bridgehead; later orders cannot stop it."""
        return bool(self.state.withdrawing[0])

    @property
    def params(self) -> Params:
        """The compiled parameters in force (with any rate injects that have fired)."""
        return self.model.variants(self.state)[0][0]

    # --- orders -------------------------------------------------------------------------

    def default_orders(self) -> Orders:
        """Sensible orders for this turn: postures kept, drones and jammers balanced, all trucks by night."""
        p = self.params
        held = self.state.holder[0] == PLAYER
        postures = {p.sectors.ids[s]: POSTURES[int(self.state.posture[0, s])] for s in np.flatnonzero(held)}
        postures = {k: (v if v != "assault" else "hold") for k, v in postures.items()}
        teams = p.player_teams()
        strike = teams // 2
        counter = teams // 5
        overwatch = teams // 5
        recon = teams - strike - counter - overwatch
        ew = int(p.drones.ew_teams[PLAYER])
        return Orders(
            postures=postures,
            drones=DroneTasks(strike=strike, counter_drone=counter, road_overwatch=overwatch, recon=recon),
            ew=EwAllocation(front=ew - ew // 2, road=ew // 2),
            convoys=ConvoyPlan(day=0, night=p.convoys.trucks_available),
        )

    def standing_orders(self, previous: Orders) -> StandingOrders:
        """Last turn's orders carried into this turn, adapted only where the situation forces it (a sector lost,
        a reserve already committed, fewer teams or trucks than ordered); `.adapted` says what changed and why.
        The trainee's orders stand until changed (game.engine.standing)."""
        return carry_over(self.params, self.state, previous)

    def check(self, orders: Orders) -> list[str]:
        """Plain-words problems with the orders; [] when they can be carried out."""
        if self.finished:
            return [f"the game is over ({self.ending})"]
        return check_orders(self.params, self.state, orders)

    # --- the turn -----------------------------------------------------------------------

    def play(self, orders: Orders) -> TurnReport:
        """Resolve the current turn with these orders; raises OrdersError before anything runs."""
        problems = self.check(orders)
        if problems:
            raise OrdersError(problems)
        p = self.params
        before = self.state
        self.previous_enemy_by_sector = enemy_by_sector(p, before)[0]
        new, out, fired = advance(self.model, before, compile_orders(p, orders), self.dice)
        fired_ids = [int(i) for i in np.flatnonzero(fired[0])] if fired.size else []
        report = turn_report(
            self.params if not fired_ids else self.model.variants(new)[0][0],
            before.turn,
            orders,
            before,
            new,
            out,
            fired_ids,
        )
        self.state = new
        self.history.append(report)
        return report

    def intel(self) -> Intel:
        """The trainee's fog-of-war picture for the current turn (deterministic per seed and turn)."""
        return intel(self)

    def forecast(self, orders: Orders, replications: int = 1000, turns: int = 1) -> Forecast:
        """Many replications of the next turn(s) under these orders, from the trainee's picture of the enemy.

        The enemy is drawn from the same estimates `intel()` reports, never from the truth; the game's own
        dice are untouched (game.engine.forecast)."""
        problems = self.check(orders)
        if problems:
            raise OrdersError(problems)
        if replications < 1 or turns < 1:
            raise ValueError("replications and turns must be at least 1")
        return run_forecast(
            self.model,
            self.state,
            compile_orders(self.params, orders),
            self.dice,
            replications,
            turns,
            picture=enemy_picture(self),
        )

    def score(self) -> Score:
        """The score so far (final once the game has ended), every weight shown."""
        return score_model(self.params, self.state)

    # --- presentation -------------------------------------------------------------------

    def hours_label(self) -> str:
        """For example "Turn 3 — 6 Mar 2025 06:00–18:00"."""
        meta = self.scenario.meta
        hours = meta.turn_hours
        start = dt.datetime.combine(meta.date, dt.time(meta.start_hour)) + dt.timedelta(hours=hours * (self.turn - 1))
        end = start + dt.timedelta(hours=hours)
        return f"Turn {self.turn} — {start.day} {start:%b %Y} {start:%H:%M}–{end:%H:%M}"

    def state_summary(self) -> dict[str, Any]:
        """Ground truth now: unit strengths, holders, road states, stocks and the rest."""
        p = self.params
        st = self.state
        sectors, places = holders(p, st)
        return {
            "turn": st.turn,
            "unit_strength": {uid: float(st.strength[0, u]) for u, uid in enumerate(p.units.ids)},
            "unit_morale": {uid: float(st.morale[0, u]) for u, uid in enumerate(p.units.ids)},
            "unit_location": {uid: p.sectors.ids[int(st.loc[0, u])] for u, uid in enumerate(p.units.ids)},
            "reserves": [uid for u, uid in enumerate(p.units.ids) if st.reserve[0, u]],
            "sector_holder": sectors,
            "place_holder": places,
            "postures": {sid: POSTURES[int(st.posture[0, s])] for s, sid in enumerate(p.sectors.ids)},
            "fortification": {sid: float(st.fort[0, s]) for s, sid in enumerate(p.sectors.ids)},
            "road_state": {gid: ROAD_STATES[int(st.road_state[0, g])] for g, gid in enumerate(p.roads.ids)},
            "stocks": {k: float(st.stocks[0, i]) for i, k in enumerate(STOCKS)},
            "area_held_sq_mi": float(st.area_held(p)[0]),
            "road_cut_turns": int(st.cut_clock[0]),
            "netting_km": float(st.netting_km[0]),
            "morale": side_morale(p, st),
            "withdrawing": self.withdrawing,
            "casualties": {
                p.side_ids[side]: {k: float(st.casualties[0, side, i]) for i, k in enumerate(CASUALTY_KINDS)}
                for side in (PLAYER, ENEMY)
            },
            "ended": self.finished,
            "ending": self.ending,
        }

    # --- the umpire ---------------------------------------------------------------------

    def set_parameter(self, path: str, value: float) -> None:
        """Change a scenario number (an umpire's decision); recompiles the parameters, keeps the state.

        Numbers the engine keeps in the state (a road's speed, throughput, enemy distance; a sector's
        fortification) are changed in the state as well, so the decision takes effect at once."""
        scenario = self.scenario.model_copy(deep=True)
        set_path(scenario, path, value)
        self.scenario = scenario
        self.model = Model(scenario)
        where = state_target(SetRate(kind="set_rate", target=path, value=value))
        if where is not None:
            name, kind, item = where
            col = (self.params.roads.ids if kind == "roads" else self.params.sectors.ids).index(item)
            getattr(self.state, name)[:, col] = value
