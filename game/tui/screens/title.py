"""Title: choose a scenario and start a new game with a seed you can see, or continue a saved one."""

from __future__ import annotations

import secrets
from functools import partial
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from game.narrative.safe_text import clean
from game.record.format import MAX_NAME_CHARS

from ..files import SaveInfo, ScenarioInfo, find_saves, find_scenarios, peek_scenario
from .base import PaletteCommand, SalientScreen

SUBTITLE = "A tactical-decision wargame · the Sudzha bridgehead, Kursk region, early 2025"


def new_seed() -> int:
    """A fresh random seed, short enough to read out to a class."""
    return secrets.randbelow(900_000) + 100_000


class TitleScreen(SalientScreen):
    """The first screen: scenarios on one tab, saved games on the other."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "start", "Start new game", id="title.start"),
        Binding("c", "show_tab('continue')", "Continue a save", id="title.continue"),
        Binding("n", "show_tab('new')", "New game", show=False, id="title.new"),
        Binding("r", "reseed", "New seed", show=False, id="title.reseed"),
    ]

    def __init__(self, scenario_path: Path | None = None, seed: int | None = None, trainee: str = "") -> None:
        super().__init__()
        self.first = scenario_path
        self.seed = seed if seed is not None else new_seed()
        self.trainee = trainee
        self.paths: list[Path] = []
        self.infos: dict[Path, ScenarioInfo] = {}
        self.saves: list[SaveInfo] = []

    def compose_body(self) -> ComposeResult:
        yield Static("[b]S A L I E N T[/b]", id="logo")
        yield Static(SUBTITLE, id="subtitle")
        with TabbedContent(id="title-tabs", initial="new"):
            with TabPane("New game", id="new"):
                yield OptionList(id="scenarios")
                yield Static("", id="summary")
                with Horizontal(id="new-game-row"):
                    yield Label("Seed", classes="label")
                    yield Input(str(self.seed), type="integer", compact=True, id="seed")
                    yield Label("Trainee", classes="label")
                    yield Input(
                        self.trainee,
                        placeholder="your name (optional)",
                        compact=True,
                        id="trainee",
                        max_length=MAX_NAME_CHARS,  # what a save keeps
                    )
                    yield Button("Start (s)", variant="primary", compact=True, id="start")
            with TabPane("Continue", id="continue"):
                yield OptionList(id="saves")
                yield Static("", id="saves-note")

    def on_mount(self) -> None:
        paths = find_scenarios()
        if self.first is not None:
            first = self.first.resolve()
            paths = [self.first, *[p for p in paths if p.resolve() != first]]
        self.paths = paths
        scenarios = self.query_one("#scenarios", OptionList)
        scenarios.add_options([Option(Text(clean(p.name)), id=str(i)) for i, p in enumerate(paths)])
        if paths:
            scenarios.highlighted = 0
        else:
            self.query_one("#summary", Static).update("No scenario files found. Start with: salient play PATH")
        scenarios.focus()
        self._peek(paths)
        self._list_saves()

    @work(thread=True, exclusive=True, group="peek")
    def _peek(self, paths: list[Path]) -> None:
        """Read titles off the main thread so the screen appears at once."""
        infos = {p: peek_scenario(p) for p in paths}
        self.app.call_from_thread(self._show_infos, infos)

    def _show_infos(self, infos: dict[Path, ScenarioInfo]) -> None:
        self.infos = infos
        scenarios = self.query_one("#scenarios", OptionList)
        for i, p in enumerate(self.paths):
            scenarios.replace_option_prompt(
                str(i), Text.assemble(clean(infos[p].title), (f"  ({clean(p.name)})", "dim"))
            )
        self._describe(scenarios.highlighted)

    @work(thread=True, exclusive=True, group="saves")
    def _list_saves(self) -> None:
        from game.record.paths import saves_dir

        folder = saves_dir()
        saves = find_saves(folder)
        self.app.call_from_thread(self._show_saves, saves, folder)

    def _show_saves(self, saves: list[SaveInfo], folder: Path) -> None:
        self.saves = saves
        box = self.query_one("#saves", OptionList)
        box.clear_options()
        box.add_options([Option(Text(clean(s.label)), id=str(i)) for i, s in enumerate(saves)])
        if saves:
            box.highlighted = 0
        note = "Enter continues the highlighted game." if saves else "No saved games yet."
        self.query_one("#saves-note", Static).update(Text(f"{note}\nSaves are kept in {clean(str(folder))}"))

    @on(OptionList.OptionHighlighted, "#scenarios")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._describe(event.option_index)

    def _describe(self, index: int | None) -> None:
        if index is None or index >= len(self.paths) or self.paths[index] not in self.infos:
            return
        info = self.infos[self.paths[index]]
        # text from a scenario file is data: shown as written, never read as markup or actions
        self.query_one("#summary", Static).update(
            Text.assemble((clean(info.title), "bold"), "\n", clean(info.detail), "\n", clean(info.summary))
        )

    @on(OptionList.OptionSelected, "#scenarios")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.action_start()

    @on(OptionList.OptionSelected, "#saves")
    def _continue(self, event: OptionList.OptionSelected) -> None:
        self.salient.open_save(self.saves[event.option_index].path)

    @on(Button.Pressed, "#start")
    @on(Input.Submitted)
    def _start_pressed(self) -> None:
        self.action_start()

    def action_start(self) -> None:
        """Start a new game on the highlighted scenario with the seed shown."""
        index = self.query_one("#scenarios", OptionList).highlighted
        if index is None or not self.paths:
            self.notify("Choose a scenario first.", severity="warning")
            return
        seed_text = self.query_one("#seed", Input).value.strip()
        if not seed_text.isdigit():
            self.notify("The seed must be a whole number (r picks a new one).", severity="error")
            return
        trainee = self.query_one("#trainee", Input).value.strip()
        self.salient.start_new_game(self.paths[index], int(seed_text), trainee)

    def action_show_tab(self, tab: str) -> None:
        """Switch between the new-game and continue tabs."""
        self.query_one("#title-tabs", TabbedContent).active = tab
        self.query_one("#scenarios" if tab == "new" else "#saves", OptionList).focus()

    def action_reseed(self) -> None:
        """Pick a new random seed."""
        self.query_one("#seed", Input).value = str(new_seed())

    def palette_commands(self) -> list[PaletteCommand]:
        return [
            (f"Play {p.name}", "start a new game on this scenario", partial(self._start_index, i))
            for i, p in enumerate(self.paths)
        ]

    def _start_index(self, index: int) -> None:
        self.query_one("#scenarios", OptionList).highlighted = index
        self.action_start()


__all__ = ["TitleScreen"]
