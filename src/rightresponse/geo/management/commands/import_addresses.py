"""``rightresponse import-addresses FILE`` (CSV or GeoJSON points): the city's address points."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rightresponse.geo.services import (
    GeoImportError,
    address_points_import,
    address_rows_csv,
    address_rows_geojson,
)


class Command(BaseCommand):
    help = (
        "Import address points: CSV with address, latitude and longitude columns, or a GeoJSON "
        "FeatureCollection of points (--address-field may join properties with '+', e.g. "
        "ANUMBER+FULLNAME). All rows or none."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--address-field", default="address")
        parser.add_argument("--lat-field", default="latitude")
        parser.add_argument("--lon-field", default="longitude")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: not UTF-8 text ({exc.reason})") from None
        try:
            if path.suffix.lower() in (".geojson", ".json"):
                rows = address_rows_geojson(text, path.name, options["address_field"])
            else:
                rows = address_rows_csv(
                    text, path.name, options["address_field"], options["lat_field"],
                    options["lon_field"],
                )  # fmt: skip
            count = address_points_import(rows, path.name)
        except GeoImportError as exc:
            raise CommandError(f"nothing imported: {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"{path.name}: {count} address points"))
