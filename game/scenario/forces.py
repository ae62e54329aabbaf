"""Sides, their units, and the support assets that multiply them: drones, electronic warfare, artillery, air."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .common import Count, Fraction, Id, NonNegative, Positive, Probability, ShortText, Strict, Text
from .problems import FieldProblem

Nationality = Literal["ua", "ru", "kp", "other"]
UnitType = Literal[
    "infantry",
    "assault_infantry",
    "mechanised",
    "airborne",
    "marines",
    "drone_team",
    "artillery",
    "ew",
    "logistics",
    "reserve",
]
Posture = Literal["hold", "fortify", "counter_attack", "delay", "withdraw", "assault"]
Guidance = Literal["radio", "fibre_optic"]


_POSTURE_DEFENCE: dict[Posture, float] = {
    "hold": 1.0,
    "fortify": 1.0,
    "counter_attack": 0.7,
    "delay": 1.2,
    "withdraw": 0.6,
    "assault": 0.5,
}


class Unit(Strict):
    """A formation of soldiers that holds or attacks ground in one sector."""

    id: Id
    """Identifier used in orders and reports."""
    name: ShortText
    """Name shown to the player."""
    nationality: Nationality
    """Nationality of the soldiers; North Korean units (kp) lead the enemy's assaults."""
    type: UnitType
    """Kind of unit."""
    strength: Count
    """Soldiers fit to fight at the start."""
    training: Fraction = 0.5
    """Training from 0 (raw recruits) to 1 (elite); scales aimed fire."""
    firepower: NonNegative = 1.0
    """Relative firepower per soldier (weapons, vehicles); 1 is a rifle squad's worth."""
    morale: Fraction = 0.7
    """Morale at the start, 0 (broken) to 1 (fanatical)."""
    breaking_point: Fraction = 0.4
    """Share of the starting strength lost at which the unit breaks and stops holding or assaulting."""
    capture_propensity: Probability = 0.05
    """Share of a broken unit's casualties taken prisoner (near zero for units that refuse capture)."""
    drone_vulnerability: NonNegative = 1.0
    """Multiplier on drone lethality against this unit; 1 is an ordinary, untrained target."""
    drone_adaptation_per_turn: Fraction = 0.0
    """Fraction by which drone vulnerability falls each turn as the unit learns (hiding, shooting drones down)."""
    drone_vulnerability_floor: NonNegative = 0.3
    """Vulnerability never falls below this, however well the unit adapts."""
    location: Id
    """Sector the unit is in at the start."""
    posture: Posture = "hold"
    """Posture at the start."""
    in_reserve: bool = False
    """True for a reserve that waits behind the front until committed by an order."""
    infiltrator: bool = False
    """Enemy soldiers who come up behind the lines (through a pipeline or a tunnel): they fight where they
    stand whatever the force ratio, and the defenders' fortifications do not face them."""
    description: Text = ""
    """What the player reads with `look`."""

    @model_validator(mode="after")
    def _floor_below_start(self) -> Unit:
        if self.drone_vulnerability_floor > self.drone_vulnerability:
            raise FieldProblem(
                "drone_vulnerability_floor", "drone_vulnerability_floor must not exceed drone_vulnerability"
            )
        return self


class DroneType(Strict):
    """A kind of attack drone; the guidance decides whether electronic warfare can stop it."""

    id: Id
    """Identifier used by drone teams."""
    name: ShortText
    """Name shown to the player."""
    guidance: Guidance
    """`radio` (can be jammed) or `fibre_optic` (trails a cable: cannot be jammed, limited by the spool)."""
    reach_km: Positive
    """Furthest a drone can strike from its launch point in km (for fibre-optic drones, the spool length)."""
    sorties_per_turn: NonNegative
    """Sorties one team flies in a turn."""
    p_reach_unjammed: Probability
    """Probability a sortie reaches the target area when nobody jams it."""
    p_hit: Probability
    """Probability a sortie that reaches the target hits it."""
    lethality: NonNegative
    """Casualties caused by one hit on soldiers in the open (before the target's vulnerability)."""
    vehicle_kill_probability: Probability = 0.5
    """Probability that a hit on a truck destroys it."""
    jam_susceptibility: Probability
    """How strongly jamming affects it: 1 fully, 0 not at all. Must be 0 for fibre-optic drones."""
    p_failure: Probability = 0.0
    """Per-sortie failure regardless of the enemy (crash, pilot error, cable snag)."""
    payload_kg: NonNegative = 1.0
    """Warhead mass in kg."""
    cost_usd: NonNegative = 500.0
    """Unit cost in US dollars."""

    @model_validator(mode="after")
    def _fibre_cannot_be_jammed(self) -> DroneType:
        if self.guidance == "fibre_optic" and self.jam_susceptibility != 0:
            raise FieldProblem(
                "jam_susceptibility", "a fibre_optic drone cannot be jammed: jam_susceptibility must be 0"
            )
        return self


