"""Writes of the dispatch pillar: create incidents from calls, recommend and assign units,
move incidents through their lifecycle, close them and import them.

Every write runs in one transaction and records an IncidentEvent saying who, when and why.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from rightresponse.accounts.models import Agency
from rightresponse.accounts.services import audit_record
from rightresponse.core.dispatch import (
    HoursError,
    IllegalTransition,
    IncidentNeed,
    Recommendation,
    UnitInfo,
    check_incident_transition,
    check_unit_transition,
    crosses_to_civilian,
    crosses_to_police,
    incident_from_eidd,
    lead_of_tier,
    parse_hours,
    recommend,
    tier_change_kind,
    unit_choices,
)
from rightresponse.geo import selectors as geo
from rightresponse.people.models import Person
from rightresponse.triage.models import Call

from . import protocol as proto
from .errors import Conflict, Invalid, NotFound
from .models import (
    OUTCOMES,
    Assignment,
    Disposition,
    EligibleNotServed,
    IdempotencyKey,
    Incident,
    IncidentEvent,
    PersonLink,
    Unit,
    UnitMember,
    UseOfForceReport,
)
from .signals import incident_closed

log = logging.getLogger(__name__)
User = AbstractBaseUser | None

# Incident status -> the timestamp (and actor) field it sets the first time it is reached.
STAMP_OF_STATUS = {
    "dispatched": "dispatched",
    "en_route": "en_route",
    "on_scene": "on_scene",
    "cleared": "cleared",
    "closed": "closed",
}
# Incident status -> status of its assigned units.
UNIT_STATUS_OF_INCIDENT = {
    "dispatched": "dispatched",
    "en_route": "en_route",
    "on_scene": "on_scene",
    "transporting": "transporting",
}


def _actor(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _event(incident: Incident, actor: Any, kind: str, **fields: Any) -> IncidentEvent:
    return IncidentEvent.objects.create(
        incident=incident, at=fields.pop("at", None) or timezone.now(), actor=_actor(actor),
        kind=kind, **{k: ("" if v is None else v) if k != "unit" else v for k, v in fields.items()},
    )  # fmt: skip


def _locked_incident(incident_id: int) -> Incident:
    try:
        return Incident.objects.select_for_update().get(pk=incident_id)
    except Incident.DoesNotExist:
        raise NotFound(f"incident {incident_id} does not exist") from None


def _locked_unit(unit_id: int) -> Unit:
    try:
        return Unit.objects.select_for_update().get(pk=unit_id)
    except Unit.DoesNotExist:
        raise NotFound(f"unit {unit_id} does not exist") from None


def _require_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(f"{what} needs a reason")
    return reason[:500]


def priority_of(tier: int | None, risk_score: int | None) -> int:
    """1 most urgent .. 5 least: from the risk score (likelihood x consequence, report
    ~1130) when there is one, else from the tier."""
    if risk_score is not None:
        for floor, priority in ((15, 1), (10, 2), (5, 3), (3, 4)):
            if risk_score >= floor:
                return priority
        return 5
    return {4: 2, 3: 2, 2: 3, 1: 4, 0: 5}.get(tier if tier is not None else 2, 3)


# ---------------------------------------------------------------- incidents from calls


def incident_create_from_call(call: Call, actor: Any = None, *, new_call: bool = False) -> Incident:
    """The incident for a triaged call; returns the existing one if it was created before.
    ``new_call``: the call row was just inserted, so no incident can exist yet (saves a read
    and a savepoint; a duplicate would still be refused by the unique constraint)."""
    existing = None if new_call else Incident.objects.filter(call=call).first()
    if existing is not None:
        return existing
    if call.tier is None:
        raise Invalid(f"call {call.pk} has not been triaged (no tier)")
    decision = call.decision or {}
    category = decision.get("category") or proto.category_of(call.call_type)
    lead = call.lead or decision.get("lead") or lead_of_tier(call.tier) or ""
    incident = Incident(
        call=call,
        agency_id=call.agency_id,
        channel=call.channel,
        call_type=call.call_type,
        initial_call_type=call.call_type,
        category=category,
        initial_category=category,
        tier=call.tier,
        initial_tier=call.tier,
        lead=lead,
        initial_lead=lead,
        priority=priority_of(call.tier, call.risk_score),
        programs=list(decision.get("programs") or []),
        address=call.address,
        latitude=call.latitude,
        longitude=call.longitude,
        area=call.area,
        received_at=call.received_at,
        answered_at=call.answered_at,
        triaged_at=call.triaged_at,
        triaged_by=call.created_by,
    )
    # A new incident has no units and no linked people yet: recommend before the insert,
    # so the recommendation rides in it (no update after).
    incident_recommend(incident, busy=set(), people=[], save=False)
    # No savepoint of its own: a failure propagates and rolls back the caller's transaction.
    with transaction.atomic(savepoint=False):
        if new_call:  # the call row is new in this transaction: nobody else can see it yet
            incident.save(force_insert=True)
        else:
            try:
                with transaction.atomic():
                    incident.save(force_insert=True)
            except IntegrityError:  # created concurrently for the same call
                return Incident.objects.get(call=call)
        _event(incident, actor or call.created_by, "created", to_value=f"tier {call.tier}")
    return incident


def call_triaged(call: Call, *, created: bool = False) -> Incident | None:
    """Called when a call is saved: a triaged call that needs a field response becomes an
    incident. Tier 0 (virtual) and screened-out calls do not. A call re-triaged before any
    unit was sent updates its waiting incident. ``created``: the call row is new."""
    existing = None if created else Incident.objects.filter(call=call).first()
    if existing is not None:
        if existing.status == "waiting" and existing.dispatched_at is None:
            _retriage_waiting(existing, call)
        return existing
    if call.tier is None or call.tier == 0 or call.screened_out or not call.call_type:
        return None
    return incident_create_from_call(call, new_call=created)


def _retriage_waiting(incident: Incident, call: Call) -> None:
    """Before dispatch the call taker's newest triage *is* the initial classification, so
    initial and current values move together (escalation is measured after dispatch)."""
    decision = call.decision or {}
    if (call.call_type, call.tier) == (incident.call_type, incident.tier) and list(
        decision.get("programs") or []
    ) == list(incident.programs or []):
        return
    if call.tier is None or call.tier == 0 or call.screened_out:
        _event(incident, call.created_by, "reclassify", from_value=incident.call_type,
               to_value=call.call_type, reason="re-triaged: no field response needed")  # fmt: skip
        incident.status = "closed"
        incident.closed_at = timezone.now()
        incident.save(update_fields=["status", "closed_at"])
        Disposition.objects.create(incident=incident, disposition="re-triaged to a virtual option",
                                   outcome="no_action_needed")  # fmt: skip
        return
    category = decision.get("category") or proto.category_of(call.call_type)
    lead = call.lead or decision.get("lead") or lead_of_tier(call.tier) or ""
    _event(incident, call.created_by, "reclassify",
           from_value=f"{incident.call_type} tier {incident.tier}",
           to_value=f"{call.call_type} tier {call.tier}", reason="re-triaged before dispatch")  # fmt: skip
    for field, value in (("call_type", call.call_type), ("category", category),
                         ("tier", call.tier), ("lead", lead)):  # fmt: skip
        setattr(incident, field, value)
        setattr(incident, f"initial_{field}", value)
    incident.programs = list(decision.get("programs") or [])
    incident.priority = priority_of(call.tier, call.risk_score)
    incident.save()
    incident_recommend(incident)


# ---------------------------------------------------------------- recommendation


# Shift and service-hours texts repeat across members and units and rarely change: parse
# each distinct text once per process (ServiceHours is frozen, so sharing it is safe).
_parsed_hours = lru_cache(maxsize=2048)(parse_hours)


def _unit_infos(exclude_ids: set[int] | None = None) -> list[UnitInfo]:
    # A member's capabilities count while their shift is on (report ~1682: HR shift data).
    now = timezone.localtime(timezone.now()).replace(tzinfo=None)
    members: dict[int, set[str]] = {}
    for unit_id, caps, shift in UnitMember.objects.filter(
        active=True, unit__isnull=False
    ).values_list("unit_id", "capabilities", "shift"):
        try:
            on_shift = _parsed_hours(shift).open_at(now)
        except HoursError:
            on_shift = False
        if on_shift:
            members.setdefault(unit_id, set()).update(caps or [])
    infos = []
    for unit in Unit.objects.all():
        if exclude_ids and unit.pk in exclude_ids:
            continue
        infos.append(
            UnitInfo(
                id=unit.pk,
                call_sign=unit.call_sign,
                program=unit.program,
                kind=unit.kind,
                status=unit.status,
                hours=_parsed_hours(unit.service_hours),
                capabilities=frozenset(unit.capabilities or [])
                | frozenset(members.get(unit.pk, ())),
                areas=frozenset(unit.areas or []),
                polygon=tuple((float(p[0]), float(p[1])) for p in unit.polygon or []),
                latitude=unit.latitude,
                longitude=unit.longitude,
            )
        )
    return infos


def incident_need(incident: Incident, people: list[Any] | None = None) -> IncidentNeed:
    """What the incident needs; ``people``: its linked people when already in hand."""
    preferred: set[str] = set()
    if incident.call_type in proto.CRISIS_CALL_TYPES:
        preferred.add("CIT")
    if people is None:
        people = [link.person for link in incident.person_links.select_related("person")[:1]]
    person = people[0] if people else None
    if person is not None and person.preferred_language:
        preferred.add(f"lang:{person.preferred_language.strip().lower()[:3]}")
    zones = geo.program_zones(incident.latitude, incident.longitude)
    return IncidentNeed(
        tier=incident.tier if incident.tier is not None else 4,
        programs=tuple(incident.programs or ["police"]),
        at=timezone.localtime(timezone.now()).replace(tzinfo=None),
        area=incident.area,
        latitude=incident.latitude,
        longitude=incident.longitude,
        preferred_capabilities=frozenset(preferred),
        program_kinds=proto.program_kinds(),
        zoned_programs=zones.zoned,
        in_zones=zones.inside,
    )


def incident_recommend(
    incident: Incident,
    units: list[UnitInfo] | None = None,
    *,
    save: bool = True,
    busy: set[int] | None = None,
    people: list[Any] | None = None,
) -> Recommendation:
    """Recommend units now; by default keep the recommendation on the incident (what the
    dispatcher was shown, and what an override is measured against). ``busy`` (units on
    this incident) and ``people`` (its linked people) skip a read when the caller has them."""
    if busy is None:
        busy = set(incident.assignments.filter(active=True).values_list("unit_id", flat=True))
    infos = [u for u in (units if units is not None else _unit_infos()) if u.id not in busy]
    result = recommend(incident_need(incident, people), infos)
    data = result.to_dict()
    data["at"] = timezone.now().isoformat()
    if save:
        Incident.objects.filter(pk=incident.pk).update(recommendation=data)
    incident.recommendation = data
    return result


def incidents_refresh_recommendations(incidents: list[Incident]) -> None:
    """Fresh recommendations for the board (units load once), in memory only: a unit freed
    or taken a moment ago shows at once. Each incident also gets ``unit_choices``: every
    available unit, recommended first, so the dispatcher can always send someone."""
    units = _unit_infos()
    for incident in incidents:
        busy = {a.unit_id for a in getattr(incident, "active_assignments", [])}
        free = [u for u in units if u.id not in busy]
        need = incident_need(incident)
        result = recommend(need, free)
        data = result.to_dict()
        data["at"] = timezone.now().isoformat()
        incident.recommendation = data
        incident.unit_choices = [  # type: ignore[attr-defined]
            c.to_dict() for c in unit_choices(need, free, result)
        ]


# ---------------------------------------------------------------- assignment


@transaction.atomic
def incident_assign(
    incident_id: int, unit_id: int, actor: Any = None, override_reason: str = ""
) -> Assignment:
    """Assign a unit. Taking another unit than the top recommendation is an override and
    needs a reason. The database refuses a second active assignment for a unit."""
    incident = _locked_incident(incident_id)
    if incident.status in ("closed", "cleared"):
        raise Conflict(f"incident {incident_id} is {incident.status}; it takes no more units")
    unit = _locked_unit(unit_id)
    if unit.status != "available":
        raise Conflict(f"unit {unit.call_sign} is {unit.status.replace('_', ' ')}, not available")
    # Measured against the recommendation now, not a stale one: units change every minute.
    busy = set(incident.assignments.filter(active=True).values_list("unit_id", flat=True))
    candidates = incident_recommend(incident, busy=busy).to_dict()["candidates"]
    top = candidates[0]["unit_id"] if candidates else None
    recommended = top == unit.pk
    reason = override_reason.strip()
    if not recommended and not reason:
        # 409: the request is well formed, but the live recommendation (which changes as
        # units move) disagrees with it; retry with a reason or the recommended unit.
        raise Conflict(
            f"unit {unit.call_sign} is not the recommended unit; overriding the recommendation "
            "needs a reason"
        )
    now = timezone.now()
    first = not busy
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                incident=incident, unit=unit, active=True, primary=first, assigned_at=now,
                assigned_by=_actor(actor), recommended=recommended, override_reason=reason[:300],
            )  # fmt: skip
    except IntegrityError:
        raise Conflict(f"unit {unit.call_sign} is already on an active incident") from None
    unit.status, unit.status_changed_at = "dispatched", now
    unit.save(update_fields=["status", "status_changed_at"])
    _event(incident, actor, "assign", unit=unit, to_value=unit.call_sign, at=now)
    if not recommended:
        _event(incident, actor, "override", unit=unit, from_value=str(top or ""),
               to_value=unit.call_sign, reason=reason, at=now)  # fmt: skip
        # A dispatcher's decision against the protocol is accountable: the audit log too.
        audit_record(actor, "write", "incident", incident.pk,
                     purpose="dispatch override of the recommendation",
                     detail={"recommended_unit_id": top, "unit": unit.call_sign,
                             "reason": reason[:300]})  # fmt: skip
    if incident.status == "waiting":
        # The units on the incident are the ones it had plus this one (already dispatched).
        _apply_status(incident, "dispatched", actor, now, units=None if busy else [unit])
    _record_not_served(incident, unit, now)
    return assignment


def _record_not_served(incident: Incident, unit: Unit, now: datetime) -> None:
    """When a civilian response was eligible but another kind of unit goes (co-response or
    police), record why (Denver STAR, report ~1243)."""
    if unit.kind == "civilian":
        return
    for item in (incident.recommendation or {}).get("eligible_not_served") or []:
        EligibleNotServed.objects.get_or_create(
            incident=incident,
            program=item["program"],
            defaults={"reason": item["reason"], "area": incident.area, "recorded_at": now},
        )


# ---------------------------------------------------------------- lifecycle


def _apply_status(
    incident: Incident, target: str, actor: Any, now: datetime, units: list[Unit] | None = None
) -> None:
    """``units``: the incident's active units when the caller already has them."""
    previous = incident.status
    check_incident_transition(previous, target)
    incident.status = target
    stamp = STAMP_OF_STATUS.get(target)
    fields = ["status"]
    if stamp and getattr(incident, f"{stamp}_at") is None:
        setattr(incident, f"{stamp}_at", now)
        setattr(incident, f"{stamp}_by", _actor(actor))
        fields += [f"{stamp}_at", f"{stamp}_by"]
    incident.save(update_fields=fields)
    _event(incident, actor, "status", from_value=previous, to_value=target, at=now)
    if target in ("cleared", "waiting", "closed"):
        _release_units(incident, actor, now)
    elif target in UNIT_STATUS_OF_INCIDENT:
        if units is None:
            active = incident.assignments.filter(active=True).select_related("unit")
            units = [assignment.unit for assignment in active]
        for unit in units:
            _unit_status(unit, UNIT_STATUS_OF_INCIDENT[target], now, strict=False)


