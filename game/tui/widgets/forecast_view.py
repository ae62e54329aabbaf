"""The advisor's forecast of the orders as given: medians with 5–95% ranges, a histogram, chances of loss.

The screen computes the forecast (in a worker, debounced) and hands it down with `show`; while a
new one is being computed the old one stays visible, marked as out of date.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.markup import escape
from textual.widgets import Sparkline, Static

from game.engine.report import Band, Forecast
from game.narrative.fmt import bar, count, percent
from game.narrative.story import factor_line
from game.scenario import Scenario


def band_text(band: Band, unit: str = "") -> str:
    """'42 (18–80)' — the median and the range nine runs in ten fall inside."""
    unit = f" {unit}" if unit else ""
    return f"{count(band.p50)}{unit} ({count(band.p5)}–{count(band.p95)})"


def summary_line(scenario: Scenario, forecast: Forecast, own_sectors: list[str]) -> str:
    """The forecast in one line, for the bar under the tabs."""
    names = {s.id: s.name for s in scenario.map.sectors}
    risky = sorted(((forecast.p_lose_sector.get(s, 0.0), s) for s in own_sectors), reverse=True)
    worst = f" · lose {names[risky[0][1]]} {percent(risky[0][0])}" if risky and risky[0][0] > 0 else ""
    return (f"Advisor: own casualties {band_text(forecast.own_losses)} · road cut {percent(forecast.p_road_cut)}"
            f"{worst}")


class ForecastView(Vertical):
    """Forecast panel: text bands, a histogram of own casualties, and per-sector chances of loss."""

    DEFAULT_CSS = """
    ForecastView { height: auto; }
    ForecastView Sparkline { height: 3; margin: 0 0; }
    ForecastView .axis { color: $text-muted; }
    """

    def __init__(self, *, compact: bool = False, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._compact = compact

    def compose(self) -> ComposeResult:
        yield Static("[b]ADVISOR'S FORECAST[/b]\nWaiting for your orders…", classes="head")
        yield Static("", classes="own")
        yield Sparkline([], id="histogram")
        yield Static("", classes="axis")
        yield Static("", classes="rest")

    def pending(self) -> None:
        """Mark the shown forecast as out of date while a new one is computed."""
        self.query_one(".head", Static).update("[b]ADVISOR'S FORECAST[/b] [dim](updating…)[/dim]")

    def show(self, scenario: Scenario, forecast: Forecast, own_sectors: list[str]) -> None:
        """Draw this forecast; only the sectors we hold are listed."""
        f = forecast
        runs = f"{f.replications:,} runs of the next {'turn' if f.turns == 1 else f'{f.turns} turns'}"
        self.query_one(".head", Static).update(f"[b]ADVISOR'S FORECAST[/b]  {runs}; median (5–95%)")
        self.query_one(".own", Static).update(f"Own casualties   {band_text(f.own_losses)}")
        self.query_one(Sparkline).data = [float(n) for n in f.own_losses_histogram]
        edges = f.own_losses_bin_edges
        axis = f"{count(edges[0])} {'casualties':^20} {count(edges[-1])}" if len(edges) >= 2 else ""
        self.query_one(".axis", Static).update(axis + "   (how often each number came up)")
        names = {s.id: s.name for s in scenario.map.sectors}
        lines = [
            f"Enemy casualties {band_text(f.enemy_losses)}",
            f"Ground held      {band_text(f.area_held_sq_mi, 'sq mi')}",
            f"Supply in        {band_text(f.supply_delivered_t, 't')}",
            "",
            f"{'Road cut':<16} {bar(f.p_road_cut, 16)} {percent(f.p_road_cut):>4}",
        ]
        for sid in own_sectors:
            p = f.p_lose_sector.get(sid, 0.0)
            lines.append(f"{escape(('Lose ' + names.get(sid, sid))[:16]):<16} {bar(p, 16)} {percent(p):>4}")
        if f.factors and not self._compact:
            lines += ["", "[b]What drives it[/b] (mean over the runs)"]
            lines += [f"• {escape(factor_line(x))}" for x in f.factors[:6]]
        self.query_one(".rest", Static).update("\n".join(lines))
