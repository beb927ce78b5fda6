"""The impact preview: the city's own calls of the last year replayed under a version and
under the live protocol (``core.triage.impact``), with the severe outcomes in their
history for the safety check.

Reads are grouped in the database (call type and answers, with a count), so the Python
side makes one decision per distinct group, not per call: a city-year of 400,000 calls is
a few grouped queries and a few thousand decisions (benchmarks/studio_impact.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
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
    since: datetime, until: datetime, groups: list[CallGroup], call_types: Sequence[str]
) -> dict[str, dict[str, int]]:
    """For ``call_types``, how many of their calls had each severe outcome (report: risk
    analysis ties injuries, force and arrests back to the initial call classification).
    A weapon reported at intake is read from the groups; backup, injury and arrest are
    three grouped queries reaching the incidents through the calls' indexes (call type,
    time), so only the call types the safety check concerns are read."""
    wanted = set(call_types)
    history: dict[str, dict[str, int]] = {ct: {} for ct in wanted}
    for group in groups:
        if group.call_type in wanted and group.answers.get("weapon") == "yes":
            counts = history[group.call_type]
            counts["weapon"] = counts.get("weapon", 0) + group.count
    if not wanted:
        return history

    def add(key: str, rows: Iterable[tuple[str, int]]) -> None:
        for call_type, n in rows:
            history.setdefault(call_type, {})[key] = n

    on_calls = {
        "call__call_type__in": sorted(wanted),
        "call__received_at__gte": since,
        "call__received_at__lt": until,
    }
    via_incident = {f"incident__{k}": v for k, v in on_calls.items()}
    add(
        "backup",
        Incident.objects.filter(backup_requested=True, **on_calls)
        .values("call__call_type")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("call__call_type", "n"),
    )
    add(
        "injury",
        UseOfForceReport.objects.filter(**via_incident)
        .filter(Q(subject_injured=True) | Q(responder_injured=True))
        .values("incident__call__call_type")
        .annotate(n=Count("incident", distinct=True))
        .order_by()
        .values_list("incident__call__call_type", "n"),
    )
    violent = (
        Q(incident__call__answers__violence="yes")
        | Q(incident__call__answers__weapon="yes")
        | Q(incident__call__answers__threat_to_life="yes")
    )
    add(
        "arrest_violence",
        Disposition.objects.filter(outcome="arrest", **via_incident)
        .filter(violent)
        .values("incident__call__call_type")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("incident__call__call_type", "n"),
    )
    return history


@dataclass(frozen=True)
class _Inputs:
    key: tuple[Any, ...]
    since: datetime
    until: datetime
    groups: list[CallGroup]
    history: dict[str, dict[str, int]]  # filled per call type as previews need it


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


def _city_inputs() -> _Inputs:
    """The last year's call groups. They do not depend on the draft, so every preview
    after the first (an author saving again and again) reuses them until a call or
    incident changes (two indexed queries to know)."""
    until = timezone.now()
    since = until - PERIOD
    key = _history_key(since)
    hit = _inputs.get("city")
    if hit is not None and hit.key == key:
        return hit
    with _lock:
        inputs = _Inputs(key, since, until, impact_groups(since, until), {})
        _inputs["city"] = inputs
    return inputs


def city_impact(draft: Protocol, live: Protocol) -> Impact:
    inputs = _city_inputs()

    def history(call_types: Sequence[str]) -> dict[str, dict[str, int]]:
        missing = [ct for ct in call_types if ct not in inputs.history]
        if missing:
            inputs.history.update(
                impact_history(inputs.since, inputs.until, inputs.groups, missing)
            )
        return {ct: inputs.history[ct] for ct in call_types}

    return replay_impact(live, draft, inputs.groups, history)


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