def _unit_status(unit: Unit, target: str, now: datetime, *, strict: bool) -> None:
    if unit.status == target:
        return
    try:
        check_unit_transition(unit.status, target)
    except IllegalTransition:
        if strict:
            raise
        return  # a backup unit that arrived later keeps its own status
    unit.status, unit.status_changed_at = target, now
    unit.save(update_fields=["status", "status_changed_at"])


def _release_units(incident: Incident, actor: Any, now: datetime) -> None:
    for assignment in incident.assignments.filter(active=True).select_related("unit"):
        assignment.active, assignment.released_at = False, now
        assignment.save(update_fields=["active", "released_at"])
        unit = assignment.unit
        if unit.status != "out_of_service":
            unit.status, unit.status_changed_at = "available", now
            unit.save(update_fields=["status", "status_changed_at"])
        _event(incident, actor, "release", unit=unit, from_value=unit.call_sign, at=now)


@transaction.atomic
def incident_set_status(incident_id: int, status: str, actor: Any = None) -> Incident:
    """Move an incident along its lifecycle; illegal moves raise Conflict with a message."""
    incident = _locked_incident(incident_id)
    if status == "closed":  # closing records the outcome and sends incident_closed
        raise Conflict("close an incident with its disposition and outcome (the close action)")
    if status == "dispatched" and not incident.assignments.filter(active=True).exists():
        raise Conflict("assign a unit to dispatch an incident")
    try:
        _apply_status(incident, status, actor, timezone.now())
    except IllegalTransition as exc:
        raise Conflict(str(exc)) from None
    if status == "waiting":
        incident_recommend(incident)
    return incident


