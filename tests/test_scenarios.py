"""The shipped scenarios: each one loads, every number has a provenance, the what-if variant differs from the
Kursk scenario only by its fibre-optic drones, and the tutorial stays small and forgiving."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from game.scenario import Scenario, numeric_leaves

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SHIPPED = sorted(SCENARIOS.glob("*.yaml"))
KURSK = SCENARIOS / "kursk-2025.yaml"
NO_FIBRE = SCENARIOS / "kursk-2025-no-fibre.yaml"
TUTORIAL = SCENARIOS / "tutorial.yaml"


def load(path: Path) -> Scenario:
    """Through the positioned loader when it exists, else a safe YAML load and validation."""
    try:
        from game.scenario.load import load_scenario
    except ImportError:  # pragma: no cover - only before the loader exists
        return Scenario.model_validate(YAML(typ="safe").load(path.read_text(encoding="utf-8")))
    return load_scenario(path)


def uncovered(sc: Scenario) -> list[str]:
    fields = {p.field for p in sc.provenance}
    return [
        leaf
        for leaf, _ in numeric_leaves(sc)
        if not any(".".join(leaf.split(".")[:n]) in fields for n in range(1, leaf.count(".") + 2))
    ]


# --- every shipped scenario ------------------------------------------------------------------------------


def test_the_three_scenarios_ship() -> None:
    assert {KURSK, NO_FIBRE, TUTORIAL} <= set(SHIPPED)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_scenario_loads(path: Path) -> None:
    sc = load(path)
    assert sc.meta.id and sc.narrative.briefing.situation and sc.narrative.briefing.how_to_play
    assert path.read_text(encoding="utf-8").splitlines()[0] == "# yaml-language-server: $schema=../scenario.schema.json"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_number_has_a_provenance(path: Path) -> None:
    assert uncovered(load(path)) == []


def test_scenario_ids_are_unique() -> None:
    ids = [load(p).meta.id for p in SHIPPED]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_sectors_and_roads_make_sense(path: Path) -> None:
    sc = load(path)
    own = [s for s in sc.map.sectors if s.holder == sc.meta.player_side]
    assert own and sc.map.supply_route and sc.map.border_place
    ids = {s.id for s in sc.map.sectors}
    for s in sc.map.sectors:  # adjacency is symmetric, so reserves can move both ways
        for other in s.adjacent:
            assert other in ids and s.id in next(x for x in sc.map.sectors if x.id == other).adjacent, (s.id, other)
    for side in sc.sides:
        assert all(u.location in ids for u in side.units)
    assert any(u.in_reserve for u in sc.player.units), "every scenario teaches the reserve"


# --- the what-if variant -----------------------------------------------------------------------------------

# Parts that may differ: what the variant is called and how it is introduced.
FREE_TEXT = {"meta.id", "meta.title", "meta.summary", "meta.difficulty", "narrative.briefing", "instructor_notes"}
PER_SCENARIO = {"assertions", "provenance.assertions"}
"""Statements of each file's own measured balance (the what-if plays differently, which is its point)."""


def _keyed(node: Any) -> Any:
    """Plain data with lists of objects turned into dicts by id (provenance by field), for readable paths."""
    if isinstance(node, dict):
        return {k: _keyed(v) for k, v in node.items()}
    if isinstance(node, list) and node and all(isinstance(x, dict) for x in node):
        key = "id" if all("id" in x for x in node) else "field" if all("field" in x for x in node) else None
        if key:
            return {str(x[key]): _keyed(x) for x in node}
    if isinstance(node, list):
        return [_keyed(x) for x in node]
    return node


