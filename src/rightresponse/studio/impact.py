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

from django.db import connection
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


def outcome_history(since: datetime, until: datetime) -> dict[str, dict[str, int]]:
    """Per call type, how many of its calls had a backup request, an injury in a
    use-of-force report, or an arrest on a call with violence, a weapon or a threat to
    life (report: risk analysis ties injuries, force and arrests back to the initial call
    classification). Three grouped queries; a weapon reported at intake comes from the
    call groups (``with_weapons``)."""
    history: dict[str, dict[str, int]] = {}

    def add(key: str, rows: Iterable[tuple[str, int]]) -> None:
        for call_type, n in rows:
            history.setdefault(call_type, {})[key] = n

    on_calls = {"call__received_at__gte": since, "call__received_at__lt": until}
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


def with_weapons(
    history: dict[str, dict[str, int]], groups: Iterable[CallGroup]
) -> dict[str, dict[str, int]]:
    for group in groups:
        if group.answers.get("weapon") == "yes":
            counts = history.setdefault(group.call_type, {})
            counts["weapon"] = counts.get("weapon", 0) + group.count
    return history


def _in_thread(work: Any, *args: Any) -> Any:
    """Run a read in another thread (its own database connection, closed after): the
    history's queries overlap the call groups' scan, on a second core when there is one."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = work(*args)
        except BaseException as exc:  # re-raised in the caller, never lost
            result["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run, name="studio-impact-history")
    thread.start()
    return thread, result


@dataclass(frozen=True)
class _Inputs:
    key: tuple[Any, ...]
    since: datetime
    until: datetime
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
        thread, result = _in_thread(outcome_history, since, until)
        groups = impact_groups(since, until)
        thread.join()
        if "error" in result:
            raise result["error"]
        history = with_weapons(result["value"], groups)
        inputs = _Inputs(key, since, until, groups, history)
        _inputs["city"] = inputs
    return inputs


def city_impact(draft: Protocol, live: Protocol) -> Impact:
    inputs = _city_inputs()
    return replay_impact(live, draft, inputs.groups, inputs.history)


@dataclass(frozen=True)
class DatasetImpact:
    title: str
    slug: str
    impact: Impact
    unmapped: int  # calls whose local code the dataset's mapping gives no call type
    comparison: dict[str, Any]  # issue 11's A/B: unit-hours and FTE diverted under each


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
        comparison = dataset_comparison(dataset, live, draft)
        out.append(DatasetImpact(dataset.title, dataset.slug, impact, unmapped, comparison))
    return out


def _decider(protocol: Protocol) -> Any:
    """A protocol as the analytics replay's ``decide`` (as analytics.services binds a file)."""
    from rightresponse.core.triage import decide

    def run(call_type: str, answers: Any) -> Any:
        if call_type not in protocol.call_types:
            return {"tier": None}
        return decide(protocol, call_type, answers).to_dict()

    return run


def dataset_comparison(dataset: Any, live: Protocol, draft: Protocol) -> dict[str, Any]:
    """Issue 11's protocol A/B comparison on an imported dataset (the analysis of
    ``rightresponse analyze --protocol A --compare B``), with the compiled live protocol
    as A and the version as B: civilian-only calls, unit-hours and FTE under each."""
    from rightresponse.analytics.selectors import dataset_calls, mapping_get, profile_get
    from rightresponse.analytics.services import analysis_config
    from rightresponse.core.analytics.analysis import analyze, compare_summaries

    profile = profile_get(dataset.profile)
    mapping = mapping_get(profile)
    config = analysis_config(profile)
    summaries = [
        analyze(dataset_calls(dataset), mapping, config=config, decide=_decider(p),
                protocol_version=p.version).summary
        for p in (live, draft)
    ]  # fmt: skip
    import json

    from rightresponse.core.analytics.report import json_default

    comparison: dict[str, Any] = json.loads(
        json.dumps(compare_summaries(summaries[0], summaries[1]), default=json_default)
    )
    return comparison
