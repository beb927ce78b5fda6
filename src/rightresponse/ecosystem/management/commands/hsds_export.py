"""``rightresponse hsds-export [-o FILE] [--csv]``: the directory as Open Referral HSDS."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rightresponse.ecosystem import hsds_io


class Command(BaseCommand):
    help = "Export the service directory as HSDS JSON (default) or a zip of HSDS CSV tables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", help="File to write (default: standard output)")
        parser.add_argument("--csv", action="store_true", help="Write a zip of CSV tables")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["csv"]:
            data = hsds_io.directory_csv_zip()
            if not options["output"]:
                sys.stdout.buffer.write(data)
                return
            Path(options["output"]).write_bytes(data)
        else:
            text = json.dumps(hsds_io.directory_document(), indent=1) + "\n"
            if not options["output"]:
                self.stdout.write(text, ending="")
                return
            Path(options["output"]).write_text(text, encoding="utf-8")
        self.stderr.write(f"Wrote {options['output']} (confidential locations left out).")
