"""Reads of the dispatch pillar: the board, the responder's assignment, location history,
the incident record for export, and ``incident_facts`` (contract 3) for every metric."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connections
from django.db.models import BigIntegerField, Count, FloatField, Func, Prefetch, QuerySet, Sum

from rightresponse.core.dispatch import derived_intervals, haversine_km
from rightresponse.people.models import Person

from .models import (
    Assignment,
    EligibleNotServed,
    Incident,
    IncidentEvent,
    LocationHazard,
    PersonLink,
    Unit,
    UseOfForceReport,
)

OPEN_STATUSES = ("waiting", "dispatched", "en_route", "on_scene", "transporting", "cleared")
STAMP_NAMES = (
    "received_at",
    "answered_at",
    "triaged_at",
    "dispatched_at",
    "en_route_at",
    "on_scene_at",
    "cleared_at",
    "closed_at",
)


def incidents_waiting(within: QuerySet[Incident] | None = None) -> QuerySet[Incident]:
    """Waiting incidents, most urgent first, then oldest first; ``within``: the incidents
    the viewer may see (dispatch.access.incidents_visible)."""
    qs = Incident.objects.all() if within is None else within
    return qs.filter(status="waiting").order_by("priority", "received_at")


def incidents_open(within: QuerySet[Incident] | None = None) -> QuerySet[Incident]:
    qs = Incident.objects.all() if within is None else within
    return (
        qs.filter(status__in=OPEN_STATUSES)
        .exclude(status="waiting")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(active=True).select_related("unit"),
                to_attr="active_assignments",
            )
        )
        .order_by("priority", "received_at")
    )


def incidents_list(
    status: str | None = None, limit: int = 200, *, within: QuerySet[Incident] | None = None
) -> list[Incident]:
    qs = (Incident.objects.all() if within is None else within).order_by("-received_at")
    if status:
        qs = qs.filter(status=status)
    return list(qs[:limit])


def incident_get(incident_id: int) -> Incident | None:
    return Incident.objects.filter(pk=incident_id).first()


def incident_events(incident: Incident) -> list[IncidentEvent]:
    return list(incident.events.select_related("actor", "unit").order_by("at", "id"))


def incident_intervals(incident: Incident) -> dict[str, float | None]:
    return derived_intervals({name: getattr(incident, name) for name in STAMP_NAMES})


def units_list(status: str | None = None) -> list[Unit]:
    qs = Unit.objects.select_related("agency").order_by("status", "call_sign")
    if status:
        qs = qs.filter(status=status)
    return list(qs)


def unit_active_incident(unit: Unit) -> Incident | None:
    assignment = unit.assignments.filter(active=True).select_related("incident").first()
    return assignment.incident if assignment else None


def responder_assignment(user: Any) -> tuple[Unit | None, Assignment | None]:
    """The unit the user serves on and its active assignment, if any."""
    unit = Unit.objects.filter(members__user=user, members__active=True).first()
    if unit is None:
        return None, None
    assignment = unit.assignments.filter(active=True).select_related("incident", "unit").first()
    return unit, assignment


def _bounding(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    dlat = radius_m / 111_320.0
    dlon = radius_m / (111_320.0 * max(0.01, math.cos(math.radians(lat))))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def location_history(
    latitude: float | None,
    longitude: float | None,
    *,
    radius_m: float = 150,
    exclude_id: int | None = None,
    limit: int = 20,
    within: QuerySet[Incident] | None = None,
) -> list[dict[str, Any]]:
    """Earlier incidents within ``radius_m`` of a point, newest first (report ~1672:
    dispatchers "have access to known data about previous events ... locations")."""
    if latitude is None or longitude is None:
        return []
    lat0, lat1, lon0, lon1 = _bounding(latitude, longitude, radius_m)
    rows = []
    qs = (
        (Incident.objects.all() if within is None else within)
        .filter(latitude__range=(lat0, lat1), longitude__range=(lon0, lon1))
        .select_related("disposition")
    )
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    for inc in qs.order_by("-received_at")[: limit * 3]:
        metres = haversine_km(latitude, longitude, inc.latitude, inc.longitude) * 1000  # type: ignore[arg-type]
        if metres <= radius_m:
            disposition = getattr(inc, "disposition", None)
            rows.append(
                {
                    "incident_id": inc.pk,
                    "received_at": inc.received_at,
                    "call_type": inc.call_type,
                    "tier": inc.tier,
                    "outcome": disposition.outcome if disposition else None,
                    "distance_m": round(metres),
                }
            )
    return rows[:limit]


def location_hazards(latitude: float | None, longitude: float | None) -> list[LocationHazard]:
    """Active hazards whose radius covers the point."""
    if latitude is None or longitude is None:
        return []
    lat0, lat1, lon0, lon1 = _bounding(latitude, longitude, 500)
    found = []
    for hazard in LocationHazard.objects.filter(
        active=True, latitude__range=(lat0, lat1), longitude__range=(lon0, lon1)
    ):
        metres = haversine_km(latitude, longitude, hazard.latitude, hazard.longitude) * 1000
        if metres <= hazard.radius_m:
            found.append(hazard)
    return found


def incident_people(incident: Incident) -> list[PersonLink]:
    return list(incident.person_links.select_related("person"))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def incident_record(incident: Incident) -> dict[str, Any]:
    """The plain record the EIDD mapping reads (no personal data)."""
    disposition = getattr(incident, "disposition", None)
    return {
        "id": incident.pk,
        "agency": incident.agency.slug,
        "status": incident.status,
        "call_type": incident.call_type,
        "initial_call_type": incident.initial_call_type,
        "category": incident.category,
        "initial_category": incident.initial_category,
        "tier": incident.tier,
        "initial_tier": incident.initial_tier,
        "lead": incident.lead or None,
        "initial_lead": incident.initial_lead or None,
        "priority": incident.priority,
        "channel": incident.channel,
        "address": incident.address,
        "latitude": incident.latitude,
        "longitude": incident.longitude,
        "area": incident.area,
        "timestamps": {name: _iso(getattr(incident, name)) for name in STAMP_NAMES},
        "units": [
            {
                "call_sign": a.unit.call_sign,
                "program": a.unit.program,
                "primary": a.primary,
                "assigned_at": _iso(a.assigned_at),
                "released_at": _iso(a.released_at),
            }
            for a in incident.assignments.select_related("unit").order_by("assigned_at", "id")
        ],
        "events": [
            {
                "at": _iso(e.at),
                "kind": e.kind,
                "from": e.from_value,
                "to": e.to_value,
                "reason": e.reason,
                "actor": e.actor.get_username() if e.actor else "",
            }
            for e in incident_events(incident)
        ],
        "disposition": None
        if disposition is None
        else {
            "disposition": disposition.disposition,
            "outcome": disposition.outcome,
            "referrals_made": disposition.referrals_made,
            "service_connections": disposition.service_connections,
            "use_of_force": incident.force_reports.exists(),
        },
        "eligible_not_served": [
            {"program": e.program, "reason": e.reason} for e in incident.not_served.order_by("id")
        ],
    }


def location_key(address: str, latitude: float | None, longitude: float | None) -> str:
    """A normalised address, or coordinates rounded to about 100 m when there is none."""
    normalised = " ".join(address.lower().replace(",", " ").replace(".", " ").split())
    if normalised:
        return normalised
    if latitude is not None and longitude is not None:
        return f"{latitude:.3f},{longitude:.3f}"
    return ""


def caller_key(phone: str) -> str:
    """A one-way hash of the caller's digits, to count repeat callers (report ~1436)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return hashlib.sha256(digits.encode()).hexdigest()[:16] if digits else ""