class DroneTeams(Strict):
    """A group of drone teams flying one type of drone."""

    id: Id
    """Identifier of the group."""
    name: ShortText
    """Name shown to the player."""
    drone_type: Id
    """Id of the drone type the teams fly."""
    teams: Count
    """Number of teams (each flies the type's sorties per turn)."""
    training: Fraction = 0.5
    """Crew skill; scales the probability to hit."""


class ElectronicWarfare(Strict):
    """Jammers that protect a side from radio-controlled drones."""

    id: Id
    """Identifier of the group."""
    name: ShortText
    """Name shown to the player."""
    teams: Count
    """Number of jamming teams; each can cover the front or the road."""
    jam_probability: Probability
    """Probability one team's coverage stops a radio drone sortie (combined over teams as independent)."""
    range_km: Positive = 5.0
    """Radius of protection in km."""


class Artillery(Strict):
    """Guns and rocket launchers firing area fire."""

    id: Id
    """Identifier of the group."""
    name: ShortText
    """Name shown to the player."""
    tubes: Count
    """Number of guns or launchers."""
    rounds_per_tube_per_turn: NonNegative
    """Rounds each tube fires in a turn when ammunition allows."""
    casualties_per_round_per_density: NonNegative
    """Casualties per round for each soldier per km of frontage (area fire grows with target density)."""
    fortification_erosion_per_round: NonNegative = 0.0
    """Fortification removed per round (on the 0-1 scale)."""
    ammunition_t_per_round: NonNegative = 0.05
    """Tonnes of ammunition one round uses."""


class AirSupport(Strict):
    """Strike aircraft and glide bombs."""

    id: Id
    """Identifier of the group."""
    name: ShortText
    """Name shown to the player."""
    sorties_per_turn: NonNegative
    """Strike sorties flown per turn."""
    casualties_per_sortie_per_density: NonNegative
    """Casualties per sortie for each soldier per km of frontage."""
    fortification_erosion_per_sortie: NonNegative = 0.0
    """Fortification removed per sortie (on the 0-1 scale)."""
    p_bridge_or_road_hit: Probability = 0.0
    """Probability per turn that strikes damage the supply road (a step worse in state)."""


class Side(Strict):
    """One side of the fight, with its units and support."""

    id: Id
    """Identifier of the side (for example `ua`)."""
    name: ShortText
    """Name shown to the player."""
    controlled_by: Literal["player", "opfor"]
    """Who decides for this side: the trainee or the computer's doctrine."""
    morale: Fraction = 0.7
    """Overall morale of the side at the start."""
    units: list[Unit] = Field(min_length=1, max_length=200)
    """Formations of soldiers."""
    drone_teams: list[DroneTeams] = Field(default_factory=list, max_length=50)
    """Drone teams, by type."""
    electronic_warfare: list[ElectronicWarfare] = Field(default_factory=list, max_length=50)
    """Jamming teams."""
    artillery: list[Artillery] = Field(default_factory=list, max_length=50)
    """Guns and launchers."""
    air: list[AirSupport] = Field(default_factory=list, max_length=50)
    """Strike aircraft."""
    reinforcements_per_turn: NonNegative = 0.0
    """Fresh soldiers arriving each turn, spread over the side's committed units."""
    kill_share: Fraction = 0.6
    """Share of casualties among this side's soldiers that are killed (the rest are wounded or captured)."""
    description: Text = ""
    """What the player reads with `look`."""


class Combat(Strict):
    """Global rates of the direct-fire model."""

    aimed_fire_rate_per_hour: NonNegative = 0.004
    """Casualties per engaged, trained soldier per hour under aimed (square-law) fire."""
    area_fire_rate_per_hour: NonNegative = 0.0004
    """Casualties per engaged soldier per enemy soldier per km of frontage per hour under area (linear-law) fire."""
    engaged_per_km: Positive = 40.0
    """Soldiers per km of frontage that can fire at once; those beyond it count for a quarter each (they
    relieve and replace the firing line)."""
    posture_defence: dict[Posture, Positive] = Field(default_factory=lambda: dict(_POSTURE_DEFENCE))
    """Multiplier on the defender's protection by posture (higher means fewer defender losses). `fortify`
    gives no protection at once: it digs, and the fortification it builds turn by turn protects."""
    terrain_defence: dict[str, Positive] = Field(
        default_factory=lambda: {"urban": 1.6, "village": 1.3, "forest": 1.3, "mixed": 1.15, "open": 1.0, "river": 1.4}
    )
    """Multiplier on the defender's protection by terrain."""
    fortification_defence: NonNegative = 1.0
    """Extra protection at full fortification (protection is multiplied by 1 + this × fortification)."""
    fortify_gain_per_turn: Fraction = 0.1
    """Fortification a sector in `fortify` posture adds in a quiet turn, on empty ground (less as the works
    near completion, half as much under assault, less short of fuel)."""
    substeps_per_turn: int = Field(default=6, ge=1, le=96)
    """Sub-steps a turn is resolved in (more is closer to continuous time, slower)."""
