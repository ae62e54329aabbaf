"""What the trainee can order in a turn, as data: the orders model, shared by the engine and the scenario.

It lives beside the scenario models because a scenario carries orders of its own (drill options, expert
solutions) and is checked against this model when it loads; the engine, one layer up, re-exports it from
`game.engine.orders` and checks orders against the state before a turn runs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .common import Count, Id, Strict

PlayerPosture = Literal["hold", "fortify", "counter_attack", "delay", "withdraw"]
DroneTask = Literal["strike", "counter_drone", "road_overwatch", "recon"]
EwFocus = Literal["front", "road"]
ConvoyTime = Literal["day", "night"]

POSTURES: tuple[PlayerPosture, ...] = ("hold", "fortify", "counter_attack", "delay", "withdraw")
DRONE_TASKS: tuple[DroneTask, ...] = ("strike", "counter_drone", "road_overwatch", "recon")


class DroneTasks(Strict):
    """How many of the player's drone teams fly each task this turn."""

    strike: Count = 0
    """Teams striking assaulting infantry at the front."""
    counter_drone: Count = 0
    """Teams hunting enemy drone crews and launch points (fewer enemy sorties)."""
    road_overwatch: Count = 0
    """Teams watching the supply road for enemy drone crews (lower hazard on the road)."""
    recon: Count = 0
    """Teams scouting the enemy (sharper estimates, better-aimed artillery)."""

    def total(self) -> int:
        """Teams tasked in all."""
        return self.strike + self.counter_drone + self.road_overwatch + self.recon


class EwAllocation(Strict):
    """Where the player's jamming teams work this turn."""

    front: Count = 0
    """Teams jamming over the front line (protects troops from radio drones)."""
    road: Count = 0
    """Teams jamming along the supply road (protects convoys from radio drones)."""


class ConvoyPlan(Strict):
    """Trucks sent from the border to the bridgehead this turn."""

    day: Count = 0
    """Trucks sent in daylight (faster, more exposed)."""
    night: Count = 0
    """Trucks sent at night (harder to see, slower)."""
    escort: bool = False
    """Escort the convoys (fewer losses, less cargo)."""
    route: Literal["road", "tracks"] = "road"
    """The paved supply road, or the field tracks (slower, less watched)."""


class Orders(Strict):
    """Everything the trainee decides in one turn. Sectors not named keep their posture."""

    postures: dict[Id, PlayerPosture] = Field(default_factory=dict)
    """Posture per sector id."""
    drones: DroneTasks = Field(default_factory=DroneTasks)
    """Drone-team tasks."""
    ew: EwAllocation = Field(default_factory=EwAllocation)
    """Electronic-warfare allocation."""
    convoys: ConvoyPlan = Field(default_factory=ConvoyPlan)
    """Convoys."""
    netting: bool = False
    """Engineers lay anti-drone netting over the supply road this turn."""
    commit_reserves: dict[Id, Id] = Field(default_factory=dict)
    """Reserve unit id → sector id to commit it to."""
    withdraw: bool = False
    """Request to withdraw the whole grouping from the bridgehead."""
