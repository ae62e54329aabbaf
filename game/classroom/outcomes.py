"""What a trainee chose and what came of it, in the coarse terms a class is compared in.

Orders are rich (exact team counts per task, trucks per convoy); a class of twelve never gives the same
orders twice. So each order set is folded into a few *choices* per dimension (posture per sector, main
drone task, where the jammers went, how convoys ran) that can be counted across trainees, and each turn's
report into an *outcome* summary. Both are plain dicts, stored as JSON in the class database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from game.engine.orders import DRONE_TASKS, Orders
from game.engine.report import TurnReport
from game.scenario import Scenario

ROAD_ORDER = ("open", "contested", "interdicted", "cut")
TASK_WORDS = {
    "strike": "strike",
    "counter_drone": "counter-drone",
    "road_overwatch": "road overwatch",
    "recon": "recon",
}


def standing_postures(scenario: Scenario) -> dict[str, str]:
    """Each sector's posture at the start (the posture of the player's units in it; `hold` by default)."""
    out: dict[str, str] = {}
    for unit in scenario.player.units:
        if not unit.in_reserve and unit.posture != "assault":
            out.setdefault(unit.location, unit.posture)
    return out


def choices(orders: Orders, standing: Mapping[str, str], held: set[str] | None = None) -> dict[str, str]:
    """The orders folded into one label per dimension (see module doc). `held`: sectors the player holds."""
    out: dict[str, str] = {}
    postures = {**standing, **orders.postures}
    for sector in sorted(postures):
        if held is None or sector in held:
            out[f"posture:{sector}"] = postures[sector]
    out["drones"] = _drones(orders)
    ew = orders.ew
    out["ew"] = {(False, False): "none", (True, False): "front", (False, True): "road"}.get(
        (ew.front > 0, ew.road > 0), "front and road"
    )
    out["convoys"] = _convoys(orders)
    out["netting"] = "yes" if orders.netting else "no"
    out["reserves"] = (
        "commit " + ", ".join(f"{u}→{s}" for u, s in sorted(orders.commit_reserves.items()))
        if orders.commit_reserves
        else "none"
    )
    out["withdraw"] = "yes" if orders.withdraw else "no"
    return out


def _drones(orders: Orders) -> str:
    counts = {task: getattr(orders.drones, task) for task in DRONE_TASKS}
    top = max(counts.values())
    if top == 0:
        return "none"
    leaders = [t for t in DRONE_TASKS if counts[t] == top]
    if len(leaders) > 1:
        return "split " + " / ".join(TASK_WORDS[t] for t in leaders)
    return f"mostly {TASK_WORDS[leaders[0]]}"


def _convoys(orders: Orders) -> str:
    c = orders.convoys
    when = [w for w, n in (("day", c.day), ("night", c.night)) if n > 0]
    if not when:
        return "none"
    text = " and ".join(when)
    if c.escort:
        text += ", escorted"
    if c.route == "tracks":
        text += ", by tracks"
    return text


def supply_route_state(scenario: Scenario, road_state: Mapping[str, str]) -> str:
    """The worst state along the main supply road."""
    route = scenario.map.supply_route or [r.id for r in scenario.map.roads if r.kind == "road"]
    worst = max((ROAD_ORDER.index(road_state.get(rid, "open")) for rid in route), default=0)
    return ROAD_ORDER[worst]


def start_holders(scenario: Scenario) -> tuple[dict[str, str], dict[str, str]]:
    """Sector and place holders before turn 1."""
    return {s.id: s.holder for s in scenario.map.sectors}, {p.id: p.holder for p in scenario.map.places}


def outcome(scenario: Scenario, report: TurnReport, before: TurnReport | None) -> dict[str, Any]:
    """One turn's result as the class report counts it (losses, ground, road, supply, injects, ending)."""
    player, enemy = scenario.meta.player_side, scenario.opfor.side
    sectors0, places0 = start_holders(scenario)
    sectors_before = dict(before.sector_holder) if before else sectors0
    places_before = dict(before.place_holder) if before else places0
    lost = sorted(s for s, h in report.sector_holder.items() if sectors_before.get(s) == player and h != player)
    lost_places = sorted(p for p, h in report.place_holder.items() if places_before.get(p) == player and h != player)
    road = supply_route_state(scenario, report.road_state)
    own = report.losses.get(player)
    foe = report.losses.get(enemy)
    return {
        "own_losses": round(own.total, 3) if own else 0.0,
        "enemy_losses": round(foe.total, 3) if foe else 0.0,
        "area_held_sq_mi": round(report.area_held_sq_mi, 3),
        "sectors_lost": lost,
        "places_lost": lost_places,
        "held_sectors": sorted(s for s, h in report.sector_holder.items() if h == player),
        "held_places": sorted(p for p, h in report.place_holder.items() if h == player),
        "road": road,
        "road_cut": report.road_cut_turns > 0 or bool(before is not None and before.road_cut_turns > 0),
        "delivered_t": round(report.supply.delivered_t, 3),
        "trucks_lost": round(report.supply.trucks_lost, 3),
        "injects_fired": list(report.injects_fired),
        "ending": report.ending,
    }


def event_happened(metric: str, outcome_summary: Mapping[str, Any]) -> bool:
    """Whether the event a probability estimate was about happened (from an `outcome` summary).

    The events mean what the engine's forecast means by them, so the trainee's estimate, the model's
    probability and the outcome are about the same thing: `p_road_cut` — every route cut at the start or the
    end of the turn (the encirclement clock runs); `p_lose_sector:X` — X not held by the player at the end.
    """
    kind, _, target = metric.partition(":")
    if kind == "p_road_cut":
        return bool(outcome_summary.get("road_cut"))
    if kind == "p_lose_sector":
        return target not in outcome_summary.get("held_sectors", [])
    if kind == "p_lose_place":
        return target not in outcome_summary.get("held_places", [])
    raise ValueError(f"unknown estimate metric '{metric}'")


def model_probability(metric: str, forecast: Mapping[str, Any] | None) -> float | None:
    """The model's forecast probability of the event, read from a Forecast (as JSON); None without one."""
    if not forecast:
        return None
    kind, _, target = metric.partition(":")
    if kind == "p_road_cut":
        value = forecast.get("p_road_cut")
    elif kind == "p_lose_sector":
        value = (forecast.get("p_lose_sector") or {}).get(target)
    elif kind == "p_lose_place":
        value = (forecast.get("p_lose_place") or {}).get(target)
    else:
        value = None
    return None if value is None else float(value)
