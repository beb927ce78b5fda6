"""REST endpoints of the protocol studio (thin: parse, authorise, call a service or selector).

Mounted at /api/studio. Authors draft, validate, diff, preview the impact and submit;
approvers (another person: two-person rule) approve with an effective time and roll
back. A refused action is 409 with the reason; a missing version is 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import StringConstraints

from rightresponse.accounts import roles as r
from rightresponse.accounts.permissions import allow
from rightresponse.config.problems import MAY_CONFLICT
from rightresponse.core.triage import ProtocolError

from . import selectors, services
from .impact import city_impact, dataset_impacts
from .live import compiled_text, compiled_version
from .models import ProtocolVersion

router = Router(tags=["protocol studio"])

AUTHORS = (r.PROTOCOL_AUTHOR,)
APPROVERS = (r.PROTOCOL_APPROVER,)
READERS = (r.PROTOCOL_AUTHOR, r.PROTOCOL_APPROVER, r.SUPERVISOR)
MAX_ID = 2**62
YamlText = Annotated[str, StringConstraints(max_length=services.MAX_YAML_CHARS)]
Note = Annotated[str, StringConstraints(max_length=4000)]


class ProblemOut(Schema):
    path: str
    reason: str


class ExampleOut(Schema):
    index: int
    name: str
    call_type: str
    passed: bool
    failures: list[str]
    tier: int | None
    lead: str | None


class VersionSummary(Schema):
    id: int
    version: str
    name: str
    status: str
    state: str
    valid: bool
    examples_passed: int
    examples_total: int
    author: str | None
    approver: str | None
    effective_at: datetime | None
    parent_id: int | None
    rollback_of_id: int | None
    note: str
    created_at: datetime
    updated_at: datetime


class VersionOut(VersionSummary):
    yaml: str
    problems: list[ProblemOut]
    examples: list[ExampleOut]


class DraftIn(Schema):
    parent_id: int | None = None
    yaml: YamlText | None = None
    note: Note = ""


class DraftSaveIn(Schema):
    yaml: YamlText
    note: Note | None = None


class ValidateIn(Schema):
    yaml: YamlText


class CheckOut(Schema):
    valid: bool
    version: str
    problems: list[ProblemOut]
    examples: list[ExampleOut]


class ApproveIn(Schema):
    effective_at: datetime | None = None


class WithdrawIn(Schema):
    reason: Note = ""


class FieldChangeOut(Schema):
    field: str
    before: Any
    after: Any


class ChangeOut(Schema):
    section: str
    kind: str
    id: str
    label: str
    fields: list[FieldChangeOut]
    text: str


class DiffOut(Schema):
    before: str
    after: str
    before_version: str
    after_version: str
    changes: list[ChangeOut]


def _user_name(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _summary(version: ProtocolVersion, live_pk: int | None) -> dict[str, Any]:
    return {
        "id": version.pk,
        "version": version.version_label,
        "name": version.name,
        "status": version.status,
        "state": selectors.version_state(version, live_pk, timezone.now()),
        "valid": version.valid,
        "examples_passed": version.examples_passed,
        "examples_total": len(version.example_results),
        "author": _user_name(version.author),
        "approver": _user_name(version.approver),
        "effective_at": version.effective_at,
        "parent_id": version.parent_id,
        "rollback_of_id": version.rollback_of_id,
        "note": version.note,
        "created_at": version.created_at,
        "updated_at": version.updated_at,
    }


def _out(version: ProtocolVersion) -> dict[str, Any]:
    live = selectors.live_version()
    return {
        **_summary(version, live.pk if live else None),
        "yaml": version.yaml_text,
        "problems": version.problems,
        "examples": version.example_results,
    }


def _get(version_id: int) -> ProtocolVersion:
    if not 1 <= version_id <= MAX_ID:
        raise HttpError(404, f"No protocol version {version_id}.")
    try:
        return selectors.version_get(version_id)
    except ProtocolVersion.DoesNotExist:
        raise HttpError(404, f"No protocol version {version_id}.") from None


def _refused(exc: services.StudioError) -> HttpError:
    detail = str(exc)
    if exc.problems:
        first = exc.problems[0]
        detail += f" First: at {first['path']}: {first['reason']}"
    return HttpError(409, detail)


@router.get(
    "/versions",
    response=list[VersionSummary],
    auth=allow(*READERS),
    summary="Protocol versions, newest first, with their state (live, scheduled, draft...)",
)
def version_list(request: HttpRequest) -> list[dict[str, Any]]:
    live = selectors.live_version()
    return [_summary(v, live.pk if live else None) for v in selectors.versions_list()[:200]]


@router.get(
    "/versions/{version_id}",
    response=VersionOut,
    auth=allow(*READERS),
    summary="One version: its YAML, problems and example call results",
)
def version_detail(request: HttpRequest, version_id: int) -> dict[str, Any]:
    return _out(_get(version_id))


@router.post(
    "/versions",
    response={201: VersionOut},
    auth=allow(*AUTHORS),
    summary="Start a draft: from the given YAML, from a version (parent_id) or from the live one",
)
def draft_create_api(request: HttpRequest, payload: DraftIn) -> tuple[int, dict[str, Any]]:
    parent = _get(payload.parent_id) if payload.parent_id is not None else selectors.live_version()
    try:
        version = services.draft_create(
            user=request.user, parent=parent, yaml_text=payload.yaml, note=payload.note
        )
    except ProtocolError as exc:  # starting from a protocol file that cannot be read
        raise HttpError(503, f"The live protocol cannot be loaded: {exc}") from None
    return 201, _out(version)


@router.put(
    "/versions/{version_id}",
    response=VersionOut,
    auth=allow(*AUTHORS),
    summary="Save a draft (valid or not); validation and example calls are re-run",
)
def draft_save_api(request: HttpRequest, version_id: int, payload: DraftSaveIn) -> dict[str, Any]:
    try:
        version = services.draft_save(
            user=request.user, version=_get(version_id), yaml_text=payload.yaml, note=payload.note
        )
    except services.StudioError as exc:
        raise _refused(exc) from None
    return _out(version)


@router.post(
    "/validate",
    url_name="studio_validate",
    response=CheckOut,
    auth=allow(*AUTHORS),
    summary="Validate protocol YAML and run its example calls, without saving",
)
def validate_api(request: HttpRequest, payload: ValidateIn) -> dict[str, Any]:
    checked = services.protocol_check(payload.yaml)
    return {
        "valid": checked.valid,
        "version": checked.version,
        "problems": checked.problems,
        "examples": checked.examples,
    }


def _transition(action: Any, request: HttpRequest, version_id: int, **kwargs: Any) -> Any:
    try:
        return _out(action(user=request.user, version=_get(version_id), **kwargs))
    except services.StudioError as exc:
        raise _refused(exc) from None


@router.post(
    "/versions/{version_id}/submit",
    response=VersionOut,
    auth=allow(*AUTHORS),
    summary="Submit a valid draft whose example calls pass for approval",
)
def draft_submit_api(request: HttpRequest, version_id: int) -> dict[str, Any]:
    return _transition(services.draft_submit, request, version_id)  # type: ignore[no-any-return]


@router.post(
    "/versions/{version_id}/withdraw",
    response=VersionOut,
    auth=allow(*AUTHORS, *APPROVERS),
    summary="Return a submitted version to draft (its author, or an approver with a reason)",
)
def draft_withdraw_api(
    request: HttpRequest, version_id: int, payload: WithdrawIn
) -> dict[str, Any]:
    return _transition(  # type: ignore[no-any-return]
        services.draft_withdraw, request, version_id, reason=payload.reason
    )


@router.post(
    "/versions/{version_id}/approve",
    response=VersionOut,
    auth=allow(*APPROVERS),
    summary="Approve a submitted version to take effect at effective_at (default now); "
    "nobody who wrote or submitted it may approve it",
)
def version_approve_api(
    request: HttpRequest, version_id: int, payload: ApproveIn
) -> dict[str, Any]:
    return _transition(  # type: ignore[no-any-return]
        services.version_approve, request, version_id, effective_at=payload.effective_at
    )


@router.post(
    "/versions/{version_id}/rollback",
    response=VersionOut,
    auth=allow(*APPROVERS),
    summary="Make this earlier approved version live again now (one action)",
)
def version_rollback_api(request: HttpRequest, version_id: int) -> dict[str, Any]:
    try:
        return _out(services.version_rollback(user=request.user, target=_get(version_id)))
    except services.StudioError as exc:
        raise _refused(exc) from None


@router.get(
    "/diff",
    response=DiffOut,
    auth=allow(*READERS),
    summary="Semantic diff between two versions (from_id omitted: the live protocol)",
    openapi_extra={MAY_CONFLICT: True},
)
def diff_api(request: HttpRequest, to_id: int, from_id: int | None = None) -> dict[str, Any]:
    after = _get(to_id)
    before: ProtocolVersion | None = _get(from_id) if from_id is not None else None
    before_name = f"version {from_id}"
    try:
        if from_id is None:
            _text, before_name, before = selectors.live_text_and_label()
        diff = selectors.version_diff(before, after)
    except services.StudioError as exc:
        # The request is well formed; the version's text is what does not validate.
        raise HttpError(409, str(exc)) from None
    except ProtocolError as exc:
        raise HttpError(503, f"The live protocol cannot be loaded: {exc}") from None
    return {"before": before_name, "after": f"version {to_id}", **diff.to_dict()}


@router.get(
    "/versions/{version_id}/impact",
    auth=allow(*READERS),
    summary="The last year of the city's calls replayed under this version and the live one: "
    "tier and lead shares with 95% intervals, call types that moved, safety check, "
    "unit-hours and FTE per program and shift",
    openapi_extra={MAY_CONFLICT: True},
)
def impact_api(request: HttpRequest, version_id: int) -> dict[str, Any]:
    version = _get(version_id)
    try:
        draft = (
            compiled_version(version)
            if version.status in ProtocolVersion.SCHEDULED
            else compiled_text(version.yaml_text, f"version {version.pk}")
        )
    except ProtocolError as exc:
        raise HttpError(
            409, f"Version {version_id} does not validate, so it cannot be replayed: {exc}"
        ) from None
    try:
        live, live_name = selectors.live_protocol()
    except ProtocolError as exc:
        raise HttpError(503, f"The live protocol cannot be loaded: {exc}") from None
    impact = city_impact(draft, live)
    datasets = [
        {
            "dataset": d.slug,
            "title": d.title,
            "unmapped": d.unmapped,
            **d.impact.to_dict(),
            "comparison": d.comparison,
        }
        for d in dataset_impacts(draft, live)
    ]
    return {
        "version": version.version_label,
        "compared_with": live_name,
        **impact.to_dict(),
        "datasets": datasets,
    }
