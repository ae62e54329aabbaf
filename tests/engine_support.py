"""Helpers shared by the engine tests (no tests here): the scenarios they use and a balanced set of orders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from game.engine.orders import ConvoyPlan, DroneTasks, EwAllocation, Orders

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "fixtures" / "engine_small.yaml"
KURSK = ROOT / "scenarios" / "kursk-2025.yaml"


def balanced_orders(**changes: Any) -> Orders:
    """Orders for the small engine fixture that use every kind of asset, with `changes` applied on top."""
    base: dict[str, Any] = {
        "drones": DroneTasks(strike=5, counter_drone=2, road_overwatch=2, recon=1),
        "ew": EwAllocation(front=2, road=2),
        "convoys": ConvoyPlan(day=10, night=10),
    }
    base.update(changes)
    return Orders(**base)
