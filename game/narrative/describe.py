"""`look` and `status`: descriptions of the map, the forces and the orders, from what the trainee knows."""

from __future__ import annotations

from game.engine.orders import Orders
from game.engine.report import Estimate, Intel, SupplyReport
from game.scenario import Scenario

from .fmt import count, counted, humanise, percent, short_name, spread, tonnes, whole
from .picture import Picture

ROAD_GLYPH: dict[str, str] = {"open": "=", "contested": "~", "interdicted": "!", "cut": "X"}
"""Road state → the glyph the map draws it with (meaning carried by shape, not only colour)."""
ROAD_RANK: dict[str, int] = {"open": 0, "contested": 1, "interdicted": 2, "cut": 3}
STOCK_LABELS: dict[str, str] = {
    "ammunition_t": "ammunition",
    "drones": "drones",
    "fuel_t": "fuel",
    "food_medical_t": "food and medical",
}


def holder_word(scenario: Scenario, holder: str) -> str:
    """'ours' or 'enemy' — who holds a sector or place, in a word."""
    return "ours" if holder == scenario.meta.player_side else "enemy"


def route_state(scenario: Scenario, pic: Picture, route: str = "supply_route") -> str:
    """The worst state along a route (the road is only as open as its worst stretch)."""
    segments = getattr(scenario.map, route)
    if not segments:
        return "none"
    return max((pic.road_state.get(r, "open") for r in segments), key=ROAD_RANK.__getitem__)


def stock_line(stocks: dict[str, float]) -> str:
    """One line of stocks: 'ammunition 120 t · drones 340 · fuel 45 t · food and medical 30 t'."""
    parts = []
    for key, label in STOCK_LABELS.items():
        if key in stocks:
            value = stocks[key]
            parts.append(f"{label} {count(value) if key == 'drones' else tonnes(value)}")
    return " · ".join(parts)


def convoy_counts(supply: SupplyReport) -> tuple[int, int]:
    """Trucks sent and trucks lost as whole numbers, never more lost than sent (the one source of both)."""
    sent = max(0, supply.trucks_sent)
    return sent, min(sent, max(0, whole(supply.trucks_lost)))


def convoy_line(supply: SupplyReport) -> str:
    """'16 trucks sent, 3 lost (81% got through)': the share is (sent − lost) / sent of the figures shown."""
    sent, lost = convoy_counts(supply)
    if not sent:
        return "no trucks sent"
    return f"{counted(sent, 'truck')} sent, {lost:,} lost ({percent((sent - lost) / sent)} got through)"


def orders_lines(scenario: Scenario, orders: Orders) -> list[str]:
    """The orders as given, one line per kind."""
    names = {s.id: short_name(s.name) for s in scenario.map.sectors}
    units = {u.id: u.name for u in scenario.player.units}
    postures = ", ".join(f"{names.get(k, k)} {humanise(v)}" for k, v in orders.postures.items()) or "unchanged"
    d = orders.drones
    c = orders.convoys
    lines = [
        f"Postures: {postures}",
        f"Drones: strike {d.strike}, counter-drone {d.counter_drone}, road overwatch {d.road_overwatch}, "
        f"recon {d.recon}",
        f"EW: front {orders.ew.front}, road {orders.ew.road}",
        f"Convoys: {c.day} by day, {c.night} by night, escort {'on' if c.escort else 'off'}, by {c.route}; "
        f"netting {'on' if orders.netting else 'off'}",
    ]
    if orders.commit_reserves:
        lines.append(
            "Reserves: "
            + ", ".join(f"{units.get(u, u)} to {names.get(s, s)}" for u, s in orders.commit_reserves.items())
        )
    if orders.withdraw:
        lines.append("WITHDRAWAL of the whole grouping is ordered.")
    return lines


def status_lines(scenario: Scenario, pic: Picture, orders: Orders, hours: str) -> list[str]:
    """`status`: the turn, the orders so far, stocks, the road and the encirclement clock."""
    lines = [hours, *orders_lines(scenario, orders)]
    lines.append(f"Stocks: {stock_line(pic.stocks)}")
    lines.append(
        f"Supply road: {route_state(scenario, pic)}; ground held {pic.area_held:.0f} of {pic.area_total:.0f} sq mi"
    )
    if pic.road_cut_turns:
        lines.append(
            f"Every route has been cut for {counted(pic.road_cut_turns, 'turn')}: the encirclement clock runs "
            f"({scenario.supply.encirclement_clock_turns} turns and we are encircled)."
        )
    return lines


