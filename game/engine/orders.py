"""What the trainee can order in a turn: the typed model (defined with the scenario models, see
`game.scenario.orders`), and the error raised when orders cannot be carried out."""

from __future__ import annotations

from game.errors import SalientError
from game.scenario.forces import Posture
from game.scenario.orders import (
    DRONE_TASKS,
    POSTURES,
    ConvoyPlan,
    ConvoyTime,
    DroneTask,
    DroneTasks,
    EwAllocation,
    EwFocus,
    Orders,
    PlayerPosture,
)

__all__ = [
    "DRONE_TASKS",
    "POSTURES",
    "ConvoyPlan",
    "ConvoyTime",
    "DroneTask",
    "DroneTasks",
    "EwAllocation",
    "EwFocus",
    "Orders",
    "OrdersError",
    "PlayerPosture",
    "posture_of",
]


class OrdersError(SalientError):
    """Orders that cannot be carried out; the message says why in plain words."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def posture_of(value: str) -> Posture:
    """Narrow a string to a posture name (for callers that read user input)."""
    if value not in POSTURES:
        raise OrdersError([f"'{value}' is not a posture; choose one of {', '.join(POSTURES)}"])
    return value
