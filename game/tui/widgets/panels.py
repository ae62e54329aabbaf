"""Read-only panels: own forces and stocks, and the enemy estimate with its uncertainty.

Each panel is a `Static` given its data by the screen (`show`); the enemy panel draws only what
`Intel` says — estimates with ranges — never the engine's ground truth. Names and notes are data: built into
rich `Text` as plain strings (`_t`), never parsed as markup.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from game.engine.report import Intel
from game.narrative.describe import ROAD_GLYPH, stock_line
from game.narrative.fmt import bar, count, counted, percent, short_name
from game.narrative.picture import Picture
from game.narrative.safe_text import shown
from game.scenario import Scenario


def _t(text: object, style: str = "") -> Text:
    """Plain text from the scenario or the game, cleaned and cut; styled only by us."""
    return Text(shown(text), style=style)


def _grid(columns: int, wrap: int = 0, right: tuple[int, ...] = ()) -> Table:
    """A borderless table: column `wrap` wraps into the room left, the others stay on one line."""
    table = Table.grid(padding=(0, 1))
    for i in range(columns):
        table.add_column(no_wrap=i != wrap, overflow="fold", justify="right" if i in right else "left")
    return table


class ForcesPanel(Static):
    """Own units (strength against the start), stocks, support and the road, segment by segment.

    Names are never cut: a long name wraps within its column while the figures stay on one line.
    """

    def show(self, scenario: Scenario, pic: Picture) -> None:
        """Redraw for this picture."""
        sectors = {s.id: short_name(s.name) for s in scenario.map.sectors}
        units = _grid(5, right=(3, 4))
        for u in scenario.player.units:
            now, start = pic.unit_strength.get(u.id, 0.0), pic.start_strength.get(u.id, 1.0) or 1.0
            where = "reserve" if u.id in pic.reserves else sectors.get(pic.unit_sector.get(u.id, ""), "?")
            units.add_row(*map(_t, (u.name, where, bar(now / start, 10), count(now), percent(now / start))))
        own = scenario.player
        support = Text.assemble(
            "\n",
            ("SUPPORT", "bold"),
            f"\nDrone teams {sum(g.teams for g in own.drone_teams)} · EW teams "
            f"{sum(g.teams for g in own.electronic_warfare)} · trucks {scenario.supply.convoys.trucks_available}"
            " a turn\n\n",
            ("STOCKS", "bold"),
            "\n",
            shown(stock_line(pic.stocks)),
            "\n\n",
            ("ROAD AND TRACKS", "bold"),
        )
        roads = _grid(3, wrap=1)
        for r in scenario.map.roads:
            state = pic.road_state.get(r.id, r.state)
            roads.add_row(*map(_t, (f"[{ROAD_GLYPH[state]}]", r.name, state.upper())))
        parts: list[RenderableType] = [
            Text.assemble(("OWN FORCES", "bold"), "   fit to fight of the start"),
            units,
            support,
            roads,
        ]
        if pic.road_cut_turns:
            parts.append(
                Text(
                    f"Every route cut for {counted(pic.road_cut_turns, 'turn')} of "
                    f"{scenario.supply.encirclement_clock_turns}: encirclement clock running",
                    style=f"bold {self.app.theme_variables['error']}",
                )
            )
        self.update(Group(*parts))


class EnemyPanel(Static):
    """The enemy as estimated: a range bar per sector (▒ the range, █ the best guess) and the road threat."""

    def show(self, scenario: Scenario, intel: Intel | None) -> None:
        """Redraw for this estimate."""
        if intel is None:
            self.update(Text.assemble(("ENEMY ESTIMATE", "bold"), "\nNo estimate yet."))
            return
        names = {s.id: short_name(s.name) for s in scenario.map.sectors}
        e = intel.enemy_total
        head = Text.assemble(
            ("ENEMY ESTIMATE", "bold"),
            "   ranges, not the truth\n",
            shown(f"In contact: about {count(e.estimate)} ({count(e.low)}–{count(e.high)}), {e.confidence} confidence"),
            "\n",
        )
        sectors = _grid(5, right=(1,))
        top = max([x.high for x in intel.enemy_strength.values()] + [1.0])
        for sid, x in intel.enemy_strength.items():
            sectors.add_row(
                *map(
                    _t,
                    (
                        names.get(sid, sid),
                        f"~{count(x.estimate)}",
                        f"{count(x.low)}–{count(x.high)}",
                        range_bar(x.low, x.estimate, x.high, top, 16),
                        x.confidence,
                    ),
                )
            )
        tail = Text.assemble(
            "\nThreat to the supply road: ",
            (shown(intel.road_threat.upper()), "bold"),
            *[f"\n• {shown(note)}" for note in intel.notes],
        )
        self.update(Group(head, sectors, tail))


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
