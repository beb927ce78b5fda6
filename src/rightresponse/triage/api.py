"""REST endpoints of the triage pillar (thin: parse, authorise, call a service or selector).

Mounted at /api/triage. Unknown call types or question ids get 422 naming them; an
invalid protocol file on the server gets 503 with the loader's message, never a 500.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.db import DatabaseError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import AfterValidator, Field, StringConstraints

from rightresponse.accounts import roles as r
from rightresponse.accounts.permissions import allow
from rightresponse.accounts.selectors import user_agency_id
from rightresponse.config.inputs import NO_NUL_PATTERN, AwareDateTime, StrictIn
from rightresponse.core.triage import (
    TIER_LABELS,
    Protocol,
    ProtocolError,
    UnknownIdError,
)
from rightresponse.intake.services import Intake, IntakeFailed, call_intake, call_reassess

from .models import Call
from .protocols import active_protocol
from .received import received_window
from .selectors import call_get, calls_recent, calls_visible_to
from .services import CallDetails, InvalidCall, call_decide

router = Router(tags=["triage"])

CALL_ROLES = r.EMERGENCY_COMMUNICATIONS  # call takers, dispatchers, supervisors
MAX_ID = 2**62


def _call_type_enum(schema: dict[str, Any]) -> None:
    """The spec lists the active protocol's call types (read when the spec is built, so a
    city's protocol is what its clients see); the server refuses others with 422."""
    try:
        schema["enum"] = sorted(active_protocol().call_types)
    except (ProtocolError, OSError, DatabaseError, RuntimeError):  # no protocol: a free string
        return


