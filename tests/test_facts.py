"""The Kursk scenario against its fact sheet: every fact drives a number, every number has a provenance,
and the facts that matter most really show in the figures.

The checks are plain functions over (scenario, sheet), so the tests at the bottom can break a copy of the
scenario on purpose and prove that each check notices.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from game.scenario import Scenario, numeric_leaves, resolve_path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "kursk-2025.yaml"
SHEET = ROOT / "seeds" / "kursk-2025.yaml"
ARTICLE = ROOT.parent / "shared" / "seed" / "kursk-2025-article.txt"

# Facts the article gives and the scenario must carry (ids in seeds/kursk-2025.yaml).
ARTICLE_FACTS = {
    "f_force_ratio",
    "f_nk_deployed",
    "f_nk_casualties_jan",
    "f_nk_two_captured",
    "f_nk_fear_of_capture",
    "f_nk_drone_untrained",
    "f_nk_adapted",
    "f_nk_coordination",
    "f_ru_fire_support",
    "f_fibre_unjammable",
    "f_only_road",
    "f_bridgehead_area_200",
    "f_retaken_60",
    "f_kurilovka_breakthrough",
    "f_bargaining_chip",
    "f_us_aid_halted",
    "f_too_many",
}
FACT_KEYS = {"id", "figure", "meaning", "drives", "source", "confidence", "notes"}


# --- loading ---------------------------------------------------------------------------------------------


def load(path: Path) -> Scenario:
    """The scenario through the positioned loader when it exists, else a safe YAML load and validation."""
    try:
        from game.scenario.load import load_scenario
    except ImportError:  # pragma: no cover - only before the loader exists
        return Scenario.model_validate(YAML(typ="safe").load(path.read_text(encoding="utf-8")))
    return load_scenario(path)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load(SCENARIO)


@pytest.fixture(scope="module")
def sheet() -> dict[str, Any]:
    return YAML(typ="safe").load(SHEET.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def facts(sheet: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in sheet["facts"]}


# --- the checks ------------------------------------------------------------------------------------------


def covering_field(path: str, fields: set[str]) -> str | None:
    """The most specific provenance field that covers `path` (itself or an enclosing object)."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in fields:
            return candidate
    return None


def uncovered_leaves(sc: Scenario) -> list[str]:
    fields = {p.field for p in sc.provenance}
    return [path for path, _ in numeric_leaves(sc) if covering_field(path, fields) is None]


def unresolved_provenance(sc: Scenario) -> list[str]:
    return [p.field for p in sc.provenance if resolve_path(sc, p.field, numbers_only=False) is None]


def duplicate_provenance(sc: Scenario) -> list[str]:
    seen: set[str] = set()
    return [p.field for p in sc.provenance if p.field in seen or seen.add(p.field)]


def uncited_facts(sc: Scenario, facts: dict[str, dict[str, Any]]) -> list[str]:
    cited = {p.fact for p in sc.provenance if p.fact}
    return sorted(set(facts) - cited)


def unknown_cited_facts(sc: Scenario, facts: dict[str, dict[str, Any]]) -> list[str]:
    return sorted({p.fact for p in sc.provenance if p.fact and p.fact not in facts})


def unresolved_drives(sc: Scenario, facts: dict[str, dict[str, Any]]) -> list[str]:
    return [
        f"{fid}: {path}"
        for fid, f in facts.items()
        for path in f["drives"]
        if resolve_path(sc, path, numbers_only=False) is None
    ]


def citations_outside_drives(sc: Scenario, facts: dict[str, dict[str, Any]]) -> list[str]:
    """Provenance entries that cite a fact whose `drives` does not list the field."""
    return [
        f"{p.field} cites {p.fact}" for p in sc.provenance if p.fact in facts and p.field not in facts[p.fact]["drives"]
    ]


def unit_strength(sc: Scenario, side_id: str, sector: str) -> float:
    side = next(s for s in sc.sides if s.id == side_id)
    return sum(u.strength for u in side.units if u.location == sector and not u.in_reserve)


def turn_start(sc: Scenario, turn: int) -> dt.datetime:
    start = dt.datetime.combine(sc.meta.date, dt.time(sc.meta.start_hour))
    return start + dt.timedelta(hours=sc.meta.turn_hours * (turn - 1))


