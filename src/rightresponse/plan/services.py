"""Writes of the plan pillar. Every change is kept in the step's history (StepChange) and
in the audit log, with who and when."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from rightresponse.accounts.network import refuse_when_too_many, sender_key
from rightresponse.accounts.services import audit_record
from rightresponse.core.plan.progress import DONE, STATUSES

from .models import (
    CitiStatLink,
    Evidence,
    Milestone,
    Pilot,
    PilotArm,
    PilotObservation,
    PublicComment,
    Step,
    StepChange,
)
from .selectors import plan_catalog

EDITABLE = (
    "status",
    "committee",
    "executive_sponsor",
    "agency",
    "start_on",
    "due_on",
    "done_on",
    "public_note",
)
# Comments: at most this many from one address in the window (spam and floods).
COMMENT_LIMIT = 3
COMMENT_WINDOW = timedelta(minutes=10)
COMMENT_MAX_CHARS = 2000


class PlanError(ValueError):
    """Bad input: the message names the field and the reason."""


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@transaction.atomic
def step_update(step: Step, user: AbstractBaseUser, note: str = "", **changes: Any) -> Step:
    """Change owners, status or dates of a step; each changed field goes into its history."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise PlanError(f"{', '.join(sorted(unknown))}: not a field that can be changed")
    if "status" in changes and changes["status"] not in STATUSES:
        raise PlanError(f"status: {changes['status']!r} is not one of {', '.join(STATUSES)}")
    start = changes.get("start_on", step.start_on)
    due = changes.get("due_on", step.due_on)
    if start and due and due < start:
        raise PlanError("due_on: before start_on")
    if changes.get("status") == DONE and not changes.get("done_on", step.done_on):
        changes["done_on"] = timezone.localdate()
    diffs = []
    for field, value in changes.items():
        old = getattr(step, field)
        if old == value:
            continue
        setattr(step, field, value)
        diffs.append(
            StepChange(
                step=step, by=user, field=field, old=_text(old), new=_text(value), note=note[:500]
            )
        )
    if not diffs:
        return step
    step.updated_by = user  # type: ignore[assignment]
    step.save()
    StepChange.objects.bulk_create(diffs)
    audit_record(
        user,
        "write",
        "plan.Step",
        step.code,
        purpose="step_update",
        detail={d.field: [d.old, d.new] for d in diffs},
    )
    return step


@transaction.atomic
def milestone_add(step: Step, user: AbstractBaseUser, title: str, due_on: date) -> Milestone:
    if not title.strip():
        raise PlanError("title: required")
    m = Milestone.objects.create(step=step, title=title.strip()[:200], due_on=due_on)
    StepChange.objects.create(
        step=step, by=user, field="milestone", new=f"{m.title} (due {due_on})"
    )
    audit_record(
        user,
        "write",
        "plan.Step",
        step.code,
        purpose="milestone_add",
        detail={"milestone": m.title},
    )
    return m


@transaction.atomic
def milestone_complete(milestone: Milestone, user: AbstractBaseUser, done_on: date) -> Milestone:
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    StepChange.objects.create(
        step=milestone.step, by=user, field="milestone", new=f"{milestone.title}: done {done_on}"
    )
    audit_record(user, "write", "plan.Step", milestone.step.code, purpose="milestone_complete")
    return milestone


@transaction.atomic
def evidence_add(
    step: Step, user: AbstractBaseUser, title: str, url: str, public: bool = True
) -> Evidence:
    if not url.startswith(("https://", "http://")):
        raise PlanError("url: must start with https:// or http://")
    e = Evidence.objects.create(
        step=step, title=title.strip()[:200], url=url, public=public, added_by=user
    )
    StepChange.objects.create(step=step, by=user, field="evidence", new=f"{e.title} <{url}>")
    audit_record(user, "write", "plan.Step", step.code, purpose="evidence_add", detail={"url": url})
    return e


@transaction.atomic
def citistat_link(step: Step, item_id: int, user: AbstractBaseUser) -> CitiStatLink:
    """Tie a CitiStat action item to the plan step it advances (one step per item)."""
    from rightresponse.performance.models import ActionItem

    item = ActionItem.objects.filter(pk=item_id).first()
    if item is None:
        raise PlanError(f"item: no CitiStat action item {item_id}")
    link, _ = CitiStatLink.objects.update_or_create(
        item=item, defaults={"step": step, "linked_by": user}
    )
    StepChange.objects.create(step=step, by=user, field="citistat", new=item.description[:500])
    audit_record(
        user, "write", "plan.Step", step.code, purpose="citistat_link", detail={"item": item.pk}
    )
    return link


