"""REST endpoints of the intake app, mounted at /api/intake: the phone-report queue of
virtual cases, and hotline transfers, a small API a hotline's own system calls (report
lines 1166, 1491). Thin: parse, authorise, call a service or selector, render.

Refusals: a record the caller may not see answers 404; a change the record's state does not
allow answers 409 (a schema-valid request is never 422 for a state); only the receiving
hotline answers, closes or hands back a transfer (403)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from rightresponse.accounts import roles as r
from rightresponse.accounts.models import Agency
from rightresponse.accounts.permissions import allow
from rightresponse.accounts.selectors import user_agency_id
from rightresponse.config.inputs import Id, StrictIn, text
from rightresponse.core.triage import UnknownIdError
from rightresponse.triage.api import Answers, CallType
from rightresponse.triage.services import InvalidCall

from . import selectors, services
from .models import HotlineTransfer, VirtualCase

router = Router(tags=["intake"])
ROLES = r.EMERGENCY_COMMUNICATIONS  # call takers (a hotline's counselors too), dispatchers


class CaseOut(Schema):
    id: int
    call_id: int
    channel: str
    status: str
    call_type: str
    opened_at: datetime
    taken_at: datetime | None
    closed_at: datetime | None
    advised_direct: bool
    elevated_incident_id: int | None


class CaseCloseIn(StrictIn):
    status: Literal["completed", "abandoned"]
    note: text(500) = ""  # type: ignore[valid-type]
    advised_direct: bool = Field(
        default=False, description="The caller was told how to report this directly next time."
    )


class CaseElevateIn(StrictIn):
    call_type: CallType
    answers: Answers = Field(default_factory=dict)
    reason: text(500, required=True)  # type: ignore[valid-type]


class TransferIn(StrictIn):
    call_id: Id  # type: ignore[valid-type]
    hotline: Literal["988", "311", "211"]
    handoff: Literal["warm", "cold"]
    to_agency_id: Id = Field(description="The hotline's agency")  # type: ignore[valid-type]
    external_ref: text(100) = ""  # type: ignore[valid-type]


class AnswerIn(StrictIn):
    accept: bool
    reason: text(300) = Field(default="", description="Required to decline")  # type: ignore[valid-type]


class OutcomeIn(StrictIn):
    outcome: Literal["resolved", "referred", "no_contact"]


class HandBackIn(StrictIn):
    call_type: CallType
    answers: Answers = Field(default_factory=dict)
    reason: text(500, required=True)  # type: ignore[valid-type]
    address: text(200) = Field(default="", description="Default: the original call's location")  # type: ignore[valid-type]


class TransferOut(Schema):
    id: int
    call_id: int
    from_agency_id: int
    to_agency_id: int
    hotline: str
    handoff: str
    status: str
    requested_at: datetime
    answered_at: datetime | None
    declined_reason: str
    outcome: str
    closed_at: datetime | None
    hand_back_call_id: int | None
    hand_back_incident_id: int | None
    external_ref: str


class AgencyOut(Schema):
    id: int
    slug: str
    name: str
    kind: str


class HandBackOut(Schema):
    transfer: TransferOut
    call_id: int
    incident_id: int


def _case_out(case: VirtualCase) -> dict[str, Any]:
    return {
        "id": case.pk, "call_id": case.call_id, "channel": case.channel, "status": case.status,
        "call_type": case.call.call_type, "opened_at": case.opened_at, "taken_at": case.taken_at,
        "closed_at": case.closed_at, "advised_direct": case.advised_direct,
        "elevated_incident_id": case.elevated_incident_id,
    }  # fmt: skip


def _transfer_out(t: HotlineTransfer) -> dict[str, Any]:
    incident = getattr(t.hand_back_call, "incident", None) if t.hand_back_call_id else None
    return {
        "id": t.pk, "call_id": t.call_id, "from_agency_id": t.from_agency_id,
        "to_agency_id": t.to_agency_id, "hotline": t.hotline, "handoff": t.handoff,
        "status": t.status, "requested_at": t.requested_at, "answered_at": t.answered_at,
        "declined_reason": t.declined_reason, "outcome": t.outcome, "closed_at": t.closed_at,
        "hand_back_call_id": t.hand_back_call_id,
        "hand_back_incident_id": incident.pk if incident is not None else None,
        "external_ref": t.external_ref,
    }  # fmt: skip


MAX_ID = 2**62


def _id(value: int, what: str) -> int:
    """A path id beyond any stored one answers 404 (not a database overflow)."""
    if not 1 <= value <= MAX_ID:
        raise HttpError(404, f"{what} {value} does not exist")
    return value


def _run(work: Any) -> Any:
    """Turn the services' refusals into problems naming the reason."""
    try:
        return work()
    except LookupError as exc:
        raise HttpError(404, str(exc)) from None
    except PermissionError as exc:
        raise HttpError(403, str(exc)) from None
    except services.CaseConflict as exc:
        raise HttpError(409, str(exc)) from None
    except (UnknownIdError, InvalidCall) as exc:
        raise HttpError(422, str(exc)) from None
    except services.IntakeFailed as exc:
        raise HttpError(503, str(exc)) from None


@router.get("/cases", response=list[CaseOut], auth=allow(*ROLES),
            summary="The phone-report queue: open virtual cases, oldest first")  # fmt: skip