def fire_support_casualties(sc: Scenario) -> dict[str, float]:
    """Expected player casualties per turn from the enemy's drones, guns and aircraft at the start.

    A back-of-envelope check, not the engine: the player's jammers are split evenly between front and
    road; the doctrine's road share of drone teams hunts trucks, not soldiers; crew training scales the
    chance to hit; area fire scales with the player's soldiers per km of front.
    """
    player, enemy = sc.player, sc.enemy
    jam = 1.0 - math.prod((1.0 - g.jam_probability) ** (g.teams / 2) for g in player.electronic_warfare)
    front_share = 1.0 - sc.opfor.road_interdiction_share
    drones = 0.0
    for team in enemy.drone_teams:
        d = sc.drone_type(team.drone_type)
        drones += (
            team.teams
            * d.sorties_per_turn
            * d.p_reach_unjammed
            * (1.0 - d.jam_susceptibility * jam)
            * (1.0 - d.p_failure)
            * d.p_hit
            * team.training
            * d.lethality
        )
    drones *= front_share
    held = [s for s in sc.map.sectors if s.holder == player.id]
    density = sum(u.strength for u in player.units if not u.in_reserve) / sum(s.frontage_km for s in held)
    artillery = (
        sum(a.tubes * a.rounds_per_tube_per_turn * a.casualties_per_round_per_density for a in enemy.artillery)
        * density
    )
    air = sum(a.sorties_per_turn * a.casualties_per_sortie_per_density for a in enemy.air) * density
    return {"drones": drones, "artillery": artillery, "air": air}


# --- the fact sheet itself ---------------------------------------------------------------------------------


def test_sheet_entries_are_complete(facts: dict[str, dict[str, Any]], sheet: dict[str, Any]) -> None:
    ids = [f["id"] for f in sheet["facts"]]
    assert len(ids) == len(set(ids)), "fact ids must be unique"
    for fid, fact in facts.items():
        missing = FACT_KEYS - set(fact)
        assert not missing, f"{fid} lacks {sorted(missing)}"
        assert re.fullmatch(r"f_[a-z0-9_]+", fid), fid
        assert fact["confidence"] in {"high", "medium", "low"}, fid
        assert fact["source"] == "article" or str(fact["source"]).startswith("https://"), fid
        assert fact["drives"], f"{fid} drives nothing"
        assert str(fact["meaning"]).strip() and str(fact["notes"]).strip(), fid


def test_sheet_carries_every_article_fact(facts: dict[str, dict[str, Any]]) -> None:
    assert set(facts) >= ARTICLE_FACTS
    for fid in ARTICLE_FACTS:
        assert facts[fid]["source"] == "article", fid


def test_sheet_also_uses_wider_reporting(facts: dict[str, dict[str, Any]]) -> None:
    others = [f for f in facts.values() if f["source"] != "article"]
    assert len(others) >= 10


# --- facts <-> provenance <-> scenario -----------------------------------------------------------------------


def test_every_fact_drives_a_parameter(scenario: Scenario, facts: dict[str, dict[str, Any]]) -> None:
    assert uncited_facts(scenario, facts) == []


def test_every_cited_fact_is_in_the_sheet(scenario: Scenario, facts: dict[str, dict[str, Any]]) -> None:
    assert unknown_cited_facts(scenario, facts) == []


def test_every_drives_path_resolves(scenario: Scenario, facts: dict[str, dict[str, Any]]) -> None:
    assert unresolved_drives(scenario, facts) == []


def test_every_provenance_field_resolves(scenario: Scenario) -> None:
    assert unresolved_provenance(scenario) == []
    assert duplicate_provenance(scenario) == []


def test_citations_match_the_sheet(scenario: Scenario, facts: dict[str, dict[str, Any]]) -> None:
    assert citations_outside_drives(scenario, facts) == []


def test_scenario_names_its_fact_sheet(scenario: Scenario) -> None:
    assert (SCENARIO.parent / scenario.fact_sheet).resolve() == SHEET.resolve()


def test_every_number_has_a_provenance(scenario: Scenario) -> None:
    leaves = list(numeric_leaves(scenario))
    assert len(leaves) > 300  # the walk really reaches into units, roads, injects and defaults
    assert uncovered_leaves(scenario) == []


# --- the checks can fail -------------------------------------------------------------------------------------


def _without(sc: Scenario, field: str) -> Scenario:
    broken = sc.model_copy(deep=True)
    broken.provenance = [p for p in broken.provenance if p.field != field]
    return broken


