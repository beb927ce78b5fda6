"""The intake action: a call, its triage decision and what it becomes (an incident for a
field response, a virtual case for Tier 0) are written in one transaction that fails
loudly. The call-taker page, the triage API, the ``rightresponse intake`` command and the
demo stream all take calls through ``call_intake``; there is no ``post_save`` receiver, so
reading this file is reading everything that happens when a call is taken.

If the incident (or case) cannot be written, nothing is: the call is rolled back and
``IntakeFailed`` says so, and the page and API tell the call taker the call was NOT
recorded (a 911 call must never silently lose its incident).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from rightresponse.accounts.models import Agency
from rightresponse.accounts.network import refuse_when_too_many, sender_key
from rightresponse.core.intake import (
    CaseTransitionError,
    check_case_transition,
    check_transfer_transition,
    intake_outcome,
)
from rightresponse.core.triage import Protocol
from rightresponse.dispatch import services as dispatch
from rightresponse.dispatch.models import Incident
from rightresponse.triage.models import Call
from rightresponse.triage.services import CallDetails, call_build, call_decide, call_retriage

from .models import (
    HANDOFFS,
    HOTLINES,
    TRANSFER_OUTCOMES,
    HotlineTransfer,
    OnlineReport,
    VirtualCase,
)

log = logging.getLogger(__name__)


class IntakeFailed(RuntimeError):
    """What the call became could not be written, so the call was not recorded either.
    The message is for the call taker; the cause is logged with its traceback."""


class CaseConflict(ValueError):
    """A virtual-case change the case's state does not allow (the API answers 409)."""


@dataclass
class Intake:
    """What one call became."""

    call: Call
    incident: Incident | None = None
    case: VirtualCase | None = None


