"""Fact rows as columns: the incident facts (contract 3) and referral facts (contract 4)
turned into NumPy arrays once, so that every metric is a few vectorised operations.

Rows are plain dicts (what ``dispatch.selectors.incident_facts`` and
``ecosystem.selectors.referral_facts`` return). Only the fields the metrics read are
converted; a missing key reads as null, so a producer that adds keys breaks nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Kind = Literal["time", "category", "number", "flag"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Field kinds of each kind of fact row (the contracts in the project brief).
FACT_FIELDS: dict[str, dict[str, Kind]] = {
    "incidents": {
        "received_at": "time",
        "answered_at": "time",
        "dispatched_at": "time",
        "en_route_at": "time",
        "on_scene_at": "time",
        "cleared_at": "time",
        "closed_at": "time",
        "call_type": "category",
        "initial_call_type": "category",
        "category": "category",
        "initial_category": "category",
        "channel": "category",
        "area": "category",
        "initial_tier": "number",
        "final_tier": "number",
        "initial_lead": "category",
        "final_lead": "category",
        "responder_type": "category",
        "escalated": "flag",
        "deescalated": "flag",
        "lead_switches": "number",
        "disposition": "category",
        "outcome": "category",
        "use_of_force": "flag",
        "referrals_made": "number",
        "eligible_not_served": "flag",
        "eligible_not_served_reason": "category",
        "location_key": "category",
        "caller_key": "category",
        "age_band": "category",
        "gender": "category",
        "race_ethnicity": "category",
    },
    "referrals": {
        "created_at": "time",
        "accepted_at": "time",
        "first_contact_at": "time",
        "completed_at": "time",
        "source": "category",
        "incident_category": "category",
        "service_id": "category",
        "service_category": "category",
        "subcategory": "category",
        "status": "category",
        "outcome_reason": "category",
        "is_second_response": "flag",
        "reached": "flag",
        "connected": "flag",
    },
    # One row per telephone or online report (issue 13; report lines 1383-1398): every
    # Tier 0 virtual case that is not a hotline contact, and every online report started
    # on the public form that did not become one (abandoned, or sent to 911). No personal
    # data.
    # Times in the status-time vocabulary (core/status_times.py): received = opened (the
    # form started, or the call triaged), answered = taken by a report taker, cleared = the
    # report taker done with it, closed = the report completed (or given up).
    "virtual_reports": {
        "received_at": "time",
        "answered_at": "time",
        "cleared_at": "time",
        "closed_at": "time",
        "channel": "category",
        "status": "category",
        "call_type": "category",
        "category": "category",
        "area": "category",
        "advised_direct": "flag",
        "referred": "flag",
    },
    # One row per hotline contact the system knows of (report lines 1402-1421, 1166,
    # 1491): each 911 -> 988/311/211 transfer (channel "911") and each call taken on a
    # hotline's own line (988, hotline) that is not a hand-back.
    # received = transferred (or rang), answered = the hotline accepted or declined,
    # cleared = its outcome or hand-back.
    "hotline_contacts": {
        "received_at": "time",
        "answered_at": "time",
        "cleared_at": "time",
        "hotline": "category",
        "channel": "category",
        "handoff": "category",
        "status": "category",
        "outcome": "category",
        "reached": "flag",
        "elevated": "flag",
        "referred": "flag",
        "final_tier": "number",
        "category": "category",
        "area": "category",
        "caller_key": "category",
    },
}

# The time that places a row in a period.
PERIOD_FIELD = {
    "incidents": "received_at",
    "referrals": "created_at",
    "virtual_reports": "received_at",
    "hotline_contacts": "received_at",
}

# Breakdown dimensions: their label and the field that carries them in each kind of facts.
DIMENSIONS: dict[str, tuple[str, dict[str, str]]] = {
    "incident_type": (
        "Incident type",
        {
            "incidents": "category",
            "referrals": "incident_category",
            "virtual_reports": "category",
            "hotline_contacts": "category",
        },
    ),  # fmt: skip
    "responder_type": ("Responder type", {"incidents": "responder_type"}),
    "lead": ("Civilian- or police-led", {"incidents": "final_lead"}),
    "tier": ("Response tier", {"incidents": "final_tier", "hotline_contacts": "final_tier"}),
    "area": ("Area", {"incidents": "area", "virtual_reports": "area", "hotline_contacts": "area"}),
    "age_band": ("Age band", {"incidents": "age_band"}),
    "gender": ("Gender", {"incidents": "gender"}),
    "race_ethnicity": ("Race and ethnicity", {"incidents": "race_ethnicity"}),
    "channel": (
        "Channel (via 911 or direct)",
        {"incidents": "channel", "virtual_reports": "channel", "hotline_contacts": "channel"},
    ),
    "outcome": ("Outcome", {"incidents": "outcome", "hotline_contacts": "outcome"}),
    "reason": ("Reason not served", {"incidents": "eligible_not_served_reason"}),
    "service_category": ("Service category", {"referrals": "service_category"}),
    "source": ("Referral source", {"referrals": "source"}),
    # Entered metrics only (no field in the fact rows).
    "programme": ("Programme", {}),
}
DEMOGRAPHICS = ("age_band", "gender", "race_ethnicity")
NULL_LABEL = "(not recorded)"


def _columns(rows: Sequence[Mapping[str, Any]], names: list[str]) -> list[list[Any]]:
    """One list per field; a row missing a key reads as null. (Transposing with
    itemgetter and zip measured no faster.)"""
    return [[row.get(name) for row in rows] for name in names]


@dataclass
class Frame:
    """Columns of one kind of facts. Times are POSIX seconds (NaN when null), numbers are
    floats (NaN when null), flags are int8 (1, 0, -1 for null), categories are integer
    codes into ``labels`` (label None means null)."""

    facts: str
    size: int
    times: dict[str, FloatArray] = field(default_factory=dict)
    numbers: dict[str, FloatArray] = field(default_factory=dict)
    flags: dict[str, npt.NDArray[np.int8]] = field(default_factory=dict)
    codes: dict[str, IntArray] = field(default_factory=dict)
    labels: dict[str, list[str | None]] = field(default_factory=dict)

    @classmethod
    def from_rows(
        cls, facts: str, rows: Sequence[Mapping[str, Any]], fields: Iterable[str] | None = None
    ) -> Frame:
        wanted = list(fields) if fields is not None else list(FACT_FIELDS[facts])
        columns = dict(zip(wanted, _columns(rows, wanted), strict=True))
        return cls.from_columns(facts, columns, len(rows), wanted)

    @classmethod
    def from_columns(
        cls,
        facts: str,
        columns: Mapping[str, Sequence[Any]],
        size: int,
        fields: Iterable[str] | None = None,
    ) -> Frame:
        """From one sequence per field (``size`` values each; a missing field reads as
        null). Times are datetimes or POSIX seconds (what a database can compute, with no
        Python object per stamp), None when null."""
        kinds = FACT_FIELDS[facts]
        wanted = list(fields) if fields is not None else list(kinds)
        frame = cls(facts=facts, size=size)
        nan = float("nan")
        for name in wanted:
            column = columns.get(name)
            if column is None:
                column = [None] * size
            elif len(column) != size:
                raise ValueError(f"{facts}.{name}: {len(column)} values for {size} rows")
            kind = kinds[name]
            if kind == "time":
                try:  # seconds already (None becomes NaN): one C loop
                    frame.times[name] = np.array(column, dtype=np.float64)
                    continue
                except (TypeError, ValueError):  # datetimes, or bad values named below
                    pass
                try:
                    stamps = [nan if v is None else v.timestamp() for v in column]
                except AttributeError as exc:
                    raise TypeError(f"{facts}.{name}: expected datetimes or None") from exc
                frame.times[name] = np.array(stamps, dtype=np.float64)
            elif kind == "number":
                frame.numbers[name] = np.array(
                    [nan if v is None else v for v in column], dtype=np.float64
                )
            elif kind == "flag":
                frame.flags[name] = np.array(
                    [-1 if v is None else (1 if v else 0) for v in column], dtype=np.int8
                )
            else:
                index: dict[Any, int] = {}
                codes = [index.setdefault(v, len(index)) for v in column]
                frame.codes[name] = np.array(codes, dtype=np.int64)
                frame.labels[name] = [None if v is None else str(v) for v in index]
        return frame

    def kinds_loaded(self) -> list[str]:
        """The fields this frame holds."""
        return [*self.times, *self.numbers, *self.flags, *self.codes]

    def kind(self, name: str) -> Kind:
        return FACT_FIELDS[self.facts][name]

    def label_array(self, name: str) -> npt.NDArray[np.object_]:
        """The category as an object array of labels (None for null)."""
        labels = np.array(self.labels[name] + [None], dtype=object)
        return labels[self.codes[name]]

    def group_labels(self, name: str) -> tuple[IntArray, list[str]]:
        """Integer group codes and their display labels, for a breakdown by ``name``."""
        if self.kind(name) == "category":
            return self.codes[name], [NULL_LABEL if x is None else x for x in self.labels[name]]
        if self.kind(name) == "number":
            values = self.numbers[name]
            uniques = sorted({float(v) for v in np.unique(values) if not np.isnan(v)})
            lookup = {v: i for i, v in enumerate(uniques)}
            null_code = len(uniques)
            codes = np.fromiter(
                (null_code if np.isnan(v) else lookup[float(v)] for v in values),
                dtype=np.int64,
                count=len(values),
            )
            return codes, [f"{v:g}" for v in uniques] + [NULL_LABEL]
        raise ValueError(f"{self.facts}.{name} cannot be a breakdown ({self.kind(name)})")

    # ---- rows: pure helpers for a persisted snapshot of the facts (an "extract")
    def select(self, fields: Iterable[str]) -> Frame:
        """The same rows with only ``fields`` (arrays shared, not copied)."""
        wanted = set(fields)
        return Frame(
            facts=self.facts,
            size=self.size,
            times={k: v for k, v in self.times.items() if k in wanted},
            numbers={k: v for k, v in self.numbers.items() if k in wanted},
            flags={k: v for k, v in self.flags.items() if k in wanted},
            codes={k: v for k, v in self.codes.items() if k in wanted},
            labels={k: v for k, v in self.labels.items() if k in wanted},
        )

    def take(self, rows: IntArray | slice) -> Frame:
        """The rows at these positions (or this slice), in that order; labels unchanged
        (``compact`` drops the ones no longer used)."""
        size = len(range(self.size)[rows]) if isinstance(rows, slice) else len(rows)
        return Frame(
            facts=self.facts,
            size=size,
            times={k: v[rows] for k, v in self.times.items()},
            numbers={k: v[rows] for k, v in self.numbers.items()},
            flags={k: v[rows] for k, v in self.flags.items()},
            codes={k: v[rows] for k, v in self.codes.items()},
            labels=dict(self.labels),
        )

    def compact(self) -> Frame:
        """The same rows with each category's labels in order of first appearance and only
        those used: exactly what ``from_columns`` builds from these rows' values."""
        codes: dict[str, IntArray] = {}
        labels: dict[str, list[str | None]] = {}
        for name, column in self.codes.items():
            codes[name], labels[name] = _first_appearance(column, self.labels[name])
        return Frame(self.facts, self.size, dict(self.times), dict(self.numbers),
                     dict(self.flags), codes, labels)  # fmt: skip

    @classmethod
    def concat(cls, frames: Sequence[Frame]) -> Frame:
        """The rows of all ``frames`` (same facts and fields), one after the other; the
        first frame's labels keep their codes, labels new to it are added after them."""
        if not frames:
            raise ValueError("concat needs at least one frame")
        first = frames[0]
        for other in frames[1:]:
            if other.facts != first.facts or set(other.kinds_loaded()) != set(first.kinds_loaded()):
                raise ValueError(f"{first.facts}: frames with other facts or fields")
        out = cls(facts=first.facts, size=sum(f.size for f in frames))
        for store in ("times", "numbers", "flags"):
            parts: dict[str, Any] = getattr(first, store)
            merged = getattr(out, store)
            for name in parts:
                merged[name] = np.concatenate([getattr(f, store)[name] for f in frames])
        for name in first.codes:
            labels = list(first.labels[name])
            index = {label: i for i, label in enumerate(labels)}
            pieces = [first.codes[name]]
            for other in frames[1:]:
                mapping = np.array(
                    [index.setdefault(label, len(index)) for label in other.labels[name]],
                    dtype=np.int64,
                )
                labels.extend(list(index)[len(labels) :])
                pieces.append(mapping[other.codes[name]] if len(mapping) else other.codes[name])
            out.codes[name] = np.concatenate(pieces).astype(np.int64, copy=False)
            out.labels[name] = labels
        return out


def _first_appearance(
    codes: IntArray, labels: list[str | None]
) -> tuple[IntArray, list[str | None]]:
    """Codes renumbered by first appearance, and the labels used, in that order."""
    size = len(codes)
    first = np.full(len(labels), size, dtype=np.int64)
    np.minimum.at(first, codes, np.arange(size, dtype=np.int64))
    used = np.flatnonzero(first < size)
    order = used[np.argsort(first[used], kind="stable")]
    renumber = np.zeros(len(labels), dtype=np.int64)
    renumber[order] = np.arange(len(order), dtype=np.int64)
    return renumber[codes], [labels[int(i)] for i in order]
