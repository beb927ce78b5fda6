"""REST endpoints of the plan pillar (thin: parse, authorise, call a service or selector).

The plan and its progress are public (what the public dashboard shows); changes need an
analyst or a supervisor and are audited.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from rightresponse.accounts import roles as r
from rightresponse.accounts.permissions import PUBLIC, allow

from . import selectors as sel
from . import services

router = Router(tags=["plan"])
MANAGERS = allow(r.ANALYST, r.SUPERVISOR)


@router.get("/steps", auth=PUBLIC, summary="Every step of the plan with its status and owners")
def steps(request: HttpRequest) -> dict[str, Any]:
    overall = sel.plan_progress()
    return {
        "plan_version": sel.plan_catalog().version,
        "progress_percent": overall.percent,
        "status_counts": overall.counts,
        "steps": sel.public_rows(),
    }


@router.get("/steps/{code}", auth=MANAGERS, summary="One step with its history")
def step(request: HttpRequest, code: str) -> dict[str, Any]:
    try:
        s = sel.step_get(code)
    except ObjectDoesNotExist as exc:
        raise HttpError(404, f"code: no plan step {code}") from exc
    entry = sel.plan_catalog().steps[s.code]
    return {
        "code": s.code,
        "title": s.action.title,
        "phase": s.phase,
        "area": s.area,
        "category": s.category,
        "summary": s.summary,
        "report_lines": list(entry.report_lines),
        "metrics": list(entry.metrics),
        "status": s.status,
        "committee": s.committee,
        "executive_sponsor": s.executive_sponsor,
        "agency": s.agency,
        "start_on": s.start_on,
        "due_on": s.due_on,
        "done_on": s.done_on,
        "milestones": [
            {"title": m.title, "due_on": m.due_on, "done_on": m.done_on} for m in s.milestones.all()
        ],
        "citistat_items": [
            {
                "id": link.item.pk,
                "meeting": link.item.meeting.title,
                "description": link.item.description,
                "status": link.item.status,
                "due_on": link.item.due_on,
            }
            for link in s.citistat_links.select_related("item__meeting")
        ],
        "pilots": [p.pk for p in s.pilots.all()],
        "history": [
            {
                "at": c.at,
                "by": c.by.get_username() if c.by else None,
                "field": c.field,
                "old": c.old,
                "new": c.new,
            }
            for c in sel.step_history(s)
        ],
    }


class StepPatch(Schema):
    status: str | None = None
    committee: str | None = None
    executive_sponsor: str | None = None
    agency: str | None = None
    start_on: date | None = None
    due_on: date | None = None
    done_on: date | None = None
    public_note: str | None = None
    note: str = ""


@router.patch("/steps/{code}", auth=MANAGERS, summary="Change a step's status, owners or dates")
def step_patch(request: HttpRequest, code: str, payload: StepPatch) -> dict[str, Any]:
    try:
        s = sel.step_get(code)
    except ObjectDoesNotExist as exc:
        raise HttpError(404, f"code: no plan step {code}") from exc
    changes = payload.dict(exclude_unset=True)
    note = changes.pop("note", "")
    try:
        services.step_update(s, request.user, note=note, **changes)  # type: ignore[arg-type]
    except services.PlanError as exc:
        raise HttpError(400, str(exc)) from exc
    return {"code": s.code, "status": s.status}


class ArmIn(Schema):
    role: str
    areas: str
    hours: str = ""
    call_types: str = ""


class PilotIn(Schema):
    name: str
    hypothesis: str
    start_on: date
    end_on: date
    metric_id: str
    arms: list[ArmIn]


class ObservationIn(Schema):
    period_start: date
    value: float


def _estimate(e: Any) -> dict[str, Any] | None:
    if e is None:
        return None
    return {"effect": e.effect, "low": e.low, "high": e.high, "confidence": e.confidence}


def _pilot_out(pilot: Any) -> dict[str, Any]:
    ev = sel.pilot_evaluation(pilot)
    return {
        "id": pilot.pk,
        "step": pilot.step.code,
        "name": pilot.name,
        "hypothesis": pilot.hypothesis,
        "start_on": pilot.start_on,
        "end_on": pilot.end_on,
        "metric_id": pilot.metric_id,
        "arms": [
            {
                "id": a.pk,
                "role": a.role,
                "areas": a.areas,
                "hours": a.hours,
                "call_types": a.call_types,
                "observations": [
                    {"period_start": o.period_start, "value": o.value} for o in a.observations.all()
                ],
            }
            for a in pilot.arms.all()
        ],
        "evaluation": {
            "pre_post": _estimate(ev["pre_post"]),
            "pre_post_not_measurable": ev.get("pre_post_reason"),
            "difference_in_differences": _estimate(ev["did"]),
            "difference_in_differences_not_measurable": ev.get("did_reason"),
        },
    }


@router.post("/steps/{code}/pilots", auth=MANAGERS, summary="Record a pilot of a step")
def pilot_create(request: HttpRequest, code: str, payload: PilotIn) -> dict[str, Any]:
    try:
        s = sel.step_get(code)
    except ObjectDoesNotExist as exc:
        raise HttpError(404, f"code: no plan step {code}") from exc
    try:
        pilot = services.pilot_create(
            s,
            request.user,  # type: ignore[arg-type]
            name=payload.name,
            hypothesis=payload.hypothesis,
            start_on=payload.start_on,
            end_on=payload.end_on,
            metric_id=payload.metric_id,
            arms=[a.dict() for a in payload.arms],
        )
    except services.PlanError as exc:
        raise HttpError(400, str(exc)) from exc
    return _pilot_out(pilot)


@router.get("/pilots/{pilot_id}", auth=MANAGERS, summary="A pilot with its evaluation")
def pilot(request: HttpRequest, pilot_id: int) -> dict[str, Any]:
    from .models import Pilot

    p = Pilot.objects.filter(pk=pilot_id).select_related("step").first()
    if p is None:
        raise HttpError(404, f"pilot_id: no pilot {pilot_id}")
    return _pilot_out(p)


@router.put("/arms/{arm_id}/observations", auth=MANAGERS, summary="Values of a pilot arm")
def observations(request: HttpRequest, arm_id: int, payload: list[ObservationIn]) -> dict[str, Any]:
    from .models import PilotArm

    arm = PilotArm.objects.filter(pk=arm_id).select_related("pilot__step").first()
    if arm is None:
        raise HttpError(404, f"arm_id: no pilot arm {arm_id}")
    n = services.pilot_observations_set(
        arm,
        request.user,  # type: ignore[arg-type]
        [(o.period_start, o.value) for o in payload],
    )
    return {"recorded": n, "pilot": _pilot_out(arm.pilot)}
