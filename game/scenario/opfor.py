"""The opposing force's doctrine: how the computer fights the other side."""

from __future__ import annotations

from pydantic import Field

from .common import Fraction, Id, NonNegative, Strict


class Doctrine(Strict):
    """Declarative doctrine of the computer-controlled side."""

    side: Id
    """Id of the side that follows this doctrine."""
    aggression: Fraction = 0.7
    """Willingness to assault, 0 (passive) to 1 (relentless); scales how much of the force attacks."""
    assault_waves_per_turn: int = Field(default=2, ge=0, le=24)
    """Assault waves launched per turn on the main effort."""
    wave_share: Fraction = 0.25
    """Share of the committed infantry that goes forward in each wave."""
    lead_nationality: str = "kp"
    """Nationality of the units that lead the assaults."""
    main_effort: list[Id] = Field(default_factory=list)
    """Sectors where the assaults concentrate, in order of priority."""
    min_force_ratio_to_assault: NonNegative = 2.0
    """The attacker assaults a sector only when its local force ratio is at least this."""
    support_fire_share: Fraction = 0.7
    """Share of artillery and air that supports the assault (the rest hits depth and the road)."""
    road_interdiction_share: Fraction = 0.3
    """Share of drone teams that hunt the supply road at the start."""
    road_interdiction_max: Fraction = 0.6
    """Most of its drone teams the doctrine ever sends against the road."""
    react_to_convoys: Fraction = 0.5
    """How strongly it shifts drones to the road after convoys ran (0 never, 1 fully)."""
    adaptation_per_turn: Fraction = 0.02
    """Improvement per turn in the attacker's coordination (raises support effectiveness)."""
    pause_when_losses_exceed: Fraction = 0.5
    """Share of the soldiers a unit sent into the assault that it may lose in a turn; a unit that loses more
    pauses the next turn to regroup (it recovers morale and takes no part in the assaults)."""