@transaction.atomic
def unit_set_status(unit_id: int, status: str, actor: Any = None) -> Unit:
    unit = _locked_unit(unit_id)
    now = timezone.now()
    try:
        _unit_status(unit, status, now, strict=True)
    except IllegalTransition as exc:
        raise Conflict(str(exc)) from None
    if status in ("available", "out_of_service"):
        for assignment in unit.assignments.filter(active=True).select_related("incident"):
            assignment.active, assignment.released_at = False, now
            assignment.save(update_fields=["active", "released_at"])
            _event(assignment.incident, actor, "release", unit=unit, from_value=unit.call_sign,
                   reason=f"unit set {status}", at=now)  # fmt: skip
    return unit


@transaction.atomic
def incident_reclassify(
    incident_id: int, call_type: str, actor: Any, reason: str, tier: int | None = None
) -> Incident:
    """A new call type (and optionally tier) after dispatch, with who, when and why."""
    incident = _locked_incident(incident_id)
    reason = _require_reason(reason, "reclassification")
    if incident.status == "closed":
        raise Conflict(f"incident {incident_id} is closed")
    known = proto.call_types()
    if call_type not in known:
        raise Invalid(f"call type {call_type!r} is not in the protocol")
    now = timezone.now()
    audit_record(actor, "write", "incident", incident.pk, purpose="reclassification",
                 detail={"from": [incident.call_type, incident.tier], "to": [call_type, tier],
                         "reason": reason[:300]})  # fmt: skip
    if call_type != incident.call_type:
        _event(incident, actor, "reclassify", from_value=incident.call_type,
               to_value=call_type, reason=reason, at=now)  # fmt: skip
        incident.call_type = call_type
        incident.category = proto.category_of(call_type)
        incident.save(update_fields=["call_type", "category"])
    if tier is not None and tier != incident.tier:
        _change_tier(incident, tier, actor, reason, now)
    return incident


