"""`salient aar SAVE --against PLAN` (and `--optimise N`): the trainee's orders against a plan, turn by turn where
they differ, and both played on the same games of the model's dice, in Markdown, HTML, JSON and plain text."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from game.analysis.orders_plan import plan_of_orders
from game.cli import main
from game.debrief.compare_plan import PlanComparison, in_force, spans
from game.debrief.render_text import summary_lines
from game.engine.batch import run_batch
from game.engine.orders import Orders
from game.engine.policies import POLICIES
from game.record.journal import load_journal
from game.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "tests" / "fixtures" / "check_base.yaml"
PLAN = """\
turns:
  1:
    postures: {centre: fortify}
    drones: {strike: 2, counter_drone: 2, road_overwatch: 5, recon: 1}
    ew: {front: 2, road: 2}
    convoys: {day: 0, night: 20}
    netting: true
  5:
    withdraw: true
"""


@pytest.fixture(scope="module")
def save_and_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    where = tmp_path_factory.mktemp("compare")
    save, plan = where / "game.jsonl", where / "plan.yaml"
    assert main(["run", str(BASE), "--seed", "5", "--policy", "hold", "--save", str(save)]) == 0
    plan.write_text(PLAN, encoding="utf-8")
    return save, plan


def test_the_comparison_is_the_two_plans_played_on_the_same_games(
    save_and_plan: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    save, plan = save_and_plan
    capsys.readouterr()
    args = ["aar", str(save), "--no-luck", "--against", str(plan), "--against-runs", "300", "--format", "json"]
    assert main(args) == 0
    found = PlanComparison.model_validate(json.loads(capsys.readouterr().out)["plan_comparison"])
    loaded = load_journal(save)
    sc = load_scenario(BASE)
    turns = {t.turn: t.orders for t in loaded.turns}
    ours = run_batch(sc, plan_of_orders(sc, "t", "", turns).policy(), 300, seed=loaded.seed)
    # the trainee played `hold` every turn: as fixed orders it is the policy's games, on the same dice
    assert np.array_equal(ours.score, run_batch(sc, POLICIES["hold"], 300, seed=loaded.seed).score)
    assert found.trainee.mean == pytest.approx(float(ours.score.mean()))
    assert found.runs == 300 and found.seed == loaded.seed == 5
    assert found.planned.mean - found.trainee.mean == pytest.approx(found.difference)
    assert found.difference_ci[0] > 0  # fortifying the town and night convoys beat holding carelessly
    assert "None of them is the game the trainee played" in found.note
    first = {what: (a, b) for what, a, b in found.turns[0].items}
    assert first["posture centre"] == ("hold", "fortify")
    assert first["convoys"][1] == "0 by day, 20 by night, by road, no escort"
    fifth = {what: (a, b) for what, a, b in found.turns[4].items}
    assert fifth["withdrawal"] == ("not requested", "requested")
    assert "withdrawal" not in {w for w, _, _ in found.turns[5].items} if len(found.turns) > 5 else True


def test_markdown_html_and_text_show_the_section(
    save_and_plan: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    save, plan = save_and_plan
    capsys.readouterr()
    assert main(["aar", str(save), "--no-luck", "--against", str(plan), "--against-runs", "100"]) == 0
    md = capsys.readouterr().out
    section = md[md.index("## Your orders against the plan") :]
    assert "> On the model's dice: 100 games (seed 5)" in section
    assert "| 1 | posture centre | hold | fortify |" in section
    assert "- The plan minus your orders, game by game: +" in section
    page = tmp_path / "aar.html"
    assert main(["aar", str(save), "--no-luck", "--against", str(plan), "--against-runs", "100", "-o", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert "<h2>Your orders against the plan</h2>" in html and "<td>posture centre</td>" in html
    assert "the orders file " + str(plan) in html
    assert main(["aar", str(save), "--no-luck"]) == 0
    assert "Your orders against the plan" not in capsys.readouterr().out  # only when asked for


def test_plain_text_and_spans_of_turns() -> None:
    same = Orders()
    turns = in_force({1: Orders(postures={"centre": "fortify"}), 3: Orders(withdraw=True)}, 4, {"centre": "hold"})
    assert turns[2].postures == {"centre": "fortify"} and turns[4].withdraw is False and turns[3].withdraw
    theirs = in_force({1: same}, 4, {"centre": "hold"})
    from game.debrief.compare_plan import differences

    rows = spans(differences(turns, theirs))
    assert [when for when, _ in rows] == ["1-2", "3", "4"]
    assert ("withdrawal", "requested", "not requested") in rows[1][1]


def test_a_bad_plan_file_is_a_plain_error(
    save_and_plan: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    save, _ = save_and_plan
    bad = tmp_path / "bad.yaml"
    bad.write_text("turns:\n  1:\n    postures: {atlantis: hold}\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["aar", str(save), "--no-luck", "--against", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.yaml:3:" in err and "atlantis" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as usage:  # one plan or the other
        main(["aar", str(save), "--no-luck", "--against", str(bad), "--optimise", "3"])
    assert usage.value.code == 2


def test_a_plan_searched_now(save_and_plan: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    save, _ = save_and_plan
    capsys.readouterr()
    args = ["aar", str(save), "--no-luck", "--optimise", "6", "--against-runs", "200", "--format", "json"]
    assert main(args) == 0
    found = json.loads(capsys.readouterr().out)["plan_comparison"]
    assert found["plan"].startswith("the best of 6 plans `salient optimise` searched (seed 6)")
    # the search starts from the built-in plans, so it does at least as well as `hold`, which the trainee played
    assert found["difference"] >= 0 and found["runs"] == 200


def test_text_lines_in_the_summary(save_and_plan: tuple[Path, Path]) -> None:
    from game.debrief.aar import build_aar
    from game.debrief.compare_plan import compare_with_plan

    save, _ = save_and_plan
    loaded = load_journal(save)
    sc = loaded.scenario
    turns = {t.turn: t.orders for t in loaded.turns}
    mine = plan_of_orders(sc, "t", "", turns)
    plan_turns = {1: Orders(postures={"centre": "fortify"})}
    theirs = plan_of_orders(sc, "p", "", plan_turns)
    found = compare_with_plan(
        sc, "a test plan", (mine.policy(), turns), (theirs.policy(), plan_turns), len(turns), 0.0, runs=50
    )
    aar = build_aar(loaded).model_copy(update={"plan_comparison": found})
    lines = summary_lines(aar)
    assert "YOUR ORDERS AGAINST THE PLAN" in lines and "Plan: a test plan" in lines
    assert any(line.startswith("Turn 1: posture centre: you hold, plan fortify") for line in lines)
