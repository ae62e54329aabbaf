"""Nothing cut, nothing wrapped out of its column: the Kursk screens read as text at 80×24 and 120×40.

The Kursk scenario has the most places, the longest unit and sector names and the longest score
table, so it is where a label would be cut or a column wrapped first.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pilot_helpers import reach, screen_text, settle

from game.narrative.ending import score_rows
from game.narrative.map_text import label_forms
from game.scenario.load import load_scenario
from game.tui.app import SalientApp
from game.tui.screens.end import EndScreen
from game.tui.session import Session
from game.tui.widgets.map_view import MapView

ROOT = Path(__file__).resolve().parent.parent
KURSK = ROOT / "scenarios" / "kursk-2025.yaml"
SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
PANES = {"1": "sitrep-box", "3": "forecast-scroll", "4": "forces-scroll"}


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def tab_rows(text: str) -> list[str]:
    """The rows between the row of tabs and the advisor's line: what the tab shows."""
    rows = text.splitlines()
    last = next(i for i, row in enumerate(rows) if row.startswith(" Advisor"))
    return rows[3:last]


@SIZES
async def test_every_map_label_is_whole(tmp_path: Path, size: tuple[int, int]) -> None:
    scenario = load_scenario(KURSK)
    app = SalientApp(session=Session.new(scenario, str(KURSK), 11, save_path=tmp_path / "k.jsonl"))
    async with app.run_test(size=size) as pilot:
        await settle(pilot, 0.4)
        drawn = app.screen.query_one(MapView).render().plain
        assert "…" not in drawn
        missing = [p.name for p in scenario.map.places if not any(f in drawn for f in label_forms(p.name, p.id))]
        assert not missing, f"unlabelled places {missing} on\n{drawn}"
        for sector in ("NORTH", "WEST", "SUDZHA TOWN", "SOUTH", "EAST"):
            assert sector in drawn


@SIZES
async def test_no_tab_cuts_a_line(tmp_path: Path, size: tuple[int, int]) -> None:
    app = SalientApp(session=Session.new(load_scenario(KURSK), str(KURSK), 11, save_path=tmp_path / "k.jsonl"))
    async with app.run_test(size=size) as pilot:
        await settle(pilot, 0.4)
        for key, pane in PANES.items():
            await pilot.press(key)
            await settle(pilot)
            box = app.screen.query_one(f"#{pane}")
            seen: list[str] = []
            while True:
                seen += tab_rows(screen_text(pilot))
                if box.scroll_y >= box.max_scroll_y:
                    break
                await pilot.press("pagedown")
                await settle(pilot)
            cut = [row for row in seen if "…" in row]
            assert not cut, f"tab {key}: {cut}"
        names = "\n".join(seen)  # the forces tab, scrolled through
        assert "Territorial and infantry" in names and "Mechanised battalion" in names


@SIZES
async def test_the_score_table_keeps_each_row_on_one_line(tmp_path: Path, size: tuple[int, int]) -> None:
    session = Session.new(load_scenario(KURSK), str(KURSK), 5, save_path=tmp_path / "k.jsonl")
    game = session.game
    while not game.finished:  # the journal is not needed to draw the end screen; its path is shown
        game.play(game.default_orders())
    app = SalientApp(session=session)
    async with app.run_test(size=size) as pilot:
        await reach(pilot, EndScreen)
        box = app.screen.query_one("#end-scroll")
        text = ""
        while True:
            text += screen_text(pilot)
            if box.scroll_y >= box.max_scroll_y:
                break
            await pilot.press("pagedown")
            await settle(pilot)
    lines = text.splitlines()
    assert any(re.search(r"What was measured\s+Quantity\s+Weight\s+Points", line) for line in lines)
    for label, quantity, weight, points in score_rows(session.score()):
        figures = r"\s+".join(re.escape(x) for x in (quantity, weight, points) if x)
        assert any(re.search(figures, line) for line in lines), (
            f"the row '{label}' does not keep {quantity} {weight} {points} on one line:\n{text}"
        )
