"""Writes about calls: create a call with its triage decision, re-triage when answers change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from rightresponse.accounts.models import Agency
from rightresponse.accounts.services import audit_record
from rightresponse.core.triage import Decision, Protocol, decide
from rightresponse.geo.selectors import location_resolve

from .models import Call
from .protocols import active_protocol
from .received import received_window


@dataclass
class CallDetails:
    """What a call taker records besides the triage answers."""

    channel: str = "911"
    caller_name: str = ""
    caller_phone: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    area: str = ""
    narrative: str = ""
    received_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class InvalidCall(ValueError):
    """A call the service refuses (the API answers 422 with the message)."""


def _apply_decision(call: Call, decision: Decision) -> None:
    call.decision = decision.to_dict()
    call.protocol_version = decision.protocol_version
    call.tier = decision.tier
    call.lead = decision.lead or ""
    call.risk_score = decision.risk.score
    call.risk_band = decision.risk.band
    call.screened_out = decision.screened_out
    call.triaged_at = timezone.now()


def call_create(
    *,
    user: AbstractBaseUser | None,
    agency: Agency | int,
    call_type: str,
    answers: Mapping[str, str],
    details: CallDetails,
    protocol: Protocol | None = None,
) -> Call:
    """Decide first (raises UnknownIdError naming bad ids), then store call and decision.

    ``agency`` is the agency that owns the call, or its id."""
    protocol = protocol or active_protocol()
    now = timezone.now()
    if details.received_at is not None:
        # The one window for every way a call comes in (core/triage/received.py).
        problem = received_window().problem(details.received_at, now)
        if problem:
            raise InvalidCall(f"received_at: {problem}")
    decision = decide(protocol, call_type, answers)
    # Where the call is: a map point, typed coordinates or an address point; the area comes
    # from the city's boundaries, never from typed text (a typed area is kept only when the
    # location cannot be resolved, e.g. from an API client that sends one).
    location = location_resolve(details.address, details.latitude, details.longitude)
    call = Call(
        agency_id=agency if isinstance(agency, int) else agency.pk,
        received_at=details.received_at or now,
        answered_at=details.received_at or now,
        created_by=user if user is not None and user.is_authenticated else None,
        channel=details.channel,
        caller_name=details.caller_name,
        caller_phone=details.caller_phone,
        address=location.address[:200],
        latitude=location.latitude,
        longitude=location.longitude,
        area=(location.area or ("" if location.resolved else details.area))[:60],
        call_type=call_type,
        answers=dict(answers),
        narrative=details.narrative,
    )
    _apply_decision(call, decision)
    call.location_note = location.message  # type: ignore[attr-defined]
    # The call and its incident (dispatch's receiver) commit together, in one short write.
    with transaction.atomic():
        call.save()
    return call


@transaction.atomic
def call_retriage(
    *,
    call: Call,
    user: AbstractBaseUser | None,
    answers: Mapping[str, str],
    call_type: str | None = None,
    protocol: Protocol | None = None,
) -> Call:
    """Merge new answers (and optionally a reclassified call type) and decide again.

    The decision is replaced whole, with the protocol version that made it; the change is
    audited because it may change who is sent.
    """
    protocol = protocol or active_protocol()
    merged = {**call.answers, **answers}
    new_type = call_type or call.call_type
    decision = decide(protocol, new_type, merged)
    before = call.tier
    call.answers = merged
    call.call_type = new_type
    _apply_decision(call, decision)
    call.save()
    audit_record(
        user,
        "write",
        "call",
        call.pk,
        person_id=call.person_id,
        purpose="re-triage",
        detail={"tier_before": before, "tier_after": call.tier},
    )
    return call
