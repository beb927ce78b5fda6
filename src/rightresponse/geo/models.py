"""The city's boundaries and address points: what a call's location is resolved against
(DESIGN.md "Location is geometry"). Geometry stays GeoJSON; shapely reads it (core/geo)."""

from __future__ import annotations

from django.db import models


class Boundary(models.Model):
    """A polygon of one layer: "precinct", "beat" or "service_zone:<program>"."""

    layer = models.CharField(max_length=80, db_index=True)
    name = models.CharField(max_length=60)
    geometry = models.JSONField(help_text="GeoJSON Polygon or MultiPolygon, [lon, lat]")
    source = models.CharField(max_length=200, blank=True, help_text="File it was imported from")
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["layer", "name"]
        constraints = [models.UniqueConstraint(fields=["layer", "name"], name="boundary_once")]

    def __str__(self) -> str:
        return f"{self.layer} {self.name}"


class AddressPoint(models.Model):
    """One address of the city's address-point file, found by its normal form."""

    address = models.CharField(max_length=200)
    key = models.CharField(max_length=200, unique=True, help_text="core.geo.normalize_address")
    number = models.CharField(max_length=12, db_index=True, blank=True, help_text="House number")
    latitude = models.FloatField()
    longitude = models.FloatField()
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.address
