"""The advisor's forecast of the orders as given: medians with 5–95% ranges, a histogram, chances of loss.

The screen computes the forecast (in a worker, debounced) and hands it down with `show`; while a
new one is being computed the old one stays visible, marked as out of date.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from game.engine.report import Forecast
from game.narrative.advice import band_text, histogram_rows
from game.narrative.fmt import bar, count, percent, short_name
from game.narrative.story import factor_line
from game.scenario import Scenario

from ..plain import lines as plain_lines
from ..plain import styled


class ForecastView(Vertical):
    """Forecast panel: text bands, a histogram of own casualties, and per-sector chances of loss."""

    DEFAULT_CSS = """
    ForecastView { height: auto; }
    ForecastView .histogram { height: auto; color: $accent; }
    ForecastView .axis { color: $text-muted; }
    """

    def __init__(self, *, compact: bool = False, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._compact = compact

    def compose(self) -> ComposeResult:
        yield Static("[b]ADVISOR'S FORECAST[/b]\nWaiting for your orders…", classes="head")
        yield Static("", classes="own")
        yield Static("", classes="histogram")
        yield Static("", classes="axis")
        yield Static("", classes="rest")

    def pending(self) -> None:
        """Mark the shown forecast as out of date while a new one is computed."""
        self.query_one(".head", Static).update("[b]ADVISOR'S FORECAST[/b] [dim](updating…)[/dim]")

    def blocked(self, problem: str) -> None:
        """No forecast: the orders as given cannot be carried out."""
        self.query_one(".head", Static).update(
            styled(
                ("ADVISOR'S FORECAST", "bold"),
                "\nNone until the orders can be carried out:\n",
                (f"! {problem}", "bold $error"),
            )
        )
        for part in (".own", ".histogram", ".axis", ".rest"):
            self.query_one(part, Static).update("")

    def show(self, scenario: Scenario, forecast: Forecast, own_sectors: list[str], change: str = "") -> None:
        """Draw this forecast; only the sectors we hold are listed. `change`: why it moved since last turn."""
        f = forecast
        runs = f"{f.replications:,} runs of the next {'turn' if f.turns == 1 else f'{f.turns} turns'}"
        self.query_one(".head", Static).update(
            f"[b]ADVISOR'S FORECAST[/b]  {runs}\nmedian (range of 9 runs in 10); bars: how often each result came up"
        )
        own = f"Own casualties   {band_text(f.own_losses)}"
        self.query_one(".own", Static).update(plain_lines([own, change] if change else [own]))
        width = 40 if self._compact else 48
        rows = histogram_rows(f.own_losses_histogram, width, 3 if self._compact else 4)
        self.query_one(".histogram", Static).update(plain_lines(rows))
        edges = f.own_losses_bin_edges
        if len(edges) >= 2:
            left, right = count(edges[0]), count(edges[-1])
            axis = f"{left}{'own casualties →':^{max(1, width - len(left) - len(right))}}{right}"
        else:
            axis = ""
        self.query_one(".axis", Static).update(plain_lines([axis]))
        names = {s.id: s.name for s in scenario.map.sectors}
        lines = [
            f"Enemy casualties {band_text(f.enemy_losses)}",
            f"Ground held      {band_text(f.area_held_sq_mi, 'sq mi')}",
            f"Supply in        {band_text(f.supply_delivered_t, 't')}",
            "",
            f"{'Every route cut':<16} {bar(f.p_road_cut, 16)} {percent(f.p_road_cut):>4}",
        ]
        if f.p_supply_road_cut is not None:
            lines.insert(-1, f"{'Road shown cut':<16} {bar(f.p_supply_road_cut, 16)} {percent(f.p_supply_road_cut):>4}")
        labels = {sid: "Lose " + short_name(names.get(sid, sid)) for sid in own_sectors}
        room = max([16, *map(len, labels.values())])  # a long sector name widens the column, never cut
        for sid in own_sectors:
            p = f.p_lose_sector.get(sid, 0.0)
            lines.append(f"{labels[sid].ljust(room)} {bar(p, 16)} {percent(p):>4}")
        rest = plain_lines(lines)
        if f.factors and not self._compact:
            drives = [f"• {factor_line(x)}" for x in f.factors[:6]]
            rest += Content.assemble("\n\n", ("What drives it", "bold"), " (mean over the runs)\n") + plain_lines(
                drives
            )
        self.query_one(".rest", Static).update(rest)
