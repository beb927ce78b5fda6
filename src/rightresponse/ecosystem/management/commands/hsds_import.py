"""``rightresponse hsds-import FILE``: load an HSDS JSON document or a zip of HSDS CSV tables.

The file is validated against the HSDS schemas first; on any error nothing is written and
every problem is listed with its place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rightresponse.core.ecosystem.hsds import HsdsInvalid
from rightresponse.ecosystem import hsds_io


class Command(BaseCommand):
    help = "Import an HSDS JSON file or a .zip of HSDS CSV tables (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            if path.suffix.lower() == ".zip":
                doc = hsds_io.document_from_csv_zip(path.read_bytes())
            else:
                try:
                    doc = json.loads(path.read_text(encoding="utf-8"))
                except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                    raise CommandError(f"{path}: not JSON ({exc})") from exc
            result = hsds_io.directory_import(doc)
        except HsdsInvalid as exc:
            lines = "\n".join(f"  {e}" for e in exc.errors)
            raise CommandError(f"{path}: not valid HSDS; nothing imported.\n{lines}") from exc
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(
            f"Imported {result.organizations} organisations, {result.locations} locations, "
            f"{result.services} services from {path}."
        )