def _plain_text(value: str) -> str:
    """Refuse text a database cannot store (NUL, lone surrogates) with a clear reason."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


def _question_enum(schema: dict[str, Any]) -> None:
    try:
        schema["enum"] = sorted(active_protocol().questions)
    except (ProtocolError, OSError, DatabaseError, RuntimeError):
        return


PlainText = AfterValidator(_plain_text)
NoNul = Field(json_schema_extra={"pattern": NO_NUL_PATTERN})
Text40 = Annotated[str, StringConstraints(max_length=40), PlainText, NoNul]
Text60 = Annotated[str, StringConstraints(max_length=60), PlainText, NoNul]
Text120 = Annotated[str, StringConstraints(max_length=120), PlainText, NoNul]
Text200 = Annotated[str, StringConstraints(max_length=200), PlainText, NoNul]
Text4000 = Annotated[str, StringConstraints(max_length=4000), PlainText, NoNul]
Id = Annotated[str, StringConstraints(min_length=1, max_length=60), PlainText]
CallType = Annotated[Id, Field(json_schema_extra=_call_type_enum)]
QuestionId = Annotated[Id, Field(json_schema_extra=_question_enum)]
AnswerValue = Literal["yes", "no", "unknown"]
Answers = Annotated[dict[QuestionId, AnswerValue], Field(max_length=64)]
Channel = Literal["911", "311", "988", "hotline", "online", "direct", "officer"]


class DecisionRequest(StrictIn):
    call_type: CallType
    answers: Answers = Field(default_factory=dict)
    received_at: AwareDateTime | None = Field(
        default=None,
        description="When the call came in (default now): programs are offered only within "
        "their hours, on the city's local clock. Within the same window as a call's.",
    )
    area: Text60 = Field(
        default="",
        description="The call's area (a precinct of the city's boundaries); programs with "
        "areas are offered only there. Empty: not known, not checked.",
    )


class RiskOut(Schema):
    likelihood: int
    consequence: int
    score: int
    band: str


class NotOfferedOut(Schema):
    program: str
    why: Literal["outside_hours", "outside_areas", "none_open"]
    text: str


class DecisionOut(Schema):
    tier: int
    lead: str | None
    programs: list[str]
    risk: RiskOut
    screened_out: bool
    reasons: list[str]
    ask_next: list[str]
    protocol_version: str
    call_type: str
    category: str
    not_offered: list[NotOfferedOut] = Field(
        default_factory=list,
        description="Programs passed over for this call because of their hours or areas, "
        "with why (decisions stored before programs had hours carry none).",
    )


class CallIn(StrictIn):
    call_type: CallType
    answers: Answers = Field(default_factory=dict)
    channel: Channel = "911"
    caller_name: Text120 = ""
    caller_phone: Text40 = ""
    address: Text200 = ""
    latitude: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    area: Text60 = ""
    narrative: Text4000 = ""
    received_at: AwareDateTime | None = Field(
        default=None,
        description="When the call came in, with its offset; within the configured window "
        "(RIGHTRESPONSE_CALLS_PAST_DAYS before now, RIGHTRESPONSE_CALLS_FUTURE_HOURS after; "
        "core/triage/received.py, the same rule as imported history). From a phone system "
        "or queue; omitted, the time to answer is not measurable for this call.",
    )
    answered_at: AwareDateTime | None = Field(
        default=None,
        description="When the call taker answered (not before received_at); default now.",
    )
    triage_started_at: AwareDateTime | None = Field(
        default=None,
        description="When triage began (between answered_at and now); omitted: not measured.",
    )


class AnswersPatch(StrictIn):
    answers: Answers
    call_type: CallType | None = Field(default=None, description="Reclassify the call as well.")


class CallOut(Schema):
    id: int
    received_at: datetime
    answered_at: datetime | None
    answer_wait_measured: bool
    triage_started_at: datetime | None
    triaged_at: datetime | None
    channel: str
    caller_name: str
    caller_phone: str
    address: str
    latitude: float | None
    longitude: float | None
    area: str
    call_type: str
    answers: dict[str, str]
    narrative: str
    decision: DecisionOut
    protocol_version: str
    incident_id: int | None = Field(description="The incident the call became (tiers 1-4), or null")
    virtual_case_id: int | None = Field(
        description="The virtual case the call became (Tier 0), or null"
    )


class CallSummary(Schema):
    id: int
    received_at: datetime
    channel: str
    area: str
    call_type: str
    tier: int | None
    lead: str
    risk_band: str
    screened_out: bool
    protocol_version: str


class QuestionOut(Schema):
    id: str
    text: str
    help: str
    unknown_as: str


class CallTypeOut(Schema):
    id: str
    label: str
    category: str
    tier: int
    questions: list[str]
    programs: list[str]


class ProgramOut(Schema):
    id: str
    label: str
    kind: str
    tiers: list[int]


class CategoryOut(Schema):
    id: str
    label: str


class ProtocolOut(Schema):
    version: str
    name: str
    tiers: dict[int, str]
    categories: list[CategoryOut]
    call_types: list[CallTypeOut]
    questions: list[QuestionOut]
    programs: list[ProgramOut]
    risk_bands: list[str]


def _protocol() -> Protocol:
    try:
        return active_protocol()
    except (ProtocolError, OSError) as exc:
        raise HttpError(503, f"The triage protocol cannot be loaded: {exc}") from None


def _call_out(call: Call, intake: Intake | None = None) -> dict[str, Any]:
    if intake is None:
        from rightresponse.dispatch.models import Incident
        from rightresponse.intake.models import VirtualCase

        incident_id = Incident.objects.filter(call=call).values_list("pk", flat=True).first()
        case_id = VirtualCase.objects.filter(call=call).values_list("pk", flat=True).first()
    else:
        incident_id = intake.incident.pk if intake.incident else None
        case_id = intake.case.pk if intake.case else None
    return {
        "id": call.pk,
        "received_at": call.received_at,
        "answered_at": call.answered_at,
        "answer_wait_measured": call.answer_wait_measured,
        "triage_started_at": call.triage_started_at,
        "triaged_at": call.triaged_at,
        "channel": call.channel,
        "caller_name": call.caller_name,
        "caller_phone": call.caller_phone,
        "address": call.address,
        "latitude": call.latitude,
        "longitude": call.longitude,
        "area": call.area,
        "call_type": call.call_type,
        "answers": call.answers,
        "narrative": call.narrative,
        "decision": call.decision,
        "protocol_version": call.protocol_version,
        "incident_id": incident_id,
        "virtual_case_id": case_id,
    }


def _check_id(call_id: int) -> None:
    if not 1 <= call_id <= MAX_ID:
        raise HttpError(404, f"No call {call_id}.")


@router.get(
    "/protocol",
    response=ProtocolOut,
    auth=allow(*r.ROLES),
    summary="The active protocol: call types, questions, programs",
)
def protocol_get(request: HttpRequest) -> dict[str, Any]:
    protocol = _protocol()
    return {
        "version": protocol.version,
        "name": protocol.name,
        "tiers": TIER_LABELS,
        "categories": [{"id": c.id, "label": c.label} for c in protocol.categories.values()],
        "call_types": [
            {
                "id": ct.id,
                "label": ct.label,
                "category": ct.category,
                "tier": ct.tier,
                "questions": list(ct.questions),
                "programs": list(ct.programs),
            }
            for ct in protocol.call_types.values()
        ],
        "questions": [
            {"id": q.id, "text": q.text, "help": q.help, "unknown_as": q.unknown_as}
            for q in protocol.questions.values()
        ],
        "programs": [
            {"id": p.id, "label": p.label, "kind": p.kind, "tiers": sorted(p.tiers)}
            for p in protocol.programs.values()
        ],
        "risk_bands": [b.id for b in protocol.risk_matrix.bands],
    }


@router.post(
    "/decision",
    response=DecisionOut,
    auth=allow(*CALL_ROLES),
    summary="Decide a call without storing it",
)
def decision_preview(request: HttpRequest, payload: DecisionRequest) -> dict[str, Any]:
    try:
        received = payload.received_at
        problem = received_window().problem(received, timezone.now()) if received else None
        if problem:
            raise HttpError(422, f"received_at: {problem}")
        return call_decide(
            _protocol(), payload.call_type, payload.answers,
            received_at=received, area=payload.area,
        ).to_dict()  # fmt: skip
    except UnknownIdError as exc:
        raise HttpError(422, str(exc)) from None


@router.post(
    "/calls",
    response={201: CallOut},
    auth=allow(*CALL_ROLES),
    summary="Take a call: the call, its decision and its incident (tiers 1-4) or virtual "
    "case (Tier 0) are stored together, or nothing is (503)",
)
def call_create_api(request: HttpRequest, payload: CallIn) -> tuple[int, dict[str, Any]]:
    agency_id = user_agency_id(request.user)
    if agency_id is None:
        raise HttpError(403, "Your account belongs to no agency, so it cannot take calls.")
    details = CallDetails(
        **payload.model_dump(exclude={"call_type", "answers"}),
    )
    try:
        intake = call_intake(
            user=request.user,
            agency=agency_id,
            call_type=payload.call_type,
            answers=payload.answers,
            details=details,
            protocol=_protocol(),
        )
    except (UnknownIdError, InvalidCall) as exc:
        raise HttpError(422, str(exc)) from None
    except IntakeFailed as exc:  # nothing was stored; the client may retry
        raise HttpError(503, str(exc)) from None
    return 201, _call_out(intake.call, intake)


@router.get(
    "/calls",
    response=list[CallSummary],
    auth=allow(*CALL_ROLES),
    summary="Recent calls of your agency (no caller details)",
)
def call_list(request: HttpRequest) -> list[Call]:
    return calls_recent(request.user)


@router.get(
    "/calls/{call_id}",
    response=CallOut,
    auth=allow(*CALL_ROLES),
    summary="One call with its decision (the read of caller data is audited)",
)
def call_detail(request: HttpRequest, call_id: int) -> dict[str, Any]:
    _check_id(call_id)
    call = call_get(request.user, call_id, purpose="triage: view call")
    if call is None:
        raise HttpError(404, f"No call {call_id} in your agency.")
    return _call_out(call)


@router.patch(
    "/calls/{call_id}/answers",
    response=CallOut,
    auth=allow(*CALL_ROLES),
    summary="Change answers (or reclassify) and re-triage",
)
def call_answers_update(
    request: HttpRequest, call_id: int, payload: AnswersPatch
) -> dict[str, Any]:
    _check_id(call_id)
    call = calls_visible_to(request.user).filter(pk=call_id).first()
    if call is None:
        raise HttpError(404, f"No call {call_id} in your agency.")
    try:
        intake = call_reassess(
            call=call,
            user=request.user,
            answers=payload.answers,
            call_type=payload.call_type,
            protocol=_protocol(),
        )
    except UnknownIdError as exc:
        raise HttpError(422, str(exc)) from None
    except IntakeFailed as exc:
        raise HttpError(503, str(exc)) from None
    return _call_out(intake.call, intake)
