"""Close-out: disposition, outcome, use of force; then ``incident_closed`` after commit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from rightresponse.core.dispatch import IllegalTransition

from ..errors import Conflict, Invalid
from ..models import OUTCOMES, Disposition, Incident, Unit, UseOfForceReport
from ..signals import incident_closed
from ._base import _actor, _event, _locked_incident
from .status import _apply_status


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
    from ..selectors import referral_count

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