def incident_facts(start: datetime | None = None, end: datetime | None = None) -> list[dict]:
    """One row per incident received in [start, end) (contract 3), for the metrics."""
    qs = (
        Incident.objects.select_related("call", "disposition")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("unit").order_by(
                    "-primary", "assigned_at", "id"
                ),
            ),
            Prefetch(
                "person_links", queryset=PersonLink.objects.select_related("person").order_by("id")
            ),
            "not_served",
            "force_reports",
        )
        .order_by("received_at", "id")
    )
    if start is not None:
        qs = qs.filter(received_at__gte=start)
    if end is not None:
        qs = qs.filter(received_at__lt=end)
    rows = []
    for inc in qs:
        disposition = getattr(inc, "disposition", None)
        assignments = list(inc.assignments.all())
        not_served = sorted(inc.not_served.all(), key=lambda e: e.id)
        links = list(inc.person_links.all())
        subject = next((link.person for link in links if link.role == "subject"), None) or (
            links[0].person if links else None
        )
        call = inc.call
        rows.append(
            {
                "incident_id": inc.pk,
                "call_id": inc.call_id,
                **{name: getattr(inc, name) for name in STAMP_NAMES if name != "triaged_at"},
                "call_type": inc.call_type,
                "initial_call_type": inc.initial_call_type,
                "category": inc.category,
                "initial_category": inc.initial_category,
                "channel": inc.channel,
                "area": inc.area,
                "initial_tier": inc.initial_tier,
                "final_tier": inc.tier,
                "initial_lead": inc.initial_lead or None,
                "final_lead": inc.lead or None,
                "responder_type": assignments[0].unit.program if assignments else None,
                "escalated": inc.escalated,
                "deescalated": inc.deescalated,
                "lead_switches": inc.lead_switches,
                "disposition": disposition.disposition if disposition else "",
                "outcome": disposition.outcome if disposition else None,
                "use_of_force": bool(inc.force_reports.all()),
                "referrals_made": disposition.referrals_made if disposition else 0,
                "eligible_not_served": bool(not_served),
                "eligible_not_served_reason": not_served[0].reason if not_served else None,
                "location_key": location_key(inc.address, inc.latitude, inc.longitude),
                "caller_key": caller_key(call.caller_phone) if call is not None else "",
                "age_band": subject.age_band if subject else "unknown",
                "gender": (subject.gender or "unknown") if subject else "unknown",
                "race_ethnicity": (subject.race_ethnicity or "unknown") if subject else "unknown",
            }
        )
    return rows


