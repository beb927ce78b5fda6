"""Calls and their triage decisions: build a call from what the call taker recorded, and
re-decide it when answers change. Storing a new call is the intake action's
(``intake/services.py``, ``call_intake``): the call, its decision and its incident or
virtual case are one write, so nothing here saves a new call."""

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
    # When the call reached the center (a phone system, a queue, an API client); None: not
    # known apart from the answer, so the time to answer is not measurable.
    received_at: datetime | None = None
    # When the call taker answered (the page opened for it); None: now.
    answered_at: datetime | None = None
    # When triage began (the first call-type choice on the page); None: not measured.
    triage_started_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class InvalidCall(ValueError):
    """A call the service refuses (the API answers 422 with the message)."""


def call_decide(
    protocol: Protocol,
    call_type: str,
    answers: Mapping[str, str],
    *,
    received_at: datetime | None,
    area: str,
) -> Decision:
    """The one way the app decides a live call: the core's ``decide`` with when the call
    was received, on the city's wall clock (``TIME_ZONE``, so daylight saving is the
    zone's), and the call's area (its precinct; "" when the location is not resolved),
    which decide which programs are open (their hours and areas, docs/protocol.md).
    ``received_at`` None: now."""
    at = timezone.localtime(received_at or timezone.now())
    return decide(protocol, call_type, answers, at=at, area=area or None)


def _apply_decision(call: Call, decision: Decision) -> None:
    call.decision = decision.to_dict()
    call.protocol_version = decision.protocol_version
    call.tier = decision.tier
    call.lead = decision.lead or ""
    call.risk_score = decision.risk.score
    call.risk_band = decision.risk.band
    call.screened_out = decision.screened_out
    call.triaged_at = timezone.now()


def call_build(
    *,
    user: AbstractBaseUser | None,
    agency: Agency | int,
    call_type: str,
    answers: Mapping[str, str],
    details: CallDetails,
    protocol: Protocol | None = None,
) -> Call:
    """Decide first (raises UnknownIdError naming bad ids), then the unsaved call with its
    decision, location and measured times. ``agency`` is the owning agency or its id."""
    protocol = protocol or active_protocol()
    now = timezone.now()
    window = received_window()  # the one window for every way a call comes in
    for name in ("received_at", "answered_at", "triage_started_at"):
        value = getattr(details, name)
        problem = window.problem(value, now) if value is not None else None
        if problem:
            raise InvalidCall(f"{name}: {problem}")
    answered = details.answered_at or now
    received = details.received_at or answered
    if received > answered:
        raise InvalidCall("received_at: the call cannot arrive after it was answered")
    started = details.triage_started_at
    if started is not None and not answered <= started <= now:
        raise InvalidCall("triage_started_at: triage starts after the answer and before now")
    # Where the call is: a map point, typed coordinates or an address point; the area comes
    # from the city's boundaries, never from typed text (a typed area is kept only when the
    # location cannot be resolved, e.g. from an API client that sends one).
    location = location_resolve(details.address, details.latitude, details.longitude)
    area = (location.area or ("" if location.resolved else details.area))[:60]
    # Decided with when and where the call came in: programs' hours and areas.
    decision = call_decide(protocol, call_type, answers, received_at=received, area=area)
    call = Call(
        agency_id=agency if isinstance(agency, int) else agency.pk,
        received_at=received,
        answered_at=answered,
        answer_wait_measured=details.received_at is not None,
        triage_started_at=started,
        created_by=user if user is not None and user.is_authenticated else None,
        channel=details.channel,
        caller_name=details.caller_name,
        caller_phone=details.caller_phone,
        address=location.address[:200],
        latitude=location.latitude,
        longitude=location.longitude,
        area=area,
        call_type=call_type,
        answers=dict(answers),
        narrative=details.narrative,
    )
    _apply_decision(call, decision)
    call.location_note = location.message  # type: ignore[attr-defined]
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
    audited because it may change who is sent. What follows for the incident or virtual
    case is the intake action's (``intake.services.call_reassess``), which calls this.
    """
    protocol = protocol or active_protocol()
    merged = {**call.answers, **answers}
    new_type = call_type or call.call_type
    decision = call_decide(protocol, new_type, merged, received_at=call.received_at, area=call.area)
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
