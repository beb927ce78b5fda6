"""Location as geometry: addresses matched against the city's address points, areas
(precinct, beat, each program's service zone) from point-in-polygon on the city's
boundaries, never typed text (DESIGN.md "Location is geometry"; report ~1668-1672:
dispatch needs "known data about ... locations").

Pure: no Django, no database. The Django ``geo`` app stores boundaries and address points
and calls these functions.
"""

from __future__ import annotations

from .address import (
    AddressPoint,
    match_address,
    normalize_address,
    parse_coordinates,
)
from .boundaries import Boundaries, BoundaryError, Feature, features_from_geojson
from .location import Location, resolve_location
from .svgmap import MapArea, MapPoint, city_map

__all__ = [
    "AddressPoint",
    "Boundaries",
    "BoundaryError",
    "Feature",
    "Location",
    "MapArea",
    "MapPoint",
    "city_map",
    "features_from_geojson",
    "match_address",
    "normalize_address",
    "parse_coordinates",
    "resolve_location",
]
