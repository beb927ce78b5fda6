"""Import profiles: a city's export layout described in a YAML file, not in code.

A profile maps the city's column names and codes to RightResponse's canonical fields
(``CANONICAL_FIELDS``). It is validated against ``profile.schema.json``; every error
names the file, the path inside it and the reason. See docs/data-import.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jsonschema
import yaml

from rightresponse.core.status_times import RENAMED, STATUS_TIMES

SCHEMA_PATH = Path(__file__).with_name("profile.schema.json")

# The status times: the live incidents' names (one vocabulary, core/status_times.py); a
# profile still using an old name (RENAMED_FIELDS) is told the new one.
TIME_FIELDS = STATUS_TIMES
RENAMED_FIELDS = RENAMED
TEXT_FIELDS = (
    "call_id",
    "initial_type",
    "final_type",
    "priority",
    "initial_priority",
    "disposition",
    "agency",
    "channel",
    "area",
    "sector",
    "beat",
    "location",
)
NUMBER_FIELDS = ("latitude", "longitude")
SENSITIVE_FIELDS = ("staff", "narrative")
CANONICAL_FIELDS = (
    *TIME_FIELDS,
    *TEXT_FIELDS,
    *NUMBER_FIELDS,
    "officer_initiated",
    "units",
    *SENSITIVE_FIELDS,
)


class ProfileError(ValueError):
    """A profile file that cannot be used; the message names the file, the place and why."""


@dataclass(frozen=True)
class FieldSpec:
    name: str
    columns: tuple[str, ...] = ()  # alternatives: the first present in the file is used
    joined: tuple[str, ...] = ()  # several columns joined with a space
    value: str | float | bool | None = None
    pattern: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    strip_prefix: str | None = None
    formats: tuple[str, ...] = ()
    after_received: bool = False
    true_values: tuple[str, ...] = ()
    separator: str | None = None
    sensitive: bool = False
    fallback: tuple[str, ...] = ()

    def source_columns(self, header: list[str]) -> list[str]:
        """The file's columns this field reads, given the file's header."""
        if self.joined:
            return list(self.joined)
        for name in self.columns:
            if name in header:
                return [name, *(c for c in self.fallback if c in header)]
        return []


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    timezone: str
    fields: dict[str, FieldSpec]
    source_file: str = ""
    description: str = ""
    source: str = ""
    file_format: str = "auto"
    encoding: str = "utf-8"
    delimiter: str = ","
    null_values: tuple[str, ...] = ("NULL",)
    sentinels: tuple[float, ...] = ()
    key: tuple[str, ...] = ("call_id",)
    mapping: str | None = None
    severe_dispositions: str | None = None
    time_resolution: str = "second"
    extras: dict[str, FieldSpec] = field(default_factory=dict)
    police_agencies: tuple[str, ...] = ()
    # Source priorities meaning an emergency (regex on the priority text): such a call is
    # never civilian-only in the replay. Default: priority 1 (also "1A", "P1", "E1").
    emergency_priority: str = r"^[PE]?1[A-Z]?$"
    # Dispositions meaning the call was no call (cancelled, duplicate, test, misdial):
    # reported apart, not triaged.
    excluded_dispositions: str | None = None
    # Intake priorities that are non-emergent (the CAP preset): default 3 and below.
    non_emergent_priority: str = r"^[PE]?[3-9]"

    @property
    def imports_sensitive(self) -> bool:
        return any(name in self.fields for name in SENSITIVE_FIELDS)


@cache
def _schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return data


def _where(error: jsonschema.ValidationError) -> str:
    return "/".join(str(p) for p in error.absolute_path) or "(top level)"


def _field_spec(name: str, raw: dict[str, Any], source: str) -> FieldSpec:
    column = raw.get("column")
    columns = tuple([column] if isinstance(column, str) else column or [])
    pattern = raw.get("pattern")
    if pattern is not None:
        try:
            groups = re.compile(pattern).groups
        except re.error as exc:
            raise ProfileError(f"{source}: at fields/{name}/pattern: {exc}") from exc
        if groups < 1:
            raise ProfileError(f"{source}: at fields/{name}/pattern: needs one (group)")
    return FieldSpec(
        name=name,
        columns=columns,
        joined=tuple(raw.get("columns", ())),
        value=raw.get("value"),
        pattern=pattern,
        values={str(k): str(v) for k, v in raw.get("values", {}).items()},
        strip_prefix=raw.get("strip_prefix"),
        formats=tuple(raw.get("formats", ())),
        after_received=bool(raw.get("after_received", False)),
        true_values=tuple(raw.get("true_values", ())),
        separator=raw.get("separator"),
        sensitive=bool(raw.get("sensitive", False)),
        fallback=tuple(raw.get("fallback", ())),
    )


def parse_profile(data: Any, source: str) -> Profile:
    """Validate ``data`` (the YAML's content) and build a Profile; ``source`` names it in errors."""
    fields = data.get("fields") if isinstance(data, dict) else None
    for old, new in RENAMED_FIELDS.items():
        if isinstance(fields, dict) and old in fields:
            raise ProfileError(f"{source}: at fields/{old}: now named {new} (one vocabulary "
                               "for status times with the live incidents)")  # fmt: skip
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        raise ProfileError(f"{source}: at {_where(first)}: {first.message}")
    try:
        ZoneInfo(data["timezone"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ProfileError(
            f"{source}: at timezone: unknown time zone {data['timezone']!r}"
        ) from exc
    specs = {name: _field_spec(name, raw, source) for name, raw in data["fields"].items()}
    extras = {name: _field_spec(name, raw, source) for name, raw in data.get("extras", {}).items()}
    severe = data.get("severe_dispositions")
    for key in (
        "severe_dispositions",
        "emergency_priority",
        "excluded_dispositions",
        "non_emergent_priority",
    ):
        if data.get(key) is not None:
            try:
                re.compile(data[key])
            except re.error as exc:
                raise ProfileError(f"{source}: at {key}: {exc}") from exc
    return Profile(
        name=data["name"],
        title=data["title"],
        timezone=data["timezone"],
        fields=specs,
        source_file=source,
        description=data.get("description", ""),
        source=data.get("source", ""),
        file_format=data.get("format", "auto"),
        encoding=data.get("encoding", "utf-8"),
        delimiter=data.get("delimiter", ","),
        null_values=tuple(data.get("null_values", ["NULL"])),
        sentinels=tuple(float(s) for s in data.get("sentinels", [])),
        key=tuple(data.get("key", ["call_id"])),
        mapping=data.get("mapping"),
        severe_dispositions=severe,
        time_resolution=data.get("time_resolution", "second"),
        extras=extras,
        police_agencies=tuple(data.get("police_agencies", ())),
        emergency_priority=data.get("emergency_priority", Profile.emergency_priority),
        excluded_dispositions=data.get("excluded_dispositions"),
        non_emergent_priority=data.get("non_emergent_priority", Profile.non_emergent_priority),
    )


def load_profile(path: str | Path) -> Profile:
    """Read and validate one profile file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML: {exc}") from exc
    return parse_profile(data, str(path))
