"""Hostile text is data everywhere: a scenario and a trainee named with markup, click actions, escape sequences,
bidi overrides, HTML and spreadsheet formulas, pushed through every export and every screen.

Exports: no ESC or bidi override in any output, no raw `<script>` in HTML or Markdown, no Markdown link or
markup left active, no CSV cell a spreadsheet would run. Screens (Textual Pilot at 80×24): no crash, names shown
as written (controls removed), no click action run (the app keeps running and no file is written). A 1 MB name
is refused at load with its position; a trainee's name is cut where it enters, so nothing gets slow or huge.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path

import pytest
from hostile_text import (
    CLEAR,
    FORMULA,
    HTML,
    HUGE,
    OSC_CLIPBOARD,
    OSC_TITLE,
    SECTOR,
    SIDE,
    TITLE,
    TRAINEE,
    UNIT,
    corpus,
    hostile_scenario,
    place_name,
    with_field,
)

from game.classroom.db import ClassDB
from game.classroom.recorder import record_game
from game.classroom.render import render
from game.classroom.report import build_report
from game.cli import main
from game.debrief.aar import build_aar
from game.debrief.luck import analyse
from game.debrief.render_csv import render_csv
from game.debrief.render_html import render_html
from game.debrief.render_json import render_json
from game.debrief.render_md import render_markdown
from game.debrief.render_text import branch_lines, decision_lines, summary_lines
from game.engine.policies import POLICIES
from game.narrative.safe_text import clean, csv_cell, for_markdown, for_terminal
from game.record.format import MAX_NAME_CHARS
from game.record.journal import load_journal
from game.record.selfplay import play_journaled
from game.scenario.load import ScenarioError, load_scenario

FORBIDDEN = ("\x1b", "\x07", "\x9b", "\u202e", "\u202c")
"""Bytes that must never reach an output: ESC, BEL, the C1 CSI, bidi override and its pop."""


def no_controls(text: str, where: str) -> None:
    for ch in FORBIDDEN:
        assert ch not in text, f"{where}: {ch!r} reached the output"


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A short game of the hostile scenario, played by a trainee with a hostile name, and its journal."""
    folder = tmp_path_factory.mktemp("hostile")
    scenario_path = hostile_scenario(folder, turns=3)
    scenario = load_scenario(scenario_path)
    save = folder / "game.jsonl"
    play_journaled(
        scenario, 3, save, POLICIES["hold"], scenario_path=str(scenario_path), trainee=TRAINEE, forecast_replications=20
    )
    return folder, save


# --- the helpers, one per output kind ---------------------------------------------------------------------------


def test_each_helper_neutralises_what_its_output_acts_on() -> None:
    for text in corpus(Path("/tmp/x")):
        no_controls(clean(text), "screen")
        no_controls(for_markdown(text), "markdown")
        assert "\x1b" not in for_terminal(text) and "\x07" not in for_terminal(text)
    assert for_terminal(OSC_TITLE) == "\\x1b]0;pwned\\x07"  # visible, so a reader sees what the file holds
    assert for_markdown("[x](javascript:alert(1)) <b>") == "\\[x\\](javascript:alert(1)) \\<b\\>"
    assert for_markdown("- a | b") == "\\- a \\| b" and for_markdown("-3.5", block=False) == "-3.5"
    assert csv_cell(FORMULA) == "'" + FORMULA and csv_cell("@SUM(A1)") == "'@SUM(A1)" and csv_cell("\tx") == "'\tx"
    assert csv_cell(-3.5) == -3.5 and csv_cell("plain") == "plain"


# --- exports ----------------------------------------------------------------------------------------------------


def test_the_after_action_review_in_every_format_keeps_hostile_names_inert(played: tuple[Path, Path]) -> None:
    _, save = played
    loaded = load_journal(save)
    aar = build_aar(loaded, luck=analyse(loaded, replications=10))
    assert aar.trainee == clean(TRAINEE)  # short enough to be kept whole, controls gone

    md = render_markdown(aar)
    no_controls(md, "markdown")
    assert "<script>" not in md and "\\<script\\>" in md
    assert not re.search(r"(?<!\\)\[(/?b|@click|red|\$error)", md), "markup left active in the Markdown"
    assert "\\[@click=app.quit\\]quit\\[/\\]" in md  # the title as written, escaped

    page = render_html(aar)
    no_controls(page, "html")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "[@click=app.quit]quit[/]" in page  # brackets are not HTML: shown as written

    data = json.loads(render_json(aar))
    assert data["trainee"] == clean(TRAINEE)
    assert data["scenario_title"] == loaded.scenario.meta.title and "\x1b]0;pwned\x07" in data["scenario_title"]
    no_controls(render_json(aar).encode("ascii", "backslashreplace").decode(), "json")  # escapes stay escaped

    table = list(csv.reader(io.StringIO(render_csv(aar))))
    for row in table[1:]:
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                float(cell)  # only a number may start like a formula
    for line in summary_lines(aar) + branch_lines(aar) + [x for d in aar.decisions for x in decision_lines(d)]:
        no_controls(clean(line), "text")


