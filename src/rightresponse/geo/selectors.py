"""Reads of the geo app: the city's boundaries (indexed once per process, rebuilt when an
import changes them) and the location of a call."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.db.models import Count, Max

from rightresponse.core.geo import AddressPoint as Point
from rightresponse.core.geo import (
    Boundaries,
    Feature,
    Location,
    MapArea,
    MapPoint,
    city_map,
    resolve_location,
)

from .models import AddressPoint, Boundary

_lock = threading.Lock()
_cached: tuple[tuple[int, object], Boundaries] | None = None


def boundaries() -> Boundaries:
    """All boundaries as one R-tree; one cheap aggregate query tells whether an import has
    changed them since they were indexed."""
    global _cached
    stamp = Boundary.objects.aggregate(n=Count("id"), at=Max("imported_at"))
    version = (stamp["n"], stamp["at"])
    with _lock:
        if _cached is None or _cached[0] != version:
            features = [
                Feature(b.layer, b.name, b.geometry) for b in Boundary.objects.order_by("id")
            ]
            _cached = (version, Boundaries(features))
        return _cached[1]


def area_names(layer: str = "precinct") -> frozenset[str] | None:
    """The city's areas a call can be in (the names of its precinct boundaries, what a
    call's ``area`` holds); None when the city has imported none."""
    names = frozenset(Boundary.objects.filter(layer=layer).values_list("name", flat=True))
    return names or None


def _exact(key: str) -> Point | None:
    row = AddressPoint.objects.filter(key=key).first()
    return None if row is None else Point(row.address, row.latitude, row.longitude)


def _same_number(number: str) -> list[Point]:
    return [
        Point(row.address, row.latitude, row.longitude)
        for row in AddressPoint.objects.filter(number=number)[:500]
    ]


def location_resolve(
    address: str, latitude: float | None = None, longitude: float | None = None
) -> Location:
    """Where a call is: a map point, typed coordinates or a matched address, and the areas
    that contain it (precinct, beat, program service zones)."""
    return resolve_location(address, latitude, longitude, boundaries(), _exact, _same_number)


def areas_at(latitude: float | None, longitude: float | None) -> dict[str, str]:
    if latitude is None or longitude is None:
        return {}
    return boundaries().areas_at(latitude, longitude)


@dataclass(frozen=True)
class ProgramZones:
    zoned: frozenset[str]  # programs that have a service zone
    inside: frozenset[str]  # programs whose zone contains the point


ZONE_PREFIX = "service_zone:"


def program_zones(latitude: float | None, longitude: float | None) -> ProgramZones:
    index = boundaries()
    zoned = frozenset(
        layer.removeprefix(ZONE_PREFIX) for layer in index.layers() if layer.startswith(ZONE_PREFIX)
    )
    if not zoned or latitude is None or longitude is None:
        return ProgramZones(zoned, frozenset())
    areas = index.areas_at(latitude, longitude)
    return ProgramZones(
        zoned, frozenset(k.removeprefix(ZONE_PREFIX) for k in areas if k.startswith(ZONE_PREFIX))
    )


def city_map_svg(
    points: list[MapPoint],
    *,
    title: str,
    css: str = "map",
    width: int = 560,
    height: int = 420,
    layer: str = "precinct",
) -> str:
    """An SVG map with the city's boundaries of ``layer`` as the base layer."""
    index = boundaries()
    areas = [
        MapArea(name, rings, index.label_point(layer, name)) for name, rings in index.rings(layer)
    ]
    return city_map(areas, points, title=title, width=width, height=height, css_class=css)
