"""Writes of the geo app: import boundaries (GeoJSON) and address points (CSV or GeoJSON).
Each import is all rows or none, and names the row and the reason of what it refuses."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction

from rightresponse.core.geo import BoundaryError, features_from_geojson, normalize_address

from .models import AddressPoint, Boundary


class GeoImportError(ValueError):
    """A file that cannot be imported; the message names the place and the reason."""


@transaction.atomic
def boundaries_import(doc: dict[str, Any], layer: str, name_property: str, source: str) -> int:
    """Replace one layer's polygons with those of a GeoJSON FeatureCollection."""
    layer = layer.strip()
    if not layer:
        raise GeoImportError("a layer is needed (precinct, beat or service_zone:<program>)")
    try:
        features = features_from_geojson(doc, layer, name_property)
    except BoundaryError as exc:
        raise GeoImportError(f"{source}: {exc}") from None
    Boundary.objects.filter(layer=layer).delete()
    Boundary.objects.bulk_create(
        Boundary(layer=layer, name=f.name, geometry=dict(f.geometry), source=source[:200])
        for f in features
    )
    return len(features)


def _number(key: str) -> str:
    first = key.split(" ", 1)[0]
    return first[:12] if first.isdigit() else ""


@transaction.atomic
def address_points_import(rows: Iterable[tuple[str, float, float]], source: str) -> int:
    """Add or update address points (address, latitude, longitude); the last row of one
    normal form wins."""
    points: dict[str, AddressPoint] = {}
    for i, (address, lat, lon) in enumerate(rows, 1):
        key = normalize_address(address)
        if not key:
            raise GeoImportError(f"{source} row {i}: the address is empty")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise GeoImportError(f"{source} row {i}: ({lat}, {lon}) is not a coordinate")
        points[key] = AddressPoint(
            address=address.strip()[:200], key=key[:200], number=_number(key),
            latitude=lat, longitude=lon, source=source[:200],
        )  # fmt: skip
    AddressPoint.objects.filter(key__in=list(points)).delete()
    AddressPoint.objects.bulk_create(points.values(), batch_size=2000)
    return len(points)


def _float(value: Any, where: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise GeoImportError(f"{where}: {value!r} is not a number") from None


def address_rows_csv(
    text: str, source: str, address_field: str, lat_field: str, lon_field: str
) -> Iterator[tuple[str, float, float]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {address_field, lat_field, lon_field} - set(reader.fieldnames or [])
    if missing:
        raise GeoImportError(f"{source}: columns missing: {', '.join(sorted(missing))}")
    for i, row in enumerate(reader, 2):
        where = f"{source} line {i}"
        yield (row[address_field] or "", _float(row[lat_field], where),
               _float(row[lon_field], where))  # fmt: skip


def address_rows_geojson(
    text: str, source: str, address_field: str
) -> Iterator[tuple[str, float, float]]:
    """Point features; the address is one property or, like the address files many cities
    publish, built from ``number`` + ``street`` properties when ``address_field`` is
    "number+street" (e.g. "ANUMBER+FULLNAME")."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GeoImportError(f"{source}: not JSON ({exc.msg} at line {exc.lineno})") from None
    if doc.get("type") != "FeatureCollection":
        raise GeoImportError(f"{source}: expected a GeoJSON FeatureCollection")
    parts = address_field.split("+")
    for i, feature in enumerate(doc.get("features") or []):
        where = f"{source} features[{i}]"
        geometry = feature.get("geometry") or {}
        if geometry.get("type") != "Point":
            raise GeoImportError(f"{where}: geometry is not a Point")
        lon, lat = geometry.get("coordinates", [None, None])[:2]
        props = feature.get("properties") or {}
        address = " ".join(str(props.get(p) or "").strip() for p in parts).strip()
        yield address, _float(lat, where), _float(lon, where)