def test_validate_shows_escapes_visibly_and_sends_none_to_the_terminal(
    played: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = played
    assert main(["validate", str(folder / "hostile.yaml")]) == 0
    out = capsys.readouterr().out
    no_controls(out, "validate")
    assert "\\x1b]0;pwned\\x07" in out and "[@click=app.quit]" in out


def test_a_huge_name_in_a_scenario_is_refused_at_its_line_quickly(tmp_path: Path) -> None:
    path = with_field(tmp_path, ("sides", 0, "units", 0, "name"), HUGE[:500_000])
    start = time.perf_counter()
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert time.perf_counter() - start < 20
    message = str(caught.value)
    assert re.search(r"one-field\.yaml:\d+:\d+: sides\.\w+\.units\.\w+\.name: is too long", message), message
    assert len(message) < 500


LONG_NAME = "A" * (MAX_NAME_CHARS - len(CLEAR)) + CLEAR
"""As long a trainee name as a journal may hold: the screens and reports cut it to `NAME_LIMIT`."""


def test_a_long_trainee_name_is_cut_in_the_review_and_the_class_report(tmp_path: Path) -> None:
    scenario_path = hostile_scenario(tmp_path, turns=2)
    scenario = load_scenario(scenario_path)
    save = tmp_path / "long.jsonl"
    start = time.perf_counter()
    play_journaled(scenario, 4, save, POLICIES["hold"], scenario_path=str(scenario_path), trainee=LONG_NAME)
    aar = build_aar(load_journal(save))
    pages = [render_markdown(aar), render_html(aar), render_json(aar)]
    db = tmp_path / "class.sqlite3"
    record_game(save, db_path=db, forecast_replications=10)
    with ClassDB(db, readonly=True) as opened:
        report = build_report(opened)
    pages += [render(report, "md"), render(report, "html"), render(report, "json")]
    assert time.perf_counter() - start < 60
    for page in pages:
        assert len(page) < 400_000, "a long name made a report huge"
        assert "A" * 100 not in page and "A" * 50 in page  # cut, not dropped
        no_controls(page, "report")


def test_the_class_report_keeps_hostile_names_inert(played: tuple[Path, Path], tmp_path: Path) -> None:
    _, save = played
    db = tmp_path / "class.sqlite3"
    record_game(save, db_path=db, forecast_replications=10)
    with ClassDB(db, readonly=True) as opened:
        report = build_report(opened)
    md, page, data = render(report, "md"), render(report, "html"), render(report, "json")
    for text, where in ((md, "md"), (page, "html")):
        no_controls(text, where)
        assert "<script>" not in text
    assert "\\[/b\\]bob" in md and "\\=HYPERLINK" not in md  # the name, escaped; `=` inside a line is plain
    assert not re.search(r"(?<!\\)\[(/?b|@click|red)", md)
    assert "[/b]bob" in page and "&lt;script&gt;" in page
    assert json.loads(data)["scenarios"][0]["by_trainee"][0]["trainee"] == clean(TRAINEE)


def test_class_commands_print_no_escape_sequences(
    played: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, save = played
    db = tmp_path / "class.sqlite3"
    assert main(["class", "import", str(save), "--db", str(db)]) == 0
    assert main(["class", "games", "--db", str(db)]) == 0
    for fmt in ("md", "html", "json"):
        assert main(["class", "report", "--db", str(db), "--format", fmt]) == 0
    captured = capsys.readouterr()
    no_controls(captured.out + captured.err, "class commands")
    assert "[/b]bob" in captured.out


# --- screens ----------------------------------------------------------------------------------------------------


async def test_every_screen_shows_hostile_names_as_written_and_runs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pilot_helpers import reach, screen_text, settle
    from textual.widgets import RichLog

    from game.classroom.umpire import Umpire
    from game.tui.app import LaunchOptions, SalientApp
    from game.tui.screens import title
    from game.tui.screens.aar import AarScreen
    from game.tui.screens.briefing import BriefingScreen
    from game.tui.screens.end import EndScreen
    from game.tui.screens.help import HelpScreen
    from game.tui.screens.play import PlayScreen
    from game.tui.screens.result import ResultScreen
    from game.tui.screens.title import TitleScreen
    from game.tui.screens.transcript import TranscriptScreen
    from game.tui.screens.umpire import UmpireScreen

    shots = tmp_path / "shots"
    shots.mkdir()
    path = hostile_scenario(tmp_path, turns=1)
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(title, "find_scenarios", lambda: [path])
    app = SalientApp(options=LaunchOptions())
    seen: list[str] = []

    def look() -> str:
        text = screen_text(pilot)
        no_controls(text, type(app.screen).__name__)
        seen.append(text)
        return text

    async with app.run_test(size=(80, 24)) as pilot:
        await reach(pilot, TitleScreen)
        await settle(pilot, 0.3)
        assert "[@click=app.quit]quit[/]" in look()
        await pilot.click("#summary", offset=(2, 0))  # where the title's click action would be
        await pilot.click("#summary", offset=(30, 0))
        await pilot.press("s")
        await reach(pilot, BriefingScreen)
        look()
        await pilot.press("pagedown", "pagedown", "pagedown")
        look()
        await pilot.press("enter")
        await reach(pilot, PlayScreen)
        await settle(pilot, 0.5)
        for tab in "1234":
            await pilot.press(tab)
            await settle(pilot)
            look()
        screen = app.screen
        assert isinstance(screen, PlayScreen)
        for line in ("status", "look road", "look enemy", "look village", "order [@click=app.quit] hold", "forecast"):
            screen.run_command(line)
        await settle(pilot)
        log = "\n".join(str(line.text) for line in screen.query_one("#transcript", RichLog).lines)
        no_controls(log, "transcript")
        assert "order [@click=app.quit] hold" in log
        await pilot.press("t")
        await reach(pilot, TranscriptScreen)
        look()
        await pilot.press("escape")
        await reach(pilot, PlayScreen)
        app.push_screen(UmpireScreen(Umpire(screen.session.game, screen.session.journal)))
        await reach(pilot, UmpireScreen)
        look()
        await pilot.press("escape")
        await reach(pilot, PlayScreen)
        await pilot.press("question_mark")
        await reach(pilot, HelpScreen)
        look()
        await pilot.press("escape")
        await reach(pilot, PlayScreen)
        await pilot.press("e")
        await settle(pilot)
        look()  # the confirmation lists the orders, with sector names
        await pilot.press("y")
        await reach(pilot, ResultScreen)
        look()
        await pilot.press("enter")
        await reach(pilot, EndScreen)
        look()
        await pilot.press("a")
        await reach(pilot, AarScreen)
        await pilot.pause(1.0)
        for tab in ("aar-review", "aar-timeline", "aar-curves", "aar-decisions", "aar-whatifs"):
            app.screen.query_one("#aar-tabs").active = tab  # type: ignore[attr-defined]
            await pilot.pause(0.2)
            look()
        assert app.is_running  # no [@click=app.quit] was run
    assert not list(shots.iterdir()), "a click action in a name wrote a file"
    everything = "\n".join(seen)
    for fragment in ("[/b]Unit [red]one[/]", "[/b]Vil]0;pwnedlage", "[b]bold[/b]", "<script>alert(1)</script>"):
        assert fragment in everything, f"{fragment!r} was not shown as written"
    for hostile in (UNIT, SECTOR, SIDE, TITLE, place_name(shots), OSC_CLIPBOARD):
        assert hostile not in everything  # the raw strings (with their controls) never reach the screen


async def test_a_drill_with_hostile_options_is_shown_as_written() -> None:
    from pilot_helpers import reach, screen_text, settle

    from game.classroom.drills import DrillAnswer
    from game.scenario.drills import Drill
    from game.tui.app import SalientApp
    from game.tui.screens.drill import DrillScreen

    base = load_scenario(Path(__file__).parent / "fixtures" / "check_base.yaml")
    drill = base.drills[0]
    hostile = drill.model_copy(
        update={
            "title": f"{HTML} {OSC_TITLE}",
            "prompt": f"[@click=app.quit]Decide[/] {CLEAR}",
            "options": [o.model_copy(update={"label": f"[/b]{o.label} [red]x[/]"}) for o in drill.options],
        }
    )
    assert isinstance(hostile, Drill)
    answers: list[DrillAnswer | None] = []
    app = SalientApp(options=None)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(DrillScreen(hostile, 2), answers.append)
        await reach(pilot, DrillScreen)
        await settle(pilot)
        shown = screen_text(pilot)
        no_controls(shown, "drill")
        assert "[/b]Hold every sector [red]x[/]" in shown
        assert app.is_running


async def test_a_save_by_a_trainee_with_a_long_name_is_listed_quickly_and_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long trainee name in a save: the Continue tab lists it, cut; a 1 MB name given to a new game is cut too."""
    from pilot_helpers import reach, screen_text, settle

    from game.record.journal import Journal
    from game.record.paths import saves_dir
    from game.tui.app import LaunchOptions, SalientApp
    from game.tui.screens import title
    from game.tui.screens.title import TitleScreen
    from game.tui.session import Session

    path = hostile_scenario(tmp_path, turns=2)
    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(title, "find_scenarios", lambda: [path])
    scenario = load_scenario(path)
    Journal.create(
        saves_dir() / "long.jsonl", scenario, str(path), 1, LONG_NAME[: MAX_NAME_CHARS - len(OSC_TITLE)] + OSC_TITLE
    )
    assert len(Session.new(scenario, str(path), 1, trainee=HUGE).trainee) <= 80
    app = SalientApp(options=LaunchOptions())
    start = time.perf_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        await reach(pilot, TitleScreen)
        await pilot.press("c")
        await settle(pilot, 0.3)
        shown = screen_text(pilot)
        no_controls(shown, "continue tab")
        assert "AAAAAAAAAA" in shown and "A" * 100 not in shown and app.is_running
    assert time.perf_counter() - start < 30
