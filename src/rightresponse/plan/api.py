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
