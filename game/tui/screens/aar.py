"""The after-action review screen: summary, timeline, curves, decision by decision, what-if branches.

Everything shown is built headless by `game.debrief` (the same model `salient aar` renders); this screen
only lays it out. The review appears at once without the luck analysis, which then runs in a thread
(or is read from the journal, where an earlier review left it) and fills in when done. `w` plays a
what-if branch from the selected turn with a standing policy, on the same dice, and stores it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, OptionList, Static, TabbedContent, TabPane
from textual.widgets.data_table import ColumnKey
from textual.widgets.option_list import Option
from textual_plot import AxisFormatter, HiResMode, PlotWidget

from game.narrative.safe_text import shown

from ..plain import lines, plain
from .base import SalientScreen

if TYPE_CHECKING:
    from game.debrief.aar import AfterActionReview
    from game.debrief.luck import LuckReport
    from game.record.journal import LoadedJournal

MARKERS = ("o", "x", "+", "*", "#", "@")
STYLES = ("bright_blue", "bright_red", "bright_green", "bright_magenta", "yellow", "white")
LUCK_REPLICATIONS = 1000
"""The same R as `salient aar`, so either reuses the analysis the other remembered in the journal."""


def _short_when(when: str) -> str:
    """'Turn 3 — 5 Mar 2025 06:00–18:00' → '5 Mar 06:00–18:00' (the year is in the title)."""
    text = when.rsplit(" — ", maxsplit=1)[-1]
    parts = text.split()
    return " ".join(parts[:2] + parts[3:]) if len(parts) >= 4 and parts[2].isdigit() else text


class WhatIfDialog(ModalScreen[str | None]):
    """Choose the standing policy that plays a what-if from a turn; escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="aar.whatif.cancel")]
    DEFAULT_CSS = """
    WhatIfDialog { align: center middle; }
    WhatIfDialog > Vertical { width: 64; height: auto; max-height: 20; border: round $accent; background: $panel;
                              padding: 0 1; }
    WhatIfDialog OptionList { height: auto; max-height: 12; }
    """

    def __init__(self, turn: int, policies: list[tuple[str, str]]) -> None:
        super().__init__()
        self.turn, self.policies = turn, policies

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"What-if from turn {self.turn}: which orders from there on? (same dice; escape cancels)")
            yield OptionList(
                *[Option(plain(f"{name} — {text}"), id=name) for name, text in self.policies], id="whatif-choices"
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Close without branching."""
        self.dismiss(None)


class FixedTicks(AxisFormatter):
    """Ticks and labels decided beforehand (by `game.debrief.axes`), so the plot shows exactly those."""

    def __init__(self, ticks: Sequence[float], labels: Sequence[str]) -> None:
        self.labels = dict(zip(ticks, labels, strict=True))

    def get_ticks(self, min_: float, max_: float, max_ticks: int = 8) -> list[float]:
        """The fixed ticks inside the range."""
        return [t for t in self.labels if min_ <= t <= max_]

    def get_labels_for_ticks(self, ticks: Sequence[float]) -> list[str]:
        """Each tick's own label."""
        return [self.labels.get(t, "") for t in ticks]


def legend_lines(items: Sequence[str], width: int) -> list[str]:
    """Legend items on as many lines as `width` needs, never breaking an item (one too long is wrapped alone)."""
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + 3 + len(item) <= width:
            lines[-1] += "   " + item
        else:
            lines += textwrap.wrap(item, width, subsequent_indent="  ") or [item]
    return lines


class AarScreen(SalientScreen):
    """The after-action review of the game saved in `journal_path`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="aar.back"),
        Binding("w", "what_if", "What-if", id="aar.what_if"),
        Binding("right_square_bracket", "chart(1)", "Next chart", key_display="]", id="aar.next_chart"),
        Binding("left_square_bracket", "chart(-1)", "Prev chart", key_display="[", id="aar.prev_chart", show=False),
    ]
    DEFAULT_CSS = """
    #aar-head { height: auto; padding: 0 1; background: $panel; }
    #aar-tabs { height: 1fr; }
    #aar-tabs TabPane { height: 1fr; padding: 0; }
    #aar-summary-scroll, #aar-branches-scroll, #aar-decision-scroll { height: 1fr; padding: 0 1; }
    #aar-turns { width: 24; height: 1fr; }
    #aar-chart-title, #aar-legend { height: auto; padding: 0 1; }
    #aar-plot { height: 1fr; min-height: 6; }
    #aar-timeline-table { height: 1fr; }
    """

    def __init__(self, journal_path: Path | str) -> None:
        super().__init__()
        self.journal_path = Path(journal_path)
        self.aar: AfterActionReview | None = None
        self.luck: LuckReport | None = None
        self.chart = 0
        self.selected_turn = 1
        self.status = "Loading the review…"

    # --- layout ------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield Static(plain(self.status), id="aar-head")
        with TabbedContent(id="aar-tabs"):
            with TabPane("Review", id="aar-review"), VerticalScroll(id="aar-summary-scroll"):
                yield Static("", id="aar-summary")
            with TabPane("Timeline", id="aar-timeline"):
                yield DataTable(id="aar-timeline-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Curves", id="aar-curves"):
                yield Static("", id="aar-chart-title")
                yield PlotWidget(id="aar-plot")
                yield Static("", id="aar-legend")
            with TabPane("Decisions", id="aar-decisions"), Horizontal():
                yield OptionList(id="aar-turns")
                with VerticalScroll(id="aar-decision-scroll"):
                    yield Static("", id="aar-decision")
            with TabPane("What-ifs", id="aar-whatifs"), VerticalScroll(id="aar-branches-scroll"):
                yield Static("", id="aar-branches")

    def on_mount(self) -> None:
        table = self.query_one("#aar-timeline-table", DataTable)
        table.add_column("Turn", key="turn")
        table.add_column("When", key="when")
        table.add_column("What", key="what")
        self._load()

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        if self.aar is not None:  # rows and legend are wrapped to the width: wrap them again
            self._fill_timeline()
            self._draw_chart()

    # --- loading and the luck analysis (threads) --------------------------------------------

    @work(thread=True, exclusive=True, group="aar-load")
    def _load(self) -> None:
        from game.debrief.aar import build_aar
        from game.errors import SalientError
        from game.record.journal import load_journal

        try:
            loaded = load_journal(self.journal_path)
            loaded.scenario  # noqa: B018 - a scenario that no longer validates is refused here
            if not loaded.turns:
                raise SalientError("no turn has been played yet; nothing to review")
            aar = build_aar(loaded, luck=self.luck)
            if loaded.trainee_copy is not None:  # under an instructor key: only what the trainee may see
                from game.debrief.trainee_view import for_trainee

                aar = for_trainee(aar, loaded.scenario)
        except SalientError as error:
            self.app.call_from_thread(self._failed, str(error))
            return
        self.app.call_from_thread(self._show, aar, loaded.damage_note())
        if self.luck is None and loaded.trainee_copy is None:
            self._analyse(loaded)

    def _analyse(self, loaded: LoadedJournal) -> None:
        from game.debrief import luck_cache
        from game.debrief.aar import build_aar
        from game.debrief.luck import analyse, case_ids, has_expert

        key = luck_cache.cache_key(loaded, LUCK_REPLICATIONS, 1, case_ids(has_expert(loaded)))
        report = luck_cache.find(loaded, key)
        if report is None:

            def progress(done: int, total: int) -> None:
                self.app.call_from_thread(self._set_status, f"Weighing luck against judgement… {done}/{total}")

            report = analyse(loaded, replications=LUCK_REPLICATIONS, progress=progress)
            luck_cache.store(loaded, key, report)
        self.luck = report
        self.app.call_from_thread(self._show, build_aar(loaded, luck=report), loaded.damage_note())

    def _failed(self, message: str) -> None:
        self._set_status(f"This review cannot be shown: {message}")
        self.query_one("#aar-summary", Static).update(lines([message, "", "Press escape to go back."]))

    def _set_status(self, text: str) -> None:
        self.status = text
        self.query_one("#aar-head", Static).update(lines(text.split("\n")))

    # --- showing -----------------------------------------------------------------------------

    def _show(self, aar: AfterActionReview, damage: str) -> None:
        from game.debrief.render_text import branch_lines, summary_lines

        self.aar = aar
        verdict = aar.luck.verdict if aar.luck is not None else "luck against judgement: analysing…"
        head = f"AFTER-ACTION REVIEW · score {aar.score.total:+,.1f} · {verdict}"
        self._set_status(head + (f"\n{damage}" if damage else ""))
        self.query_one("#aar-summary", Static).update(lines(summary_lines(aar)))
        self.query_one("#aar-branches", Static).update(lines(branch_lines(aar)))
        self._fill_timeline()
        turns = self.query_one("#aar-turns", OptionList)
        highlighted = turns.highlighted
        turns.clear_options()
        for d in aar.decisions:
            luck = "" if d.luck is None else {"lucky": " lucky", "unlucky": " unlucky"}.get(d.luck.luck, "")
            mark = " !" if d.moments else ""
            turns.add_option(Option(plain(f"Turn {d.turn}{luck}{mark}"), id=str(d.turn)))
        turns.highlighted = highlighted if highlighted is not None else 0
        self._show_decision(self.selected_turn)
        self._draw_chart()

    def _fill_timeline(self) -> None:
        """One row per event, its text wrapped to the table's width; a turn's number and time on its first row."""
        if self.aar is None:
            return
        timeline = self.aar.timeline
        table = self.query_one("#aar-timeline-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        width = max(table.size.width or self.size.width or 80, 40)
        when_width = max((len(_short_when(e.when)) for e in timeline), default=4)
        what_width = max(width - 4 - when_width - 6 - 2, 20)  # the other columns, cell padding, the scrollbar
        what = table.columns[ColumnKey("what")]
        what.width = what_width
        what.auto_width = False
        previous = None
        for e in timeline:
            extra = " (instructor)" if e.visible_to == "instructor" else ""
            wrapped = textwrap.wrap(shown(e.text) + extra, what_width) or [""]
            first = e.turn != previous
            previous = e.turn
            table.add_row(  # cells as Text: a string cell would be read as markup
                Text(str(e.turn) if first else ""),
                Text(shown(_short_when(e.when)) if first else ""),
                Text("\n".join(wrapped)),
                height=len(wrapped),
            )
        if cursor:
            table.move_cursor(row=min(cursor, table.row_count - 1))

    def _show_decision(self, turn: int) -> None:
        from game.debrief.render_text import decision_lines

        if self.aar is None:
            return
        d = next((d for d in self.aar.decisions if d.turn == turn), None)
        if d is not None:
            key = "Turns marked lucky/unlucky: where the outcome fell among your orders' replications; ! a teaching moment."
            self.query_one("#aar-decision", Static).update(lines([*decision_lines(d), "", key]))

    def _draw_chart(self) -> None:
        from game.debrief.axes import nice_axis
        from game.debrief.text import chart_groups

        if self.aar is None:
            return
        groups = chart_groups(self.aar)
        if not groups:
            return
        self.chart %= len(groups)
        title, unit, curves = groups[self.chart]
        self.query_one("#aar-chart-title", Static).update(
            plain(f"{title} ({unit}) by turn — chart {self.chart + 1} of {len(groups)} (keys ] and [)")
        )
        legend = self.query_one("#aar-legend", Static)
        items = [f"{MARKERS[i % len(MARKERS)]} {shown(c.label)}" for i, c in enumerate(curves)]
        legend.update(lines(legend_lines(items, max((legend.size.width or self.size.width) - 2, 20))))
        plot = self.query_one("#aar-plot", PlotWidget)
        plot.clear()
        xs = [float(t) for t in self.aar.turns_axis]
        for i, c in enumerate(curves):
            style = STYLES[i % len(STYLES)]
            plot.plot(xs, c.values, line_style=style, hires_mode=HiResMode.BRAILLE)
            plot.scatter(xs, c.values, marker=MARKERS[i % len(MARKERS)], marker_style=style, label=c.label)
        y = nice_axis([v for c in curves for v in c.values], zero=True)
        x = nice_axis(xs, count=8, whole=True)
        rows = max(plot.size.height - plot.margin_top - plot.margin_bottom - 2, 4)
        columns = max(plot.size.width - plot.margin_left - 2, 10)
        last = max(xs)
        x_ticks = [
            (t, label) for t, label in zip(x.ticks, x.labels, strict=True) if t <= last
        ]  # no turn after the last
        # a line on the first or last tick stays off the frame; the last turn's label stays inside the widget
        y_pad, x_pad = (y.high - y.low) / rows, 2 * (last - x.low) / columns
        plot.set_ylimits(y.low - y_pad, y.high + y_pad)
        plot.set_xlimits(x.low - x_pad, last + x_pad)
        plot.set_y_formatter(FixedTicks(y.ticks, y.labels))
        plot.set_x_formatter(FixedTicks([t for t, _ in x_ticks], [label for _, label in x_ticks]))
        plot.set_yticks(None)
        plot.set_xticks(None)
        plot.set_xlabel("")  # the title names both axes: the plot keeps every row for the curves
        plot.set_ylabel("")
        plot.margin_top, plot.margin_bottom = 1, 2
        plot.margin_left = max(len(label) for label in y.labels) + 2

    # --- events and actions ------------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#aar-turns")
    def _turn_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self.selected_turn = int(event.option.id)
            self._show_decision(self.selected_turn)

    @on(TabbedContent.TabActivated, "#aar-tabs")
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "aar-curves":
            self.call_after_refresh(self._draw_chart)  # sized now that it shows: the axes fit the plot

    @on(DataTable.RowHighlighted, "#aar-timeline-table")
    def _timeline_row(self, event: DataTable.RowHighlighted) -> None:
        if self.aar is not None and 0 <= event.cursor_row < len(self.aar.timeline):
            self.selected_turn = self.aar.timeline[event.cursor_row].turn

    def action_back(self) -> None:
        """Back to where the review was opened from."""
        self.app.pop_screen()

    def action_chart(self, step: int) -> None:
        """Show the next (or previous) chart."""
        self.chart += step
        self._draw_chart()

    def action_what_if(self) -> None:
        """Play a what-if from the selected turn with a standing policy (same dice) and store it."""
        from game.engine.policies import POLICIES

        if self.aar is None:
            return
        choices = [(name, p.description) for name, p in POLICIES.items()]
        turn = self.selected_turn

        def chosen(policy: str | None) -> None:
            if policy:
                self._set_status(f"Playing what-if: policy {policy} from turn {turn}…")
                self._branch(turn, policy)

        self.app.push_screen(WhatIfDialog(turn, choices), chosen)

    @work(thread=True, exclusive=True, group="aar-branch")
    def _branch(self, turn: int, policy: str) -> None:
        from game.errors import SalientError
        from game.record.branch import branch_from_journal, store_branch
        from game.record.journal import load_journal

        try:
            loaded = load_journal(self.journal_path)
            if loaded.trainee_copy is not None and not loaded.finished:
                raise SalientError("under an instructor key, what-ifs of a game still in play are the instructor's")
            branch = branch_from_journal(loaded, turn, policy=policy)
            store_branch(loaded, branch)
        except SalientError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        text = (
            f"What-if {branch.record['id']}: score {branch.branch.score:+,.1f} against "
            f"{branch.original.score:+,.1f} ({branch.branch.score - branch.original.score:+,.1f})"
        )
        self.app.call_from_thread(self.notify, text)
        self.app.call_from_thread(self._after_branch)

    def _after_branch(self) -> None:
        self.query_one("#aar-tabs", TabbedContent).active = "aar-whatifs"
        self.query_one("#aar-branches-scroll").focus()  # else focus left in Decisions switches the tab back
        self._load()
