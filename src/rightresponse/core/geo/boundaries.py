"""The city's boundaries (precincts, beats, program service zones) and point-in-polygon."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry


class BoundaryError(ValueError):
    """A boundary file that cannot be used; the message names the feature and the reason."""


@dataclass(frozen=True)
class Feature:
    layer: str  # "precinct", "beat", "service_zone:<program>"
    name: str
    geometry: Mapping[str, Any]  # GeoJSON geometry, [lon, lat] order


def features_from_geojson(doc: Mapping[str, Any], layer: str, name_property: str) -> list[Feature]:
    """Polygons of a GeoJSON FeatureCollection, named by ``name_property``."""
    if doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise BoundaryError("expected a GeoJSON FeatureCollection with a 'features' list")
    out = []
    for i, item in enumerate(doc["features"]):
        geometry = (item or {}).get("geometry") or {}
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise BoundaryError(
                f"features[{i}]: geometry type {geometry.get('type')!r} is not a polygon"
            )
        name = (item.get("properties") or {}).get(name_property)
        if name in (None, ""):
            raise BoundaryError(f"features[{i}]: property {name_property!r} is missing")
        try:
            polygon = shape(geometry)
        except Exception as exc:  # shapely raises several types for malformed coordinates
            raise BoundaryError(f"features[{i}] ({name}): {exc}") from None
        if not polygon.is_valid or polygon.is_empty:
            raise BoundaryError(f"features[{i}] ({name}): the polygon is not valid")
        out.append(Feature(layer, str(name)[:60], geometry))
    return out


class Boundaries:
    """All boundaries of a city, indexed once (an R-tree), asked point by point."""

    def __init__(self, features: Iterable[Feature]) -> None:
        self.features: list[Feature] = list(features)
        self._shapes: list[BaseGeometry] = [shape(dict(f.geometry)) for f in self.features]
        self._tree = STRtree(self._shapes) if self._shapes else None

    def areas_at(self, latitude: float, longitude: float) -> dict[str, str]:
        """layer -> name of every boundary containing the point (on an edge counts)."""
        if self._tree is None:
            return {}
        point = Point(longitude, latitude)
        found: dict[str, str] = {}
        for index in sorted(int(i) for i in self._tree.query(point)):
            if self._shapes[index].covers(point):
                found.setdefault(self.features[index].layer, self.features[index].name)
        return found

    def rings(self, layer: str) -> list[tuple[str, list[list[tuple[float, float]]]]]:
        """(name, outer rings as [(lat, lon), ...]) of one layer, for drawing maps."""
        out: list[tuple[str, list[list[tuple[float, float]]]]] = []
        for feature, geom in zip(self.features, self._shapes, strict=True):
            if feature.layer != layer:
                continue
            polygons = getattr(geom, "geoms", [geom])
            out.append(
                (
                    feature.name,
                    [[(float(y), float(x)) for x, y in p.exterior.coords] for p in polygons],
                )
            )
        return out

    def label_point(self, layer: str, name: str) -> tuple[float, float] | None:
        """A point surely inside the area (lat, lon), where its name is written on a map."""
        for feature, geom in zip(self.features, self._shapes, strict=True):
            if (feature.layer, feature.name) == (layer, name):
                point = geom.representative_point()
                return float(point.y), float(point.x)
        return None

    def layers(self) -> list[str]:
        return sorted({f.layer for f in self.features})