def _user(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _follow(call: Call, user: Any) -> Intake:
    """Write what a freshly triaged (saved) call becomes. Inside the caller's transaction."""
    outcome = intake_outcome(call.tier, call.screened_out, call.call_type)
    result = Intake(call=call)
    try:
        if outcome == "incident":
            result.incident = dispatch.incident_create_from_call(call, user, new_call=True)
        elif outcome == "virtual_case":
            result.case = VirtualCase.objects.create(
                call=call, agency_id=call.agency_id, channel=call.channel,
                opened_at=call.triaged_at or timezone.now(),
            )  # fmt: skip
    except Exception as exc:  # any failure: roll the call back too, and say so
        log.exception("intake: could not create the %s for a %s call", outcome, call.call_type)
        what = "incident" if outcome == "incident" else "virtual case"
        raise IntakeFailed(
            f"The call was NOT recorded: its {what} could not be created ({type(exc).__name__}:"
            f" {str(exc)[:200]}). Nothing was saved. Keep the caller on the line and take the "
            "call again, or use the center's paper fallback."
        ) from exc
    return result


def call_intake(
    *,
    user: AbstractBaseUser | None,
    agency: Agency | int,
    call_type: str,
    answers: Mapping[str, str],
    details: CallDetails,
    protocol: Protocol | None = None,
    flags: Iterable[tuple[str, str]] | None = None,
) -> Intake:
    """Take one call: decide it (UnknownIdError / InvalidCall for bad input, before any
    write), then store the call with its decision and its incident or virtual case, all or
    nothing (IntakeFailed). The protocol's flag rules see the flags of the person known
    by the callback number and of the place (``selectors.call_flags``, the kind only);
    ``flags`` overrides them (``()``: none, e.g. an anonymous online report)."""
    if flags is None:
        from .selectors import call_flags

        flags = call_flags(user, details)
    call = call_build(
        user=user, agency=agency, call_type=call_type, answers=answers, details=details,
        protocol=protocol, flags=flags,
    )  # fmt: skip
    with transaction.atomic():
        call.save(force_insert=True)
        return _follow(call, user)


@transaction.atomic
def call_reassess(
    *,
    call: Call,
    user: AbstractBaseUser | None,
    answers: Mapping[str, str],
    call_type: str | None = None,
    protocol: Protocol | None = None,
) -> Intake:
    """New answers (or a new call type) for a stored call: decide again and carry the
    result through. A waiting incident follows the new triage; a Tier 0 case whose call now
    needs a field response is elevated to a new incident; a call that now needs no field
    response closes its waiting incident (dispatch's rule)."""
    call = call_retriage(
        call=call, user=user, answers=answers, call_type=call_type, protocol=protocol
    )
    incident = Incident.objects.filter(call=call).first()
    case = VirtualCase.objects.filter(call=call).select_for_update().first()
    if incident is not None:
        dispatch.incident_follow_retriage(incident, call)
        return Intake(call=call, incident=incident, case=case)
    outcome = intake_outcome(call.tier, call.screened_out, call.call_type)
    if case is None:
        return _follow(call, user) if outcome != "none" else Intake(call=call)
    if outcome == "incident" and case.status in ("initiated", "completed"):
        result = _follow(call, user)
        _case_move(case, "elevated", user, "re-triaged: a field response is needed")
        case.elevated_incident = result.incident
        case.save(update_fields=["elevated_incident"])
        result.case = case
        return result
    return Intake(call=call, case=case)


def _case_move(case: VirtualCase, target: str, user: Any, note: str) -> None:
    try:
        check_case_transition(case.status, target)
    except CaseTransitionError as exc:
        raise CaseConflict(str(exc)) from None
    case.status = target
    case.closed_at = timezone.now()
    case.closed_by = _user(user)
    case.note = (note or "").strip()[:500]
    case.save(update_fields=["status", "closed_at", "closed_by", "note"])


def _locked_case(case_id: int, user: Any) -> VirtualCase:
    from .selectors import cases_visible_to

    case = cases_visible_to(user).select_for_update().filter(pk=case_id).first()
    if case is None:  # another agency's case answers like a missing one
        raise LookupError(f"virtual case {case_id} does not exist")
    return case


@transaction.atomic
def virtual_case_take(case_id: int, user: Any) -> VirtualCase:
    """A report taker takes the case from the phone-report queue (the caller is answered):
    the queue's time to answer is ``taken_at - opened_at``."""
    case = _locked_case(case_id, user)
    if case.status != "initiated":
        raise CaseConflict(f"virtual case {case_id} is {case.status}; only an open one is taken")
    if case.taken_at is not None:
        raise CaseConflict(f"virtual case {case_id} was already taken")
    case.taken_at, case.taken_by = timezone.now(), _user(user)
    case.save(update_fields=["taken_at", "taken_by"])
    return case


@transaction.atomic
def virtual_case_close(
    case_id: int, status: str, user: Any, note: str = "", *, advised_direct: bool = False
) -> VirtualCase:
    """Complete a virtual case (the report is taken, the caller informed or referred) or
    mark it abandoned (the caller left or could not be reached). ``advised_direct``: the
    caller was told how to report this directly next time."""
    if status not in ("completed", "abandoned"):
        raise CaseConflict("close a virtual case as completed or abandoned; elevate it instead")
    case = _locked_case(case_id, user)
    _case_move(case, status, user, note)
    if advised_direct and not case.advised_direct:
        case.advised_direct = True
        case.save(update_fields=["advised_direct"])
    return case


def virtual_case_elevate(
    case_id: int, user: Any, *, call_type: str, answers: Mapping[str, str], reason: str
) -> Intake:
    """The case needs someone sent after all: re-triage its call with what is known now;
    a field-response decision makes the incident and marks the case elevated (linked)."""
    reason = (reason or "").strip()
    if not reason:
        raise CaseConflict("elevating a virtual case needs a reason")
    with transaction.atomic():
        case = _locked_case(case_id, user)
        if case.status not in ("initiated", "completed"):
            raise CaseConflict(f"virtual case {case_id} is {case.status}; it cannot be elevated")
        result = call_reassess(call=case.call, user=user, answers=answers, call_type=call_type)
        if result.incident is None:
            raise CaseConflict(
                f"with these answers {call_type} is tier {result.call.tier}: still no field "
                "response, so nothing to elevate"
            )
        VirtualCase.objects.filter(pk=case.pk).update(note=reason[:500])
        return result


# ---------------------------------------------------------------- online reports (public)

ONLINE_WINDOW_MINUTES = 60
ONLINE_LIMIT = 5  # reports per sender address per window
ONLINE_START_LIMIT = 20  # reports started per sender address per window
TOO_MANY_REPORTS = "report: too many reports from here in a short time; call 311"


class ReportRefused(ValueError):
    """An online report refused: the message is for the person (which field, why)."""


class NeedsResponseNow(Exception):
    """The answers say someone may be in danger: the person must call 911, not wait."""


def _tier0_type(call_type: str) -> Any:
    from rightresponse.triage.protocols import active_protocol

    protocol = active_protocol()
    spec = protocol.call_types.get(call_type)
    if spec is None or spec.tier != 0:
        raise ReportRefused("what happened: choose one of the kinds of report listed")
    return protocol


def online_report_start(*, sender_address: str, call_type: str) -> OnlineReport:
    """A person starts an online report by choosing what to report (report lines
    1387-1389): a record with no personal data, so that reports started and never sent
    are counted (``core.intake.online_report_status``). Throttled per address like the
    reports themselves, so a script cannot inflate the abandonment figure much."""
    protocol = _tier0_type(call_type)
    source = sender_key(sender_address, "report")
    since = timezone.now() - timedelta(minutes=ONLINE_WINDOW_MINUTES)
    refuse_when_too_many(
        OnlineReport.objects.filter(source_hash=source, started_at__gte=since),
        ONLINE_START_LIMIT, TOO_MANY_REPORTS,
    )  # fmt: skip
    return OnlineReport.objects.create(
        call_type=call_type, category=str(protocol.call_types[call_type].category),
        started_at=timezone.now(), source_hash=source,
    )  # fmt: skip


def _open_start(report_id: int | None, call_type: str, source: str) -> OnlineReport:
    """The person's started report (locked), or one started now when the form was sent
    without one (no start step, or a start already finished)."""
    found = None
    if report_id is not None:
        found = (
            OnlineReport.objects.select_for_update()
            .filter(pk=report_id, status="initiated", case__isnull=True)
            .first()
        )
    if found is None:
        found = OnlineReport.objects.create(
            call_type=call_type, category=_tier0_type(call_type).call_types[call_type].category,
            started_at=timezone.now(), source_hash=source,
        )  # fmt: skip
    return found


def online_report_submit(
    *,
    sender_address: str,
    call_type: str,
    answers: Mapping[str, str],
    details: CallDetails,
    trap: str = "",
    report_id: int | None = None,
) -> Intake:
    """A report from the public web form (report lines 1153, 1168-1172): a Tier 0 call on
    the ``online`` channel and its virtual case, through the same intake action. Refused:
    bots (the hidden ``trap`` field filled), more than ``ONLINE_LIMIT`` reports an hour
    from one address, and any report whose answers need a field response (NeedsResponseNow:
    the person is told to call 911 at once; an unattended web queue must not hold it).
    ``report_id``: the report started with ``online_report_start``, marked completed (or
    elevated, when sent to 911) here."""
    from .selectors import online_report_agency

    if trap:
        raise ReportRefused("report: refused")
    protocol = _tier0_type(call_type)
    if not details.narrative.strip():
        raise ReportRefused("description: say what happened")
    agency = online_report_agency()
    if agency is None:
        raise ReportRefused("online reporting is not set up here; call 311")
    source = sender_key(sender_address, "report")
    since = timezone.now() - timedelta(minutes=ONLINE_WINDOW_MINUTES)
    refuse_when_too_many(
        VirtualCase.objects.filter(source_hash=source, opened_at__gte=since),
        ONLINE_LIMIT, TOO_MANY_REPORTS,
    )  # fmt: skip
    decision = call_decide(protocol, call_type, answers, received_at=None, area=details.area)
    if decision.tier != 0 or decision.screened_out:
        with transaction.atomic():
            _online_finish(_open_start(report_id, call_type, source), "elevated")
        raise NeedsResponseNow(decision.tier)
    details.channel = "online"
    with transaction.atomic():
        start = _open_start(report_id, call_type, source)
        # No flag rules for the public form: nobody is identified, and a place's hazard flag
        # must not show through what the form answers.
        result = call_intake(
            user=None, agency=agency, call_type=call_type, answers=answers, details=details,
            protocol=protocol, flags=(),
        )  # fmt: skip
        if result.case is None:  # the protocol changed between the two decisions
            raise NeedsResponseNow(result.call.tier)
        result.case.source_hash = source
        result.case.advised_direct = True  # they reported directly
        result.case.save(update_fields=["source_hash", "advised_direct"])
        start.case = result.case
        _online_finish(start, "completed")
    return result


def _online_finish(report: OnlineReport, status: str) -> None:
    report.status, report.finished_at = status, timezone.now()
    report.save(update_fields=["status", "finished_at", "case"])


# ---------------------------------------------------------------- hotline transfers


def _locked_transfer(transfer_id: int, user: Any) -> HotlineTransfer:
    from .selectors import transfers_visible_to

    transfer = transfers_visible_to(user).select_for_update().filter(pk=transfer_id).first()
    if transfer is None:
        raise LookupError(f"transfer {transfer_id} does not exist")
    return transfer


def _transfer_move(transfer: HotlineTransfer, target: str) -> None:
    try:
        check_transfer_transition(transfer.status, target)
    except CaseTransitionError as exc:
        raise CaseConflict(str(exc)) from None
    transfer.status = target


def _receiving(transfer: HotlineTransfer, user: Any) -> None:
    from rightresponse.accounts.selectors import user_agency_id

    if user_agency_id(user) != transfer.to_agency_id:
        raise PermissionError("only the hotline that received the transfer answers it")


@transaction.atomic
def transfer_start(
    *, call_id: int, user: Any, hotline: str, handoff: str, to_agency_id: int,
    external_ref: str = "",
) -> HotlineTransfer:  # fmt: skip
    """911 transfers a call to a hotline (warm: the call taker stays on the line until the
    hotline answers; cold: the caller is passed on)."""
    from rightresponse.triage.selectors import calls_visible_to

    call = calls_visible_to(user).filter(pk=call_id).first()
    if call is None:
        raise LookupError(f"call {call_id} does not exist")
    if hotline not in dict(HOTLINES) or handoff not in dict(HANDOFFS):
        raise CaseConflict("hotline must be 988, 311 or 211 and handoff warm or cold")
    to_agency = Agency.objects.filter(pk=to_agency_id, active=True).first()
    if to_agency is None:
        raise LookupError(f"agency {to_agency_id} does not exist")
    if to_agency.pk == call.agency_id:
        raise CaseConflict("a transfer goes to another agency's hotline")
    if HotlineTransfer.objects.filter(call=call, status__in=("requested", "accepted")).exists():
        raise CaseConflict(f"call {call_id} already has an open transfer")
    return HotlineTransfer.objects.create(
        call=call, from_agency_id=call.agency_id, to_agency=to_agency, hotline=hotline,
        handoff=handoff, requested_at=timezone.now(), requested_by=_user(user),
        external_ref=external_ref[:100],
    )  # fmt: skip


@transaction.atomic
def transfer_answer(
    transfer_id: int, user: Any, *, accept: bool, reason: str = ""
) -> HotlineTransfer:
    """The hotline accepts the transfer (a counselor has the caller) or declines it (with a
    reason; 911 keeps the call)."""
    transfer = _locked_transfer(transfer_id, user)
    _receiving(transfer, user)
    if not accept and not reason.strip():
        raise CaseConflict("declining a transfer needs a reason")
    _transfer_move(transfer, "accepted" if accept else "declined")
    transfer.answered_at = timezone.now()
    transfer.declined_reason = "" if accept else reason.strip()[:300]
    if not accept:
        transfer.closed_at = transfer.answered_at
    transfer.save()
    return transfer


@transaction.atomic
def transfer_close(transfer_id: int, user: Any, *, outcome: str) -> HotlineTransfer:
    transfer = _locked_transfer(transfer_id, user)
    _receiving(transfer, user)
    if outcome not in dict(TRANSFER_OUTCOMES):
        raise CaseConflict(f"outcome must be one of {', '.join(dict(TRANSFER_OUTCOMES))}")
    _transfer_move(transfer, "closed")
    transfer.outcome, transfer.closed_at = outcome, timezone.now()
    transfer.save(update_fields=["status", "outcome", "closed_at"])
    return transfer


def transfer_hand_back(
    transfer_id: int, user: Any, *, call_type: str, answers: Mapping[str, str], reason: str,
    address: str = "",
) -> tuple[HotlineTransfer, Intake]:  # fmt: skip
    """The hotline finds a civilian, co-response or police response is needed: a new 911
    call through the intake action (so triage decides the tier), linked to the transfer and
    so to the original call. Refused if the new triage needs no field response."""
    reason = (reason or "").strip()
    if not reason:
        raise CaseConflict("a hand-back needs a reason")
    with transaction.atomic():
        transfer = _locked_transfer(transfer_id, user)
        _receiving(transfer, user)
        _transfer_move(transfer, "handed_back")
        original = transfer.call
        details = CallDetails(
            channel=transfer.hotline if transfer.hotline in ("988", "311") else "hotline",
            address=address or original.address, latitude=None if address else original.latitude,
            longitude=None if address else original.longitude,
            caller_phone=original.caller_phone, caller_name=original.caller_name,
            narrative=f"Handed back by {transfer.hotline} (transfer {transfer.pk}, call "
            f"{original.pk}): {reason}"[:4000],
        )  # fmt: skip
        result = call_intake(user=user, agency=original.agency_id, call_type=call_type,
                             answers=answers, details=details)  # fmt: skip
        if result.incident is None:
            raise CaseConflict(
                f"{call_type} with these answers is tier {result.call.tier}: no field response,"
                " so there is nothing to hand back to 911"
            )
        transfer.hand_back_call = result.call
        transfer.hand_back_reason = reason[:500]
        transfer.closed_at = timezone.now()
        transfer.save()
        return transfer, result
