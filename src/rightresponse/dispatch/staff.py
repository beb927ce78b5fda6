"""Import unit members' capabilities and shifts from an HR export (CSV), so dispatchers know
"CIT? EMT? CEW?" without typing it in (report ~1682).

Columns: agency (slug), employee_id, name, unit (call sign, may be empty), capabilities
(separated by ";"), shift (like "Mon-Fri 10:00-18:00" or "24/7"), username (may be empty),
active (yes/no, default yes). All or nothing: one bad row and nothing is imported; every
bad row is reported with its line number and reason.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from rightresponse.accounts.models import Agency
from rightresponse.core.dispatch import HoursError, parse_hours

from .models import Unit, UnitMember

REQUIRED = ("agency", "employee_id", "name", "capabilities", "shift")
KNOWN_CAPABILITIES = frozenset(
    {"CIT", "EMT", "paramedic", "clinician", "CEW", "peer_support", "social_worker",
     "DV_advocate", "naloxone", "firearm", "interpreter"}
)  # fmt: skip
LANGUAGE = re.compile(r"^lang:[a-z]{2,3}$")  # e.g. lang:es, an ISO 639 code


class StaffImportError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class StaffImportResult:
    created: int
    updated: int


def _capabilities(text: str) -> tuple[list[str], list[str]]:
    caps = [c.strip() for c in text.split(";") if c.strip()]
    bad = [c for c in caps if c not in KNOWN_CAPABILITIES and not LANGUAGE.match(c)]
    return caps, bad


def _truthy(text: str) -> bool | None:
    value = text.strip().lower()
    if value in ("", "yes", "y", "true", "1"):
        return True
    if value in ("no", "n", "false", "0"):
        return False
    return None


def staff_rows(handle: Iterable[str], source: str) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(handle)
    if reader.fieldnames is None:
        raise StaffImportError([f"{source}: the file is empty"])
    missing = [c for c in REQUIRED if c not in reader.fieldnames]
    if missing:
        raise StaffImportError([f"{source} line 1: missing column(s) {', '.join(missing)}"])
    return [(reader.line_num, dict(row)) for row in reader]


def staff_import(rows: list[tuple[int, dict[str, str]]], source: str) -> StaffImportResult:
    """Validate every row, then write them all in one transaction (or none)."""
    agencies = {a.slug: a for a in Agency.objects.all()}
    units = {u.call_sign: u for u in Unit.objects.all()}
    problems: list[str] = []
    parsed: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows:
        where = f"{source} line {line}"
        if None in row:
            problems.append(f"{where}: more fields than columns")
            continue
        values = {k: (v or "").strip() for k, v in row.items()}
        for column in REQUIRED[:3]:
            if not values.get(column):
                problems.append(f"{where}: {column} is empty")
        agency = agencies.get(values.get("agency", ""))
        if values.get("agency") and agency is None:
            problems.append(f"{where}: agency {values['agency']!r} does not exist")
        unit = None
        if values.get("unit"):
            unit = units.get(values["unit"])
            if unit is None:
                problems.append(f"{where}: unit {values['unit']!r} does not exist")
        caps, bad = _capabilities(values.get("capabilities", ""))
        if bad:
            problems.append(
                f"{where}: unknown capability {', '.join(map(repr, bad))} (known: "
                f"{', '.join(sorted(KNOWN_CAPABILITIES))}, or lang:<code>)"
            )
        try:
            parse_hours(values.get("shift", ""))
        except HoursError as exc:
            problems.append(f"{where}: {exc}")
        active = _truthy(values.get("active", ""))
        if active is None:
            problems.append(f"{where}: active must be yes or no, not {values['active']!r}")
        user = None
        if values.get("username"):
            user = User.objects.filter(username=values["username"]).first()
            if user is None:
                problems.append(f"{where}: user {values['username']!r} does not exist")
        if len(values.get("name", "")) > 120 or len(values.get("employee_id", "")) > 40:
            problems.append(f"{where}: name (120) or employee_id (40) is too long")
        key = (values.get("agency", ""), values.get("employee_id", ""))
        if key in seen:
            problems.append(f"{where}: employee {key[1]!r} repeats line {seen[key]}")
        seen[key] = line
        parsed.append({**values, "agency": agency, "unit": unit, "user": user, "caps": caps,
                       "active": active})  # fmt: skip
    if problems:
        raise StaffImportError(problems)
    created = updated = 0
    with transaction.atomic():
        for item in parsed:
            _, made = UnitMember.objects.update_or_create(
                agency=item["agency"],
                employee_id=item["employee_id"],
                defaults={
                    "name": item["name"],
                    "unit": item["unit"],
                    "user": item["user"],
                    "capabilities": item["caps"],
                    "shift": item["shift"],
                    "active": item["active"],
                },  # fmt: skip
            )
            created += made
            updated += not made
    return StaffImportResult(created=created, updated=updated)
