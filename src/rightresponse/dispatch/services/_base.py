"""What every dispatch action shares: who acted, the event log, row locks, reasons."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from ..errors import Invalid, NotFound
from ..models import Incident, IncidentEvent, Unit


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