def overview_lines(scenario: Scenario, pic: Picture, intel: Intel | None) -> list[str]:
    """`look` with nothing named: every sector in a line, then the road."""
    lines = []
    for s in scenario.map.sectors:
        held = holder_word(scenario, pic.sector_holder.get(s.id, s.holder))
        enemy = ""
        if intel is not None and s.id in intel.enemy_strength:
            e = intel.enemy_strength[s.id]
            enemy = f"; enemy {spread(e.estimate, e.low, e.high)} (estimate)"
        posture = f", {humanise(pic.postures[s.id])}" if held == "ours" and s.id in pic.postures else ""
        lines.append(f"{s.name} [{held}{posture}] {s.area_sq_mi:.0f} sq mi{enemy}")
    lines.append(
        f"Supply road: {route_state(scenario, pic)}"
        + (f"; tracks: {route_state(scenario, pic, 'track_route')}" if scenario.map.track_route else "")
    )
    return lines


def look_lines(scenario: Scenario, pic: Picture, intel: Intel | None, kind: str, ident: str) -> list[str]:
    """`look THING` where kind is sector, place, road, unit, route, enemy or stocks."""
    m = scenario.map
    if kind == "sector":
        s = next(x for x in m.sectors if x.id == ident)
        held = holder_word(scenario, pic.sector_holder.get(s.id, s.holder))
        lines = [
            f"{s.name} — {s.area_sq_mi:.0f} sq mi of {s.terrain} ground, {s.frontage_km:.0f} km of front, "
            f"held by {'us' if held == 'ours' else 'the enemy'}."
        ]
        if s.description:
            lines.append(s.description)
        lines.append(
            f"Fortification {percent(pic.fortification.get(s.id, s.fortification))}; posture "
            f"{humanise(pic.postures.get(s.id, 'none'))}."
        )
        here = [u for u in scenario.player.units if pic.unit_sector.get(u.id) == s.id and u.id not in pic.reserves]
        if here:
            lines.append("Our units: " + ", ".join(f"{u.name} ({count(pic.unit_strength.get(u.id, 0))})" for u in here))
        if intel is not None and s.id in intel.enemy_strength:
            e = intel.enemy_strength[s.id]
            lines.append(
                f"Enemy in contact (estimate): {spread(e.estimate, e.low, e.high)}, {e.confidence} confidence."
            )
        if s.places:
            names = {p.id: p.name for p in m.places}
            lines.append("Places: " + ", ".join(names[p] for p in s.places))
        return lines
    if kind == "place":
        p = next(x for x in m.places if x.id == ident)
        sector = next((s.name for s in m.sectors if p.id in s.places), "no sector")
        held = holder_word(scenario, pic.place_holder.get(p.id, p.holder))
        return [
            f"{p.name} — {humanise(p.kind)} in {sector}, held by {'us' if held == 'ours' else 'the enemy'}.",
            *([p.description] if p.description else []),
        ]
    if kind == "road":
        r = next(x for x in m.roads if x.id == ident)
        state = pic.road_state.get(r.id, r.state)
        return [
            f"{r.name} — {r.length_km:.0f} km of {r.kind} ({r.surface}), {state.upper()} "
            f"[{ROAD_GLYPH[state]}]; enemy drone crews about {r.enemy_distance_km:.0f} km away.",
            *([r.description] if r.description else []),
        ]
    if kind == "unit":
        u = next(x for x in scenario.player.units if x.id == ident)
        where = next((s.name for s in m.sectors if s.id == pic.unit_sector.get(u.id)), "?")
        state = "in reserve at " if u.id in pic.reserves else "in "
        now, start = pic.unit_strength.get(u.id, 0.0), pic.start_strength.get(u.id, 1.0)
        return [
            f"{u.name} — {humanise(u.type)}, {state}{where}; {count(now)} of {count(start)} fit to fight "
            f"({percent(now / start if start else 0)}).",
            *([u.description] if u.description else []),
        ]
    if kind == "route":
        lines = [f"Supply road: {route_state(scenario, pic)}."]
        for rid in m.supply_route + m.track_route:
            r = next(x for x in m.roads if x.id == rid)
            state = pic.road_state.get(rid, r.state)
            lines.append(f"  [{ROAD_GLYPH[state]}] {r.name}: {state} ({r.length_km:.0f} km, {r.kind})")
        if intel is not None:
            lines.append(f"Threat to the road: {intel.road_threat}.")
        return lines
    if kind == "enemy":
        if intel is None:
            return ["No estimate of the enemy yet."]
        e = intel.enemy_total
        lines = [
            f"{scenario.enemy.name}: {spread(e.estimate, e.low, e.high)} in contact (estimate, {e.confidence} "
            "confidence; the sum of the sectors below)."
        ]
        lines += [f"  {name}: {spread(x.estimate, x.low, x.high)}" for name, x in _by_sector(scenario, intel)]
        return lines + [f"  {note}" for note in intel.notes]
    if kind == "stocks":
        return [f"Stocks: {stock_line(pic.stocks)}."]
    raise KeyError(kind)


def _by_sector(scenario: Scenario, intel: Intel) -> list[tuple[str, Estimate]]:
    names = {s.id: s.name for s in scenario.map.sectors}
    return [(names.get(k, k), v) for k, v in intel.enemy_strength.items()]
