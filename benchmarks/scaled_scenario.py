"""A scenario made N times larger: its sectors and units copied N times, each copy joined to the next.

Used to measure how the cost of a replication-turn grows with the size of the map (`bench_check.py`) and by a
test that the engine gives the same numbers on such a map whichever way its sector-by-sector work is organised.
The first copy is the scenario itself (its places, roads, injects, drills and assertions all refer to it); each
further copy has the same sectors (ids suffixed `_2`, `_3`, …, no places and no road screens) held by copies of
both sides' units, and its first sector borders the previous copy's last one; the stocks and the trucks
are N times as large, to feed N times the soldiers. Kursk (5 sectors, 14 units) copied
8 times is the 40-sector, 112-unit map.
"""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from game.scenario import Scenario
from game.scenario.load import parse_scenario_text


def scaled_copy(path: str | Path, copies: int) -> Scenario:
    """The scenario at `path` with its sectors and units `copies` times over (see module doc)."""
    data: Any = YAML(typ="safe").load(Path(path).read_text(encoding="utf-8"))
    sectors = data["map"]["sectors"]
    originals = copy.deepcopy(sectors)
    units = {side["id"]: copy.deepcopy(side["units"]) for side in data["sides"]}
    previous_last = sectors[-1]
    for n in range(2, copies + 1):
        batch = []
        for s in originals:
            dup = copy.deepcopy(s)
            dup.update(
                id=f"{s['id']}_{n}",
                name=f"{s['name']} ({n})",
                places=[],
                screens=[],
                screen_depth_km=0,
                adjacent=[f"{a}_{n}" for a in s.get("adjacent", [])],
            )
            batch.append(dup)
        previous_last["adjacent"] = [*previous_last["adjacent"], batch[0]["id"]]
        batch[0]["adjacent"] = [*batch[0]["adjacent"], previous_last["id"]]
        sectors.extend(batch)
        previous_last = batch[-1]
        for side in data["sides"]:
            for u in units[side["id"]]:
                dup = copy.deepcopy(u)
                dup.update(id=f"{u['id']}_{n}", location=f"{u['location']}_{n}")
                side["units"].append(dup)
    supply = data["supply"]  # N times the soldiers to feed: N times the stocks and trucks
    supply["stocks"] = {k: v * copies for k, v in supply["stocks"].items()}
    supply["convoys"]["trucks_available"] *= copies
    out = io.StringIO()
    YAML().dump(data, out)
    return parse_scenario_text(out.getvalue(), source=f"{path} × {copies}")
