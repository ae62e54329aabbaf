"""Keys, palette, keymap, mouse, undo, completion and the 'terminal too small' notice."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from pilot_helpers import command, settle, type_line
from textual.binding import Binding
from textual.widget import Widget

import game.tui.screens as screens
import game.tui.widgets as widgets
from game.scenario.load import load_scenario
from game.tui.app import SalientApp
from game.tui.screens.confirm import ConfirmDialog
from game.tui.screens.help import HelpScreen
from game.tui.screens.play import PlayScreen
from game.tui.session import Session
from game.tui.widgets.command_line import CommandLine
from game.tui.widgets.orders_form import OrdersForm

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def app(tmp_path: Path) -> SalientApp:
    """The app opened on turn 1 of the tutorial."""
    session = Session.new(load_scenario(TUTORIAL), str(TUTORIAL), 3, save_path=tmp_path / "k.jsonl")
    return SalientApp(session=session)


def test_every_binding_has_an_id() -> None:
    classes: list[type] = [SalientApp]
    for package in (screens, widgets):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            classes += [
                v
                for v in vars(module).values()
                if isinstance(v, type) and issubclass(v, (Widget, SalientApp)) and v.__module__ == module.__name__
            ]
    missing = [
        f"{cls.__name__}: {b.key}"
        for cls in classes
        for b in cls.__dict__.get("BINDINGS", [])
        if isinstance(b, Binding) and not b.id
    ]
    assert not missing


async def test_help_opens_and_closes(app: SalientApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, PlayScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)


async def test_the_palette_offers_the_screens_actions(app: SalientApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await type_line(pilot, "End turn", enter=False)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        assert isinstance(app.screen, PlayScreen)


async def test_keys_can_be_remapped_by_binding_id(app: SalientApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.set_keymap({"play.end_turn": "x"})
        await pilot.press("e")  # no longer bound: a letter, so it starts the command line
        assert isinstance(app.screen, PlayScreen) and app.screen.query_one(CommandLine).value == "e"
        await pilot.press("escape", "x")
        assert isinstance(app.screen, ConfirmDialog)


async def test_mouse_switches_tabs_and_ctrl_z_undoes_a_form_change(app: SalientApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.click("#--content-tab-tab-orders")
        await settle(pilot)
        assert app.screen.query_one("#tabs").active == "tab-orders"  # type: ignore[attr-defined]
        session = app.session
        assert session is not None
        before = session.orders
        await pilot.click("#escort")
        await settle(pilot)
        assert session.orders.convoys.escort != before.convoys.escort
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert session.orders == before
        escort = app.screen.query_one(OrdersForm).query_one("#escort")
        assert escort.value == before.convoys.escort  # type: ignore[attr-defined]


async def test_withdraw_from_the_form_asks_first(app: SalientApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        box = app.screen.query_one("#withdraw")
        box.focus()  # as tab would; the box is at the bottom of the form
        await pilot.press("space")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert app.session is not None and not app.session.orders.withdraw
        assert not box.value  # type: ignore[attr-defined]
        await pilot.click("#withdraw")  # the mouse works too (focus scrolled the box into view)
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.session.orders.withdraw


async def test_completion_in_the_command_line(app: SalientApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await type_line(pilot, "dr", enter=False)
        await settle(pilot)
        await pilot.press("tab")
        line = app.screen.query_one(CommandLine)
        assert line.value == "drones"
        await type_line(pilot, " re", enter=False)
        await settle(pilot)
        await pilot.press("tab")
        assert line.value == "drones recon"
        line.value = ""
        await command(pilot, "ordr village hold")
        log = "\n".join(str(x) for x in app.screen.query_one("#transcript").lines)  # type: ignore[attr-defined]
        assert "Did you mean 'order'?" in log
        await pilot.press("up")
        assert line.value == "ordr village hold"


async def test_a_small_terminal_gets_a_plain_notice(app: SalientApp) -> None:
    async with app.run_test(size=(70, 20)) as pilot:
        await settle(pilot)
        notice = app.screen.query_one("#too-small")
        assert notice.display and "70×20" in str(notice.render()) and "80×24" in str(notice.render())
        assert not app.screen.query_one("#body").display
    async with SalientApp(session=app.session).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not pilot.app.screen.query_one("#too-small").display
