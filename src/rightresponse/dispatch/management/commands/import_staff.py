"""``rightresponse import-staff FILE.csv``: unit members' capabilities and shifts from HR."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rightresponse.dispatch.staff import StaffImportError, staff_import, staff_rows


class Command(BaseCommand):
    help = (
        "Import unit members from an HR export (CSV: agency, employee_id, name, unit, "
        "capabilities, shift, username, active). All rows or none."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="CSV file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                result = staff_import(staff_rows(handle, path.name), path.name)
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: not UTF-8 text ({exc.reason})") from None
        except StaffImportError as exc:
            raise CommandError("nothing imported:\n  " + "\n  ".join(exc.problems)) from None
        self.stdout.write(
            self.style.SUCCESS(f"{path.name}: {result.created} created, {result.updated} updated")
        )
