"""The impact preview: the city's own calls of the last year replayed under a version and
under the live protocol (``core.triage.impact``), with the severe outcomes in their
history for the safety check.

Reads are grouped in the database (call type and answers, with a count), so the Python
side makes one decision per distinct group, not per call: a city-year of 400,000 calls is
a few grouped queries and a few thousand decisions (benchmarks/studio_impact.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Q
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


def impact_history(since: datetime, until: datetime) -> dict[str, dict[str, int]]:
    """Per call type, how many of its calls had each severe outcome (report: risk analysis
    ties injuries, force and arrests back to the initial call classification)."""
    history: dict[str, dict[str, int]] = {}

    def add(key: str, rows: object) -> None:
        for call_type, n in rows:  # type: ignore[attr-defined]
            history.setdefault(call_type, {})[key] = n

    calls = Call.objects.filter(received_at__gte=since, received_at__lt=until)
    incidents = Incident.objects.filter(received_at__gte=since, received_at__lt=until)
    add(
        "weapon",
        calls.filter(answers__weapon="yes")
        .values("call_type")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("call_type", "n"),
    )
    add(
        "backup",
        incidents.filter(backup_requested=True)
        .values("call_type")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("call_type", "n"),
    )
    add(
        "injury",
        UseOfForceReport.objects.filter(incident__in=incidents)
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
        Disposition.objects.filter(incident__in=incidents, outcome="arrest")
        .filter(violent)
        .values("incident__call_type")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("incident__call_type", "n"),
    )
    return history


def city_impact(draft: Protocol, live: Protocol, *, until: datetime | None = None) -> Impact:
    until = until or timezone.now()
    since = until - PERIOD
    return replay_impact(live, draft, impact_groups(since, until), impact_history(since, until))