def _change_tier(incident: Incident, tier: int, actor: Any, reason: str, now: datetime) -> None:
    if not 0 <= tier <= 4:
        raise Invalid(f"tier {tier} is not 0-4")
    old = incident.tier
    kind = tier_change_kind(old, tier) or "reclassify"
    _event(incident, actor, kind, from_value=f"tier {old}", to_value=f"tier {tier}",
           reason=reason, at=now)  # fmt: skip
    incident.tier = tier
    incident.escalated = incident.escalated or crosses_to_police(old, tier)
    incident.deescalated = incident.deescalated or crosses_to_civilian(old, tier)
    programs = list(incident.programs or [])
    if tier >= 3 and "police" not in programs:
        programs.append("police")
    incident.programs = programs
    fields = ["tier", "escalated", "deescalated", "programs"]
    new_lead = lead_of_tier(tier)
    if new_lead and new_lead != incident.lead:
        fields += _switch_lead(incident, new_lead, actor, reason, now)
    incident.save(update_fields=list(dict.fromkeys(fields)))


def _switch_lead(
    incident: Incident, lead: str, actor: Any, reason: str, now: datetime
) -> list[str]:
    _event(incident, actor, "lead_switch", from_value=incident.lead, to_value=lead,
           reason=reason, at=now)  # fmt: skip
    incident.lead = lead
    if incident.dispatched_at is not None:  # the report counts switches after dispatch (~1450)
        incident.lead_switches += 1
    return ["lead", "lead_switches"]


