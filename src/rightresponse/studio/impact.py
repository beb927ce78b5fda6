"""The impact preview: the city's own calls of the last year replayed under a version and
under the live protocol (``core.triage.impact``), with the severe outcomes in their
history for the safety check.

Reads are grouped in the database (call type and answers, with a count), so the Python
side makes one decision per distinct group, not per call: a city-year of 400,000 calls is
a few grouped queries and a few thousand decisions (benchmarks/studio_impact.py).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from rightresponse.core.triage import Program, Protocol
from rightresponse.core.triage.availability import TimeClasses, area_classes, time_classes
from rightresponse.core.triage.impact import CallGroup, Impact, context_free, replay_impact
from rightresponse.dispatch.models import Disposition, Incident, UseOfForceReport
from rightresponse.triage.models import Call

PERIOD = timedelta(days=365)


# The analytics' shifts and staffing relief (core.analytics.analysis.AnalysisConfig): one
# definition of "day, evening, night" and of an FTE for the city's data and its history.
# Imported when first needed: the analytics module loads ibis.
@functools.cache
def _config() -> Any:
    from rightresponse.core.analytics.analysis import AnalysisConfig

    return AnalysisConfig()


def _offsets(since: datetime, until: datetime) -> list[tuple[datetime, int]]:
    """The city's UTC offset (seconds) over [since, until) as (from, offset) runs: a year
    crosses two daylight-saving changes. Found to the minute at the changes, so SQLite can
    shift its stored UTC text with native arithmetic (no per-row Python function)."""
    tz = timezone.get_current_timezone()

    def offset(at: datetime) -> int:
        delta = at.astimezone(tz).utcoffset()
        return int(delta.total_seconds()) if delta else 0

    runs = [(since, offset(since))]
    day = since
    while day < until:
        step = min(day + timedelta(days=1), until)
        if offset(step) != runs[-1][1]:
            lo, hi = day, step  # old offset at lo, new at hi: bisect to the minute
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if offset(mid) == runs[-1][1] else (lo, mid)
            start = hi.replace(second=0, microsecond=0)
            start = start if offset(start) != runs[-1][1] else start + timedelta(minutes=1)
            runs.append((start, offset(start)))
        day = step
    return runs


def _offset_sql(since: datetime, until: datetime) -> tuple[str, list[Any]]:
    """SQLite: the city's UTC offset in minutes of the run a call falls in (a CASE)."""
    runs = _offsets(since, until)
    cases, params = [], []
    for start, offset in reversed(runs[1:]):
        cases.append("WHEN received_at >= %s THEN %s")
        params += [start.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"), offset // 60]
    first = runs[0][1] // 60
    return (f"CASE {' '.join(cases)} ELSE {first} END" if cases else str(first)), params


def _time_class(
    since: datetime, until: datetime, classes: TimeClasses, dependent: Sequence[str]
) -> Any:
    """The class of the minute of the week a call came in on the city's clock (its shift
    and which programs were open), read from a table of 10,080 bytes by position: the
    minute is computed once per call with native functions only (a per-row Python
    function, Django's way on SQLite, costs seconds a year). Call types whose decision
    cannot depend on the time (``dependent`` lacks them) read a table of shifts only, so
    their calls are not split further."""
    full, shifts = bytes(classes.by_minute()), bytes(classes.shift_by_minute())
    if dependent:
        marks = ", ".join(["%s"] * len(dependent))
        table_sql, table_params = (
            f"CASE WHEN call_type IN ({marks}) THEN %s ELSE %s END",
            [*dependent, full, shifts],
        )
    else:
        table_sql, table_params = "%s", [shifts]
    if connection.vendor == "postgresql":
        local = "(received_at AT TIME ZONE %s)"
        zone = str(timezone.get_current_timezone())
        minute = (
            f"((EXTRACT(ISODOW FROM {local})::int - 1) * 1440"
            f" + EXTRACT(HOUR FROM {local})::int * 60 + EXTRACT(MINUTE FROM {local})::int)"
        )
        table_sql = table_sql.replace("THEN %s ELSE %s", "THEN %s::bytea ELSE %s::bytea")
        sql = f"get_byte(({table_sql})::bytea, {minute})"
        params = [*table_params, zone, zone, zone]
        return RawSQL(sql, params, output_field=IntegerField())  # noqa: S611 - no user text
    # SQLite keeps UTC as "YYYY-MM-DD HH:MM:SS...": Unix minutes plus the offset of the
    # run the call falls in; 1970-01-01 was a Thursday (3 days after a Monday). substr on
    # a blob is by byte position, so the lookup costs the same at any minute.
    offset_sql, offset_params = _offset_sql(since, until)
    minute = (
        f"((CAST(strftime('%%s', received_at) AS INTEGER) / 60 + {offset_sql} + 4320) %% 10080)"
    )
    sql = f"hex(substr({table_sql}, {minute} + 1, 1))"
    return RawSQL(sql, [*table_params, *offset_params], output_field=CharField())  # noqa: S611 - no user text


def _class_number(value: Any) -> int:
    """A class read back: an integer (PostgreSQL's get_byte) or two hex digits (SQLite)."""
    return int(value, 16) if isinstance(value, str) else int(value)


def _shift_starts() -> list[tuple[int, str]]:
    return sorted(_config().shifts)


def _area_class(classes: dict[str, int], dependent: Sequence[str]) -> Any:
    """The call's area as its class for the programs' areas: 0 not known (or not
    mattering to the call's type), 1 an area no program names, then one per distinct set
    of programs serving it."""
    if not dependent or not classes:
        return Value(0, output_field=IntegerField())
    by_class: dict[int, list[str]] = {}
    for name, cls in classes.items():
        by_class.setdefault(cls, []).append(name)
    whens = [When(area="", then=Value(0))]
    whens += [When(area__in=names, then=Value(cls)) for cls, names in sorted(by_class.items())]
    area = Case(*whens, default=Value(1), output_field=IntegerField())
    return Case(When(call_type__in=list(dependent), then=area), default=Value(0),
                output_field=IntegerField())  # fmt: skip


def impact_groups(
    since: datetime,
    until: datetime,
    programs: Iterable[Program] = (),
    dependent: Sequence[str] = (),
) -> list[CallGroup]:
    """The calls grouped by what their decision depends on: call type and answers, and,
    for the workload and the programs' hours and areas, the class of the minute of the
    week they came in (its shift and which programs were open) and of their area. A few
    tens of thousands of rows for a city-year."""
    programs = list(programs)
    times = time_classes(programs, _shift_starts())
    if len(times.at) > 255:  # one byte per minute in the table
        raise ValueError("the programs' hours cut the week into more than 255 kinds of time")
    area_of, stand_for = area_classes(programs)
    rows = (
        Call.objects.filter(received_at__gte=since, received_at__lt=until)
        .annotate(
            tclass=_time_class(since, until, times, sorted(dependent)),
            aclass=_area_class(area_of, sorted(dependent)),
        )
        .values("call_type", "answers", "tclass", "aclass")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        CallGroup(
            row["call_type"],
            row["answers"] if isinstance(row["answers"], dict) else {},
            row["n"],
            times.shift[_class_number(row["tclass"])],
            times.at[_class_number(row["tclass"])],
            stand_for[int(row["aclass"])],
        )
        for row in rows
    ]


def unit_hours_by_type(since: datetime, until: datetime) -> dict[str, float]:
    """Mean unit-hours of a call of each call type: dispatch to cleared (or closed), over
    the incidents with both times, as the analytics measure them (one responding unit).
    A call type without any timed incident is absent: not measurable, never 0."""
    if connection.vendor == "postgresql":
        seconds = "EXTRACT(EPOCH FROM (COALESCE(cleared_at, closed_at) - dispatched_at))"
    else:
        seconds = "(julianday(COALESCE(cleared_at, closed_at)) - julianday(dispatched_at)) * 86400"
    # The incident's own columns (its received time, the call type its call was first
    # classified as): no join to the calls, which on a city-year costs seconds.
    # The received time wrapped so the planner scans the table once rather than walking
    # its index a row at a time to test times that are rarely all there.
    rows = (
        Incident.objects.annotate(received=Coalesce("received_at", "received_at"))
        .filter(received__gte=since, received__lt=until, dispatched_at__isnull=False)
        .filter(Q(cleared_at__isnull=False) | Q(closed_at__isnull=False))
        .values("initial_call_type")
        .annotate(mean=Avg(RawSQL(seconds, ()), output_field=FloatField()))  # noqa: S611 - constant SQL
        .order_by()
        .values_list("initial_call_type", "mean")
    )
    return {ct: max(mean, 0.0) / 3600 for ct, mean in rows if mean is not None}


def outcome_history(
    since: datetime, until: datetime, call_types: Sequence[str]
) -> dict[str, dict[str, int]]:
    """For the given call types, how many of their calls had a backup request, an injury
    in a use-of-force report, or an arrest on a call with violence, a weapon or a threat
    to life (report: risk analysis ties injuries, force and arrests back to the initial
    call classification). Three grouped queries on the call type's index; a weapon
    reported at intake comes from the call groups (``with_weapons``)."""
    history: dict[str, dict[str, int]] = {ct: {} for ct in call_types}
    if not call_types:
        return history
    injured = UseOfForceReport.objects.filter(incident=OuterRef("pk")).filter(
        Q(subject_injured=True) | Q(responder_injured=True)
    )
    arrested = Disposition.objects.filter(incident=OuterRef("pk"), outcome="arrest")
    violent = (
        Q(call__answers__violence="yes")
        | Q(call__answers__weapon="yes")
        | Q(call__answers__threat_to_life="yes")
    )
    # One pass over the incidents of these call types (not one join per outcome: on a
    # city-year that halves the time).
    rows = (
        Incident.objects.filter(
            call__call_type__in=list(call_types),
            call__received_at__gte=since,
            call__received_at__lt=until,
        )
        .values("call__call_type")
        .annotate(
            backup=Count("id", filter=Q(backup_requested=True)),
            injury=Count("id", filter=Q(Exists(injured))),
            arrest_violence=Count("id", filter=Q(Exists(arrested)) & violent),
        )
        .order_by()
    )
    for row in rows:
        counts = {k: row[k] for k in ("backup", "injury", "arrest_violence") if row[k]}
        history[row["call__call_type"]] = counts
    return history


def with_weapons(
    history: dict[str, dict[str, int]], groups: Iterable[CallGroup]
) -> dict[str, dict[str, int]]:
    """Adds the calls of each of ``history``'s call types that reported a weapon at intake."""
    for group in groups:
        if group.call_type in history and group.answers.get("weapon") == "yes":
            counts = history[group.call_type]
            counts["weapon"] = counts.get("weapon", 0) + group.count
    return history


def city_impact(draft: Protocol, live: Protocol) -> Impact:
    """The last year's calls replayed under ``live`` and ``draft``, read afresh on every
    preview (no snapshot, no stamps: what the database holds now). The replay makes one
    decision per distinct (call type, answers) per protocol, and the severe-outcome
    history is read only for the call types the draft moves toward civilian-only (the
    safety check's subject): on a city-year that turns ~6 s of full joins into a few
    indexed lookups (benchmarks/studio_impact.py)."""
    until = timezone.now()
    since = until - PERIOD
    # Both protocols' programs: a stretch of the week where either opens or closes one.
    # Only the call types that can reach a program with hours or areas are told apart by
    # time and area beyond their shift (core.triage.impact.context_free).
    dependent = set(live.call_types) | set(draft.call_types)
    dependent -= context_free(live) & context_free(draft)
    programs = [*live.programs.values(), *draft.programs.values()]
    groups = impact_groups(since, until, programs, sorted(dependent))
    hours = unit_hours_by_type(since, until)

    def history(call_types: Sequence[str]) -> dict[str, dict[str, int]]:
        return with_weapons(outcome_history(since, until, call_types), groups)

    return replay_impact(
        live, draft, groups, history, hours, hours_per_fte=_config().officer_hours_per_year
    )


@dataclass(frozen=True)
class DatasetImpact:
    title: str
    slug: str
    impact: Impact
    unmapped: int  # calls whose local code the dataset's mapping gives no call type
    comparison: dict[str, Any]  # issue 11's A/B: unit-hours and FTE diverted under each


def _dataset_time_class(calls: Any, times: TimeClasses) -> Any:
    """The class of the minute of the week of each imported call, on its own city's clock
    (the import's ``received_local``), by ranges of minutes (the stretches of the week)."""
    import ibis

    local = calls.received_local
    minute = local.day_of_week.index() * 1440 + local.hour() * 60 + local.minute()
    bounds = [*times.edges[1:], 7 * 1440]
    cases = [
        ((minute >= start) & (minute < end), cls)
        for start, end, cls in zip(times.edges, bounds, times.class_of, strict=True)
    ]
    return ibis.cases(*cases, else_=0)


def dataset_groups(
    dataset: Any, programs: Iterable[Program] = ()
) -> tuple[list[CallGroup], dict[str, dict[str, int]], int]:
    """An imported dataset's calls grouped by their mapped call type and the answers the
    local code implies (the dataset profile's mapping, as issue 4's replay uses it), the
    severe dispositions per call type, and the calls no call type maps to. When
    ``programs`` have hours (and the dataset has times of day), each call is replayed at
    its own local time, as the city's own calls are; its areas are another naming than
    the city's, so programs' areas are not applied."""
    import re

    from rightresponse.analytics.selectors import dataset_calls, mapping_get, profile_get

    profile = profile_get(dataset.profile)
    mapping = mapping_get(profile)
    calls = dataset_calls(dataset)
    pattern = profile.severe_dispositions
    keys = ["initial_type", *(["disposition"] if pattern else [])]
    programs = [p for p in programs if p.hours is not None]
    times = time_classes(programs, []) if programs and profile.time_resolution != "day" else None
    if times is not None:
        calls = calls.mutate(tclass=_dataset_time_class(calls, times))
        keys.append("tclass")
    rows = calls.group_by(keys).agg(n=calls.count()).to_pyarrow().to_pylist()
    severe = re.compile(pattern, re.IGNORECASE) if pattern else None
    counts: dict[tuple[str, tuple[tuple[str, str], ...], int], int] = {}
    history: dict[str, dict[str, int]] = {}
    unmapped = 0
    for row in rows:
        mapped = mapping.get(row["initial_type"]) if row["initial_type"] is not None else None
        if mapped is None or not mapped.call_type:
            unmapped += row["n"]
            continue
        tclass = int(row["tclass"]) if times is not None and row["tclass"] is not None else -1
        key = (mapped.call_type, tuple(sorted(mapped.answers.items())), tclass)
        counts[key] = counts.get(key, 0) + row["n"]
        if severe is not None and row.get("disposition") and severe.search(row["disposition"]):
            per_type = history.setdefault(mapped.call_type, {})
            per_type["severe_disposition"] = per_type.get("severe_disposition", 0) + row["n"]
        if mapped.answers.get("weapon") == "yes":
            per_type = history.setdefault(mapped.call_type, {})
            per_type["weapon"] = per_type.get("weapon", 0) + row["n"]
    groups = [
        CallGroup(ct, dict(answers), n, at=times.at[c] if times is not None and c >= 0 else None)
        for (ct, answers, c), n in counts.items()
    ]
    return groups, history, unmapped


def dataset_impacts(draft: Protocol, live: Protocol) -> list[DatasetImpact]:
    """The same replay on every imported dataset that has calls."""
    from rightresponse.analytics.selectors import dataset_has_calls, dataset_list

    out = []
    for dataset in dataset_list():
        if not dataset_has_calls(dataset):
            continue
        programs = [*live.programs.values(), *draft.programs.values()]
        groups, history, unmapped = dataset_groups(dataset, programs)
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