class Epoch(Func):
    """A timestamp as POSIX seconds computed by the database, so that a year of incidents
    does not build a Python datetime per stamp. NULL stays NULL."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # julianday keeps the fraction of a second; 2440587.5 is the Julian day of 1970-01-01.
        return self.as_sql(compiler, connection,
                           template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)", **extra)  # fmt: skip

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection,
                           template="EXTRACT(EPOCH FROM %(expressions)s)::float8", **extra)  # fmt: skip


class EpochMicroseconds(Func):
    """A timestamp as exact POSIX microseconds (an integer), computed by the database."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC: whole seconds, then the digits.
        # ('%%%%s': one %% for the template, one for the backend's placeholder conversion.)
        # (SQLite would round a fraction to the millisecond: the seconds go in without it.)
        template = ("(CAST(strftime('%%%%s', substr(%(expressions)s, 1, 19)) AS INTEGER) * 1000000"
                    " + CAST(substr(%(expressions)s || '.000000', 21, 6) AS INTEGER))")  # fmt: skip
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection,
                           template="(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint", **extra)  # fmt: skip


FACT_TIMES = tuple(name for name in STAMP_NAMES if name != "triaged_at")
# Columns read straight from the incident row: fact key -> model field.
_PLAIN_COLUMNS = {
    "incident_id": "id",
    "call_id": "call_id",
    "call_type": "call_type",
    "initial_call_type": "initial_call_type",
    "category": "category",
    "initial_category": "initial_category",
    "channel": "channel",
    "area": "area",
    "initial_tier": "initial_tier",
    "final_tier": "tier",
    "initial_lead": "initial_lead",
    "final_lead": "lead",
    "escalated": "escalated",
    "deescalated": "deescalated",
    "lead_switches": "lead_switches",
    "disposition": "disposition__disposition",
    "outcome": "disposition__outcome",
    "referrals_made": "disposition__referrals_made",
}


