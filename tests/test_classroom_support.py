"""Helpers shared by the classroom tests (no tests here): hand-made journals that need no engine.

The class database only reads journals, so a journal written from hand-made reports exercises it fully
and deterministically; the tests that need the engine build real games instead.
"""

from __future__ import annotations

from pathlib import Path

from game.engine.orders import ConvoyPlan, DroneTasks, EwAllocation, Orders
from game.engine.report import Casualties, Estimate, Intel, Score, ScoreLine, SupplyReport, TurnReport
from game.record.journal import Journal
from game.scenario.load import load_scenario

FIXTURES = Path(__file__).parent / "fixtures"
MINIMAL = FIXTURES / "minimal.yaml"


def minimal():
    """The minimal scenario fixture."""
    return load_scenario(MINIMAL)


def fake_report(
    turn: int,
    orders: Orders,
    *,
    lose_north: bool = False,
    road: str = "open",
    own: float = 10.0,
    ending: str | None = None,
) -> TurnReport:
    """A report in which the player loses `own` soldiers and maybe the north sector."""
    holder = {"north": "ru" if lose_north else "ua", "south": "ua", "outside": "ru"}
    return TurnReport(
        turn=turn,
        orders=orders,
        events=[],
        losses={"ua": Casualties(killed=own * 0.6, wounded=own * 0.4), "ru": Casualties(killed=30.0)},
        unit_strength={"ua_mech": 400 - own * turn, "ua_reserve": 120.0, "kpa_1": 900 - 30.0 * turn},
        sector_holder=holder,
        place_holder={"border": "ua", "town": "ua", "hamlet": holder["north"], "ridge": "ru"},
        road_state={"road_1": road},
        fortification={"north": 0.1, "south": 0.3, "outside": 0.0},
        area_held_sq_mi=50.0 if lose_north else 80.0,
        supply=SupplyReport(trucks_sent=2, delivered_t=10.0, stocks={"ammunition_t": 50.0}),
        factors=[],
        ending=ending,
        road_cut_turns=1 if road == "cut" else 0,
    )


def fake_intel(turn: int) -> Intel:
    e = Estimate(estimate=900.0, low=700.0, high=1100.0)
    return Intel(
        turn=turn,
        enemy_strength={"north": e},
        enemy_total=e,
        own_losses_last_turn=e,
        enemy_losses_last_turn=e,
        road_threat="high",
    )


def fake_score(total: float, ending: str | None = "time") -> Score:
    return Score(
        total=total,
        lines=[ScoreLine(name="ground_held", label="Ground", quantity=80, weight=1, points=80)],
        ending=ending,
        objectives_met={},
    )


def orders_for(style: str) -> Orders:
    """Two recognisable styles of play: 'hold' (jammers on the road, day convoys) and 'careful'."""
    if style == "hold":
        return Orders(
            postures={"north": "hold"}, drones=DroneTasks(strike=4), ew=EwAllocation(road=2), convoys=ConvoyPlan(day=3)
        )
    return Orders(
        postures={"north": "delay"},
        drones=DroneTasks(counter_drone=3, strike=1),
        ew=EwAllocation(front=2),
        convoys=ConvoyPlan(night=3, escort=True),
    )


def write_journal(
    path: Path,
    trainee: str,
    style: str,
    *,
    turns: int = 3,
    seed: int = 1,
    drill: dict | None = None,
    umpire: dict | None = None,
    finished: bool = True,
    scenario=None,
) -> Path:
    """A journal of `turns` turns in one style; 'hold' loses the north sector on turn 2 and the road is cut.
    `scenario` replaces the minimal fixture (a variant of it, with drills for example)."""
    sc = scenario if scenario is not None else minimal()
    journal = Journal.create(path, sc, str(MINIMAL), seed=seed, trainee=trainee)
    for t in range(1, turns + 1):
        orders = orders_for(style)
        if drill is not None and drill.get("turn") == t:
            journal.append_record("drill", drill)
        if umpire is not None and umpire.get("turn") == t:
            journal.append_record("umpire", umpire)
        lose = style == "hold" and t >= 2
        report = fake_report(
            t,
            orders,
            lose_north=lose,
            road="cut" if lose else "open",
            own=20.0 if style == "hold" else 8.0,
            ending="time" if finished and t == turns else None,
        )
        journal.append_turn(t, orders, fake_intel(t), None, report)
    return path


def record_many(args: tuple[str, str, int, int]) -> int:
    """Child-process body for the concurrency test: write `n` journals and record each in the shared DB."""
    db_path, folder, worker, n = args
    from game.classroom.db import ClassDB
    from game.classroom.records import record_from_path

    done = 0
    for k in range(n):
        path = write_journal(
            Path(folder) / f"w{worker}-g{k}.jsonl",
            f"trainee {worker}",
            "hold" if k % 2 else "careful",
            seed=worker * 100 + k,
        )
        rec = record_from_path(path, score=fake_score(float(worker * 100 + k)))
        with ClassDB(db_path) as db:
            db.record(rec)
        done += 1
    return done


class FakeClock:
    """A clock the test moves by hand, so drill time limits are tested without waiting."""

    def __init__(self, start: float = 100.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now