@transaction.atomic
def incident_change_tier(incident_id: int, tier: int, actor: Any, reason: str) -> Incident:
    """Escalate (civilian -> co-response -> police) or de-escalate, with the reason."""
    incident = _locked_incident(incident_id)
    reason = _require_reason(reason, "escalation or de-escalation")
    if incident.status == "closed":
        raise Conflict(f"incident {incident_id} is closed")
    if tier == incident.tier:
        raise Invalid(f"incident {incident_id} is already tier {tier}")
    _change_tier(incident, tier, actor, reason, timezone.now())
    if incident.status not in ("closed", "cleared"):
        incident_recommend(incident)
    return incident


@transaction.atomic
def incident_switch_lead(incident_id: int, lead: str, actor: Any, reason: str) -> Incident:
    """Who leads a co-response changed on scene (report ~1450, tiers 2-3 at ~1582-1584)."""
    incident = _locked_incident(incident_id)
    reason = _require_reason(reason, "a lead switch")
    if lead not in ("civilian", "police"):
        raise Invalid("lead must be 'civilian' or 'police'")
    if lead == incident.lead:
        raise Invalid(f"the lead is already {lead}")
    if incident.status == "closed":
        raise Conflict(f"incident {incident_id} is closed")
    fields = _switch_lead(incident, lead, actor, reason, timezone.now())
    incident.save(update_fields=fields)
    return incident


