"""Text from a scenario file is data: markup, click actions and escape sequences in it are shown as written,
never run, never sent to the terminal (the title screen, its summary and the briefing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import reach, screen_text, settle
from ruamel.yaml import YAML

from game.tui.app import LaunchOptions, SalientApp
from game.tui.screens import title
from game.tui.screens.briefing import BriefingScreen
from game.tui.screens.title import TitleScreen

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"
HOSTILE_TITLE = "[@click=app.quit]Evil[/] [b]bold?[/b] \x1b]0;pwned\x07end"
SHOWN_TITLE = "[@click=app.quit]Evil[/] [b]bold?[/b] ]0;pwnedend"


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    yaml = YAML()
    data = yaml.load(TUTORIAL.read_text(encoding="utf-8"))
    data["meta"]["title"] = HOSTILE_TITLE
    path = tmp_path / "hostile.yaml"
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(title, "find_scenarios", lambda: [path])
    return path


async def test_markup_and_escapes_in_a_title_are_shown_not_run(hostile: Path) -> None:
    app = SalientApp(options=LaunchOptions())
    async with app.run_test(size=(100, 30)) as pilot:
        await reach(pilot, TitleScreen)
        await settle(pilot, 0.3)
        shown = screen_text(pilot)
        assert SHOWN_TITLE in shown  # the title as written (the escape character itself removed)
        assert "\x1b" not in shown and "pwned\x07" not in shown
        await pilot.press("s")  # start: the briefing names the title too
        await reach(pilot, BriefingScreen)
        assert SHOWN_TITLE.upper() in screen_text(pilot).upper()
        assert app.is_running  # no [@click=app.quit] was run


async def test_markup_in_unit_road_and_trainee_names_neither_crashes_nor_styles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A unit or road named with closing tags, and a trainee named `[/b]bob`: every screen of a turn shows them."""
    from game.scenario.load import load_scenario
    from game.tui.screens.play import PlayScreen
    from game.tui.screens.result import ResultScreen
    from game.tui.session import Session

    yaml = YAML()
    data = yaml.load(TUTORIAL.read_text(encoding="utf-8"))
    data["sides"][0]["units"][0]["name"] = "[/b]Unit [red]one[/]"
    data["map"]["roads"][0]["name"] = "[/]Road [@click=app.quit]x[/]"
    path = tmp_path / "names.yaml"
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    session = Session.new(load_scenario(path), str(path), 5, trainee="[/b]bob", save_path=tmp_path / "g.jsonl")
    app = SalientApp(session=session)
    async with app.run_test(size=(120, 40)) as pilot:
        await reach(pilot, PlayScreen)
        seen = ""
        for tab in "1234":
            await pilot.press(tab)
            await settle(pilot)
            seen += screen_text(pilot)
        assert "[/b]Unit [red]one[/]" in seen
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("y")
        await reach(pilot, ResultScreen)
        assert app.is_running


async def test_a_save_whose_trainee_is_named_with_markup_is_listed_as_written(hostile: Path) -> None:
    """`[/b]bob` as a trainee name once crashed every launch, because the Continue tab lists every save."""
    from game.record.paths import saves_dir
    from game.scenario.load import load_scenario
    from game.tui.session import Session

    Session.new(
        load_scenario(TUTORIAL), str(TUTORIAL), 5, trainee="[/b]bob \x1b[2J", save_path=saves_dir() / "bob.jsonl"
    ).start_journal()
    app = SalientApp(options=LaunchOptions())
    async with app.run_test(size=(100, 30)) as pilot:
        await reach(pilot, TitleScreen)
        await pilot.press("c")
        await settle(pilot, 0.3)
        shown = screen_text(pilot)
        assert "[/b]bob" in shown and "\x1b" not in shown
        assert app.is_running
