"""The narrative layer: safe templates, the sitrep, the advisors' dispatches, the ending, the map — headless."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.engine.orders import Orders
from game.engine.report import (
    Band,
    Casualties,
    Estimate,
    Event,
    Factor,
    Forecast,
    Intel,
    Score,
    ScoreLine,
    SupplyReport,
    TurnReport,
)
from game.narrative.advice import forecast_lines, histogram_rows, summary_line
from game.narrative.ending import ending_lines, headline, score_rows
from game.narrative.fmt import safe_format
from game.narrative.map_text import ENEMY, OWN, map_text
from game.narrative.picture import picture
from game.narrative.sitrep import situation_report
from game.narrative.story import factor_line, turn_figures, turn_story, visible_factors
from game.narrative.templates import Figure, fill
from game.scenario import Scenario
from game.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(TUTORIAL)


def with_templates(scenario: Scenario, **templates: str) -> Scenario:
    narrative = scenario.narrative.model_copy(update={"templates": templates})
    return scenario.model_copy(update={"narrative": narrative})


def est(x: float) -> Estimate:
    return Estimate(estimate=x, low=0.7 * x, high=1.4 * x, confidence="medium")


def make_intel(scenario: Scenario, turn: int = 2) -> Intel:
    return Intel(
        turn=turn,
        enemy_strength={s.id: est(500) for s in scenario.map.sectors},
        enemy_total=est(1000),
        own_losses_last_turn=est(30),
        enemy_losses_last_turn=est(120),
        road_threat="high",
        notes=["Fibre-optic drones seen over the road."],
    )


def make_report(scenario: Scenario, lost: str | None = None) -> TurnReport:
    side, enemy = scenario.meta.player_side, scenario.opfor.side
    holders = {s.id: s.holder for s in scenario.map.sectors}
    if lost:
        holders[lost] = enemy
    roads = {r.id: r.state for r in scenario.map.roads}
    roads[scenario.map.supply_route[0]] = "cut"
    return TurnReport(
        turn=1,
        orders=Orders(),
        losses={side: Casualties(killed=10, wounded=25, captured=1), enemy: Casualties(killed=400)},
        events=[
            Event(kind="inject", text="Aid halted."),
            Event(kind="combat", text="Assault on the village."),
            Event(kind="combat", text="Secret truth.", visible_to="instructor"),
        ],
        unit_strength={u.id: u.strength - 5.0 for side_ in scenario.sides for u in side_.units},
        sector_holder=holders,
        place_holder={p.id: p.holder for p in scenario.map.places},
        road_state=roads,
        fortification={s.id: 0.2 for s in scenario.map.sectors},
        area_held_sq_mi=12.0,
        supply=SupplyReport(
            trucks_sent=6,
            trucks_lost=1.0,
            delivered_t=20.0,
            consumed_t=15.0,
            stocks={"ammunition_t": 50.0, "drones": 120.0, "fuel_t": 30.0, "food_medical_t": 20.0},
            road_survival=0.83,
        ),
        factors=[
            Factor(
                name="drones.fibre_optic.road",
                label="Fibre-optic drones on the road",
                value=1.0,
                unit="trucks",
                side=side,
            ),
            Factor(name="combat.assault", label="Assault waves", value=30.0, unit="soldiers", side=side),
            Factor(name="drones.strike", label="Our drone strikes", value=90.0, unit="soldiers", side=enemy),
        ],
        road_cut_turns=1,
    )


@pytest.mark.parametrize(
    "template",
    [
        "{nonexistent} placeholder",
        "{own_losses.__class__}",
        "{own_losses[0]}",
        "{own_losses:>999999}",
        "{own_losses:zz}",
        "{",
        "}",
        "{0}",
    ],
)
def test_a_bad_template_falls_back_to_a_plain_line(scenario: Scenario, template: str) -> None:
    sc = with_templates(scenario, combat=template)
    line = fill(
        sc,
        "combat",
        {"own_losses": 12.0, "own_killed": 1, "own_wounded": 2, "own_captured": 0, "area_held": 3, "area_total": 4},
    )
    assert line.startswith("We lost 12 soldiers")
    assert safe_format(template, {"own_losses": 1.0}, "fallback") == "fallback"


def test_templates_fill_and_numbers_print_rounded(scenario: Scenario) -> None:
    sc = with_templates(scenario, combat="Tavr: lost {own_losses}, {own_losses:.2f} exactly, in {sector}.")
    assert (
        fill(sc, "combat", {"own_losses": 1234.567, "sector": "North"})
        == "Tavr: lost 1,235, 1234.57 exactly, in North."
    )
    assert f"{Figure(2.5)}" == "2.5" and str(Figure(3.0)) == "3"
    assert fill(scenario, "combat", {}) == "(combat report: figures unavailable)"


def test_sitrep_uses_estimates_and_the_scenario_header(scenario: Scenario) -> None:
    report = make_report(scenario)
    pic = picture(scenario, [report])
    sc = with_templates(scenario, sitrep_header="Turn {turn} of {turns}, {time}: {sectors_held} sectors held.")
    lines = situation_report(sc, pic, make_intel(scenario), "7 Mar")
    assert lines[0] == f"Turn 2 of {scenario.meta.turns}, 7 Mar: 2 sectors held."
    text = "\n".join(lines)
    assert "about 1,000 (700–1,400), medium confidence" in text
    assert "Aid halted." in text and "Fibre-optic drones seen" in text
    assert "encircled" in text  # the clock is running
    assert "Secret truth" not in text


def test_turn_story_by_advisor_without_ground_truth_on_the_enemy(scenario: Scenario) -> None:
    village = scenario.map.sectors[0]
    report = make_report(scenario, lost=village.id)
    before, after = picture(scenario, []), picture(scenario, [report])
    story = turn_story(scenario, before, after, report, make_intel(scenario), "Turn 1")
    speakers = [d.speaker for d in story]
    assert speakers[0] == "Headquarters" and "Aid halted." in story[0].lines
    assert [a.name for a in scenario.narrative.advisors] == speakers[1:]
    text = "\n".join(line for d in story for line in d.lines)
    assert "We lost 36 soldiers" in text and f"We have lost {village.name}" in text
    assert "→ cut [X]" in text
    assert "Our drone strikes" not in text  # an effect on the enemy is ground truth
    assert "Secret truth" not in text
    assert [f.label for f in visible_factors(scenario, report)] == ["Assault waves", "Fibre-optic drones on the road"]
    figures = dict(turn_figures(scenario, before, after, report, make_intel(scenario)))
    assert figures["Enemy casualties (estimate)"] == "about 120 (84–168)"
    assert figures["Ground held"].endswith(f"({after.area_held - before.area_held:+,.0f})")


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (7.04, "soldiers", ": 7 soldiers"),
        (0.4, "trucks", ": under 1 truck"),
        (0.6, "soldiers", ": 1 soldier"),
        (7.04, "tonnes", ": 7.0 tonnes"),
        (1234.6, "soldiers", ": 1,235 soldiers"),
    ],
)
def test_factor_lines_count_people_and_trucks_whole(value: float, unit: str, shown: str) -> None:
    line = factor_line(Factor(name="x", label="Spared", value=value, unit=unit))
    assert line == "Spared" + shown


def test_ending_and_score_rows(scenario: Scenario) -> None:
    score = Score(
        total=-12.5,
        ending="encircled",
        objectives_met={"x": False},
        lines=[
            ScoreLine(name="a", label="Area", quantity=10, weight=2, points=20),
            ScoreLine(name="b", label="Losses", quantity=650, weight=-0.05, points=-32.5),
        ],
    )
    lines = ending_lines(scenario, score)
    assert lines[0] == headline("encircled") and "encircled" in lines[0]
    assert "Final score: -12.5 points." in lines
    assert score_rows(score) == [
        ("Area", "10.0", "+2", "+20.0"),
        ("Losses", "650.0", "-0.05", "-32.5"),
        ("Total", "", "", "-12.5"),
    ]


def test_map_marks_holders_and_road_states_with_glyphs(scenario: Scenario) -> None:
    report = make_report(scenario, lost=scenario.map.sectors[0].id)
    report = report.model_copy(update={"place_holder": {p.id: "ru" for p in scenario.map.places}})
    text = map_text(scenario, picture(scenario, [report]), 60, 14)
    assert ENEMY in text and "X" in text and "road: = open" in text
    plain = map_text(scenario, picture(scenario, []), 60, 14)
    assert OWN in plain and "Bilyi Yar" in plain
    assert all(len(row) <= 60 for row in plain.splitlines()[:-1])


def test_forecast_words_and_histogram(scenario: Scenario) -> None:
    band = Band(mean=40, p5=10, p50=38, p95=90)
    fc = Forecast(
        replications=1000,
        turns=1,
        own_losses=band,
        enemy_losses=band,
        area_held_sq_mi=band,
        supply_delivered_t=band,
        p_lose_sector={"village": 0.25},
        p_lose_place={},
        p_road_cut=0.4,
        own_losses_histogram=[1, 5, 10, 5, 1],
        own_losses_bin_edges=[0, 20, 40, 60, 80, 100],
        factors=[],
    )
    assert (
        summary_line(scenario, fc, ["village", "crossroads"])
        == "Advisor: own casualties 38 (10–90) · road cut 40% · lose Village 25%"
    )
    told = "\n".join(forecast_lines(scenario, fc, ["village", "crossroads"]))
    assert "chance of losing: Village 25%, Crossroads 0%" in told
    rows = histogram_rows([1, 5, 10, 5, 1], 10, 2)
    assert len(rows) == 2 and all(len(r) == 10 for r in rows)
    assert rows[0][4] == "█" and rows[1][0] != " "


@pytest.mark.parametrize(
    ("parts", "total", "whole"),
    [
        ([2.4, 5.4, 0.2], None, [2, 6, 0]),  # 8 in all: the parts shown add up to it
        ([0.4, 0.4, 0.4], None, [1, 0, 0]),
        ([1.5, 1.5], 3, [2, 1]),
        ([2.6, 0.6], 3, [3, 0]),  # the total shown wins over each part's own rounding
        ([0.0, 0.0], 0, [0, 0]),
    ],
)
def test_whole_parts_add_up_to_the_whole_total(parts: list[float], total: float | None, whole: list[int]) -> None:
    from game.narrative.fmt import split_whole

    assert split_whole(parts, total) == whole


def test_one_reads_singular() -> None:
    from game.narrative.fmt import agree, counted

    assert counted(1, "soldier") == "1 soldier" and counted(0.6, "man") == "1 man"
    assert counted(1250.4, "casualty") == "1,250 casualties"
    assert (
        agree("We lost 1 men; 1 trucks out, 21 trucks, 11 soldiers, 1,001 trucks.")
        == "We lost 1 man; 1 truck out, 21 trucks, 11 soldiers, 1,001 trucks."
    )
