"""`salient sweep --report`: Sobol' indices per output with their intervals, a tornado chart, and every
parameter named by its provenance, so the report says which assumptions decide the game."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.analysis.sensitivity import analyse
from game.analysis.sensitivity_report import html, markdown, text_bar
from game.analysis.sweep_session import run_sweep
from game.cli import main
from game.engine.policies import POLICIES
from game.scenario.sweep_spec import load_sweep

pytest.importorskip("SALib")

KURSK = Path(__file__).parent.parent / "scenarios" / "kursk-2025.yaml"
SPEC = f"""\
title: "Kursk: two assumptions and a weight"
scenario: {KURSK}
seed: 3
runs: 30
turns: 8
design:
  kind: sobol
  base_samples: 8
parameters:
  - path: opfor.min_force_ratio_to_assault
    low: 0.5
    high: 3.0
  - path: supply.convoys.trucks_available
    low: 12
    high: 24
  - path: scoring.objectives.hold_sudzha.points
    low: 0
    high: 600
policies: [hold]
outputs: [score, area_held]
"""
POINTS = 8 * (3 + 2)


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("report")
    spec = folder / "kursk-sweep.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    return spec, folder / "out"


def test_a_weight_of_the_score_moves_the_score_and_nothing_the_game_does(swept: tuple[Path, Path]) -> None:
    spec, out = swept
    loaded = load_sweep(spec, POLICIES)
    outcome = run_sweep(loaded, out, workers=2)
    assert len(outcome.design) == POINTS
    analysis = analyse(loaded, outcome)
    by = {(r.plan, r.output): {ix.parameter.path: ix for ix in r.indices} for r in analysis.results}
    area = by[("hold", "area_held")]
    weight = area["scoring.objectives.hold_sudzha.points"]
    # on common random numbers a number the model never reads leaves every game exactly as it was
    assert (weight.s1, weight.st) == (0.0, 0.0)
    assert area["opfor.min_force_ratio_to_assault"].st > 0.1
    score = by[("hold", "score")]
    assert score["scoring.objectives.hold_sudzha.points"].st > 0.1
    assert weight.st_conf == 0.0  # exactly nothing, with no doubt about it
    for ix in (area["opfor.min_force_ratio_to_assault"], *score.values()):
        assert ix.st_conf > 0 and ix.s1_conf > 0
    ranked = next(r for r in analysis.results if r.output == "area_held").indices
    assert [ix.st for ix in ranked] == sorted((ix.st for ix in ranked), reverse=True)


def test_the_markdown_report_draws_a_tornado_and_names_provenance(swept: tuple[Path, Path]) -> None:
    spec, out = swept
    loaded = load_sweep(spec, POLICIES)
    analysis = analyse(loaded, run_sweep(loaded, out, workers=1))
    text = markdown(analysis)
    assert text.startswith("# Which assumptions decide the game: Kursk: two assumptions and a weight\n")
    assert (
        "| A | `supply.convoys.trucks_available` | 18 | 12 to 24 | assumption: 18 x 3 t, a little over the 45 t "
        "waiting after the aid halt: the first losses are absorbed, more cost supplies |"
    ) in text
    assert (
        "| F | `scoring.objectives.hold_sudzha.points` | 300 | 0 to 600 | fact: f_bargaining_chip: Kyiv meant to "
        "trade the Russian ground it held for its own lost land in Donbas"
    ) in text
    assert "| A | `opfor.min_force_ratio_to_assault` | 2.2 | 0.5 to 3 | assumption: A little over 2:1" in text
    area = next(r for r in analysis.results if r.output == "area_held")
    top = area.indices[0]
    line = f"[A] {top.parameter.path}"
    bar = f"|{text_bar(top.st):<24}| ST {top.st:.2f}  S1 {top.s1:.2f}".replace("-0.00", "0.00")
    assert any(row.startswith(line) and bar in row for row in text.splitlines())
    assert "[F] scoring.objectives.hold_sudzha.points |                        | ST 0.00  S1 0.00" in text
    assert f"### hold: area_held (mean {area.mean:.4g}, spread across points {area.spread:.3g})" in text
    page = html(analysis)
    assert page.count("<svg") == 2 and 'aria-label="hold: area_held"' in page
    assert "[A] opfor.min_force_ratio_to_assault" in page


def test_text_bars_are_drawn_in_eighths() -> None:
    assert text_bar(1.0) == "█" * 24
    assert text_bar(0.5, width=4) == "██"
    assert text_bar(1 / 32, width=4) == "▏"
    assert text_bar(0.0) == "" and text_bar(-0.2) == ""


def test_the_command_writes_the_report_once_the_sweep_is_complete(
    swept: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    spec, out = swept
    prefix = out.with_name("cli")
    assert main(["sweep", str(spec), "--workers", "2", "-o", str(prefix), "--report", "html", "--max-tasks", "3"]) == 0
    assert "report in" not in capsys.readouterr().out
    assert not prefix.with_name("cli.html").exists()
    assert main(["sweep", str(spec), "--workers", "2", "-o", str(prefix), "--report", "html"]) == 0
    assert capsys.readouterr().out.endswith(f"report in {prefix}.html\n")
    assert "<svg" in prefix.with_name("cli.html").read_text(encoding="utf-8")