@transaction.atomic
def incident_request_backup(incident_id: int, actor: Any, reason: str) -> Incident:
    incident = _locked_incident(incident_id)
    reason = _require_reason(reason, "a backup request")
    if incident.status in ("closed", "cleared", "waiting"):
        raise Conflict(f"incident {incident_id} is {incident.status}; backup is for units on it")
    incident.backup_requested = True
    incident.priority = max(1, incident.priority - 1)
    incident.save(update_fields=["backup_requested", "priority"])
    _event(incident, actor, "backup", reason=reason)
    incident_recommend(incident)
    return incident


@transaction.atomic
def incident_close(
    incident_id: int,
    actor: Any,
    *,
    disposition: str,
    outcome: str,
    referrals_made: int = 0,
    service_connections: int = 0,
    notes: str = "",
    use_of_force: dict[str, Any] | None = None,
) -> Incident:
    """Close with disposition and outcome; a use-of-force report when any responder used
    force (report ~1680). Sends ``incident_closed`` after the commit."""
    incident = _locked_incident(incident_id)
    if incident.status == "closed":
        raise Conflict(f"incident {incident_id} is already closed")
    if outcome not in dict(OUTCOMES):
        raise Invalid(f"outcome {outcome!r} is not one of {', '.join(dict(OUTCOMES))}")
    if not disposition.strip():
        raise Invalid("a disposition is required to close an incident")
    if referrals_made < 0 or service_connections < 0:
        raise Invalid("referrals and service connections cannot be negative")
    # Referrals made from the incident are counted from the referral records; a typed number
    # counts only when there are none (referrals made outside the system, imported history).
    from .selectors import referral_count

    referrals_made = referral_count(incident_id) or referrals_made
    now = timezone.now()
    if incident.status not in ("waiting", "cleared"):
        try:
            _apply_status(incident, "cleared", actor, now)
        except IllegalTransition as exc:
            raise Conflict(str(exc)) from None
    Disposition.objects.create(
        incident=incident, disposition=disposition.strip()[:120], outcome=outcome,
        referrals_made=referrals_made, service_connections=service_connections, notes=notes,
    )  # fmt: skip
    if use_of_force:
        force_type = str(use_of_force.get("force_type", "")).strip()
        if not force_type:
            raise Invalid("use_of_force.force_type: say what force was used")
        unit = None
        if use_of_force.get("unit_id") is not None:
            unit = Unit.objects.filter(pk=use_of_force["unit_id"]).first()
            if unit is None:
                raise Invalid(
                    f"use_of_force.unit_id: unit {use_of_force['unit_id']} does not exist"
                )
        UseOfForceReport.objects.create(
            incident=incident, unit=unit, reported_by=_actor(actor), reported_at=now,
            force_type=force_type[:80],
            subject_injured=bool(use_of_force.get("subject_injured", False)),
            responder_injured=bool(use_of_force.get("responder_injured", False)),
            narrative=str(use_of_force.get("narrative", ""))[:4000],
        )  # fmt: skip
    _apply_status(incident, "closed", actor, now)
    _event(incident, actor, "close", to_value=outcome, reason=disposition.strip()[:500], at=now)
    person_ids = list(incident.person_links.values_list("person_id", flat=True))
    payload = {
        "incident_id": incident.pk,
        "call_id": incident.call_id,
        "category": incident.category,
        "call_type": incident.call_type,
        "outcome": outcome,
        "person_ids": person_ids,
        "agency_id": incident.agency_id,
        "closed_at": now,
        "closed_by": _actor(actor),
    }
    transaction.on_commit(lambda: incident_closed.send(sender=Incident, **payload))
    return incident


