"""Assignment: send a unit (an override of the recommendation needs a reason and is
audited), record who was eligible but not served, ask for backup."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from rightresponse.accounts.services import audit_record

from ..errors import Conflict
from ..models import Assignment, EligibleNotServed, Incident, Unit
from ._base import _actor, _event, _locked_incident, _locked_unit, _require_reason
from .recommendation import incident_recommend
from .status import _apply_status


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
