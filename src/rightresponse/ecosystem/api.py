"""REST endpoints of the ecosystem pillar (thin: parse, authorise, call a service or selector)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import AfterValidator, ConfigDict, Field

from rightresponse.accounts import roles as r
from rightresponse.accounts.models import Agency
from rightresponse.accounts.permissions import PUBLIC, allow
from rightresponse.accounts.services import audit_record
from rightresponse.config import inputs
from rightresponse.config.inputs import DateTime, StrictIn
from rightresponse.config.problems import is_json_media_type
from rightresponse.core.ecosystem.consent import DATA_CATEGORIES, PURPOSES
from rightresponse.core.ecosystem.hsds import HsdsInvalid
from rightresponse.core.ecosystem.referrals import OUTCOME_REASONS, STATES, TransitionError
from rightresponse.people.models import Person

from . import hsds_io, selectors, services
from .models import Consent, Referral, Service
from .sharing import may_view_person_record, referral_person_view

router = Router(tags=["ecosystem"])


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here as a 422 rather than fail on write.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]

DIRECTORY_ROLES = (r.CALL_TAKER, r.DISPATCHER, r.RESPONDER, r.SERVICE_PROVIDER, r.SUPERVISOR)
REFERRAL_ROLES = (r.CALL_TAKER, r.DISPATCHER, r.RESPONDER, r.SERVICE_PROVIDER, r.SUPERVISOR)
CONSENT_ROLES = (r.CALL_TAKER, r.DISPATCHER, r.RESPONDER, r.SERVICE_PROVIDER, r.SUPERVISOR)


# ------------------------------------------------------------------ directory


class ServiceOut(Schema):
    id: UUID
    name: str
    organization: str
    category: str
    subcategory: str
    needs: list[str]
    languages: list[str]
    areas: list[str]
    phone: str
    eligibility: str
    open_now: bool | None
    capacity_available: int | None
    capacity_maximum: int | None
    capacity_unit: str
    capacity_updated_at: datetime | None
    waitlist: int
    is_victim_service: bool
    public_locations: list[str]


def _service_out(hit: selectors.ServiceHit) -> ServiceOut:
    s = hit.service
    return ServiceOut(
        id=s.id,
        name=s.name,
        organization=s.organization.name,
        category=s.category,
        subcategory=s.subcategory,
        needs=s.needs,
        languages=s.languages,
        areas=s.areas,
        phone=s.phone,
        eligibility=s.eligibility_description,
        open_now=hit.open_now,
        capacity_available=s.capacity_available,
        capacity_maximum=s.capacity_maximum,
        capacity_unit=s.capacity_unit,
        capacity_updated_at=s.capacity_updated_at,
        waitlist=s.waitlist,
        is_victim_service=s.is_victim_service,
        # Confidential locations (shelters) never leave the server.
        public_locations=[
            f"{loc.name}, {loc.address_1}".strip(", ")
            for loc in s.locations.all()
            if not loc.confidential
        ],
    )


class SearchQuery(Schema):
    need: Text = Field(default="", max_length=40)
    area: Text = Field(default="", max_length=60)
    language: Text = Field(default="", max_length=10)
    open_now: bool = False
    age: int | None = Field(default=None, ge=0, le=130)
    category: Literal["", "preventive", "responsive", "restorative"] = ""
    has_capacity: bool = False
    q: Text = Field(default="", max_length=100)


@router.get(
    "/services",
    response=list[ServiceOut],
    auth=allow(*DIRECTORY_ROLES),
    summary="Search services by need, area, language, open now, age and capacity",
)
def services_search(request: HttpRequest, filters: Query[SearchQuery]) -> list[ServiceOut]:
    criteria = selectors.SearchCriteria(
        need=filters.need,
        area=filters.area,
        language=filters.language,
        open_now=filters.open_now,
        age=filters.age,
        category=filters.category,
        has_capacity=filters.has_capacity,
        text=filters.q,
    )
    return [_service_out(h) for h in selectors.services_search(criteria)]


class CapacityIn(StrictIn):
    # Counts fit the database's integer columns (above 2^63-1 was a 500 before).
    available: inputs.Count
    maximum: inputs.Count | None = None
    waitlist: inputs.Count | None = None
    unit: inputs.text(40) | None = None  # type: ignore[valid-type]


@router.patch(
    "/services/{service_id}/capacity",
    response=ServiceOut,
    auth=allow(r.SERVICE_PROVIDER, r.RESPONDER),
    summary="Update a service's current capacity (HSDS 3.1); own organisation only",
)
def service_capacity(request: HttpRequest, service_id: UUID, payload: CapacityIn) -> ServiceOut:
    service = get_object_or_404(Service.objects.select_related("organization"), id=service_id)
    try:
        services.service_capacity_update(
            service,
            request.user,
            available=payload.available,
            maximum=payload.maximum,
            waitlist=payload.waitlist,
            unit=payload.unit,
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except services.InvalidInput as exc:
        raise HttpError(422, str(exc)) from exc
    return _service_out(selectors.ServiceHit(service, None))


@router.get(
    "/hsds.json",
    auth=PUBLIC,
    summary="The directory as Open Referral HSDS JSON (confidential locations left out)",
)
def hsds_export_json(request: HttpRequest) -> HttpResponse:
    body = json.dumps(hsds_io.directory_document(), indent=1)
    return HttpResponse(body, content_type="application/json")


@router.get(
    "/hsds.zip",
    auth=PUBLIC,
    summary="The directory as HSDS CSV tables in a zip (confidential locations left out)",
)
def hsds_export_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(hsds_io.directory_csv_zip(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="hsds.zip"'
    return response


class ImportOut(Schema):
    organizations: int
    locations: int
    services: int
    warnings: list[str]


def _import(request: HttpRequest, doc: Any) -> ImportOut:
    try:
        result = hsds_io.directory_import(doc)
    except HsdsInvalid as exc:
        raise HttpError(422, str(exc)) from exc
    audit_record(request.user, "write", "hsds_import", "directory", purpose="directory import")
    return ImportOut(**result.__dict__)


@router.post(
    "/hsds/import",
    response=ImportOut,
    auth=allow(r.ADMINISTRATOR),
    summary="Import an HSDS JSON document (validated first; all or nothing)",
    # Read whole and validated against the HSDS schemas, so the spec says only "an object".
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def hsds_import_json(request: HttpRequest) -> ImportOut:
    if not is_json_media_type(request.content_type or ""):
        raise HttpError(415, "Content-Type: send the HSDS document as application/json")
    try:
        doc = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HttpError(400, f"body: not JSON ({exc})") from exc
    return _import(request, doc)


@router.post(
    "/hsds/import-csv",
    response=ImportOut,
    auth=allow(r.ADMINISTRATOR),
    summary="Import HSDS CSV tables uploaded as a zip (validated first; all or nothing)",
    # The upload is a zip (of HSDS CSV tables): say so, so clients send one.
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "properties": {"file": {"contentMediaType": "application/zip"}},
                    },
                    "encoding": {"file": {"contentType": "application/zip"}},
                }
            }
        }
    },
)
def hsds_import_csv(request: HttpRequest, file: File[UploadedFile]) -> ImportOut:
    try:
        doc = hsds_io.document_from_csv_zip(file.read())
    except HsdsInvalid as exc:
        raise HttpError(422, str(exc)) from exc
    return _import(request, doc)


# ------------------------------------------------------------------ referrals


# The rules across fields that services.referral_create applies, stated in the spec too.
_INTEGER = {"type": "integer"}
REFERRAL_RULES = {
    "allOf": [
        {
            "if": {"properties": {"source": {"const": "incident"}}},
            "then": {"required": ["incident_id"], "properties": {"incident_id": _INTEGER}},
        },
        {
            "if": {"properties": {"source": {"const": "hotline"}}},
            "then": {"required": ["call_id"], "properties": {"call_id": _INTEGER}},
        },
        {
            "anyOf": [
                {"required": ["person_id"], "properties": {"person_id": _INTEGER}},
                {
                    "required": ["family_name"],
                    "properties": {"family_name": {"pattern": inputs.NOT_BLANK_PATTERN}},
                },
            ]
        },
    ]
}


class ReferralIn(StrictIn):
    model_config = ConfigDict(json_schema_extra=REFERRAL_RULES)

    service_id: inputs.Uuid
    source: Literal["incident", "hotline", "navigator", "provider"]
    person_id: inputs.Id | None = None
    family_name: inputs.text(120) = ""  # type: ignore[valid-type]
    family_size: inputs.integer(1, 30) | None = None  # type: ignore[valid-type]
    reason: inputs.text(2000) = ""  # type: ignore[valid-type]
    incident_id: inputs.Id | None = None
    incident_category: inputs.text(60) = ""  # type: ignore[valid-type]
    incident_call_type: inputs.text(60) = ""  # type: ignore[valid-type]
    call_id: inputs.Id | None = None
    parent_id: inputs.Id | None = None
    send: bool = True


class ReferralOut(Schema):
    id: int
    source: str
    status: str
    outcome_reason: str
    service_id: UUID | None
    service: str
    to_agency: str
    from_agency: str
    incident_id: int | None
    is_second_response: bool
    reached: bool | None
    connected: bool | None
    created_at: datetime
    requested_at: datetime | None
    accepted_at: datetime | None
    first_contact_at: datetime | None
    completed_at: datetime | None
    due_at: datetime | None
    overdue: str | None


def _referral_out(ref: Referral) -> ReferralOut:
    return ReferralOut(
        id=ref.pk,
        source=ref.source,
        status=ref.status,
        outcome_reason=ref.outcome_reason,
        service_id=ref.service_id,
        service=ref.service.name if ref.service else "",
        to_agency=ref.to_agency.slug,
        from_agency=ref.from_agency.slug if ref.from_agency else "",
        incident_id=ref.incident_id,
        is_second_response=ref.is_second_response,
        reached=ref.reached,
        connected=ref.connected,
        created_at=ref.created_at,
        requested_at=ref.requested_at,
        accepted_at=ref.accepted_at,
        first_contact_at=ref.first_contact_at,
        completed_at=ref.completed_at,
        due_at=ref.due_at,
        overdue=selectors.referral_overdue(ref),
    )


@router.post(
    "/referrals",
    response={201: ReferralOut},
    auth=allow(*REFERRAL_ROLES),
    summary="Refer a person or a family to a service",
)
def referral_create(request: HttpRequest, payload: ReferralIn) -> tuple[int, ReferralOut]:
    # A record the body names that does not exist is 404 (not found), like one in the path.
    service = (
        Service.objects.select_related("organization__agency").filter(id=payload.service_id).first()
    )
    if service is None:
        raise HttpError(404, "service_id: no such service")
    parent = None
    if payload.parent_id is not None:
        parent = selectors.referral_for(request.user, payload.parent_id)
        if parent is None:
            raise HttpError(404, "parent_id: no such referral of your agency")
    try:
        refs = services.referral_references(
            request.user,
            person_id=payload.person_id,
            call_id=payload.call_id,
            incident_id=payload.incident_id,
            incident_category=payload.incident_category,
            incident_call_type=payload.incident_call_type,
            parent=parent,
        )
    except services.ReferenceNotFound as exc:
        # A body reference: the same answer whether missing or forbidden (no existence oracle).
        raise HttpError(404, str(exc)) from exc
    except services.InvalidInput as exc:
        raise HttpError(422, str(exc)) from exc
    try:
        ref = services.referral_create(
            user=request.user,
            source=payload.source,
            service=service,
            person=refs.person,
            family_name=payload.family_name,
            family_size=payload.family_size,
            reason=payload.reason,
            incident_id=payload.incident_id,
            incident_category=refs.incident_category,
            incident_call_type=refs.incident_call_type,
            call=refs.call,
            parent=parent,
            send=payload.send,
        )
    except services.InvalidInput as exc:
        raise HttpError(422, str(exc)) from exc
    return 201, _referral_out(ref)


@router.get(
    "/referrals",
    response=list[ReferralOut],
    auth=allow(*REFERRAL_ROLES),
    summary="Referrals your agency sent (box=sent) or received (box=inbox)",
)
def referral_list(
    request: HttpRequest, box: Literal["sent", "inbox"] = "inbox", open_only: bool = False
) -> list[ReferralOut]:
    if box == "sent":
        qs = selectors.referrals_sent_by(request.user)
    else:
        qs = selectors.referrals_inbox(request.user, open_only=open_only)
    return [_referral_out(ref) for ref in qs[:500]]


class ReferralDetailOut(ReferralOut):
    person: dict[str, Any] | None
    person_basis: str | None
    person_explanation: str | None
    family_name: str
    reason: str


@router.get(
    "/referrals/{referral_id}",
    response=ReferralDetailOut,
    auth=allow(*REFERRAL_ROLES),
    summary="One referral; the person's data only as far as consent allows (audited)",
)
def referral_detail(request: HttpRequest, referral_id: int) -> ReferralDetailOut:
    ref = selectors.referral_for(request.user, referral_id)
    if ref is None:
        raise HttpError(404, "No such referral for your agency.")
    view = referral_person_view(request.user, ref)
    needs_ok = view is None or view.may("needs")
    base = _referral_out(ref).model_dump()
    return ReferralDetailOut(
        **base,
        person={k: str(v) for k, v in view.fields.items()} if view else None,
        person_basis=view.decision.basis if view else None,
        person_explanation=view.decision.explanation if view else None,
        family_name=ref.family_name,
        reason=ref.reason if needs_ok else "",
    )


ReferralStatus = Literal[STATES]  # type: ignore[valid-type]


class TransitionIn(StrictIn):
    status: ReferralStatus
    reason: Literal[tuple(OUTCOME_REASONS)] | None = None  # type: ignore[valid-type]
    note: inputs.text(500) = ""  # type: ignore[valid-type]


@router.post(
    "/referrals/{referral_id}/transition",
    response=ReferralOut,
    auth=allow(*REFERRAL_ROLES),
    summary="Move a referral to a new state (who may set which follows HL7 SDOH CC)",
)
def referral_transition(
    request: HttpRequest, referral_id: int, payload: TransitionIn
) -> ReferralOut:
    ref = selectors.referral_for(request.user, referral_id)
    if ref is None:
        raise HttpError(404, "No such referral for your agency.")
    try:
        ref = services.referral_transition(
            ref, request.user, payload.status, reason=payload.reason, note=payload.note
        )
    except TransitionError as exc:
        raise HttpError(409, str(exc)) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return _referral_out(
        Referral.objects.select_related("service", "to_agency", "from_agency").get(pk=ref.pk)
    )


class ContactIn(StrictIn):
    reached: bool
    connected: bool | None = None
    note: inputs.text(300) = ""  # type: ignore[valid-type]


@router.post(
    "/referrals/{referral_id}/contact",
    response=ReferralOut,
    auth=allow(r.SERVICE_PROVIDER, r.RESPONDER, r.SUPERVISOR),
    summary="Record a contact attempt: reached, connected (second response)",
)
def referral_contact(request: HttpRequest, referral_id: int, payload: ContactIn) -> ReferralOut:
    ref = selectors.referral_for(request.user, referral_id)
    if ref is None:
        raise HttpError(404, "No such referral for your agency.")
    try:
        ref = services.referral_record_contact(
            ref,
            request.user,
            reached=payload.reached,
            connected=payload.connected,
            note=payload.note,
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except services.InvalidInput as exc:
        raise HttpError(409, str(exc)) from exc
    return _referral_out(
        Referral.objects.select_related("service", "to_agency", "from_agency").get(pk=ref.pk)
    )


# ------------------------------------------------------------------ consent


class ConsentIn(StrictIn):
    person_id: inputs.Id
    organisations: list[inputs.text(60, required=True)] = Field(  # type: ignore[valid-type]
        description="Agency slugs", min_length=1
    )
    purposes: list[Literal[tuple(PURPOSES)]] = Field(min_length=1)  # type: ignore[valid-type]
    data_categories: list[Literal[tuple(DATA_CATEGORIES)]] = Field(min_length=1)  # type: ignore[valid-type]
    valid_until: DateTime | None = None
    informed: bool = False
    written: bool = False
    method: Literal["verbal", "written", "electronic"] = "verbal"
    person_present: bool = Field(
        default=False,
        description="The capturing worker attests the person is present and gives consent",
    )
    note: Text = Field(default="", max_length=300)


class ConsentOut(Schema):
    id: int
    person_id: int
    organisations: list[str]
    purposes: list[str]
    data_categories: list[str]
    valid_from: datetime
    valid_until: datetime | None
    informed: bool
    written: bool
    person_present: bool
    method: str
    captured_by: str | None
    captured_at: datetime
    revoked_at: datetime | None


def _consent_out(c: Consent) -> ConsentOut:
    return ConsentOut(
        id=c.pk,
        person_id=c.person_id,
        organisations=sorted(a.slug for a in c.organisations.all()),
        purposes=c.purposes,
        data_categories=c.data_categories,
        valid_from=c.valid_from,
        valid_until=c.valid_until,
        informed=c.informed,
        written=c.written,
        person_present=c.person_present,
        method=c.method,
        captured_by=c.captured_by.get_username() if c.captured_by else None,
        captured_at=c.captured_at,
        revoked_at=c.revoked_at,
    )


def _person_for(request: HttpRequest, person_id: int) -> Person:
    """A person whose record the user may open; anything else answers as a missing one."""
    person = Person.objects.filter(pk=person_id).first() if 1 <= person_id < 2**63 else None
    if person is None or not may_view_person_record(request.user, person):
        raise HttpError(404, "No such person for your agency.")
    return person


@router.post(
    "/consents",
    response={201: ConsentOut},
    auth=allow(*CONSENT_ROLES),
    summary="Record a person's consent (their own agency only, with the person present)",
)
def consent_grant(request: HttpRequest, payload: ConsentIn) -> tuple[int, ConsentOut]:
    person = _person_for(request, payload.person_id)
    agencies = list(Agency.objects.filter(slug__in=payload.organisations))
    missing = sorted(set(payload.organisations) - {a.slug for a in agencies})
    if missing:
        raise HttpError(404, f"organisations: unknown agency {', '.join(missing)}")
    written = payload.written or payload.method in ("written", "electronic")
    try:
        consent = services.consent_grant(
            user=request.user,
            person=person,
            organisations=agencies,
            purposes=payload.purposes,
            data_categories=payload.data_categories,
            valid_until=_utc(payload.valid_until, "valid_until"),
            informed=payload.informed,
            written=written,
            person_present=payload.person_present,
            method=payload.method,
            note=payload.note,
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except services.ConsentInvalid as exc:
        raise HttpError(422, str(exc)) from exc
    return 201, _consent_out(consent)


class RevokeIn(StrictIn):
    note: inputs.text(200) = ""  # type: ignore[valid-type]
    at_persons_request: bool = Field(
        default=False, description="The person asked this agency to stop sharing"
    )


@router.post(
    "/consents/{consent_id}/revoke",
    response=ConsentOut,
    auth=allow(*CONSENT_ROLES),
    summary="Revoke a consent (the person's agency, or a named one at the person's request)",
)
def consent_revoke(request: HttpRequest, consent_id: int, payload: RevokeIn) -> ConsentOut:
    consent = (
        Consent.objects.select_related("person").filter(pk=consent_id).first()
        if 1 <= consent_id < 2**63
        else None
    )
    if consent is None or not may_view_person_record(request.user, consent.person):
        raise HttpError(404, "No such consent for your agency.")
    try:
        revoked = services.consent_revoke(
            consent, request.user, payload.note, at_persons_request=payload.at_persons_request
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return _consent_out(revoked)


@router.get(
    "/people/{person_id}/consents",
    response=list[ConsentOut],
    auth=allow(*CONSENT_ROLES),
    summary="A person's consents, current and revoked",
)
def consent_list(request: HttpRequest, person_id: int) -> list[ConsentOut]:
    person = _person_for(request, person_id)
    audit_record(
        request.user, "read", "consents", person.pk, person_id=person.pk, purpose="consent review"
    )
    return [
        _consent_out(c)
        for c in person.consents.prefetch_related("organisations").select_related("captured_by")
    ]


# ------------------------------------------------------------------ facts


class ReferralFact(Schema):
    referral_id: int
    incident_id: int | None
    source: str
    incident_category: str | None
    service_id: str | None
    service_category: str | None
    subcategory: str | None
    created_at: datetime
    accepted_at: datetime | None
    first_contact_at: datetime | None
    completed_at: datetime | None
    status: str
    outcome_reason: str | None
    is_second_response: bool
    reached: bool | None
    connected: bool | None


@router.get(
    "/facts/referrals",
    response=list[ReferralFact],
    auth=allow(r.ANALYST, r.SUPERVISOR),
    summary="Referral facts for metrics (no personal data)",
)
def referral_facts(
    request: HttpRequest, start: DateTime | None = None, end: DateTime | None = None
) -> list[dict[str, Any]]:
    return selectors.referral_facts(_utc(start, "start"), _utc(end, "end"))


def _utc(value: datetime | None, field: str) -> datetime | None:
    """A bound in UTC (a naive one is read in the city's time zone); out of range is 422."""
    if value is None:
        return None
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        value = value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise HttpError(422, f"{field}: not a usable date and time ({exc})") from exc
    if not 1900 <= value.year <= 2200:
        raise HttpError(422, f"{field}: year {value.year} is out of range (1900-2200)")
    return value
