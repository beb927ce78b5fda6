"""Reads of the plan pillar."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import Prefetch, QuerySet

from rightresponse.core.plan import PlanCatalog, Progress, load_plan, progress
from rightresponse.core.plan.progress import STATUSES

from .models import PublicComment, Step, StepChange

CATALOG_PATH = Path(__file__).with_name("catalog") / "plan.yaml"


def plan_catalog() -> PlanCatalog:
    """The plan file, with its metric links checked against the metrics catalog."""
    from rightresponse.performance.selectors import metrics_catalog

    return load_plan(CATALOG_PATH, frozenset(metrics_catalog().metrics))


def steps_all() -> QuerySet[Step]:
    return Step.objects.filter(in_plan_file=True).select_related("action")


def step_get(code: str) -> Step:
    return Step.objects.select_related("action").get(code=code, in_plan_file=True)


def step_history(step: Step) -> QuerySet[StepChange]:
    return step.changes.select_related("by")


@dataclass(frozen=True)
class Group:
    key: str
    name: str
    line: int | None
    progress: Progress
    steps: list[Step]


def plan_groups(by: str, steps: list[Step] | None = None) -> list[Group]:
    """Steps grouped by phase, area or category, in the plan file's order, with progress."""
    catalog = plan_catalog()
    table = {"phase": catalog.phases, "area": catalog.areas, "category": catalog.categories}.get(by)
    if table is None:
        raise ValueError(f"group by: use phase, area or category, not {by!r}")
    rows = list(steps_all()) if steps is None else steps
    out = []
    for key, named in table.items():
        mine = [s for s in rows if getattr(s, by) == key]
        out.append(Group(key, named.name, named.line, progress(s.status for s in mine), mine))
    return out


def plan_progress(steps: list[Step] | None = None) -> Progress:
    rows = list(steps_all()) if steps is None else steps
    return progress(s.status for s in rows)


def launch_list() -> list[dict[str, Any]]:
    """The Launch List (report 2277-2309) with the progress of the steps it maps to."""
    steps = {s.code: s for s in steps_all()}
    out = []
    for item in plan_catalog().launch_list:
        mine = [steps[c] for c in item.steps if c in steps]
        out.append({"item": item, "steps": mine, "progress": progress(s.status for s in mine)})
    return out


def committee_steps(committee: str) -> QuerySet[Step]:
    return steps_all().filter(committee=committee).prefetch_related("milestones", "pilots")


def committees() -> list[str]:
    return sorted(c for c in steps_all().values_list("committee", flat=True).distinct() if c)


def comments_public(step: Step | None = None) -> QuerySet[PublicComment]:
    qs = PublicComment.objects.filter(status=PublicComment.APPROVED).select_related("step")
    return qs.filter(step=step) if step is not None else qs


def comments_pending() -> QuerySet[PublicComment]:
    return PublicComment.objects.filter(status=PublicComment.PENDING).select_related("step")


def public_rows() -> list[dict[str, Any]]:
    """What the public sees of each step: no personal data (owners are offices, not people)."""
    catalog = plan_catalog()
    rows = []
    for s in steps_all().prefetch_related(Prefetch("milestones"), Prefetch("evidence")):
        rows.append(
            {
                "step": s.code,
                "action": s.action.title,
                "phase": s.phase,
                "area": catalog.areas[s.area].name if s.area in catalog.areas else s.area,
                "category": s.category,
                "status": STATUSES[s.status],
                "committee": s.committee,
                "executive_sponsor": s.executive_sponsor,
                "agency": s.agency,
                "start_on": s.start_on.isoformat() if s.start_on else "",
                "due_on": s.due_on.isoformat() if s.due_on else "",
                "done_on": s.done_on.isoformat() if s.done_on else "",
                "milestones_done": sum(1 for m in s.milestones.all() if m.done_on),
                "milestones": len(s.milestones.all()),
                "evidence": [e.url for e in s.evidence.all() if e.public],
                "note": s.public_note,
                "report_lines": f"{s.report_line_start}-{s.report_line_end}",
            }
        )
    return rows


def milestones_overdue(steps: list[Step]) -> list[Any]:
    from django.utils import timezone

    from .models import Milestone

    return list(
        Milestone.objects.filter(
            step__in=steps, done_on__isnull=True, due_on__lt=timezone.localdate()
        )
        .select_related("step")
        .order_by("due_on")
    )


def pilot_evaluation(pilot: Any) -> dict[str, Any]:
    """The pilot's evaluation from its observations (report 364-372): pre/post in the pilot
    arm, and difference-in-differences against the comparison arm when there is one.
    Too few periods is "not measurable", with the reason."""
    from rightresponse.core.metrics.evaluation import difference_in_differences, pre_post

    def split(role: str) -> tuple[list[float], list[float]] | None:
        arms = [a for a in pilot.arms.all() if a.role == role]
        if not arms:
            return None
        before: list[float] = []
        after: list[float] = []
        for arm in arms:
            for o in arm.observations.all():
                (before if o.period_start < pilot.start_on else after).append(o.value)
        return before, after

    out: dict[str, Any] = {"metric_id": pilot.metric_id}
    p = split("pilot")
    c = split("comparison")
    try:
        if p is None:
            raise ValueError("no pilot arm")
        out["pre_post"] = pre_post(*p)
    except ValueError as exc:
        out["pre_post"] = None
        out["pre_post_reason"] = str(exc)
    try:
        if p is None or c is None:
            raise ValueError("no comparison arm")
        out["did"] = difference_in_differences(p[0], p[1], c[0], c[1])
    except ValueError as exc:
        out["did"] = None
        out["did_reason"] = str(exc)
    return out
