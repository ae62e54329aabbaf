"""The command line says what it does: `play PATH --seed N` opens that game, `aar` only reads the save unless told
to remember its analysis, and `branch` names the turns a branch can really start from."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from game.cli import main
from game.engine.policies import POLICIES
from game.record.journal import load_journal
from game.record.selfplay import play_journaled
from game.scenario import Scenario
from game.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tutorial_of(turns: int) -> Scenario:
    """The tutorial cut or stretched to `turns` turns."""
    data = load_scenario(TUTORIAL).model_dump(mode="json")
    data["meta"]["turns"] = turns
    return Scenario.model_validate(data)


# --- salient play PATH --seed N ----------------------------------------------------------------


def test_play_with_a_path_and_a_seed_opens_that_game(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through `main`, as typed: the first screen is the scenario's briefing, enter starts play, q saves."""
    from pilot_helpers import reach

    from game.tui.app import SalientApp
    from game.tui.screens.briefing import BriefingScreen
    from game.tui.screens.play import PlayScreen

    monkeypatch.setenv("SALIENT_HOME", str(tmp_path / "home"))
    seen: list[str] = []
    original_run = SalientApp.run

    async def drive(pilot) -> None:  # type: ignore[no-untyped-def]
        await reach(pilot, (BriefingScreen, PlayScreen))
        seen.append(type(pilot.app.screen).__name__)
        await pilot.press("enter")
        await reach(pilot, PlayScreen)
        seen.append(type(pilot.app.screen).__name__)
        pilot.app.quit_now()  # saves, as q then y does

    def headless_run(self: SalientApp, **_: object) -> None:
        original_run(self, headless=True, size=(80, 24), auto_pilot=drive)

    monkeypatch.setattr(SalientApp, "run", headless_run)
    assert main(["play", str(TUTORIAL), "--seed", "4242", "--db", str(tmp_path / "class.sqlite3")]) == 0
    assert seen == ["BriefingScreen", "PlayScreen"]
    out = capsys.readouterr().out
    saves = list((tmp_path / "home").rglob("*.jsonl"))
    assert len(saves) == 1 and str(saves[0]) in out and "salient play --load" in out
    header = load_journal(saves[0]).header
    assert header.seed == 4242 and header.scenario["meta"]["id"] == load_scenario(TUTORIAL).meta.id


def test_play_help_says_a_seed_starts_the_game(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["play", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "With PATH and --seed N that game starts at once" in text


# --- salient aar --------------------------------------------------------------------------------


@pytest.fixture
def tutorial_save(tmp_path: Path) -> Path:
    save = tmp_path / "game.jsonl"
    play_journaled(load_scenario(TUTORIAL), 31, save, POLICIES["hold"], scenario_path=str(TUTORIAL))
    return save


def test_aar_leaves_the_save_byte_for_byte_unchanged(
    tutorial_save: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before, size = sha256(tutorial_save), tutorial_save.stat().st_size
    review = tmp_path / "review.md"
    assert main(["aar", str(tutorial_save), "--replications", "20", "-o", str(review)]) == 0
    assert sha256(tutorial_save) == before and tutorial_save.stat().st_size == size
    assert "written to" in capsys.readouterr().err and review.read_text(encoding="utf-8").startswith("# After-action")
    assert main(["aar", str(tutorial_save), "--replications", "20", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["luck"]["replications"] == 20  # computed again, still not stored
    assert sha256(tutorial_save) == before


def test_aar_cache_stores_the_analysis_but_an_unsigned_save_does_not_vouch_for_it(
    tutorial_save: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without an instructor key anyone can edit the remembered verdict: it is worked out again, never trusted."""
    before = tutorial_save.read_bytes()
    assert main(["aar", str(tutorial_save), "--replications", "20", "--format", "json", "--cache"]) == 0
    first = json.loads(capsys.readouterr().out)["luck"]
    after = tutorial_save.read_bytes()
    assert after.startswith(before) and len(after) > len(before)  # one record appended, nothing rewritten
    added = after[len(before) :].decode().splitlines()
    assert [json.loads(line)["type"] for line in added] == ["luck"]
    forged = json.loads(added[0])
    forged["report"]["verdict"] = "good judgement, but unlucky (FORGED)"
    tutorial_save.write_bytes(before + (json.dumps(forged) + "\n").encode())
    assert main(["aar", str(tutorial_save), "--replications", "20", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert "FORGED" not in out and json.loads(out)["luck"] == first  # the same dice, worked out again


def test_aar_help_documents_the_cache(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["aar", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--cache" in text and "stays byte for byte as it was" in text


def test_aar_cache_and_no_cache_together_is_a_usage_error(
    tutorial_save: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["aar", str(tutorial_save), "--cache", "--no-cache"])
    assert done.value.code == 2 and "not allowed with" in capsys.readouterr().err


# --- salient branch -----------------------------------------------------------------------------


@pytest.mark.parametrize("turn", [11, 12, 0])
def test_branch_outside_a_finished_ten_turn_game_names_turns_1_to_10(
    tmp_path: Path, turn: int, capsys: pytest.CaptureFixture[str]
) -> None:
    save = tmp_path / "ten.jsonl"
    game = play_journaled(tutorial_of(10), 5, save, POLICIES["hold"])
    assert game.finished and len(game.history) == 10
    before = sha256(save)
    assert main(["branch", str(save), "--turn", str(turn), "--policy", "hold"]) == 1
    err = capsys.readouterr().err
    assert (
        "the game ended at turn 10" in err
        and "branch from turn 1 to 10" in err
        and "11" not in err.replace(f"turn {turn} is", "")
    )
    assert "Traceback" not in err and sha256(save) == before
    assert main(["branch", str(save), "--turn", "10", "--policy", "delay_withdraw", "--dry-run"]) == 0


def test_branch_of_a_one_turn_game_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    save = tmp_path / "one.jsonl"
    assert play_journaled(tutorial_of(1), 5, save, POLICIES["hold"]).finished
    assert main(["branch", str(save), "--turn", "2", "--policy", "hold"]) == 1
    err = capsys.readouterr().err
    assert "the game ended at turn 1" in err and "the only turn to branch from is turn 1" in err
    assert "1 to 1" not in err


def test_branch_of_an_unfinished_game_offers_the_next_turn(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    save = tmp_path / "part.jsonl"
    play_journaled(load_scenario(TUTORIAL), 5, save, POLICIES["hold"], max_turns=1)
    assert main(["branch", str(save), "--turn", "3", "--policy", "hold"]) == 1
    err = capsys.readouterr().err
    assert "1 turn played so far" in err and "branch from turn 1 to 2" in err
