"""The named causes the engine measures each turn, each in the unit of the outcome it changes.

Every turn the kernel fills an (R, F) array in this order; `FACTORS[i]` says what column i means.
Names are stable identifiers for the debrief; labels are plain words for the trainee. Losses are
counted where they fall: `own.*` on the player's side, `enemy.*` on the opposing side. Savings
(`*.spared`) are what the measure prevented compared with the same turn without it, in expected
terms (how many more soldiers or trucks would have been lost).
"""

from __future__ import annotations

from dataclasses import dataclass

from .params import ENEMY, PLAYER


@dataclass(frozen=True)
class FactorSpec:
    """One column of the factor array."""

    name: str
    label: str
    unit: str
    side: int | None  # PLAYER, ENEMY, or None when it is not one side's


_CAUSES = (
    ("fire.aimed", "aimed fire in the close fight"),
    ("fire.area", "area fire in the close fight"),
    ("drones.radio.front", "radio-controlled drone strikes at the front"),
    ("drones.fibre_optic.front", "fibre-optic drone strikes at the front"),
    ("artillery", "artillery fire"),
    ("air", "air strikes and glide bombs"),
    ("retreat", "losses breaking contact as ground was lost"),
)

FACTORS: tuple[FactorSpec, ...] = (
    *(FactorSpec(f"own.{n}", f"Own soldiers lost to {label}", "soldiers", PLAYER) for n, label in _CAUSES),
    FactorSpec("own.died_of_wounds", "Own wounded who died waiting for evacuation", "soldiers", PLAYER),
    FactorSpec("own.withdrawal", "Own soldiers lost on the way out of the bridgehead", "soldiers", PLAYER),
    *(FactorSpec(f"enemy.{n}", f"Enemy soldiers lost to {label}", "soldiers", ENEMY) for n, label in _CAUSES),
    FactorSpec("ew.front.spared", "Own soldiers spared by jamming radio drones at the front", "soldiers", PLAYER),
    FactorSpec("fortification.spared", "Own soldiers spared by fortifications", "soldiers", PLAYER),
    FactorSpec("shortage.enemy_spared", "Enemy soldiers spared because shortages weakened our fire", "soldiers", ENEMY),
    FactorSpec("adaptation.enemy_spared", "Enemy soldiers spared by their adaptation to drones", "soldiers", ENEMY),
    FactorSpec("counter_drone.suppressed", "Enemy drone sorties suppressed by counter-drone teams", "sorties", ENEMY),
    FactorSpec("supply.delivered", "Supplies delivered into the bridgehead", "tonnes", PLAYER),
    FactorSpec("supply.consumed", "Supplies used by the grouping", "tonnes", PLAYER),
    FactorSpec("drones.radio.road", "Trucks lost to radio-controlled drones on the road", "trucks", PLAYER),
    FactorSpec("drones.fibre_optic.road", "Trucks lost to fibre-optic drones on the road", "trucks", PLAYER),
    FactorSpec("netting.spared", "Trucks spared by anti-drone netting", "trucks", PLAYER),
    FactorSpec("night.spared", "Trucks spared by travelling at night", "trucks", PLAYER),
    FactorSpec("ew.road.spared", "Trucks spared by jamming on the road", "trucks", PLAYER),
    FactorSpec("overwatch.spared", "Trucks spared by drone overwatch of the road", "trucks", PLAYER),
    FactorSpec("escort.spared", "Trucks spared by escorts", "trucks", PLAYER),
    FactorSpec("territory.lost", "Ground lost to assaults", "sq mi", PLAYER),
    FactorSpec("territory.given", "Ground given up deliberately", "sq mi", PLAYER),
    FactorSpec("fortification.built", "Fortification built by troops digging in", "fortification", PLAYER),
    FactorSpec("fortification.eroded.artillery", "Fortification destroyed by artillery", "fortification", PLAYER),
    FactorSpec("fortification.eroded.air", "Fortification destroyed by air strikes", "fortification", PLAYER),
)

INDEX: dict[str, int] = {f.name: i for i, f in enumerate(FACTORS)}
F = len(FACTORS)

# column offsets of the seven loss causes per side, in the order of _CAUSES
OWN0 = INDEX["own.fire.aimed"]
ENEMY0 = INDEX["enemy.fire.aimed"]
AIM, AREA, DRONE_RADIO, DRONE_FIBRE, ARTILLERY, AIR, RETREAT = range(7)
