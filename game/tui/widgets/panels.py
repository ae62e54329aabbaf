"""Read-only panels: own forces and stocks, and the enemy estimate with its uncertainty.

Each panel is a `Static` given its data by the screen (`show`); the enemy panel draws only what
`Intel` says — estimates with ranges — never the engine's ground truth.
"""

from __future__ import annotations

from textual.markup import escape
from textual.widgets import Static

from game.engine.report import Intel
from game.narrative.describe import ROAD_GLYPH, stock_line
from game.narrative.fmt import bar, clean, count, percent, short_name
from game.narrative.picture import Picture
from game.scenario import Scenario


def _pad(text: str, width: int) -> str:
    """Cut or pad `text` to `width` cells, then escape it for markup."""
    text = text if len(text) <= width else text[: width - 1] + "…"
    return escape(text.ljust(width))


class ForcesPanel(Static):
    """Own units (strength against the start), stocks, support and the road, segment by segment."""

    def show(self, scenario: Scenario, pic: Picture) -> None:
        """Redraw for this picture."""
        sectors = {s.id: short_name(s.name) for s in scenario.map.sectors}
        lines = ["[b]OWN FORCES[/b]   fit to fight of the start"]
        for u in scenario.player.units:
            now, start = pic.unit_strength.get(u.id, 0.0), pic.start_strength.get(u.id, 1.0) or 1.0
            where = "reserve" if u.id in pic.reserves else sectors.get(pic.unit_sector.get(u.id, ""), "?")
            lines.append(f"{_pad(u.name, 26)} {_pad(where, 10)} {bar(now / start, 10)} "
                         f"{count(now):>6} {percent(now / start):>4}")
        own = scenario.player
        lines += [
            "",
            "[b]SUPPORT[/b]",
            f"Drone teams {sum(g.teams for g in own.drone_teams)} · EW teams "
            f"{sum(g.teams for g in own.electronic_warfare)} · trucks {scenario.supply.convoys.trucks_available}"
            " a turn",
            "",
            "[b]STOCKS[/b]",
            escape(stock_line(pic.stocks)),
            "",
            "[b]ROAD AND TRACKS[/b]",
        ]
        for r in scenario.map.roads:
            state = pic.road_state.get(r.id, r.state)
            lines.append(f"\\[{escape(ROAD_GLYPH[state])}] {_pad(r.name, 28)} {state.upper()}")
        if pic.road_cut_turns:
            lines.append(f"[b $error]Every route cut for {pic.road_cut_turns} turn(s) of "
                         f"{scenario.supply.encirclement_clock_turns}: encirclement clock running[/]")
        self.update("\n".join(lines))


class EnemyPanel(Static):
    """The enemy as estimated: a range bar per sector (▒ the range, █ the best guess) and the road threat."""

    def show(self, scenario: Scenario, intel: Intel | None) -> None:
        """Redraw for this estimate."""
        if intel is None:
            self.update("[b]ENEMY ESTIMATE[/b]\nNo estimate yet.")
            return
        names = {s.id: short_name(s.name) for s in scenario.map.sectors}
        e = intel.enemy_total
        lines = [
            "[b]ENEMY ESTIMATE[/b]   ranges, not the truth",
            f"In contact: about {count(e.estimate)} ({count(e.low)}–{count(e.high)}), {e.confidence} confidence",
            "",
        ]
        top = max([x.high for x in intel.enemy_strength.values()] + [1.0])
        for sid, x in intel.enemy_strength.items():
            lines.append(f"{_pad(names.get(sid, sid), 12)} ~{count(x.estimate):>6} "
                         f"{count(x.low):>6}–{count(x.high):<6} {range_bar(x.low, x.estimate, x.high, top, 16)} "
                         f"{x.confidence}")
        lines += ["", f"Threat to the supply road: [b]{intel.road_threat.upper()}[/b]"]
        lines += [f"• {escape(clean(note))}" for note in intel.notes]
        self.update("\n".join(lines))


def range_bar(low: float, mid: float, high: float, top: float, width: int) -> str:
    """A bar from 0 to `top`: '·' outside the range, '▒' inside it, '█' at the best guess."""
    cells = ["·"] * width
    scale = (width - 1) / top if top > 0 else 0.0
    lo, hi, at = round(low * scale), round(high * scale), round(mid * scale)
    for i in range(max(0, lo), min(width, hi + 1)):
        cells[i] = "▒"
    cells[min(max(at, 0), width - 1)] = "█"
    return "".join(cells)


__all__ = ["EnemyPanel", "ForcesPanel", "range_bar"]