def _differences(a: Any, b: Any, path: str = "") -> Iterator[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            sub = f"{path}.{key}" if path else str(key)
            if key not in a or key not in b:
                yield sub
            else:
                yield from _differences(a[key], b[key], sub)
    elif a != b:
        yield path


def without_enemy_fibre(sc: Scenario) -> dict[str, Any]:
    """The scenario as data with the enemy's fibre-optic drones and everything that only exists for them removed."""
    fibre_types = {d.id for d in sc.drone_types if d.guidance == "fibre_optic"}
    enemy_fibre_types = {t.drone_type for t in sc.enemy.drone_teams if t.drone_type in fibre_types}
    enemy_fibre_types -= {t.drone_type for t in sc.player.drone_teams}
    fibre_teams = {t.id for t in sc.enemy.drone_teams if t.drone_type in enemy_fibre_types}
    gone = enemy_fibre_types | fibre_teams
    fibre_injects = {
        i.id
        for i in sc.injects
        if any(getattr(e, "target", "").split(".")[-2:-1] == [team] for e in i.effects for team in fibre_teams)
    }
    gone |= fibre_injects

    data = sc.model_dump(mode="json")
    data["drone_types"] = [d for d in data["drone_types"] if d["id"] not in enemy_fibre_types]
    for side in data["sides"]:
        side["drone_teams"] = [t for t in side["drone_teams"] if t["id"] not in fibre_teams]
    data["injects"] = [i for i in data["injects"] if i["id"] not in fibre_injects]
    data["teaching_moments"] = [t for t in data["teaching_moments"] if t["when"] != "ew_on_road_against_fibre"]
    data["provenance"] = [p for p in data["provenance"] if not set(p["field"].split(".")) & gone]
    return data


@pytest.fixture(scope="module")
def kursk() -> Scenario:
    return load(KURSK)


@pytest.fixture(scope="module")
def no_fibre() -> Scenario:
    return load(NO_FIBRE)


def test_no_fibre_has_no_enemy_fibre_drones(kursk: Scenario, no_fibre: Scenario) -> None:
    fibre = {d.id for d in no_fibre.drone_types if d.guidance == "fibre_optic"}
    assert not any(t.drone_type in fibre for t in no_fibre.enemy.drone_teams)
    assert all(no_fibre.drone_type(t.drone_type).jam_susceptibility > 0 for t in no_fibre.enemy.drone_teams)
    # the main scenario does have them, or the variant would teach nothing
    kursk_fibre = {d.id for d in kursk.drone_types if d.guidance == "fibre_optic"}
    assert any(t.drone_type in kursk_fibre for t in kursk.enemy.drone_teams)


def test_no_fibre_keeps_the_same_number_of_enemy_drone_crews(kursk: Scenario, no_fibre: Scenario) -> None:
    assert sum(t.teams for t in no_fibre.enemy.drone_teams) == sum(t.teams for t in kursk.enemy.drone_teams)


def test_no_fibre_differs_only_where_intended(kursk: Scenario, no_fibre: Scenario) -> None:
    a, b = _keyed(without_enemy_fibre(kursk)), _keyed(without_enemy_fibre(no_fibre))
    diffs = [
        d for d in _differences(a, b) if not any(d == f or d.startswith(f + ".") for f in FREE_TEXT | PER_SCENARIO)
    ]
    # the elite crews that flew fibre-optic drones fly radio ones instead
    assert sorted(diffs) == [
        "provenance.sides.ru.drone_teams.rubicon_radio.teams.assumption",
        "provenance.sides.ru.drone_teams.rubicon_radio.teams.fact",
        "sides.ru.drone_teams.rubicon_radio.teams",
    ]
    assert no_fibre.meta.id != kursk.meta.id and no_fibre.meta.title != kursk.meta.title
    assert "fibre" in no_fibre.narrative.briefing.situation.lower()


def test_the_comparison_notices_other_changes(kursk: Scenario) -> None:
    changed = kursk.model_copy(deep=True)
    changed.supply.stocks.ammunition_t += 1
    diffs = list(_differences(_keyed(without_enemy_fibre(kursk)), _keyed(without_enemy_fibre(changed))))
    assert diffs == ["supply.stocks.ammunition_t"]


# --- the tutorial ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tutorial() -> Scenario:
    return load(TUTORIAL)


def test_tutorial_is_small(tutorial: Scenario) -> None:
    assert 2 <= len(tutorial.map.sectors) <= 3
    assert tutorial.meta.turns <= 8
    assert len(tutorial.sides) == 2
    for side in tutorial.sides:
        assert len({t.drone_type for t in side.drone_teams}) == 1, side.id
    assert tutorial.meta.difficulty == "tutorial"


def test_tutorial_enemy_is_weak(tutorial: Scenario) -> None:
    player = sum(u.strength for u in tutorial.player.units)
    enemy = sum(u.strength for u in tutorial.enemy.units)
    assert enemy <= 1.5 * player
    assert not any(u.nationality == "kp" for u in tutorial.enemy.units)
    assert tutorial.opfor.aggression <= 0.5
    assert all(d.guidance == "radio" for d in tutorial.drone_types), "jammers should work in the tutorial"


def test_tutorial_supply_is_generous(tutorial: Scenario) -> None:
    soldiers = sum(u.strength for u in tutorial.player.units)
    hold = tutorial.supply.consumption_per_100["hold"]
    per_turn = soldiers / 100 * (hold.ammunition_t + hold.fuel_t + hold.food_medical_t)
    stocks = tutorial.supply.stocks
    assert stocks.ammunition_t + stocks.fuel_t + stocks.food_medical_t >= tutorial.meta.turns * per_turn
    assert tutorial.supply.border_resupply_t_per_turn >= 2 * per_turn
    convoy = tutorial.supply.convoys
    assert convoy.trucks_available * convoy.cargo_t_per_truck >= 2 * per_turn


def test_tutorial_briefing_explains_every_order(tutorial: Scenario) -> None:
    from game.engine.orders import DRONE_TASKS, POSTURES

    text = re.sub(r"[-_]", " ", tutorial.narrative.briefing.how_to_play.lower())
    words = [
        *(p.replace("_", " ") for p in POSTURES),
        *(t.replace("_", " ") for t in DRONE_TASKS),
        "ew front",
        "ew road",
        "convoy day",
        "convoy night",
        "escort",
        "route tracks",
        "netting",
        "reserve",
        "withdraw",
        "forecast",
        "end the turn",
    ]
    missing = [w for w in words if w not in text]
    assert not missing