# ---------------------------------------------------------------- people and places


@transaction.atomic
def incident_link_person(incident_id: int, person_id: int, role: str, actor: Any) -> PersonLink:
    incident = _locked_incident(incident_id)
    if role not in dict(PersonLink.ROLES):
        raise Invalid(f"role {role!r} is not one of {', '.join(dict(PersonLink.ROLES))}")
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound(f"person {person_id} does not exist")
    link, created = PersonLink.objects.get_or_create(
        incident=incident, person=person, role=role,
        defaults={"linked_by": _actor(actor), "linked_at": timezone.now()},
    )  # fmt: skip
    if created:
        _event(incident, actor, "person_link", to_value=f"{role}:{person.pk}")
    return link


# ---------------------------------------------------------------- EIDD import


def _dt(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


def _bounded(record: dict[str, Any]) -> dict[str, Any]:
    """Fit an imported record to the columns, refusing what cannot be stored."""
    out = dict(record)
    for key, limit in (("call_type", 60), ("initial_call_type", 60), ("category", 60),
                       ("initial_category", 60), ("address", 200), ("area", 60), ("channel", 10)):  # fmt: skip
        value = out.get(key)
        if value is not None and not isinstance(value, str):
            raise Invalid(f"EIDD {key}: expected text")
        out[key] = (value or "")[:limit]
    for key in ("lead", "initial_lead"):
        if out.get(key) not in (None, "", "civilian", "police"):
            raise Invalid(f"EIDD {key}: expected civilian or police")
    for key in ("initial_tier",):
        if out.get(key) is not None and (not isinstance(out[key], int) or not 0 <= out[key] <= 4):
            raise Invalid(f"EIDD {key}: expected a tier 0-4")
    priority = out.get("priority")
    if priority is not None and (not isinstance(priority, int) or not 1 <= priority <= 5):
        raise Invalid("EIDD incidentComponent.incidentPriorityCode: expected 1-5")
    for key in ("latitude", "longitude"):
        value = out.get(key)
        if value is not None and (not isinstance(value, int | float) or abs(value) > 180):
            raise Invalid(f"EIDD locationComponent gmlPoint.{key}: expected a coordinate")
    disposition = out.get("disposition")
    if disposition:
        if disposition.get("outcome") not in (None, *dict(OUTCOMES)):
            raise Invalid("EIDD dispositionComponent.dispositionOutcomeText: unknown outcome")
        for key in ("referrals_made", "service_connections"):
            if not 0 <= disposition[key] <= 1000:
                raise Invalid(f"EIDD dispositionComponent: {key} out of range")
        disposition["disposition"] = str(disposition.get("disposition") or "")[:120]
    for item in out.get("eligible_not_served") or []:
        if item["reason"] not in ("off_hours", "out_of_area", "none_available"):
            raise Invalid(f"EIDD eligibleNotServedExtension: unknown reason {item['reason']!r}")
        item["program"] = str(item["program"])[:60]
    return out


@transaction.atomic
def incident_import_eidd(doc: dict[str, Any], actor: Any, agency: Agency) -> Incident:
    """Create an incident from an EIDD-style document (see docs/dispatch.md). Units are
    matched by call sign; unknown call signs are refused so nothing is half-imported."""
    from rightresponse.core.dispatch import EiddError

    try:
        record = incident_from_eidd(doc)
    except EiddError as exc:
        raise Invalid(str(exc)) from None
    tracking = str(doc["incidentComponent"].get("incidentTrackingIdentifier") or "")[:200]
    if tracking and Incident.objects.filter(imported_from=tracking).exists():
        raise Conflict(f"EIDD incident {tracking} was imported before")
    stamps = {k: _dt(v) for k, v in record["timestamps"].items()}
    record = _bounded(record)
    units = {}
    for i, item in enumerate(record["units"]):
        unit = Unit.objects.filter(call_sign=item["call_sign"]).first()
        if unit is None:  # a record the document names and we do not have: 404
            raise NotFound(
                f"EIDD emergencyResourceComponent.{i}.resourceIdentifier: unit "
                f"{item['call_sign']!r} is not known here"
            )
        units[item["call_sign"]] = unit
    incident = Incident.objects.create(
        agency=agency, status=record["status"], channel=record["channel"] or "911",
        call_type=record["call_type"], initial_call_type=record["initial_call_type"],
        category=record["category"], initial_category=record["initial_category"],
        tier=record["tier"], initial_tier=record["initial_tier"],
        lead=record["lead"] or "", initial_lead=record["initial_lead"] or "",
        priority=record["priority"] or 3, address=record["address"],
        latitude=record["latitude"], longitude=record["longitude"], area=record["area"],
        received_at=stamps["received_at"], answered_at=stamps["answered_at"],
        triaged_at=stamps["triaged_at"], dispatched_at=stamps["dispatched_at"],
        en_route_at=stamps["en_route_at"], on_scene_at=stamps["on_scene_at"],
        cleared_at=stamps["cleared_at"], closed_at=stamps["closed_at"],
        imported_from=tracking,
    )  # fmt: skip
    for item in record["units"]:
        # Imported history: assignments are inactive so live units are not blocked.
        Assignment.objects.create(
            incident=incident, unit=units[item["call_sign"]], active=False,
            primary=item["primary"], assigned_at=_dt(item["assigned_at"]) or incident.received_at,
            released_at=_dt(item["released_at"]),
        )  # fmt: skip
    for event in record["events"]:
        IncidentEvent.objects.create(
            incident=incident, at=_dt(event["at"]) or incident.received_at,
            kind=event["kind"] if event["kind"] in dict(IncidentEvent.KINDS) else "import",
            from_value=event["from"][:60], to_value=event["to"][:60],
            reason=(event["reason"] or "")[:500],
        )  # fmt: skip
    if record["disposition"]:
        d = record["disposition"]
        Disposition.objects.create(
            incident=incident, disposition=d["disposition"], outcome=d["outcome"] or "no_action_needed",
            referrals_made=d["referrals_made"], service_connections=d["service_connections"],
        )  # fmt: skip
        if d["use_of_force"]:
            UseOfForceReport.objects.create(
                incident=incident, reported_at=incident.closed_at or timezone.now(),
                force_type="reported in imported EIDD",
            )  # fmt: skip
    for item in record["eligible_not_served"]:
        EligibleNotServed.objects.create(
            incident=incident, program=item["program"], reason=item["reason"],
            area=incident.area, recorded_at=incident.received_at,
        )  # fmt: skip
    incident.escalated = crosses_to_police(incident.initial_tier, incident.tier)
    incident.deescalated = crosses_to_civilian(incident.initial_tier, incident.tier)
    incident.lead_switches = sum(1 for e in record["events"] if e["kind"] == "lead_switch")
    incident.save(update_fields=["escalated", "deescalated", "lead_switches"])
    _event(incident, actor, "import", reason=f"from {tracking}"[:500])
    return incident


# ---------------------------------------------------------------- idempotency


def request_fingerprint(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def idempotent(
    user: Any, key: str | None, scope: str, write: Callable[[], tuple[int, Any]]
) -> tuple[int, Any]:
    """Run ``write`` once per (user, key): its response is stored in the same transaction
    as the write, so a retry returns the first result and does nothing twice. A key used
    for another request is refused (422)."""
    if not key:
        with transaction.atomic():
            return write()
    key = key.strip()[:100]
    stored = IdempotencyKey.objects.filter(user=user, key=key).first()
    if stored is not None:
        return _replay(stored, scope)
    try:
        with transaction.atomic():
            status, body = write()
            if status >= 400:  # a refused request can be corrected and retried
                return status, body
            IdempotencyKey.objects.create(
                user=user, key=key, scope=scope[:120], status_code=status,
                response=json.loads(json.dumps(body, default=str)),
            )  # fmt: skip
            return status, body
    except IntegrityError:
        stored = IdempotencyKey.objects.filter(user=user, key=key).first()
        if stored is None:
            raise
        return _replay(stored, scope)


def _replay(stored: IdempotencyKey, scope: str) -> tuple[int, Any]:
    if stored.scope != scope[:120]:
        raise Invalid(
            f"Idempotency-Key {stored.key!r} was used for another request ({stored.scope})"
        )
    return stored.status_code, stored.response
