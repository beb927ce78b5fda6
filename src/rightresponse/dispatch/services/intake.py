"""Intake: the incident of a triaged call, and a call re-triaged before dispatch. Called by
the intake action (``intake/services.py``) inside its transaction; no receiver."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from rightresponse.core.dispatch import lead_of_tier, priority_of
from rightresponse.triage.models import Call

from .. import protocol as proto
from ..errors import Invalid
from ..models import Disposition, Incident
from ._base import _event
from .recommendation import incident_recommend


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
        # The time to answer is measured only when something said when the call rang
        # (issue 13): otherwise answered_at = received_at and the wait would read as 0.
        answered_at=call.answered_at if call.answer_wait_measured else None,
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


def incident_follow_retriage(incident: Incident, call: Call) -> None:
    """The call of a waiting incident was re-triaged. Before dispatch the call taker's newest
    triage *is* the initial classification, so initial and current values move together
    (escalation is measured after dispatch); after dispatch a change is a reclassification
    (``reclassification.py``), so nothing changes here."""
    if incident.status != "waiting" or incident.dispatched_at is not None:
        return
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
