"""Draft an import profile from an export's header and first rows (issue 18: an analyst
whose export fits no shipped profile gets a draft to review, not a command line).

Columns are matched to the canonical fields by name, timestamps' formats by trying
common layouts on the sample values; the draft is validated like any profile
(``parse_profile``) and says in its comments that a person must review it. A file whose
call id or received time cannot be found gets no draft: the error names the columns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import yaml

from .profile import Profile, parse_profile

# Field -> patterns on the column name (lower case, runs of other characters as "_"),
# tried in order, each against every column; the first hit wins. Order matters: a
# "dispatch time" is not the received time, "Call Type" may be the channel (Seattle) so
# "initial ... type" is tried first, "time to dispatch" is a duration, not a time.
HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("call_id", (r"(incident|event|call|case|cad|cfs)_(id|num|number|no)$", r"^id$")),
    ("dispatched_at", (r"dispatch(ed)?_(time|date|at)$", r"^dispatch(ed)?$")),
    ("en_route_at", (r"en_?route_(time|date|at)$", r"en_?route$")),
    ("on_scene_at", (r"arriv(al|ed)?_(time|date|at)$", r"on_?scene_(time|at)$", r"arrived$")),
    ("cleared_at", (r"clear(ed)?_(time|date|at)$", r"close(d)?_(time|date|at)$", r"clear(ed)?$")),
    (
        "received_at",
        (
            r"receiv",
            r"(call|start|create|report)(ed)?_(time|date|at)$",
            r"response_date$",
            r"time_queued$",
            r"date_?time$",
            r"^date$",
        ),
    ),
    ("final_type", (r"final.*type", r"clos.*type", r"observed")),
    (
        "initial_type",
        (
            r"initial.*type",
            r"original.*type",
            r"^(call|event|incident)_type$",
            r"^type$",
            r"nature",
            r"problem",
        ),
    ),
    ("priority", (r"priority",)),
    ("disposition", (r"dispo", r"clearance", r"outcome")),
    ("area", (r"precinct", r"district", r"sector", r"beat", r"zone", r"grid", r"area")),
    ("latitude", (r"lat(itude)?$", r"^lat")),
    ("longitude", (r"lon(gitude)?$", r"lng$", r"^lon")),
)
TIMES = frozenset({"received_at", "dispatched_at", "en_route_at", "on_scene_at", "cleared_at"})
FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%y %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
)


class DraftError(ValueError):
    """No usable draft: the message names the file, the columns and what is missing."""


def _format_of(values: Sequence[str]) -> str | None:
    sample = [v.strip() for v in values if v and v.strip()][:200]
    if not sample:
        return None
    for fmt in FORMATS:
        try:
            for value in sample:
                datetime.strptime(value, fmt)  # noqa: DTZ007 - only the layout is tested
        except ValueError:
            continue
        return fmt
    return None


def draft_profile(
    name: str,
    file_name: str,
    header: Sequence[str],
    rows: Sequence[Mapping[str, str]],
    timezone: str,
) -> tuple[Profile, str]:
    """The draft profile and its YAML text (what the analyst reviews)."""
    fields: dict[str, Any] = {}
    used: set[str] = set()
    notes = []
    names = {c: re.sub(r"[^a-z0-9]+", "_", c.strip().lower()).strip("_") for c in header}
    date_column = next((c for c in header if re.search(r"(^|_)date$", names[c])), None)
    for field_name, patterns in HINTS:
        column = next(
            (
                c
                for pattern in patterns
                for c in header
                if c not in used and re.search(pattern, names[c])
            ),
            None,
        )
        if column is None:
            continue
        spec: dict[str, Any] = {"column": column}
        if field_name in TIMES:
            fmt = _format_of([r.get(column, "") for r in rows])
            if fmt is None and date_column and date_column != column:
                # A time of day beside a date column (San Luis Obispo's log): join them.
                joined = [
                    f"{r.get(date_column, '')} {r[column]}"
                    for r in rows
                    if (r.get(column) or "").strip()
                ]
                fmt = _format_of(joined)
                if fmt is not None:
                    spec = {"columns": [date_column, column]}
            if fmt is None:
                empty = not any((r.get(column) or "").strip() for r in rows)
                notes.append(
                    f"{column}: "
                    + (
                        "empty in the rows read"
                        if empty
                        else "no common date-time layout fits its values"
                    )
                )
                continue
            spec["formats"] = [fmt]
            if field_name != "received_at":
                spec["after_received"] = True
        used.add(column)
        fields[field_name] = spec
    missing = [f for f in ("call_id", "received_at") if f not in fields]
    if missing:
        raise DraftError(
            f"{file_name}: no column found for {', '.join(missing)} among {list(header)[:20]}"
            + (f" ({'; '.join(notes)})" if notes else "")
            + ": choose a shipped profile, or write one (docs/data-import.md)"
        )
    data = {
        "name": name,
        "title": f"Draft profile for {file_name}",
        "description": "Drafted from the file's columns; review every field before trusting it.",
        "source": file_name,
        "timezone": timezone,
        "fields": fields,
    }
    text = (
        "# DRAFT drafted by RightResponse from the columns of "
        f"{file_name}: review each field,\n# its format and the time zone; no call-type "
        "mapping yet (every type is unmapped).\n"
        + "".join(f"# Not used: {n}\n" for n in notes)
        + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    )
    return parse_profile(yaml.safe_load(text), f"draft for {file_name}"), text
