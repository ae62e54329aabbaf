"""The map: named places, sectors of the bridgehead, road segments and field tracks."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .common import Fraction, Id, NonNegative, Positive, ShortText, Strict, Text

PlaceKind = Literal["town", "village", "crossing", "road_point", "bridge", "base", "border"]
Terrain = Literal["urban", "village", "open", "forest", "mixed", "river"]
RoadState = Literal["open", "contested", "interdicted", "cut"]
Surface = Literal["paved", "gravel", "dirt"]


class Place(Strict):
    """A named point on the map."""

    id: Id
    """Identifier used by sectors, roads and orders (for example `look sudzha`)."""
    name: ShortText
    """Name shown to the player."""
    kind: PlaceKind
    """What sort of place it is; decides the map glyph."""
    x: float = Field(ge=0, le=100, allow_inf_nan=False)
    """Horizontal position for drawing, 0 (west) to 100 (east)."""
    y: float = Field(ge=0, le=100, allow_inf_nan=False)
    """Vertical position for drawing, 0 (north) to 100 (south)."""
    holder: Id
    """Id of the side holding the place at the start."""
    description: Text = ""
    """What the player reads with `look`."""


class Sector(Strict):
    """A sector of the front: the unit of territory, posture and combat."""

    id: Id
    """Identifier used in orders (for example `order north fortify`)."""
    name: ShortText
    """Name shown to the player."""
    area_sq_mi: Positive
    """Area of the sector in square miles; the score counts the area still held."""
    terrain: Terrain
    """Dominant terrain; sets the defender's cover."""
    fortification: Fraction = 0.0
    """Fortification level from 0 (open ground) to 1 (prepared positions); eroded by artillery and air."""
    places: list[Id] = Field(default_factory=list)
    """Places that lie inside the sector; they change hands with it."""
    holder: Id
    """Id of the side holding the sector at the start."""
    frontage_km: Positive = 5.0
    """Length of the front line in the sector; limits how many soldiers can engage at once."""
    adjacent: list[Id] = Field(default_factory=list)
    """Sectors next to this one; reserves move between adjacent sectors and breakthroughs spread along them."""
    screens: list[Id] = Field(default_factory=list)
    """Road segments this sector shields: while held, enemy drone crews are pushed back from them."""
    screen_depth_km: NonNegative = 0.0
    """How many km the sector pushes enemy drone launch points away from the segments it screens."""
    description: Text = ""
    """What the player reads with `look`."""


class RoadSegment(Strict):
    """A stretch of road or field track between two places; convoys run along these."""

    id: Id
    """Identifier of the segment."""
    name: ShortText
    """Name shown to the player."""
    kind: Literal["road", "track"] = "road"
    """A paved supply road or an alternative field track (slower, harder to see from the air)."""
    from_place: Id
    """Place at one end."""
    to_place: Id
    """Place at the other end."""
    length_km: Positive
    """Length in km; exposure to drones grows with time spent on it."""
    surface: Surface = "paved"
    """Surface; dirt turns to mud and slows convoys."""
    speed_kmh: Positive = 40.0
    """Convoy speed on the segment in km/h."""
    state: RoadState = "open"
    """State at the start: open, contested, interdicted or cut."""
    throughput_t_per_turn: NonNegative
    """Tonnes of supply that can pass in one turn when the segment is open."""
    enemy_distance_km: NonNegative
    """Distance from the nearest enemy drone launch points when every sector screening it is held."""
    concealment: Fraction = 0.0
    """Share of drone attacks avoided thanks to cover along the segment (tree lines, villages)."""
    description: Text = ""
    """What the player reads with `look`."""


class MapSpec(Strict):
    """The whole map."""

    places: list[Place] = Field(min_length=1, max_length=200)
    """Named places."""
    sectors: list[Sector] = Field(min_length=1, max_length=40)
    """Sectors of the bridgehead and the surrounding front."""
    roads: list[RoadSegment] = Field(default_factory=list, max_length=200)
    """Road segments and field tracks."""
    supply_route: list[Id] = Field(default_factory=list)
    """Segments, in order from the border to the bridgehead, that make up the main supply road."""
    track_route: list[Id] = Field(default_factory=list)
    """Segments, in order, of the alternative field-track route (empty when there is none)."""
    border_place: Id | None = None
    """Place where convoys load at the border."""
