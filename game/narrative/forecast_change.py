"""Why the advisor's number moved since last turn: the situation, the trainee's changes, or both.

The advisor compares three forecasts of own casualties (their medians, the number the trainee reads):
last turn's forecast of the orders then played, this turn's forecast of those orders carried over (the
standing orders), and this turn's forecast of the orders as they stand now. The first step is the situation
alone (same orders, a new turn); the second is the trainee's changes alone (same turn, same dice). The two
add up to the whole change, so the line never claims more than the model found. What changed in the
situation is named from what the trainee can see: ground lost, the road, the enemy estimate, own strength,
news, and standing orders that had to be adapted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from game.engine.orders import Orders
from game.engine.report import Forecast, Intel
from game.scenario import Scenario

from .describe import ROAD_RANK, route_state
from .fmt import count, short_name
from .picture import Picture

ENEMY_SHIFT = 0.1
"""A change in the enemy estimate worth naming (a tenth either way)."""
OWN_SHIFT = 0.05
"""A fall in own soldiers fit to fight worth naming (a twentieth)."""
MAX_FACTS = 2


def orders_changes(scenario: Scenario, standing: Orders, orders: Orders) -> list[str]:
    """The parts of the orders changed from the standing orders, in words ('North's posture', 'drones', …)."""
    names = {s.id: short_name(s.name) for s in scenario.map.sectors}
    out = [f"{names.get(k, k)}'s posture" for k, v in orders.postures.items() if standing.postures.get(k) != v]
    parts = (
        ("drones", "drones"),
        ("ew", "jammers"),
        ("convoys", "convoys"),
        ("netting", "netting"),
        ("commit_reserves", "reserves"),
        ("withdraw", "withdrawal"),
    )
    out += [word for field, word in parts if getattr(orders, field) != getattr(standing, field)]
    return out


def _enemy(intel: Intel) -> float:
    return sum(e.estimate for e in intel.enemy_strength.values())


def situation_changes(
    scenario: Scenario,
    before: Picture,
    now: Picture,
    intel_before: Intel | None,
    intel_now: Intel | None,
    news: Sequence[str] = (),
    adapted: Mapping[str, str] | None = None,
) -> list[str]:
    """What changed since last turn that the trainee can see, most telling first (at most a few words each)."""
    side = scenario.meta.player_side
    names = {s.id: short_name(s.name) for s in scenario.map.sectors}
    facts: list[str] = []
    if adapted and "withdraw" in adapted:
        facts.append("the withdrawal is under way")
    lost = [names[s] for s, h in now.sector_holder.items() if h != side and before.sector_holder.get(s) == side]
    if lost:
        facts.append(f"we lost {', '.join(lost)}")
    road_then, road_now = route_state(scenario, before), route_state(scenario, now)
    if road_now != road_then and road_now in ROAD_RANK and road_then in ROAD_RANK:
        facts.append(f"the road is now {road_now}")
    if intel_before is not None and intel_now is not None:
        then, later = _enemy(intel_before), _enemy(intel_now)
        if then > 0 and abs(later - then) / then >= ENEMY_SHIFT:
            facts.append(
                f"the enemy estimate went {'up' if later > then else 'down'} from {count(then)} to {count(later)}"
            )
        if intel_now.road_threat != intel_before.road_threat:
            facts.append(f"the threat to the road is now {intel_now.road_threat}")
    fit_then, fit_now = sum(before.unit_strength.values()), sum(now.unit_strength.values())
    if fit_then > 0 and (fit_then - fit_now) / fit_then >= OWN_SHIFT:
        facts.append(f"we have {count(fit_then - fit_now)} fewer fit to fight")
    facts += [f"news: {n}" for n in news]
    if adapted and set(adapted) - {"withdraw"}:
        facts.append("some standing orders had to be adapted")
    return facts


def _signed(x: float) -> str:
    return f"+{count(x)}" if round(x) > 0 else f"−{count(-x)}" if round(x) < 0 else "±0"


def change_line(previous: Forecast, standing: Forecast, now: Forecast, changed: list[str], facts: list[str]) -> str:
    """One or two sentences: own casualties now against last turn's forecast, and why.

    `previous`: last turn's forecast of the orders played; `standing`: this turn's forecast of those orders
    carried over; `now`: this turn's forecast of the orders as they stand; `changed`: `orders_changes`;
    `facts`: `situation_changes`."""
    was, mid, is_ = previous.own_losses.p50, standing.own_losses.p50, now.own_losses.p50
    if round(is_) == round(was):
        head = f"Own casualties {count(is_)}, as forecast last turn"
    else:
        head = f"Own casualties {count(is_)}, {'up' if is_ > was else 'down'} from {count(was)} last turn"
    seen = "; ".join(facts[:MAX_FACTS]) if facts else "nothing you can see changed much"
    if not changed:
        return f"{head}: your orders are unchanged; {seen}."
    return (
        f"{head}: {_signed(mid - was)} from the situation ({seen}), {_signed(is_ - mid)} from your changes "
        f"({', '.join(changed[:3])}{', …' if len(changed) > 3 else ''})."
    )