def test_checks_notice_a_missing_provenance(scenario: Scenario, facts: dict[str, dict[str, Any]]) -> None:
    broken = _without(_without(scenario, "combat"), "sides.ru.kill_share")
    assert "combat.engaged_per_km" in uncovered_leaves(broken)
    assert "combat.posture_defence.fortify" in uncovered_leaves(broken)
    # kill_share falls back to the side-wide assumption, so it stays covered ...
    assert "sides.ru.kill_share" not in uncovered_leaves(broken)
    # ... but the fact it carried is no longer cited anywhere.
    assert "f_nk_casualties_jan" in uncited_facts(broken, facts)


def test_checks_notice_bad_paths_and_ids(scenario: Scenario, facts: dict[str, dict[str, Any]]) -> None:
    broken = scenario.model_copy(deep=True)
    entry = broken.provenance[0].model_copy(update={"field": "sides.ru.units.no_such_unit.strength"})
    cited = broken.provenance[1].model_copy(update={"fact": "f_not_in_sheet"})
    broken.provenance = [entry, cited, *broken.provenance[2:]]
    assert unresolved_provenance(broken) == ["sides.ru.units.no_such_unit.strength"]
    assert unknown_cited_facts(broken, facts) == ["f_not_in_sheet"]
    bad_sheet = {**facts, "f_extra": {**facts["f_mud"], "id": "f_extra", "drives": ["map.roads.nowhere"]}}
    assert unresolved_drives(scenario, bad_sheet) == ["f_extra: map.roads.nowhere"]
    assert uncited_facts(scenario, bad_sheet) == ["f_extra"]


# --- the key facts show in the numbers ------------------------------------------------------------------------


def test_area_is_what_remains_after_the_retaking(scenario: Scenario, facts: dict[str, dict[str, Any]]) -> None:
    original = float(facts["f_bridgehead_area_200"]["figure"])
    retaken = float(facts["f_retaken_60"]["figure"])
    held = sum(s.area_sq_mi for s in scenario.map.sectors if s.holder == scenario.meta.player_side)
    # "more than 60% retaken": at most 40% left; we allow down to 35% left.
    assert original * (1 - retaken - 0.05) <= held <= original * (1 - retaken)
    assert 70 <= held <= 80


def test_north_koreans_are_almost_never_captured(scenario: Scenario) -> None:
    kp = [u for u in scenario.enemy.units if u.nationality == "kp"]
    assert kp, "the enemy must have North Korean units"
    for unit in kp:
        assert unit.capture_propensity < 0.01, unit.id
        assert unit.breaking_point >= 0.8, unit.id
    others = [u for u in scenario.enemy.units if u.nationality != "kp"]
    assert all(u.capture_propensity > 10 * kp[0].capture_propensity for u in others)


def test_north_koreans_start_vulnerable_to_drones_and_adapt(scenario: Scenario) -> None:
    for unit in (u for u in scenario.enemy.units if u.nationality == "kp"):
        assert unit.drone_vulnerability >= 1.5, unit.id
        assert unit.drone_adaptation_per_turn > 0, unit.id
        assert unit.drone_vulnerability_floor < unit.drone_vulnerability, unit.id
        # the adaptation is felt within the game, not after it
        turns_to_floor = math.log(unit.drone_vulnerability_floor / unit.drone_vulnerability) / math.log(
            1 - unit.drone_adaptation_per_turn
        )
        assert turns_to_floor <= scenario.meta.turns, unit.id


def test_main_effort_ratio_is_six_against_fifty(scenario: Scenario, facts: dict[str, dict[str, Any]]) -> None:
    numbers = facts["f_force_ratio"]["numbers"]
    target = numbers["kp"] / numbers["ua"]
    main = scenario.opfor.main_effort[0]
    ratio = unit_strength(scenario, scenario.enemy.id, main) / unit_strength(scenario, scenario.player.id, main)
    assert target * 0.75 <= ratio <= target * 1.25, f"{main}: {ratio:.2f} against {target:.2f}"
    # the North Koreans lead it
    lead = [u for u in scenario.enemy.units if u.location == main and u.nationality == scenario.opfor.lead_nationality]
    assert sum(u.strength for u in lead) > unit_strength(scenario, scenario.enemy.id, main) / 2