@transaction.atomic
def pilot_create(
    step: Step,
    user: AbstractBaseUser,
    *,
    name: str,
    hypothesis: str,
    start_on: date,
    end_on: date,
    metric_id: str,
    arms: list[dict[str, str]],
) -> Pilot:
    """A pilot with its arms; the metric must be in the catalog (report 364-372)."""
    from rightresponse.performance.selectors import metrics_catalog

    if metric_id not in metrics_catalog().metrics:
        raise PlanError(f"metric_id: {metric_id!r} is not in the metrics catalog")
    if end_on < start_on:
        raise PlanError("end_on: before start_on")
    if not any(a.get("role") == PilotArm.PILOT for a in arms):
        raise PlanError("arms: at least one pilot arm")
    pilot = Pilot.objects.create(
        step=step,
        name=name[:200],
        hypothesis=hypothesis,
        start_on=start_on,
        end_on=end_on,
        metric_id=metric_id,
        created_by=user,
    )
    for i, a in enumerate(arms):
        if a.get("role") not in (PilotArm.PILOT, PilotArm.COMPARISON):
            raise PlanError(f"arms/{i}/role: pilot or comparison")
        if not a.get("areas"):
            raise PlanError(f"arms/{i}/areas: required")
        PilotArm.objects.create(
            pilot=pilot,
            role=a["role"],
            areas=a["areas"],
            hours=a.get("hours", ""),
            call_types=a.get("call_types", ""),
        )
    StepChange.objects.create(step=step, by=user, field="pilot", new=name[:500])
    audit_record(
        user, "write", "plan.Step", step.code, purpose="pilot_create", detail={"pilot": pilot.pk}
    )
    return pilot


def pilot_observations_set(
    arm: PilotArm, user: AbstractBaseUser, values: list[tuple[date, float]]
) -> int:
    """Record the pilot metric's value per period in an arm (replaces a period's value)."""
    with transaction.atomic():
        for period, value in values:
            PilotObservation.objects.update_or_create(
                arm=arm, period_start=period, defaults={"value": value}
            )
        audit_record(
            user,
            "write",
            "plan.Pilot",
            arm.pilot_id,
            purpose="pilot_observations",
            detail={"arm": arm.pk, "n": len(values)},
        )
    return len(values)


def observations_parse(text: str) -> list[tuple[date, float]]:
    """``YYYY-MM-DD, value`` a line; errors name the line."""
    out: list[tuple[date, float]] = []
    problems: list[str] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace(";", ",").split(",")]
        if len(parts) != 2:
            problems.append(f"line {n}: write the period's first day and the value, with a comma")
            continue
        try:
            period = date.fromisoformat(parts[0])
        except ValueError:
            problems.append(f"line {n}: {parts[0]!r} is not a date (YYYY-MM-DD)")
            continue
        try:
            value = float(parts[1])
        except ValueError:
            problems.append(f"line {n}: {parts[1]!r} is not a number")
            continue
        out.append((period, value))
    if problems:
        raise PlanError("; ".join(problems))
    if not out:
        raise PlanError("values: none given")
    return out


def comment_submit(
    *, address: str, body: str, name: str = "", step_code: str = "", trap: str = ""
) -> PublicComment:
    """A comment from the public, held for moderation. ``trap`` is a field people do not
    see: bots that fill it are refused. Links are refused (the usual payload of spam)."""
    if trap:
        raise PlanError("comment: refused")
    body = body.strip()
    if not body:
        raise PlanError("body: write a comment")
    if len(body) > COMMENT_MAX_CHARS:
        raise PlanError(f"body: at most {COMMENT_MAX_CHARS} characters")
    if "http://" in body.lower() or "https://" in body.lower() or "www." in body.lower():
        raise PlanError("body: links are not accepted; describe what you want to say")
    source = sender_key(address, "comment")
    refuse_when_too_many(
        PublicComment.objects.filter(source_hash=source,
                                     created_at__gte=timezone.now() - COMMENT_WINDOW),
        COMMENT_LIMIT, "comment: too many comments in a short time; try again in a few minutes",
    )  # fmt: skip
    step = None
    if step_code:
        step = Step.objects.filter(code=step_code, in_plan_file=True).first()
        if step is None:
            raise PlanError(f"step: no step {step_code!r}")
    return PublicComment.objects.create(
        step=step, name=name.strip()[:80], body=body, source_hash=source
    )


@transaction.atomic
def comment_moderate(
    comment: PublicComment, user: AbstractBaseUser, approve: bool
) -> PublicComment:
    comment.status = PublicComment.APPROVED if approve else PublicComment.REJECTED
    comment.moderated_by = user  # type: ignore[assignment]
    comment.moderated_at = timezone.now()
    comment.save(update_fields=["status", "moderated_by", "moderated_at"])
    audit_record(
        user,
        "write",
        "plan.PublicComment",
        comment.pk,
        purpose="comment_moderate",
        detail={"status": comment.status},
    )
    return comment


@transaction.atomic
def plan_sync() -> dict[str, int]:
    """Mirror the plan file into the database: new actions and steps are added, changed
    wording updated, steps no longer in the file hidden (their history is kept)."""
    from .models import Action

    catalog = plan_catalog()
    actions = {}
    for a in catalog.actions.values():
        actions[a.id], _ = Action.objects.update_or_create(slug=a.id, defaults={"title": a.title})
    created = 0
    for s in catalog.steps.values():
        _, new = Step.objects.update_or_create(
            code=s.id,
            defaults={
                "action": actions[s.action],
                "phase": s.phase,
                "area": s.area,
                "category": s.category,
                "summary": s.summary,
                "report_line_start": s.report_lines[0],
                "report_line_end": s.report_lines[1],
                "in_plan_file": True,
            },
        )
        created += new
    hidden = Step.objects.exclude(code__in=list(catalog.steps)).update(in_plan_file=False)
    return {"steps": len(catalog.steps), "created": created, "hidden": hidden}
