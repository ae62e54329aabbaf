"""The advisor says why its number moved since last turn, and the numbers it gives are the model's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.engine.game import Game
from game.engine.orders import EwAllocation
from game.narrative.fmt import count
from game.narrative.forecast_change import change_line, orders_changes
from game.scenario.load import load_scenario
from game.tui.session import Session

KURSK = Path(__file__).parents[1] / "scenarios" / "kursk-2025.yaml"
RUNS = 1000  # the session's forecasts: the same replications, so the same numbers


@pytest.fixture(scope="module")
def kursk():
    return load_scenario(KURSK)


def played_two_turns(kursk):
    """A session two turns in (netting and a road-heavy jamming plan ordered on turn 1), and a bare game beside it."""
    session = Session(Game(kursk, 3), None)
    first = session.orders.model_copy(update={"netting": True, "ew": EwAllocation(front=2, road=4)})
    session.change(first)
    bare = Game(kursk, 3)
    before = bare.forecast(first, replications=RUNS)
    session.end_turn()
    bare.play(first)
    return session, bare, first, before


def test_with_orders_unchanged_the_advisor_names_the_situation(kursk):
    session, bare, first, before = played_two_turns(kursk)
    assert session.orders == session.standing.orders and session.orders.ew == first.ew and session.orders.netting
    now = session.forecast()
    assert now == bare.forecast(first.model_copy(update={"postures": session.orders.postures}), replications=RUNS)
    line = session.forecast_change(now)
    direction = "up" if now.own_losses.p50 > before.own_losses.p50 else "down"
    assert line.startswith(
        f"Own casualties {count(now.own_losses.p50)}, {direction} from "
        f"{count(before.own_losses.p50)} last turn: your orders are unchanged; "
    )
    assert "the road is now contested" in line  # seed 3: the road went from open to contested in turn 1
    assert session.picture().road_state != {r.id: r.state for r in kursk.map.roads}


def test_with_orders_changed_the_two_parts_are_the_models_and_add_up(kursk):
    session, bare, _first, before = played_two_turns(kursk)
    standing = bare.forecast(session.standing.orders, replications=RUNS)
    changed = session.orders.model_copy(
        update={"netting": False, "postures": {**session.orders.postures, "south": "delay"}}
    )
    session.change(changed)
    now = session.forecast()
    assert now == bare.forecast(changed, replications=RUNS)
    line = session.forecast_change(now)
    situation = round(standing.own_losses.p50 - before.own_losses.p50)
    orders = round(now.own_losses.p50 - standing.own_losses.p50)

    def signed(x: int) -> str:
        return f"+{x}" if x > 0 else f"−{-x}" if x < 0 else "±0"

    assert f"{signed(situation)} from the situation (" in line
    assert line.endswith(f"{signed(orders)} from your changes (South's posture, netting).")
    assert orders_changes(kursk, session.standing.orders, changed) == ["South's posture", "netting"]


def test_the_first_turn_has_nothing_to_compare_with(kursk):
    session = Session(Game(kursk, 3), None)
    assert session.forecast_change(session.forecast()) is None


def test_a_saved_game_tells_the_same_change_when_continued(kursk, tmp_path):
    session = Session.new(kursk, str(KURSK), 3, "Cadet", save_path=tmp_path / "g.jsonl")
    session.change(session.orders.model_copy(update={"netting": True}))
    session.end_turn()
    told = session.forecast_change(session.forecast())
    again = Session.load(tmp_path / "g.jsonl")
    assert again.orders == session.orders and again.orders.netting  # the orders stand across a save, too
    assert again.forecast_change(again.forecast()) == told


def test_change_line_wording():
    from game.engine.report import Band, Forecast

    def f(p50: float) -> Forecast:
        b = Band(mean=p50, p5=p50, p50=p50, p95=p50)
        return Forecast(
            replications=1,
            turns=1,
            own_losses=b,
            enemy_losses=b,
            area_held_sq_mi=b,
            supply_delivered_t=b,
            p_lose_sector={},
            p_lose_place={},
            p_road_cut=0.0,
            own_losses_histogram=[],
            own_losses_bin_edges=[],
            factors=[],
        )

    assert change_line(f(63), f(82), f(82), [], ["the road is now interdicted"]) == (
        "Own casualties 82, up from 63 last turn: your orders are unchanged; the road is now interdicted."
    )
    assert change_line(f(63), f(63.2), f(63.4), ["drones"], []) == (
        "Own casualties 63, as forecast last turn: ±0 from the situation (nothing you can see changed much), "
        "±0 from your changes (drones)."
    )