def _raw_rows(query: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a values_list query straight from the database cursor: Django's
    per-row converters cost more than the query for a year of incidents. Only for
    columns that need no conversion (numbers, text, and booleans the caller converts)."""
    sql, params = query.query.get_compiler(using=query.db).as_sql()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


ALL_FACT_KEYS = frozenset({"incident_id", "call_id", *FACT_TIMES, *_PLAIN_COLUMNS, "responder_type",
                           "use_of_force", "eligible_not_served", "eligible_not_served_reason",
                           "location_key", "caller_key", "age_band", "gender",
                           "race_ethnicity"})  # fmt: skip


def incident_facts_columns(
    start: datetime | None = None,
    end: datetime | None = None,
    fields: Iterable[str] | None = None,
) -> dict[str, list[Any]]:
    """The same facts as ``incident_facts`` (contract 3), as one list per key instead of one
    dict per incident: what the metrics' column frames are built from, without a dict per
    row. Times are POSIX seconds (float, None when not stamped), computed by the database.
    ``fields``: only these keys (default all); incident_id is always there. At most five
    queries, whatever the number of incidents (issue 5: 400,000 a year stays interactive)."""
    wanted = set(fields) if fields is not None else set(ALL_FACT_KEYS)
    wanted.add("incident_id")
    incidents = Incident.objects.all()
    if start is not None:
        incidents = incidents.filter(received_at__gte=start)
    if end is not None:
        incidents = incidents.filter(received_at__lt=end)
    return _facts_columns(incidents, wanted)


def incident_facts_snapshot_columns(
    changed_since: datetime | None = None, ids: Iterable[int] | None = None
) -> dict[str, list[Any]]:
    """Every incident's facts as ``incident_facts_columns`` gives them, for the metrics'
    facts snapshot (performance.facts_snapshot): all keys but ``age_band``, which depends on
    the day it is read, replaced by ``birth_ymd`` (the subject's date of birth as
    YYYYMMDD, -1 when unknown), plus ``received_us`` (received_at in exact POSIX
    microseconds, to cut periods exactly as the database does). ``changed_since``: only
    the incidents whose facts changed at or after it (``Incident.facts_changed_at``);
    ``ids``: only these incidents."""
    incidents = Incident.objects.all()
    if ids is not None:
        return _facts_columns(incidents.filter(pk__in=list(ids)), SNAPSHOT_KEYS, ordered=False)
    if changed_since is None:
        return _facts_columns(incidents, SNAPSHOT_KEYS)
    # Unordered (the snapshot sorts), so that the database reads the few changed rows by
    # the stamp's index instead of walking every incident in received_at order.
    return _facts_columns(incidents.filter(facts_changed_at__gte=changed_since), SNAPSHOT_KEYS,
                          ordered=False)  # fmt: skip


def incident_ids() -> list[int]:
    return list(Incident.objects.order_by().values_list("id", flat=True))


def incident_facts_totals() -> tuple[int, int]:
    """How many incidents there are and the sum of their ids: a snapshot that holds other
    ids (an incident was deleted) does not match."""
    totals = Incident.objects.aggregate(count=Count("id"), ids=Sum("id"))
    return int(totals["count"] or 0), int(totals["ids"] or 0)


SNAPSHOT_KEYS = (set(ALL_FACT_KEYS) - {"age_band"}) | {"birth_ymd", "received_us"}


def _facts_columns(
    incidents: QuerySet[Incident], wanted: set[str], *, ordered: bool = True
) -> dict[str, list[Any]]:
    plain = [key for key in _PLAIN_COLUMNS if key in wanted]
    times = [name for name in FACT_TIMES if name in wanted]
    expressions: dict[str, Any] = {f"t_{name}": Epoch(name) for name in times}
    if "received_us" in wanted:
        times.append("received_us")
        expressions["t_received_us"] = EpochMicroseconds("received_at")
    select = [_PLAIN_COLUMNS[key] for key in plain] + list(expressions)
    extra = []
    if "location_key" in wanted:
        extra += ["address", "latitude", "longitude"]
    if "caller_key" in wanted:
        extra.append("call__caller_phone")
    query = incidents.annotate(**expressions)
    query = query.order_by("received_at", "id") if ordered else query.order_by()
    tuples = _raw_rows(query.values_list(*select, *extra))
    transposed = list(zip(*tuples, strict=True)) if tuples else [()] * (len(select) + len(extra))
    columns: dict[str, list[Any]] = {}
    for position, key in enumerate([*plain, *times]):
        columns[key] = list(transposed[position])
    for key in ("escalated", "deescalated"):  # SQLite answers 0/1
        if key in columns:
            columns[key] = [bool(value) for value in columns[key]]
    for key in ("initial_lead", "final_lead"):
        if key in columns:
            columns[key] = [value or None for value in columns[key]]
    if "disposition" in columns:
        columns["disposition"] = [value or "" for value in columns["disposition"]]
    if "referrals_made" in columns:
        columns["referrals_made"] = [value or 0 for value in columns["referrals_made"]]
    rest = transposed[len(select) :]
    if "location_key" in wanted:  # places and callers repeat: normalise each once
        places: dict[tuple[Any, ...], str] = {}
        columns["location_key"] = [
            places[place] if place in places else places.setdefault(place, location_key(*place))
            for place in zip(rest[0], rest[1], rest[2], strict=True)
        ]
        rest = rest[3:]
    if "caller_key" in wanted:
        callers: dict[str | None, str] = {None: ""}
        columns["caller_key"] = [
            callers[p] if p in callers else callers.setdefault(p, caller_key(p)) for p in rest[0]
        ]
    ids = columns["incident_id"]
    position = {incident_id: i for i, incident_id in enumerate(ids)}
    size = len(ids)
    # The incidents' other records: for a snapshot's few changed incidents by their ids
    # (index lookups; none at all when nothing changed), else by the same filter as a
    # subquery (PostgreSQL then scans the other tables once).
    in_range: dict[str, Any] = (
        {"incident_id__in": ids}
        if not ordered and size <= 5000
        else {"incident__in": incidents.values("id")}
    )

    if "responder_type" in wanted:  # the program of the primary unit
        programs: list[Any] = [None] * size
        for incident_id, program in (
            Assignment.objects.filter(**in_range)
            .order_by("incident_id", "-primary", "assigned_at", "id")
            .values_list("incident_id", "unit__program")
        ):
            i = position.get(incident_id)
            if i is not None and programs[i] is None:
                programs[i] = program
        columns["responder_type"] = programs
    if "use_of_force" in wanted:
        forced = set(
            UseOfForceReport.objects.filter(**in_range).values_list("incident_id", flat=True)
        )
        columns["use_of_force"] = [incident_id in forced for incident_id in ids]
    if {"eligible_not_served", "eligible_not_served_reason"} & wanted:
        reasons: list[Any] = [None] * size
        served = [False] * size
        for incident_id, reason in (
            EligibleNotServed.objects.filter(**in_range)
            .order_by("id")
            .values_list("incident_id", "reason")
        ):
            i = position.get(incident_id)
            if i is not None and not served[i]:
                served[i], reasons[i] = True, reason
        columns["eligible_not_served"] = served
        columns["eligible_not_served_reason"] = reasons
    if {"age_band", "gender", "race_ethnicity", "birth_ymd"} & wanted:
        # The subject, else the first linked person (as incident_facts).
        chosen: dict[int, tuple[bool, Any, str, str]] = {}
        for incident_id, role, born, gender, race in (
            PersonLink.objects.filter(**in_range)
            .order_by("id")
            .values_list(
                "incident_id",
                "role",
                "person__date_of_birth",
                "person__gender",
                "person__race_ethnicity",
            )
        ):
            held = chosen.get(incident_id)
            if held is None or (role == "subject" and not held[0]):
                chosen[incident_id] = (role == "subject", born, gender, race)
        bands, genders, races = ["unknown"] * size, ["unknown"] * size, ["unknown"] * size
        births = [-1] * size
        for incident_id, (_, born, gender, race) in chosen.items():
            i = position.get(incident_id)
            if i is not None:
                bands[i] = Person(date_of_birth=born).age_band
                if born is not None:
                    births[i] = born.year * 10000 + born.month * 100 + born.day
                genders[i] = gender or "unknown"
                races[i] = race or "unknown"
        columns.update(age_band=bands, gender=genders, race_ethnicity=races, birth_ymd=births)
    return {key: value for key, value in columns.items() if key in wanted}


# ---------------------------------------------------------------- operations floor (issue 16)


def closeouts_pending(unit: Unit) -> list[Incident]:
    """Incidents this unit was on that were cleared but not yet closed out: they stay open
    for the unit until the close-out is submitted (clearing must never lose it)."""
    return list(
        Incident.objects.filter(status="cleared", assignments__unit=unit)
        .distinct()
        .order_by("cleared_at")
    )


def referral_count(incident_id: int) -> int | None:
    """Referrals made from the incident, counted from the referral records (not a typed
    number); None when the ecosystem pillar is not installed."""
    try:
        from rightresponse.ecosystem.models import Referral
    except ImportError:  # pragma: no cover - the pillar is part of the product
        return None
    return Referral.objects.filter(incident_id=incident_id, parent__isnull=True).count()


def incident_timeline(incident: Incident) -> list[dict[str, Any]]:
    """Every status, assignment, override, reclassification, tier change, note and referral
    of the incident, with who and when, oldest first."""
    labels = dict(IncidentEvent.KINDS)
    rows: list[dict[str, Any]] = []
    for event in incident.events.select_related("actor", "unit"):
        rows.append(
            {
                "at": event.at,
                "kind": event.kind,
                "what": labels.get(event.kind, event.kind),
                "detail": _event_detail(event),
                "reason": event.reason,
                "who": _who(event.actor),
            }
        )
    from rightresponse.ecosystem.models import ReferralEvent

    for event in ReferralEvent.objects.filter(referral__incident_id=incident.pk).select_related(
        "actor", "referral__service", "referral__to_agency"
    ):
        to = (
            event.referral.service.name if event.referral.service else event.referral.to_agency.name
        )
        rows.append(
            {
                "at": event.at,
                "kind": "referral",
                "what": f"Referral {event.to_status.replace('_', ' ')}",
                "detail": f"to {to}",
                "reason": event.note,
                "who": _who(event.actor),
            }
        )
    rows.sort(key=lambda row: row["at"])
    return rows


def _who(user: Any) -> str:
    if user is None:
        return "system"
    return user.get_full_name() or user.get_username()


def _event_detail(event: IncidentEvent) -> str:
    from rightresponse.core.dispatch import INCIDENT_STATUSES

    if event.kind == "status":
        return (
            f"{INCIDENT_STATUSES.get(event.from_value, event.from_value)} → "
            f"{INCIDENT_STATUSES.get(event.to_value, event.to_value)}"
        )
    if event.kind in ("assign", "release"):
        return event.unit.call_sign if event.unit else (event.to_value or event.from_value)
    if event.kind == "override":
        return f"sent {event.to_value} instead of the recommended unit"
    if event.from_value or event.to_value:
        return f"{event.from_value} → {event.to_value}".strip(" →")
    return ""


def supervisor_queue(
    targets: dict[int, int], within: QuerySet[Incident] | None = None
) -> dict[str, Any]:
    """Calls past their target (minutes by priority), units out of service, and utilisation
    by program (units busy / units in service); ``within``: the incidents the viewer sees."""
    from django.utils import timezone

    now = timezone.now()
    late = []
    qs = Incident.objects.all() if within is None else within
    for incident in qs.filter(status="waiting").order_by("received_at"):
        waited = (now - incident.received_at).total_seconds() / 60
        target = targets.get(incident.priority, targets[max(targets)])
        if waited > target:
            late.append({"incident": incident, "waited": waited, "target": target})
    out_of_service = list(Unit.objects.filter(status="out_of_service"))
    programs: dict[str, dict[str, int]] = {}
    for program, status, n in Unit.objects.values_list("program", "status").annotate(n=Count("id")):
        row = programs.setdefault(program, {"busy": 0, "available": 0, "out": 0})
        key = (
            "available"
            if status == "available"
            else "out"
            if status == "out_of_service"
            else "busy"
        )
        row[key] += n
    utilisation = [
        {
            "program": program,
            **row,
            "share": (row["busy"] / (row["busy"] + row["available"]))
            if row["busy"] + row["available"]
            else None,
        }
        for program, row in sorted(programs.items())
    ]
    return {"late": late, "out_of_service": out_of_service, "utilisation": utilisation}


def incident_reassessments(incident: Any) -> list[dict[str, Any]]:
    """The re-assessment loop's record for the incident page: each reclassification with
    the protocol's tier and risk before and after (no personal data)."""
    if incident.call_id is None:
        return []
    from rightresponse.triage.models import Reassessment

    rows = []
    for item in Reassessment.objects.filter(call_id=incident.call_id).order_by("at"):
        before, after = item.decision_before or {}, item.decision_after or {}
        rows.append({
            "at": item.at, "reason": item.reason,
            "call_type_before": item.call_type_before, "call_type_after": item.call_type_after,
            "tier_before": before.get("tier"), "tier_after": after.get("tier"),
            "risk_before": (before.get("risk") or {}).get("score"),
            "risk_after": (after.get("risk") or {}).get("score"),
            "tier_applied": item.tier_applied, "error": after.get("error", ""),
        })  # fmt: skip
    return rows
