"""The advisor's forecast in words: medians with their 5–95% range and the chances that matter."""

from __future__ import annotations

from game.engine.report import Band, Forecast
from game.scenario import Scenario

from .fmt import count, percent, short_name
from .story import by_unit, factor_line


def band_text(band: Band, unit: str = "") -> str:
    """'42 (18–80)': the median, and the range nine runs in ten fall inside."""
    unit = f" {unit}" if unit else ""
    return f"{count(band.p50)}{unit} ({count(band.p5)}–{count(band.p95)})"


def summary_line(scenario: Scenario, forecast: Forecast, own_sectors: list[str]) -> str:
    """The forecast in one line: own casualties, the road, and the sector most at risk."""
    names = {s.id: s.name for s in scenario.map.sectors}
    risky = sorted(((forecast.p_lose_sector.get(s, 0.0), s) for s in own_sectors), reverse=True)
    worst = f" · lose {short_name(names[risky[0][1]])} {percent(risky[0][0])}" if risky and risky[0][0] > 0 else ""
    road = forecast.p_supply_road_cut if forecast.p_supply_road_cut is not None else forecast.p_road_cut
    return f"Advisor: own casualties {band_text(forecast.own_losses)} · road cut {percent(road)}{worst}"


def forecast_lines(scenario: Scenario, forecast: Forecast, own_sectors: list[str]) -> list[str]:
    """The forecast as the command line tells it."""
    f = forecast
    names = {s.id: s.name for s in scenario.map.sectors}
    lines = [
        f"Over {f.replications:,} runs of the next turn (median, and the range nine runs in ten fall inside):",
        f"  own casualties {band_text(f.own_losses)}; enemy casualties {band_text(f.enemy_losses)}",
        f"  ground held {band_text(f.area_held_sq_mi, 'sq mi')}; supply in {band_text(f.supply_delivered_t, 't')}",
        f"  chance every route is cut (the encirclement clock runs): {percent(f.p_road_cut)}",
    ]
    if f.p_supply_road_cut is not None:
        lines.insert(-1, f"  chance the supply road is shown cut: {percent(f.p_supply_road_cut)}")
    risks = [f"{short_name(names.get(s, s))} {percent(f.p_lose_sector.get(s, 0.0))}" for s in own_sectors]
    if risks:
        lines.append("  chance of losing: " + ", ".join(risks))
    # the largest causes in the first two units that moved, people first: a soldier and a tonne are never ranked
    # together (the result screen lists every unit)
    tops = [(heading, top[0]) for heading, top in by_unit(f.factors, 1) if round(abs(top[0].value), 1) > 0][:2]
    lines += [f"  biggest factor ({heading.lower()}): {factor_line(top)}" for heading, top in tops]
    return lines


_EIGHTHS = " ▁▂▃▄▅▆▇█"


def histogram_rows(counts: list[int], width: int, height: int) -> list[str]:
    """A vertical bar chart of `counts`, `height` rows tall and `width` cells wide (bins share cells evenly).

    Drawn with block characters so its shape reads without colour; the top row comes first.
    """
    if not counts or width <= 0 or height <= 0:
        return []
    cells = [counts[min(len(counts) - 1, i * len(counts) // width)] for i in range(width)]
    top = max(cells) or 1
    eighths = [round(c / top * height * 8) for c in cells]
    rows = []
    for level in range(height - 1, -1, -1):
        rows.append("".join(_EIGHTHS[min(8, max(0, e - level * 8))] for e in eighths))
    return rows
