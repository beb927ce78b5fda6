"""The impact preview: the city's own calls of the last year replayed under a version and
under the live protocol (``core.triage.impact``), with the severe outcomes in their
history for the safety check.

Reads are grouped in the database (call type and answers, with a count), so the Python
side makes one decision per distinct group, not per call: a city-year of 400,000 calls is
a few grouped queries and a few thousand decisions (benchmarks/studio_impact.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone

from rightresponse.core.triage import Protocol
from rightresponse.core.triage.impact import CallGroup, Impact, replay_impact
from rightresponse.dispatch.models import Disposition, Incident, UseOfForceReport
from rightresponse.triage.models import Call

PERIOD = timedelta(days=365)


def impact_groups(since: datetime, until: datetime) -> list[CallGroup]:
    rows = (
        Call.objects.filter(received_at__gte=since, received_at__lt=until)
        .values("call_type", "answers")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        CallGroup(
            row["call_type"], row["answers"] if isinstance(row["answers"], dict) else {}, row["n"]
        )
        for row in rows
    ]


def impact_history(
    since: datetime, until: datetime, groups: list[CallGroup]
) -> dict[str, dict[str, int]]:
    """Per call type, how many of its calls had each severe outcome (report: risk analysis
    ties injuries, force and arrests back to the initial call classification). A weapon
    reported at intake is read from the groups; the rest is three grouped queries."""
    history: dict[str, dict[str, int]] = {}
    for group in groups:
        if group.answers.get("weapon") == "yes":
            counts = history.setdefault(group.call_type, {})
            counts["weapon"] = counts.get("weapon", 0) + group.count

    def add(key: str, rows: Iterable[tuple[str, int]]) -> None:
        for call_type, n in rows:
            history.setdefault(call_type, {})[key] = n

    period = {"received_at__gte": since, "received_at__lt": until}
    incident_period = {"incident__received_at__gte": since, "incident__received_at__lt": until}
    add(
        "backup",
        Incident.objects.filter(backup_requested=True, **period)
        .values("call_type")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("call_type", "n"),
    )
    add(
        "injury",
        UseOfForceReport.objects.filter(**incident_period)
        .filter(Q(subject_injured=True) | Q(responder_injured=True))
        .values("incident__call_type")
        .annotate(n=Count("incident", distinct=True))
        .order_by()
        .values_list("incident__call_type", "n"),
    )
    violent = (
        Q(incident__call__answers__violence="yes")
        | Q(incident__call__answers__weapon="yes")
        | Q(incident__call__answers__threat_to_life="yes")
    )
    add(
        "arrest_violence",
        Disposition.objects.filter(outcome="arrest", **incident_period)
        .filter(violent)
        .values("incident__call_type")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("incident__call_type", "n"),
    )
    return history


@dataclass(frozen=True)
class _Inputs:
    key: tuple[Any, ...]
    groups: list[CallGroup]
    history: dict[str, dict[str, int]]


_inputs: dict[str, _Inputs] = {}
_lock = threading.Lock()


def _history_key(since: datetime) -> tuple[Any, ...]:
    """Changes when a call is added or any incident's facts change (a re-triage, a
    disposition, a force report or a backup request stamps its incident), and hourly."""
    return (
        Call.objects.aggregate(m=Max("id"))["m"],
        Incident.objects.aggregate(m=Max("facts_changed_at"))["m"],
        since.replace(minute=0, second=0, microsecond=0),
    )


def impact_inputs(
    until: datetime | None = None,
) -> tuple[list[CallGroup], dict[str, dict[str, int]]]:
    """The last year's call groups and severe-outcome history. They do not depend on the
    draft, so every preview after the first (an author saving again and again) reuses
    them until a call or incident changes (two indexed queries to know)."""
    until = until or timezone.now()
    since = until - PERIOD
    key = _history_key(since)
    hit = _inputs.get("city")
    if hit is not None and hit.key == key:
        return hit.groups, hit.history
    with _lock:
        groups = impact_groups(since, until)
        history = impact_history(since, until, groups)
        _inputs["city"] = _Inputs(key, groups, history)
    return groups, history


def city_impact(draft: Protocol, live: Protocol) -> Impact:
    groups, history = impact_inputs()
    return replay_impact(live, draft, groups, history)


@dataclass(frozen=True)
class DatasetImpact:
    title: str
    slug: str
    impact: Impact
    unmapped: int  # calls whose local code the dataset's mapping gives no call type


def dataset_groups(dataset: Any) -> tuple[list[CallGroup], dict[str, dict[str, int]], int]:
    """An imported dataset's calls grouped by their mapped call type and the answers the
    local code implies (the dataset profile's mapping, as issue 4's replay uses it), the
    severe dispositions per call type, and the calls no call type maps to."""
    import re

    from rightresponse.analytics.selectors import dataset_calls, mapping_get, profile_get

    profile = profile_get(dataset.profile)
    mapping = mapping_get(profile)
    calls = dataset_calls(dataset)
    pattern = profile.severe_dispositions
    keys = ["initial_type", *(["disposition"] if pattern else [])]
    rows = calls.group_by(keys).agg(n=calls.count()).to_pyarrow().to_pylist()
    severe = re.compile(pattern, re.IGNORECASE) if pattern else None
    counts: dict[tuple[str, tuple[tuple[str, str], ...]], int] = {}
    history: dict[str, dict[str, int]] = {}
    unmapped = 0
    for row in rows:
        mapped = mapping.get(row["initial_type"]) if row["initial_type"] is not None else None
        if mapped is None or not mapped.call_type:
            unmapped += row["n"]
            continue
        key = (mapped.call_type, tuple(sorted(mapped.answers.items())))
        counts[key] = counts.get(key, 0) + row["n"]
        if severe is not None and row.get("disposition") and severe.search(row["disposition"]):
            per_type = history.setdefault(mapped.call_type, {})
            per_type["severe_disposition"] = per_type.get("severe_disposition", 0) + row["n"]
        if mapped.answers.get("weapon") == "yes":
            per_type = history.setdefault(mapped.call_type, {})
            per_type["weapon"] = per_type.get("weapon", 0) + row["n"]
    groups = [CallGroup(ct, dict(answers), n) for (ct, answers), n in counts.items()]
    return groups, history, unmapped


def dataset_impacts(draft: Protocol, live: Protocol) -> list[DatasetImpact]:
    """The same replay on every imported dataset that has calls."""
    from rightresponse.analytics.selectors import dataset_has_calls, dataset_list

    out = []
    for dataset in dataset_list():
        if not dataset_has_calls(dataset):
            continue
        groups, history, unmapped = dataset_groups(dataset)
        impact = replay_impact(live, draft, groups, history)
        out.append(DatasetImpact(dataset.title, dataset.slug, impact, unmapped))
    return out
