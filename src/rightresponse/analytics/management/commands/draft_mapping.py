"""``rightresponse draft-mapping --profile NAME FILE... --out mapping.csv``: propose a
call-type mapping for every code in the files (keyword rules, then the Vera taxonomy),
for a city to review. Existing rows of --out are kept: a reviewed mapping is never lost."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rightresponse.analytics.selectors import profile_get
from rightresponse.core.analytics.ingest import ImportFileError, read_calls
from rightresponse.core.analytics.mapping import (
    MappingError,
    draft_mapping,
    load_mapping,
    write_mapping,
)
from rightresponse.core.analytics.profile import ProfileError


class Command(BaseCommand):
    help = "Draft a call-type mapping for the codes in one or more export files."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="*")
        parser.add_argument("--profile", required=True)
        parser.add_argument("--out", required=True)
        parser.add_argument("--vera", help="Vera/Two Sigma CallTypes CSV, with --vera-city")
        parser.add_argument("--vera-city", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            profile = profile_get(options["profile"])
        except ProfileError as exc:
            raise CommandError(str(exc)) from exc
        codes: dict[str, str] = {}
        if options["vera"]:
            with open(options["vera"], encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle):
                    if row["City"] == options["vera_city"]:
                        codes[row["Field 1"].strip()] = row["Category"]
        for name in options["files"]:
            try:
                result = read_calls(name, profile)
            except ImportFileError as exc:
                raise CommandError(str(exc)) from exc
            for col in ("initial_type", "final_type"):
                for value in result.table[col].unique().to_pylist():
                    if value:
                        codes.setdefault(value, "")
        out = Path(options["out"])
        try:
            kept = load_mapping(out) if out.exists() else {}
        except MappingError as exc:
            raise CommandError(str(exc)) from exc
        rows = {r.code: r for r in draft_mapping(codes)}
        rows.update(kept)
        write_mapping(out, list(rows.values()))
        unmapped = sum(1 for r in rows.values() if r.category == "other")
        drafts = sum(1 for r in rows.values() if not r.reviewed)
        self.stdout.write(
            f"{out}: {len(rows)} codes, a DRAFT: {drafts} rows to review (their source column "
            f"starts with 'draft'; {unmapped} left as 'other'). Read each row, correct it and "
            "set its source to 'reviewed'; analyze warns until every row is."
        )
