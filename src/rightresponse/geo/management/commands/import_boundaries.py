"""``rightresponse import-boundaries FILE.geojson --layer precinct --name-property PRECINCT``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rightresponse.geo.services import GeoImportError, boundaries_import


class Command(BaseCommand):
    help = (
        "Import the city's boundary polygons (GeoJSON FeatureCollection) as one layer: "
        "precinct, beat, or service_zone:<program id>. Replaces that layer; all or nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="GeoJSON file")
        parser.add_argument("--layer", default="precinct")
        parser.add_argument("--name-property", required=True, help="property naming each area")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            doc = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{path}: not GeoJSON ({exc})") from None
        try:
            count = boundaries_import(doc, options["layer"], options["name_property"], path.name)
        except GeoImportError as exc:
            raise CommandError(f"nothing imported: {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"{path.name}: {count} {options['layer']} areas"))
