"""Supply: stocks in the bridgehead, what each posture uses, convoys on the road, resupply at the border."""

from __future__ import annotations

from pydantic import Field

from .common import Count, Fraction, NonNegative, Positive, Strict
from .forces import Posture


class Stocks(Strict):
    """Stocks held inside the bridgehead."""

    ammunition_t: NonNegative
    """Ammunition in tonnes."""
    drones: NonNegative
    """Attack drones ready to fly."""
    fuel_t: NonNegative
    """Fuel in tonnes."""
    food_medical_t: NonNegative
    """Food and medical supplies in tonnes."""


class Consumption(Strict):
    """What 100 soldiers use in one turn in a posture."""

    ammunition_t: NonNegative
    """Ammunition in tonnes."""
    fuel_t: NonNegative
    """Fuel in tonnes."""
    food_medical_t: NonNegative
    """Food and medical supplies in tonnes."""


class Convoys(Strict):
    """How convoys run from the border into the bridgehead."""

    trucks_available: Count
    """Trucks that can be sent in one turn."""
    cargo_t_per_truck: Positive
    """Tonnes one truck carries."""
    night_visibility: Fraction = 0.4
    """Drone hazard at night relative to day (thermal cameras still see trucks)."""
    escort_protection: Fraction = 0.2
    """Share of drone attacks an escort (shooters, mobile jammers) defeats; escorted trucks carry less."""
    escort_cargo_penalty: Fraction = 0.25
    """Share of cargo space lost to the escort."""
    netting_protection: Fraction = 0.5
    """Share of drone attacks stopped where anti-drone netting covers the road."""
    netting_km_per_turn: NonNegative = 2.0
    """Km of road that engineers can net in one turn."""
    netting_decay_per_turn: Fraction = 0.05
    """Share of netting destroyed each turn by fire and weather."""
    cargo_share_drones: Fraction = 0.1
    """Share of delivered tonnage that is drones (the rest split between ammunition, fuel and food/medical)."""
    drones_per_t: Positive = 100.0
    """Drones per tonne of drone cargo."""


class Supply(Strict):
    """The supply model of the player's side."""

    stocks: Stocks
    """Stocks at the start."""
    consumption_per_100: dict[Posture, Consumption]
    """Use per 100 soldiers per turn, by posture."""
    daily_need_per_100: Consumption
    """Supplies 100 soldiers need per turn to fight at full effectiveness; below it, shortages bite."""
    convoys: Convoys
    """Convoy rules."""
    border_resupply_t_per_turn: NonNegative
    """Tonnes waiting at the border each turn for convoys to carry."""
    shortage_exponent: NonNegative = 0.7
    """How sharply shortages cut fire: effectiveness = (stock / need) ** exponent, at most 1."""
    shortage_floor: Fraction = 0.2
    """Effectiveness never falls below this, however empty the stores."""
    wounded_evacuation_per_turn: Fraction = 0.8
    """Share of wounded evacuated per turn when the road is open; the rest may die of wounds."""
    died_of_wounds_per_turn: Fraction = 0.05
    """Share of unevacuated wounded who die each turn."""
    encirclement_clock_turns: int = Field(default=4, ge=1, le=100)
    """Turns the grouping can last with every route cut before it counts as encircled."""
