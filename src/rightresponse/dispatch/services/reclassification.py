"""Reclassification: a new call type or tier after dispatch, escalation and de-escalation,
a switch of lead; who, when and why is recorded each time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from rightresponse.accounts.services import audit_record
from rightresponse.core.dispatch import (
    crosses_to_civilian,
    crosses_to_police,
    lead_of_tier,
    programs_after_tier_change,
    tier_change_kind,
)
from rightresponse.core.triage import UnknownIdError
from rightresponse.triage.models import Reassessment
from rightresponse.triage.protocols import active_protocol
from rightresponse.triage.services import call_decide

from .. import protocol as proto
from ..errors import Conflict, Invalid
from ..models import Incident
from ._base import _actor, _event, _locked_incident, _require_reason
from .recommendation import incident_recommend


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
    _reassess(incident, call_type, actor, reason, tier, now)
    if call_type != incident.call_type:
        _event(incident, actor, "reclassify", from_value=incident.call_type,
               to_value=call_type, reason=reason, at=now)  # fmt: skip
        incident.call_type = call_type
        incident.category = proto.category_of(call_type)
        incident.save(update_fields=["call_type", "category"])
    if tier is not None and tier != incident.tier:
        _change_tier(incident, tier, actor, reason, now)
    return incident


def _reassess(
    incident: Incident,
    call_type: str,
    actor: Any,
    reason: str,
    tier: int | None,
    now: datetime,
) -> None:
    """The re-assessment loop (report line 1137, step 7): decide the call again under the
    new call type with its answers, and keep the decision and risk before and after. The
    new tier is shown to the dispatcher, not applied behind their back; ``tier`` is what
    they set. An imported incident has no call to decide again."""
    call = incident.call
    if call is None:
        return
    try:
        after = call_decide(
            active_protocol(), call_type, call.answers or {},
            received_at=call.received_at, area=call.area,
        ).to_dict()  # fmt: skip
    except UnknownIdError as exc:  # an answer the current protocol no longer asks
        after = {"error": str(exc)}
    Reassessment.objects.create(
        call=call, at=now, actor=_actor(actor), reason=reason[:500],
        call_type_before=incident.call_type, call_type_after=call_type,
        decision_before=call.decision or {}, decision_after=after, tier_applied=tier,
    )  # fmt: skip


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
    incident.programs = programs_after_tier_change(list(incident.programs or []), tier)
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