def test_north_korean_strength_fits_the_contingent(scenario: Scenario, facts: dict[str, dict[str, Any]]) -> None:
    deployed = float(facts["f_nk_deployed"]["figure"])
    lost = facts["f_nk_casualties_jan"]["numbers"]
    kp_units = {u.id for u in scenario.enemy.units if u.nationality == "kp"}
    start = sum(u.strength for u in scenario.enemy.units if u.id in kp_units)
    added = sum(
        e.delta
        for i in scenario.injects
        for e in i.effects
        if e.kind == "change_strength" and e.unit in kp_units and e.delta > 0
    )
    assert start + added <= deployed - lost["killed"] - lost["wounded"]
    assert start >= 0.3 * deployed  # a real share of the contingent, not a token


def test_enemy_killed_share_follows_the_reported_losses(scenario: Scenario, facts: dict[str, dict[str, Any]]) -> None:
    lost = facts["f_nk_casualties_jan"]["numbers"]
    assert scenario.enemy.kill_share == pytest.approx(lost["killed"] / (lost["killed"] + lost["wounded"]), abs=0.02)


def test_fibre_optic_drones_cannot_be_jammed(scenario: Scenario) -> None:
    fibre = [d for d in scenario.drone_types if d.guidance == "fibre_optic"]
    assert fibre and all(d.jam_susceptibility == 0 for d in fibre)
    radio = [d for d in scenario.drone_types if d.guidance == "radio"]
    assert radio and all(d.jam_susceptibility > 0.5 for d in radio)
    flown_by_enemy = {t.drone_type for t in scenario.enemy.drone_teams if t.teams > 0}
    assert flown_by_enemy & {d.id for d in fibre}, "the enemy must fly fibre-optic drones"


def test_drone_figures_sit_in_the_reported_ranges(scenario: Scenario, facts: dict[str, dict[str, Any]]) -> None:
    reach = facts["f_fibre_reach"]["numbers"]
    for d in scenario.drone_types:
        if d.guidance == "fibre_optic":
            assert reach["min_km"] <= d.reach_km <= reach["max_km"], d.id
            assert 0 < d.p_failure < 0.5, f"{d.id}: cable snags must cost something"
            lo, hi = facts["f_fibre_cost"]["numbers"].values()
            assert lo <= d.cost_usd <= hi, d.id
        else:
            assert d.reach_km <= facts["f_fpv_payload_range"]["numbers"]["range_km_max"], d.id
            cost = facts["f_fpv_cost"]["numbers"]
            assert cost["min_usd"] <= d.cost_usd <= cost["max_usd"], d.id


def test_enemy_jamming_takes_about_a_third_of_radio_sorties(
    scenario: Scenario, facts: dict[str, dict[str, Any]]
) -> None:
    combined = 1 - math.prod((1 - g.jam_probability) ** g.teams for g in scenario.enemy.electronic_warfare)
    assert combined == pytest.approx(facts["f_jam_loss_share"]["numbers"]["share"], abs=0.03)


def test_drones_cause_most_fire_support_casualties(scenario: Scenario, facts: dict[str, dict[str, Any]]) -> None:
    c = fire_support_casualties(scenario)
    total = sum(c.values())
    band = facts["f_drone_casualty_share"]["numbers"]
    assert band["min"] - 0.1 <= c["drones"] / total <= band["max"] + 0.05, c
    assert 0.1 <= c["artillery"] / total <= 0.3, c


def test_one_road_from_the_border_to_sudzha(scenario: Scenario, facts: dict[str, dict[str, Any]]) -> None:
    roads = {r.id: r for r in scenario.map.roads}
    route = [roads[r] for r in scenario.map.supply_route]
    assert route and all(r.kind == "road" for r in route)
    assert route[0].from_place == scenario.map.border_place
    assert route[-1].to_place == "sudzha"
    assert all(a.to_place == b.from_place for a, b in itertools.pairwise(route)), "the road must be one chain"
    assert [r.id for r in scenario.map.roads if r.kind == "road"] == scenario.map.supply_route
    tracks = [roads[r] for r in scenario.map.track_route]
    assert tracks and all(t.kind == "track" and t.speed_kmh < min(r.speed_kmh for r in route) for t in tracks)
    # on the Russian side, from the checkpoint to Sudzha, the road is as long as Sudzha is far from the border
    distance = facts["f_sudzha_border_distance"]["numbers"]
    russian_side = sum(r.length_km for r in route if r.from_place != scenario.map.border_place)
    assert distance["min_km"] <= russian_side <= distance["max_km"]
    # the worst stretch starts interdicted and lies within fibre reach of the enemy
    fibre_reach = max(d.reach_km for d in scenario.drone_types if d.guidance == "fibre_optic")
    assert any(r.state in ("interdicted", "cut") and r.enemy_distance_km < fibre_reach for r in route)
    assert all(r.state != "open" for r in route)


