"""A call's location from what the call taker has: a map click, typed coordinates or an
address; the areas follow from the point, never from typed text."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .address import AddressPoint, match_address, normalize_address, parse_coordinates
from .boundaries import Boundaries

PRECINCT = "precinct"


@dataclass(frozen=True)
class Location:
    address: str
    latitude: float | None
    longitude: float | None
    areas: dict[str, str] = field(default_factory=dict)
    source: str = "unresolved"  # "map", "coordinates", "address", "unresolved"
    message: str = ""

    @property
    def resolved(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def area(self) -> str:
        """The precinct (the area units and metrics are grouped by); "" when unknown."""
        return self.areas.get(PRECINCT, "")

    def zones(self) -> frozenset[str]:
        """Programs whose service zone contains the point ("service_zone:<program>")."""
        return frozenset(
            layer.split(":", 1)[1] for layer in self.areas if layer.startswith("service_zone:")
        )


def resolve_location(
    address: str,
    latitude: float | None,
    longitude: float | None,
    boundaries: Boundaries,
    find_exact: Callable[[str], AddressPoint | None],
    find_same_number: Callable[[str], Iterable[AddressPoint]],
) -> Location:
    """A point from the map wins (the call taker placed it), then coordinates typed as the
    location, then the address matched against the address points. An unresolved location
    is still a call: it is dispatched without distances (the unit picker says so)."""
    address = (address or "").strip()
    if latitude is not None and longitude is not None:
        source, message = "map", "location placed on the map"
    elif (typed := parse_coordinates(address)) is not None:
        latitude, longitude = typed
        source, message = "coordinates", "coordinates typed as the location"
    else:
        key = normalize_address(address)
        number = key.split(" ", 1)[0] if key else ""
        point, message = match_address(
            address,
            find_exact(key) if key else None,
            find_same_number(number) if number.isdigit() else (),
        )
        if point is None:
            return Location(address, None, None, {}, "unresolved", message)
        latitude, longitude, source = point.latitude, point.longitude, "address"
        address = address or point.address
    areas = boundaries.areas_at(latitude, longitude)
    if not areas:
        message += "; the point is outside the city's boundaries"
    return Location(address, latitude, longitude, areas, source, message)
