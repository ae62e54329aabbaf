"""Text from a scenario file is data: markup, click actions and escape sequences in it are shown as written,
never run, never sent to the terminal (the title screen, its summary and the briefing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from game.tui.app import LaunchOptions, SalientApp
from game.tui.screens import title
from game.tui.screens.briefing import BriefingScreen
from game.tui.screens.title import TitleScreen
from game.tui.testing import reach, screen_text, settle

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