def test_aid_halt_cuts_border_resupply_in_early_march(scenario: Scenario) -> None:
    halts = [
        (i, e)
        for i in scenario.injects
        for e in i.effects
        if e.kind == "scale_rate" and e.target == "supply.border_resupply_t_per_turn"
    ]
    assert len(halts) == 1
    inject, effect = halts[0]
    assert effect.factor < 1
    assert inject.trigger.turn is not None
    when = turn_start(scenario, inject.trigger.turn)
    assert dt.datetime(2025, 3, 3) <= when <= dt.datetime(2025, 3, 7)


def test_breakthrough_fires_when_the_main_effort_sector_falls(scenario: Scenario) -> None:
    inject = next(i for i in scenario.injects if i.id == "kurilovka_breakthrough")
    (cond,) = inject.trigger.conditions
    assert (cond.metric, cond.target, cond.op, cond.value) == ("sector_held", scenario.opfor.main_effort[0], "==", 0)
    road_effects = [e for e in inject.effects if e.kind in ("set_road_state", "set_rate")]
    assert road_effects, "the breakthrough must make the road worse"
    for e in inject.effects:
        if e.kind == "set_rate" and e.target.endswith("enemy_distance_km"):
            assert e.value < resolve_path(scenario, e.target)
    assert scenario.meta.date == dt.date(2025, 3, 5)  # the eve of the 5–6 March breakthrough


def test_pipeline_inject_brings_the_reported_numbers(scenario: Scenario, facts: dict[str, dict[str, Any]]) -> None:
    inject = next(i for i in scenario.injects if i.id == "pipeline_infiltration")
    added = sum(e.delta for e in inject.effects if e.kind == "change_strength")
    assert added == facts["f_pipeline"]["numbers"]["troops"]
    assert inject.trigger.probability < 1  # its timing varies between games
    assert turn_start(scenario, inject.trigger.after_turn + 1).date() <= dt.date(2025, 3, 9)


def test_game_spans_the_fall_of_sudzha(scenario: Scenario) -> None:
    end = turn_start(scenario, scenario.meta.turns + 1)
    assert end >= dt.datetime(2025, 3, 13, 18)
    assert 16 <= scenario.meta.turns <= 24


def test_ground_is_worth_points(scenario: Scenario, facts: dict[str, dict[str, Any]]) -> None:
    s = scenario.scoring
    assert s.per_sq_mi_held > 0 and s.per_sq_mi_turn_held > 0 and s.per_own_casualty < 0 <= s.per_enemy_casualty
    assert s.encirclement_penalty < -s.per_sq_mi_held * sum(x.area_sq_mi for x in scenario.map.sectors)
    assert s.per_sq_mi_held * float(facts["f_bridgehead_area_200"]["figure"]) == pytest.approx(1000)
    # every weight says why it has its value, shown beside it in the debrief
    weights = {
        "per_sq_mi_held",
        "per_sq_mi_turn_held",
        "per_own_casualty",
        "per_enemy_casualty",
        "encirclement_penalty",
        "orderly_withdrawal_bonus",
    }
    assert set(s.rationale) == weights
    assert all(o.description for o in s.objectives)


# --- own words ----------------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "").replace("'", ""))


@pytest.mark.skipif(
    not ARTICLE.exists(), reason="outside this repository: ../shared/seed/kursk-2025-article.txt is not present"
)
@pytest.mark.parametrize("path", [SCENARIO, SHEET], ids=lambda p: p.name)
def test_no_sentence_is_copied_from_the_article(path: Path) -> None:
    article = _words(ARTICLE.read_text(encoding="utf-8"))
    runs = {tuple(article[i : i + 8]) for i in range(len(article) - 7)}
    ours = _words(path.read_text(encoding="utf-8"))
    copied = {" ".join(ours[i : i + 8]) for i in range(len(ours) - 7) if tuple(ours[i : i + 8]) in runs}
    assert not copied
