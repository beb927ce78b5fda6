"""The metric facts (contracts 3 and 4) as Ibis expressions over the operational tables.

One incident fact row per incident and one referral fact row per referral, with exactly the
keys of ``FACT_FIELDS``: what ``dispatch.selectors.incident_facts`` and
``ecosystem.selectors.referral_facts`` give row by row, written once as relational
expressions so that an engine computes them (DuckDB attaching the operational database in
production, Spark for a state's pooled data: docs/architecture.md, docs/operations.md).
Pure: the caller gives a function from a table's short name to an Ibis table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

import ibis
import ibis.expr.types as ir

from .definitions import AGE_BANDS, AGE_OLDEST, UNKNOWN
from .facts import FACT_FIELDS

# Short name -> the Django table that holds it.
TABLES = {
    "incident": "dispatch_incident",
    "call": "triage_call",
    "disposition": "dispatch_disposition",
    "assignment": "dispatch_assignment",
    "unit": "dispatch_unit",
    "force": "dispatch_useofforcereport",
    "not_served": "dispatch_eligiblenotserved",
    "link": "dispatch_personlink",
    "person": "people_person",
    "referral": "ecosystem_referral",
    "service": "ecosystem_service",
}
Tables = Callable[[str], ir.Table]

INCIDENT_TIMES = ("received_at", "answered_at", "dispatched_at", "en_route_at", "on_scene_at",
                  "cleared_at", "closed_at")  # fmt: skip
# Fact key -> incident column, read as is.
_INCIDENT_PLAIN = {
    "call_type": "call_type",
    "initial_call_type": "initial_call_type",
    "category": "category",
    "initial_category": "initial_category",
    "channel": "channel",
    "area": "area",
    "initial_tier": "initial_tier",
    "final_tier": "tier",
    "lead_switches": "lead_switches",
}
_DEMOGRAPHICS = ("age_band", "gender", "race_ethnicity")


def _blank_null(value: ir.StringValue) -> ir.StringValue:
    """'' (Django's blank text) as null."""
    return value.nullif("")


def _flag(value: ir.Value) -> ir.BooleanValue:
    """A boolean column (SQLite keeps 0/1 integers)."""
    return value.cast("boolean")


def _first(table: ir.Table, order: list[Any]) -> ir.Table:
    """The first row of each incident's rows in ``order``."""
    ranked = table.mutate(_rank=ibis.row_number().over(group_by="incident_id", order_by=order))
    return ranked.filter(ranked._rank == 0).drop("_rank")


def age_band(born: ir.DateValue, today: date) -> ir.StringValue:
    """The age band (definitions.AGE_BANDS) of someone born on ``born``, on ``today``."""
    before_birthday = (born.month() > today.month) | (
        (born.month() == today.month) & (born.day() > today.day)
    )
    age = today.year - born.year() - before_birthday.cast("int64")
    band: Any = ibis.cases(*((age <= upper, label) for upper, label in AGE_BANDS),
                           else_=AGE_OLDEST)  # fmt: skip
    return born.isnull().ifelse(UNKNOWN, band)


def location_key(address: ir.StringValue, lat: ir.FloatingValue, lon: ir.FloatingValue) -> Any:
    """A normalised address, or coordinates to about 100 m when there is none, else ''
    (as ``dispatch.selectors.location_key``: only which rows share a key matters)."""
    normal = address.lower().re_replace(r"[,.\s]+", " ").strip()
    coords = (
        (lat * 1000).round().cast("int64").cast("string")
        + ","
        + ((lon * 1000).round().cast("int64").cast("string"))
    )
    return ibis.cases((normal != "", normal), (lat.notnull() & lon.notnull(), coords), else_="")


def caller_key(phone: ir.StringValue) -> Any:
    """The caller's digits as a 64-bit hash ('' without digits): repeat callers are
    counted without a phone number leaving the engine (report ~1436)."""
    digits = phone.re_replace(r"[^0-9]", "")
    return ibis.ifelse(digits.isnull() | (digits == ""), "", digits.hash().cast("string"))


def _period(table: ir.Table, column: str, start: datetime | None, end: datetime | None) -> ir.Table:
    if start is not None:
        table = table.filter(table[column] >= start)
    if end is not None:
        table = table.filter(table[column] < end)
    return table


def incident_facts(
    tables: Tables,
    *,
    today: date,
    start: datetime | None = None,
    end: datetime | None = None,
    fields: Iterable[str] | None = None,
) -> ir.Table:
    """The incident facts received in [start, end), ordered by received_at then id, with
    ``incident_id`` and the keys in ``fields`` (all by default). ``today`` dates the age
    bands (they change with the day)."""
    wanted = set(FACT_FIELDS["incidents"] if fields is None else fields)
    inc = _period(tables("incident"), "received_at", start, end)
    columns: dict[str, Any] = {"incident_id": inc.id}
    columns.update({name: inc[name] for name in INCIDENT_TIMES if name in wanted})
    columns.update({key: inc[col] for key, col in _INCIDENT_PLAIN.items() if key in wanted})
    for key, col in (("initial_lead", "initial_lead"), ("final_lead", "lead")):
        if key in wanted:
            columns[key] = _blank_null(inc[col])
    for key in ("escalated", "deescalated"):
        if key in wanted:
            columns[key] = _flag(inc[key])
    if "location_key" in wanted:
        columns["location_key"] = location_key(inc.address, inc.latitude, inc.longitude)
    facts = inc
    if {"disposition", "outcome", "referrals_made"} & wanted:
        disp = tables("disposition").select(
            d_incident="incident_id",
            d_disposition="disposition",
            d_outcome="outcome",
            d_referrals="referrals_made",
        )
        facts = facts.left_join(disp, inc.id == disp.d_incident)
        columns["disposition"] = facts.d_disposition.fill_null("")
        columns["outcome"] = facts.d_outcome
        columns["referrals_made"] = facts.d_referrals.fill_null(0)
    if "caller_key" in wanted:
        call = tables("call").select(c_id="id", c_phone="caller_phone")
        facts = facts.left_join(call, inc.call_id == call.c_id)
        columns["caller_key"] = caller_key(facts.c_phone)
    if "responder_type" in wanted:  # the program of the primary unit (else the first)
        assignment = tables("assignment")
        unit = tables("unit").select(u_id="id", program="program")
        ranked = assignment.join(unit, assignment.unit_id == unit.u_id)
        primary = _first(ranked, [ibis.desc(ranked.primary), ranked.assigned_at, ranked.id])
        primary = primary.select(r_incident="incident_id", r_program="program")
        facts = facts.left_join(primary, inc.id == primary.r_incident)
        columns["responder_type"] = facts.r_program
    if "use_of_force" in wanted:
        force = tables("force").select(f_incident="incident_id").distinct()
        facts = facts.left_join(force, inc.id == force.f_incident)
        columns["use_of_force"] = facts.f_incident.notnull()
    if {"eligible_not_served", "eligible_not_served_reason"} & wanted:
        not_served = tables("not_served")
        first = _first(not_served, [not_served.id]).select(n_incident="incident_id",
                                                           n_reason="reason")  # fmt: skip
        facts = facts.left_join(first, inc.id == first.n_incident)
        columns["eligible_not_served"] = facts.n_incident.notnull()
        columns["eligible_not_served_reason"] = facts.n_reason
    if set(_DEMOGRAPHICS) & wanted:  # the subject, else the first person linked
        link = tables("link")
        person = tables("person").select(p_id="id", born="date_of_birth", p_gender="gender",
                                         p_race="race_ethnicity")  # fmt: skip
        linked = link.join(person, link.person_id == person.p_id)
        subject = _first(linked, [(linked.role != "subject").cast("int8"), linked.id])
        subject = subject.select(s_incident="incident_id", born="born", p_gender="p_gender",
                                 p_race="p_race")  # fmt: skip
        facts = facts.left_join(subject, inc.id == subject.s_incident)
        columns["age_band"] = age_band(facts.born, today)
        columns["gender"] = _blank_null(facts.p_gender).fill_null(UNKNOWN)
        columns["race_ethnicity"] = _blank_null(facts.p_race).fill_null(UNKNOWN)
    selected = {k: v for k, v in columns.items() if k == "incident_id" or k in wanted}
    return facts.select(**selected).order_by(["received_at", "incident_id"] if "received_at"
                                             in selected else ["incident_id"])  # fmt: skip


def referral_facts(
    tables: Tables,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    fields: Iterable[str] | None = None,
) -> ir.Table:
    """The referral facts created in [start, end), ordered by created_at then id: no
    personal data (VAWA/FVPSA/VOCA), facts to aggregate only."""
    wanted = set(FACT_FIELDS["referrals"] if fields is None else fields)
    ref = _period(tables("referral"), "created_at", start, end)
    second = _flag(ref.is_second_response)
    columns: dict[str, Any] = {
        "referral_id": ref.id,
        "incident_id": ref.incident_id,
        "created_at": ref.created_at,
        "accepted_at": ref.accepted_at,
        "first_contact_at": ref.first_contact_at,
        "completed_at": ref.completed_at,
        "source": ref.source,
        "incident_category": _blank_null(ref.incident_category),
        "service_id": ref.service_id.cast("string"),
        "status": ref.status,
        "outcome_reason": _blank_null(ref.outcome_reason),
        "is_second_response": second,
        "reached": second.ifelse(_flag(ref.reached), ibis.null("boolean")),
        "connected": second.ifelse(_flag(ref.connected), ibis.null("boolean")),
    }
    facts = ref
    if {"service_category", "subcategory"} & wanted:
        service = tables("service").select(s_id="id", s_category="category",
                                           s_subcategory="subcategory")  # fmt: skip
        facts = facts.left_join(service, ref.service_id == service.s_id)
        columns["service_category"] = _blank_null(facts.s_category)
        columns["subcategory"] = _blank_null(facts.s_subcategory)
    selected = {
        k: v for k, v in columns.items() if k in ("referral_id", "created_at") or k in wanted
    }
    return facts.select(**selected).order_by(["created_at", "referral_id"])
