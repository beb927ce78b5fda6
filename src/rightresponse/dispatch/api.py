"""REST endpoints of the dispatch pillar (thin: parse, authorise, call a service or selector).

Writes accept an ``Idempotency-Key`` header: a retried request returns the first result and
does nothing twice. Errors are 4xx with a ``detail`` that says what and why.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.errors import HttpError

from rightresponse.accounts import roles as r
from rightresponse.accounts.permissions import allow
from rightresponse.accounts.selectors import user_agency, user_has_role
from rightresponse.accounts.services import audit_record
from rightresponse.config import inputs
from rightresponse.config.inputs import StrictIn
from rightresponse.core import visibility as vis
from rightresponse.core.dispatch import INCIDENT_STATUSES, UNIT_STATUSES, eidd_from_incident
from rightresponse.ecosystem.sharing import incident_people_views, person_for_reference
from rightresponse.triage.api import CallType
from rightresponse.triage.selectors import calls_visible_to

from . import selectors, services
from .access import (
    HAZARD_DETAIL_ROLES,
    incident_access_for,
    incident_for,
    incident_read_audit,
    incidents_visible,
    may_act_on_unit,
)
from .eidd_schema import EiddIn
from .errors import DispatchError
from .models import LEADS, OUTCOMES, Incident, PersonLink, Unit

router = Router(tags=["dispatch"])

BOARD = (r.DISPATCHER, r.SUPERVISOR)
READERS = (r.DISPATCHER, r.SUPERVISOR, r.CALL_TAKER, r.RESPONDER)
FIELD = (r.DISPATCHER, r.SUPERVISOR, r.RESPONDER)


Id = inputs.Id
Reason = inputs.text(500, required=True)
IncidentStatus = Literal[tuple(INCIDENT_STATUSES)]  # type: ignore[valid-type]
UnitStatus = Literal[tuple(UNIT_STATUSES)]  # type: ignore[valid-type]
Outcome = Literal[tuple(code for code, _ in OUTCOMES)]  # type: ignore[valid-type]
PersonRole = Literal[tuple(code for code, _ in PersonLink.ROLES)]  # type: ignore[valid-type]
Lead = Literal[tuple(code for code, _ in LEADS)]  # type: ignore[valid-type]
# Tiers 0-4 (core/dispatch/status.py); the protocol's call types as in triage.
Tier = inputs.integer(0, 4)


class CreateIn(StrictIn):
    call_id: Id


class AssignIn(StrictIn):
    unit_id: Id
    override_reason: inputs.text(300) = ""  # type: ignore[valid-type]


class StatusIn(StrictIn):
    status: IncidentStatus


class UnitStatusIn(StrictIn):
    status: UnitStatus


class ReclassifyIn(StrictIn):
    call_type: CallType
    reason: Reason  # type: ignore[valid-type]
    tier: Tier | None = None  # type: ignore[valid-type]


class TierIn(StrictIn):
    tier: Tier  # type: ignore[valid-type]
    reason: Reason  # type: ignore[valid-type]


class LeadIn(StrictIn):
    lead: Lead
    reason: Reason  # type: ignore[valid-type]


class ReasonIn(StrictIn):
    reason: Reason  # type: ignore[valid-type]


class ForceIn(StrictIn):
    force_type: inputs.text(80, required=True)  # type: ignore[valid-type]
    unit_id: Id | None = None
    subject_injured: bool = False
    responder_injured: bool = False
    narrative: inputs.text(4000) = ""  # type: ignore[valid-type]


class CloseIn(StrictIn):
    disposition: inputs.text(120, required=True)  # type: ignore[valid-type]
    outcome: Outcome
    referrals_made: inputs.integer(0, 1000) = 0  # type: ignore[valid-type]
    service_connections: inputs.integer(0, 1000) = 0  # type: ignore[valid-type]
    notes: inputs.text(2000) = ""  # type: ignore[valid-type]
    use_of_force: ForceIn | None = None


class PersonIn(StrictIn):
    person_id: Id
    role: PersonRole = "subject"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def incident_out(incident: Incident) -> dict[str, Any]:
    """An incident for the API: no caller name or phone, no person details."""
    now = timezone.now()
    return {
        "id": incident.pk,
        "call_id": incident.call_id,
        "status": incident.status,
        "priority": incident.priority,
        "call_type": incident.call_type,
        "initial_call_type": incident.initial_call_type,
        "category": incident.category,
        "tier": incident.tier,
        "initial_tier": incident.initial_tier,
        "lead": incident.lead or None,
        "programs": incident.programs,
        "escalated": incident.escalated,
        "deescalated": incident.deescalated,
        "lead_switches": incident.lead_switches,
        "backup_requested": incident.backup_requested,
        "address": incident.address,
        "area": incident.area,
        "latitude": incident.latitude,
        "longitude": incident.longitude,
        "timestamps": {n: _iso(getattr(incident, n)) for n in selectors.STAMP_NAMES},
        "elapsed_seconds": round((now - incident.received_at).total_seconds()),
        "intervals": selectors.incident_intervals(incident),
        "recommendation": incident.recommendation,
        "units": [
            {"unit_id": a.unit_id, "call_sign": a.unit.call_sign, "primary": a.primary}
            for a in incident.assignments.filter(active=True).select_related("unit")
        ],
    }


def unit_out(unit: Unit) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "call_sign": unit.call_sign,
        "agency": unit.agency.slug,
        "program": unit.program,
        "kind": unit.kind,
        "status": unit.status,
        "capabilities": unit.capabilities,
        "areas": unit.areas,
        "service_hours": unit.service_hours,
        "latitude": unit.latitude,
        "longitude": unit.longitude,
    }


def not_found(incident_id: int) -> HttpError:
    """The one answer for a missing incident and for one the user may not see."""
    return HttpError(404, f"incident {incident_id} not found")


def _incident(request: HttpRequest, incident_id: int, need: str = "act") -> Incident:
    """The incident, if the visibility rule lets the user see it (else 404, as if it did
    not exist) and do ``need`` ("read", "act", "dispatch" or "link") with it (else 403)."""
    incident = incident_for(request.user, incident_id)
    if incident is None:
        raise not_found(incident_id)
    access = incident_access_for(request.user, incident)
    allowed = {
        "read": True,
        "act": access.may_act,
        "dispatch": access.may_dispatch,
        "link": access.may_link_people,
    }[need]
    if not allowed:
        raise HttpError(403, "your role may not do this on this incident")
    return incident


def _write(
    request: HttpRequest, scope: str, body: Any, work: Callable[[], tuple[int, Any]]
) -> tuple[int, Any]:
    key = request.headers.get("Idempotency-Key")
    fingerprint = f"{scope} {services.request_fingerprint(body)}"[:120]
    try:
        return services.idempotent(request.user, key, fingerprint, work)
    except DispatchError as exc:
        raise HttpError(exc.status_code, str(exc)) from None


WRITE = {200: dict, 201: dict}


@router.post("/incidents", auth=allow(*r.EMERGENCY_COMMUNICATIONS), response=WRITE,
             summary="Create the incident for a triaged call (idempotent per call)")  # fmt: skip
def create_incident(request: HttpRequest, payload: CreateIn) -> tuple[int, Any]:
    def work() -> tuple[int, Any]:
        call = calls_visible_to(request.user).filter(pk=payload.call_id).first()
        if call is None:  # another agency's call answers as a missing one
            raise HttpError(404, f"call {payload.call_id} not found")
        existed = hasattr(call, "incident")
        incident = services.incident_create_from_call(call, request.user)
        return (200 if existed else 201), incident_out(incident)

    return _write(request, "POST /incidents", payload.dict(), work)


@router.get("/incidents", auth=allow(*BOARD, r.CALL_TAKER), response=list[dict],
            summary="Incidents; status=waiting lists the queue by priority")  # fmt: skip
def list_incidents(request: HttpRequest, status: str | None = None) -> list[dict[str, Any]]:
    visible = incidents_visible(request.user)
    if status == "waiting":
        return [incident_out(i) for i in selectors.incidents_waiting(visible)[:200]]
    return [incident_out(i) for i in selectors.incidents_list(status, within=visible)]


@router.get("/incidents/{incident_id}", auth=allow(*READERS), response=dict)
def get_incident(request: HttpRequest, incident_id: int) -> dict[str, Any]:
    incident = _incident(request, incident_id, "read")
    incident_read_audit(request.user, incident, "incident read")
    data = incident_out(incident)
    data["events"] = [
        {"at": _iso(e.at), "kind": e.kind, "from": e.from_value, "to": e.to_value,
         "reason": e.reason, "actor": e.actor.get_username() if e.actor else None}
        for e in selectors.incident_events(incident)
    ]  # fmt: skip
    return data


@router.get("/incidents/{incident_id}/recommendation", auth=allow(*BOARD), response=dict,
            summary="Recommend units now (nearest eligible first, with the fallback chain)")  # fmt: skip
def recommend_units(request: HttpRequest, incident_id: int) -> dict[str, Any]:
    incident = _incident(request, incident_id, "dispatch")
    return services.incident_recommend(incident).to_dict()


@router.post("/incidents/{incident_id}/assign", auth=allow(*BOARD), response=WRITE,
             summary="Assign a unit; another unit than the recommended one needs override_reason")  # fmt: skip
def assign_unit(request: HttpRequest, incident_id: int, payload: AssignIn) -> tuple[int, Any]:
    _incident(request, incident_id, "dispatch")

    def work() -> tuple[int, Any]:
        assignment = services.incident_assign(
            incident_id, payload.unit_id, request.user, payload.override_reason
        )
        # The locked incident the service updated in memory: no second read.
        return 200, incident_out(assignment.incident)

    return _write(request, f"POST /incidents/{incident_id}/assign", payload.dict(), work)


@router.post("/incidents/{incident_id}/status", auth=allow(*FIELD), response=WRITE,
             summary="Move the incident along its lifecycle (illegal moves are refused: 409)")  # fmt: skip
def set_status(request: HttpRequest, incident_id: int, payload: StatusIn) -> tuple[int, Any]:
    _incident(request, incident_id)

    def work() -> tuple[int, Any]:
        return 200, incident_out(
            services.incident_set_status(incident_id, payload.status, request.user)
        )

    return _write(request, f"POST /incidents/{incident_id}/status", payload.dict(), work)


@router.post("/incidents/{incident_id}/reclassify", auth=allow(*FIELD), response=WRITE)
def reclassify(request: HttpRequest, incident_id: int, payload: ReclassifyIn) -> tuple[int, Any]:
    _incident(request, incident_id)

    def work() -> tuple[int, Any]:
        incident = services.incident_reclassify(
            incident_id, payload.call_type, request.user, payload.reason, payload.tier
        )
        return 200, incident_out(incident)

    return _write(request, f"POST /incidents/{incident_id}/reclassify", payload.dict(), work)


@router.post("/incidents/{incident_id}/escalate", auth=allow(*FIELD), response=WRITE,
             summary="Change the tier: escalate (civilian -> co-response -> police) or de-escalate")  # fmt: skip
def escalate(request: HttpRequest, incident_id: int, payload: TierIn) -> tuple[int, Any]:
    _incident(request, incident_id)

    def work() -> tuple[int, Any]:
        incident = services.incident_change_tier(
            incident_id, payload.tier, request.user, payload.reason
        )
        return 200, incident_out(incident)

    return _write(request, f"POST /incidents/{incident_id}/escalate", payload.dict(), work)


@router.post("/incidents/{incident_id}/lead", auth=allow(*FIELD), response=WRITE,
             summary="Switch who leads a co-response")  # fmt: skip
def switch_lead(request: HttpRequest, incident_id: int, payload: LeadIn) -> tuple[int, Any]:
    _incident(request, incident_id)

    def work() -> tuple[int, Any]:
        incident = services.incident_switch_lead(
            incident_id, payload.lead, request.user, payload.reason
        )
        return 200, incident_out(incident)

    return _write(request, f"POST /incidents/{incident_id}/lead", payload.dict(), work)


@router.post("/incidents/{incident_id}/backup", auth=allow(*FIELD), response=WRITE)
def request_backup(request: HttpRequest, incident_id: int, payload: ReasonIn) -> tuple[int, Any]:
    _incident(request, incident_id)

    def work() -> tuple[int, Any]:
        incident = services.incident_request_backup(incident_id, request.user, payload.reason)
        return 200, incident_out(incident)

    return _write(request, f"POST /incidents/{incident_id}/backup", payload.dict(), work)


@router.post("/incidents/{incident_id}/close", auth=allow(*FIELD), response=WRITE,
             summary="Close with disposition, outcome, referrals and any use of force")  # fmt: skip
def close(request: HttpRequest, incident_id: int, payload: CloseIn) -> tuple[int, Any]:
    _incident(request, incident_id)

    def work() -> tuple[int, Any]:
        incident = services.incident_close(
            incident_id, request.user, disposition=payload.disposition, outcome=payload.outcome,
            referrals_made=payload.referrals_made, service_connections=payload.service_connections,
            notes=payload.notes,
            use_of_force=payload.use_of_force.dict() if payload.use_of_force else None,
        )  # fmt: skip
        return 200, incident_out(incident)

    return _write(request, f"POST /incidents/{incident_id}/close", payload.dict(), work)


@router.post("/incidents/{incident_id}/people", auth=allow(*BOARD, r.CALL_TAKER), response=WRITE,
             summary="Link a person the user may see (owner agency or consent) to the incident")  # fmt: skip
def link_person(request: HttpRequest, incident_id: int, payload: PersonIn) -> tuple[int, Any]:
    _incident(request, incident_id, "link")
    if person_for_reference(request.user, payload.person_id) is None:
        # A person the user may not see answers as a missing one (no existence oracle).
        raise HttpError(404, f"person {payload.person_id} not found")

    def work() -> tuple[int, Any]:
        link = services.incident_link_person(
            incident_id, payload.person_id, payload.role, request.user
        )
        audit_record(request.user, "write", "incident_person", incident_id,
                     person_id=link.person_id, purpose="link person to incident")  # fmt: skip
        return 201, {"incident_id": incident_id, "person_id": link.person_id, "role": link.role}

    return _write(request, f"POST /incidents/{incident_id}/people", payload.dict(), work)


@router.get("/incidents/{incident_id}/people", auth=allow(*FIELD, r.CALL_TAKER), response=list[dict],
            summary="People linked to the incident: what the visibility rule allows, audited")  # fmt: skip
def people(request: HttpRequest, incident_id: int) -> list[dict[str, Any]]:
    """Each linked person as far as the one rule allows (core.visibility): the owner
    agency and consented agencies see what they may; a responder or dispatcher on the
    open incident sees only what a responder needs; a victim-service record shows its
    role only. Every person shown is audited once for this read."""
    incident = _incident(request, incident_id, "read")
    rows: list[dict[str, Any]] = []
    for link, view in incident_people_views(request.user, incident):
        if not view.access.allowed:
            rows.append({"role": link.role, "withheld": True})
            continue
        rows.append({"role": link.role, "person_id": link.person_id, "basis": view.access.basis,
                     **{k: _plain(v) for k, v in view.fields.items()}})  # fmt: skip
    return rows


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


@router.get("/incidents/{incident_id}/location", auth=allow(*FIELD), response=dict,
            summary="Call history within a radius and known hazards at the incident's place")  # fmt: skip
def location(request: HttpRequest, incident_id: int, radius_m: int = 150) -> dict[str, Any]:
    incident = _incident(request, incident_id, "read")
    radius = max(10, min(radius_m, 2000))
    detail = user_has_role(request.user, *HAZARD_DETAIL_ROLES)
    hazards = selectors.location_hazards(incident.latitude, incident.longitude)
    if detail and hazards:
        audit_record(request.user, "read", "location_hazard", incident_id,
                     purpose="hazard details for an incident")  # fmt: skip
    history = selectors.location_history(
        incident.latitude, incident.longitude, radius_m=radius, exclude_id=incident.pk,
        within=incidents_visible(request.user),
    )  # fmt: skip
    return {
        "radius_m": radius,
        "history": [{**h, "received_at": _iso(h["received_at"])} for h in history],
        "hazards": [{"flag": h.flag, **({"detail": h.detail} if detail else {})} for h in hazards],
    }


@router.get("/incidents/{incident_id}/eidd", auth=allow(*BOARD, r.ANALYST), response=dict,
            summary="Export as a NENA EIDD-style JSON document (see docs/dispatch.md)")  # fmt: skip
def export_eidd(request: HttpRequest, incident_id: int) -> dict[str, Any]:
    """In full for those who see the incident in full; analysts get it de-identified:
    no address, names or free text, and no coordinates for domestic-violence and
    sexual-assault incidents (core.visibility.deidentified_incident)."""
    incident = incident_for(request.user, incident_id, deidentified=True)
    if incident is None:
        raise not_found(incident_id)
    record = selectors.incident_record(incident)
    full = incident_access_for(request.user, incident).level == vis.FULL
    if not full:
        record = vis.deidentified_incident(record)
    incident_read_audit(request.user, incident, "EIDD export" if full else
                        "EIDD export (de-identified)", action="export")  # fmt: skip
    return eidd_from_incident(
        record,
        sender=request.get_host() or "rightresponse",
        sent_at=timezone.now().isoformat(),
    )


@router.post("/eidd", auth=allow(r.SUPERVISOR), response=WRITE,
             summary="Import an incident from a NENA EIDD-style JSON document")  # fmt: skip
def import_eidd(request: HttpRequest, payload: EiddIn) -> tuple[int, Any]:
    agency = user_agency(request.user)
    if agency is None:
        raise HttpError(403, "your account belongs to no agency")
    document = payload.model_dump(mode="json")  # with the EIDD members we do not type

    def work() -> tuple[int, Any]:
        incident = services.incident_import_eidd(document, request.user, agency)
        return 201, incident_out(incident)

    return _write(request, "POST /eidd", document, work)


@router.get("/units", auth=allow(*READERS), response=list[dict])
def list_units(request: HttpRequest, status: UnitStatus | None = None) -> list[dict[str, Any]]:
    return [unit_out(u) for u in selectors.units_list(status)]


@router.post("/units/{unit_id}/status", auth=allow(*FIELD), response=WRITE,
             summary="Set a unit's status (e.g. out of service, available)")  # fmt: skip
def unit_status(request: HttpRequest, unit_id: int, payload: UnitStatusIn) -> tuple[int, Any]:
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise HttpError(404, f"unit {unit_id} does not exist")
    if not may_act_on_unit(request.user, unit):
        raise HttpError(403, "responders set the status of their own unit only")

    def work() -> tuple[int, Any]:
        return 200, unit_out(services.unit_set_status(unit_id, payload.status, request.user))

    return _write(request, f"POST /units/{unit_id}/status", payload.dict(), work)