def case_queue(request: HttpRequest) -> list[dict[str, Any]]:
    return [_case_out(c) for c in selectors.report_queue(request.user)]


@router.post("/cases/{case_id}/take", response=CaseOut, auth=allow(*ROLES),
             summary="Take a case from the queue (its answer time)")  # fmt: skip
def case_take(request: HttpRequest, case_id: int) -> dict[str, Any]:
    _id(case_id, "virtual case")
    return _case_out(_run(lambda: services.virtual_case_take(case_id, request.user)))


@router.post("/cases/{case_id}/close", response=CaseOut, auth=allow(*ROLES),
             summary="Complete a case or mark it abandoned")  # fmt: skip
def case_close(request: HttpRequest, case_id: int, payload: CaseCloseIn) -> dict[str, Any]:
    _id(case_id, "virtual case")
    return _case_out(_run(lambda: services.virtual_case_close(
        case_id, payload.status, request.user, payload.note,
        advised_direct=payload.advised_direct)))  # fmt: skip


@router.post("/cases/{case_id}/elevate", response=CaseOut, auth=allow(*ROLES),
             summary="Re-triage a case that needs a field response: its incident is created")  # fmt: skip
def case_elevate(request: HttpRequest, case_id: int, payload: CaseElevateIn) -> dict[str, Any]:
    _id(case_id, "virtual case")
    _run(lambda: services.virtual_case_elevate(
        case_id, request.user, call_type=payload.call_type, answers=payload.answers,
        reason=payload.reason))  # fmt: skip
    return _case_out(VirtualCase.objects.select_related("call").get(pk=case_id))


@router.get("/agencies", response=list[AgencyOut], auth=allow(*ROLES),
            summary="Agencies a call can be transferred to (every active agency but yours)")  # fmt: skip
def transfer_targets(request: HttpRequest) -> list[Agency]:
    return list(
        Agency.objects.filter(active=True).exclude(pk=user_agency_id(request.user)).order_by("name")
    )


@router.post("/transfers", response={201: TransferOut}, auth=allow(*ROLES),
             summary="Transfer a 911 call to a hotline (988, 311, 211), warm or cold")  # fmt: skip
def transfer_create(request: HttpRequest, payload: TransferIn) -> tuple[int, dict[str, Any]]:
    transfer = _run(lambda: services.transfer_start(
        call_id=payload.call_id, user=request.user, hotline=payload.hotline,
        handoff=payload.handoff, to_agency_id=payload.to_agency_id,
        external_ref=payload.external_ref))  # fmt: skip
    return 201, _transfer_out(transfer)


@router.get("/transfers", response=list[TransferOut], auth=allow(*ROLES),
            summary="Transfers your agency sent or received, newest first")  # fmt: skip
def transfer_list(request: HttpRequest, status: str | None = None) -> list[dict[str, Any]]:
    rows = selectors.transfers_visible_to(request.user).select_related("hand_back_call")
    if status:
        rows = rows.filter(status=status)
    return [_transfer_out(t) for t in rows[:200]]


@router.get("/transfers/{transfer_id}", response=TransferOut, auth=allow(*ROLES),
            summary="One transfer")  # fmt: skip
def transfer_get(request: HttpRequest, transfer_id: int) -> dict[str, Any]:
    _id(transfer_id, "transfer")
    transfer = selectors.transfers_visible_to(request.user).filter(pk=transfer_id).first()
    if transfer is None:
        raise HttpError(404, f"transfer {transfer_id} does not exist")
    return _transfer_out(transfer)


@router.post("/transfers/{transfer_id}/answer", response=TransferOut, auth=allow(*ROLES),
             summary="The hotline accepts or declines (with a reason) a transfer")  # fmt: skip
def transfer_answer(request: HttpRequest, transfer_id: int, payload: AnswerIn) -> dict[str, Any]:
    _id(transfer_id, "transfer")
    return _transfer_out(_run(lambda: services.transfer_answer(
        transfer_id, request.user, accept=payload.accept, reason=payload.reason)))  # fmt: skip


@router.post("/transfers/{transfer_id}/outcome", response=TransferOut, auth=allow(*ROLES),
             summary="The hotline closes an accepted transfer with its outcome")  # fmt: skip
def transfer_outcome(request: HttpRequest, transfer_id: int, payload: OutcomeIn) -> dict[str, Any]:
    _id(transfer_id, "transfer")
    return _transfer_out(_run(lambda: services.transfer_close(
        transfer_id, request.user, outcome=payload.outcome)))  # fmt: skip


@router.post("/transfers/{transfer_id}/hand-back", response={201: HandBackOut},
             auth=allow(*ROLES),
             summary="The hotline hands the caller back to 911 for a field response: a new "
             "call and incident, linked to the transfer and the original call")  # fmt: skip
def transfer_hand_back(
    request: HttpRequest, transfer_id: int, payload: HandBackIn
) -> tuple[int, dict[str, Any]]:
    _id(transfer_id, "transfer")
    transfer, result = _run(lambda: services.transfer_hand_back(
        transfer_id, request.user, call_type=payload.call_type, answers=payload.answers,
        reason=payload.reason, address=payload.address))  # fmt: skip
    assert result.incident is not None  # the service refuses a hand-back without one
    return 201, {"transfer": _transfer_out(transfer), "call_id": result.call.pk,
                 "incident_id": result.incident.pk}  # fmt: skip
