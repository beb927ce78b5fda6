"""Pages of the plan pillar: the plan by phase, area or category; a step with its history;
the committee view; comment moderation; the staffing simulation; and the public progress
dashboard (report 254, 2309, 2489) with moderated comments and CSV/JSON downloads."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rightresponse.accounts import roles as r
from rightresponse.accounts.network import TooMany, client_address
from rightresponse.accounts.permissions import role_required
from rightresponse.core.plan.progress import STATUSES

from . import selectors as sel
from . import services
from .forms import (
    CommentForm,
    EvidenceForm,
    LinkForm,
    MilestoneForm,
    ObservationsForm,
    PilotForm,
    StepForm,
)
from .models import Milestone, PilotArm, PublicComment, Step

# Who runs the plan: the analysts and supervisors who staff the committees and CitiStat.
MANAGERS = (r.ANALYST, r.SUPERVISOR)
GROUPINGS = {"phase": "Phase", "area": "Area", "category": "Category"}


def _step_or_404(code: str) -> Step:
    try:
        return sel.step_get(code)
    except ObjectDoesNotExist as exc:
        raise Http404(f"No plan step {code}") from exc


@role_required(*MANAGERS)
def index(request: HttpRequest) -> HttpResponse:
    by = request.GET.get("by", "phase")
    if by not in GROUPINGS:
        by = "phase"
    status = request.GET.get("status", "")
    steps = list(sel.steps_all())
    if status in STATUSES:
        steps = [s for s in steps if s.status == status]
    catalog = sel.plan_catalog()
    return render(
        request,
        "plan/index.html",
        {
            "by": by,
            "groupings": GROUPINGS,
            "status": status,
            "statuses": STATUSES,
            "overall": sel.plan_progress(),
            "groups": sel.plan_groups(by, steps),
            "launch": sel.launch_list(),
            "areas": {k: v.name for k, v in catalog.areas.items()},
            "categories": {k: v.name for k, v in catalog.categories.items()},
            "committees": sel.committees(),
            "pending_comments": sel.comments_pending().count(),
        },
    )


@role_required(*MANAGERS)
def step_detail(request: HttpRequest, code: str) -> HttpResponse:
    step = _step_or_404(code)
    form = StepForm(
        request.POST or None,
        initial={f: getattr(step, f) for f in services.EDITABLE},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        note = data.pop("note") or ""
        try:
            services.step_update(step, request.user, note=note, **data)  # type: ignore[arg-type]
        except services.PlanError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{step.code} saved.")
            return redirect("plan:step", code=step.code)
    catalog = sel.plan_catalog()
    from rightresponse.performance.models import ActionItem

    return render(
        request,
        "plan/step.html",
        {
            "step": step,
            "form": form,
            "entry": catalog.steps.get(step.code),
            "area": catalog.areas[step.area].name,
            "category": catalog.categories[step.category].name,
            "siblings": [s for s in step.action.steps.all() if s.pk != step.pk],
            "milestones": step.milestones.all(),
            "evidence": step.evidence.all(),
            "links": step.citistat_links.select_related("item__meeting"),
            "linkable": ActionItem.objects.filter(plan_link__isnull=True).select_related("meeting")[
                :200
            ],
            "pilots": [(p, sel.pilot_evaluation(p)) for p in step.pilots.prefetch_related("arms")],
            "history": sel.step_history(step),
            "comments": sel.comments_public(step),
            "milestone_form": MilestoneForm(),
            "pilot_form": PilotForm(),
            "observations_form": ObservationsForm(),
            "evidence_form": EvidenceForm(),
            "statuses": STATUSES,
        },
    )


@role_required(*MANAGERS)
@require_POST
def milestone_add(request: HttpRequest, code: str) -> HttpResponse:
    step = _step_or_404(code)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        services.milestone_add(
            step, request.user, form.cleaned_data["title"], form.cleaned_data["due_on"]
        )  # type: ignore[arg-type]
        messages.success(request, "Milestone added.")
    else:
        messages.error(request, "Milestone: give a title and a due date.")
    return redirect("plan:step", code=code)


@role_required(*MANAGERS)
@require_POST
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    from django.utils import timezone

    m = get_object_or_404(Milestone, pk=pk)
    services.milestone_complete(m, request.user, timezone.localdate())  # type: ignore[arg-type]
    return redirect("plan:step", code=m.step.code)


@role_required(*MANAGERS)
@require_POST
def evidence_add(request: HttpRequest, code: str) -> HttpResponse:
    step = _step_or_404(code)
    form = EvidenceForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.evidence_add(step, request.user, d["title"], d["url"], d["public"])  # type: ignore[arg-type]
            messages.success(request, "Evidence added.")
        except services.PlanError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "Evidence: give a title and a web address (https://…).")
    return redirect("plan:step", code=code)


@role_required(*MANAGERS)
@require_POST
def citistat_link(request: HttpRequest, code: str) -> HttpResponse:
    step = _step_or_404(code)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            services.citistat_link(step, form.cleaned_data["item"], request.user)  # type: ignore[arg-type]
            messages.success(request, "CitiStat item linked.")
        except services.PlanError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "Choose a CitiStat action item.")
    return redirect("plan:step", code=code)


@role_required(*MANAGERS)
@require_POST
def pilot_add(request: HttpRequest, code: str) -> HttpResponse:
    step = _step_or_404(code)
    form = PilotForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Pilot: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        )
        return redirect("plan:step", code=code)
    d = form.cleaned_data
    arms = [
        {
            "role": PilotArm.PILOT,
            "areas": d["pilot_areas"],
            "hours": d["pilot_hours"],
            "call_types": d["pilot_call_types"],
        }
    ]
    if d["comparison_areas"]:
        arms.append(
            {
                "role": PilotArm.COMPARISON,
                "areas": d["comparison_areas"],
                "hours": d["pilot_hours"],
                "call_types": d["pilot_call_types"],
            }
        )
    try:
        services.pilot_create(
            step,
            request.user,  # type: ignore[arg-type]
            name=d["name"],
            hypothesis=d["hypothesis"],
            start_on=d["start_on"],
            end_on=d["end_on"],
            metric_id=d["metric_id"].strip(),
            arms=arms,
        )
        messages.success(request, "Pilot recorded.")
    except services.PlanError as exc:
        messages.error(request, f"Pilot: {exc}")
    return redirect("plan:step", code=code)


@role_required(*MANAGERS)
@require_POST
def observations_set(request: HttpRequest, pk: int) -> HttpResponse:
    arm = get_object_or_404(PilotArm.objects.select_related("pilot__step"), pk=pk)
    form = ObservationsForm(request.POST)
    try:
        if not form.is_valid():
            raise services.PlanError("values: none given")
        values = services.observations_parse(form.cleaned_data["values"])
        n = services.pilot_observations_set(arm, request.user, values)  # type: ignore[arg-type]
        messages.success(request, f"{n} value{'s' if n != 1 else ''} recorded.")
    except services.PlanError as exc:
        messages.error(request, f"{arm.get_role_display()} arm: {exc}")
    return redirect("plan:step", code=arm.pilot.step.code)


@role_required(*MANAGERS)
def committee(request: HttpRequest) -> HttpResponse:
    names = sel.committees()
    name = request.GET.get("c") or (names[0] if names else "")
    steps = list(sel.committee_steps(name)) if name else []
    return render(
        request,
        "plan/committee.html",
        {
            "names": names,
            "name": name,
            "steps": steps,
            "progress": sel.plan_progress(steps),
            "by_status": [
                (label, [s for s in steps if s.status == key]) for key, label in STATUSES.items()
            ],
            "overdue": sel.milestones_overdue(steps),
        },
    )


@role_required(*MANAGERS)
def comments(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        c = get_object_or_404(PublicComment, pk=request.POST.get("comment"))
        services.comment_moderate(c, request.user, request.POST.get("decision") == "approve")  # type: ignore[arg-type]
        messages.success(
            request, "Comment approved." if c.status == c.APPROVED else "Comment rejected."
        )
        return redirect("plan:comments")
    return render(request, "plan/comments.html", {"pending": sel.comments_pending()[:100]})


# ---- public


def public_dashboard(request: HttpRequest) -> HttpResponse:
    choices = [(s.code, f"{s.action.title} ({s.code})") for s in sel.steps_all()]
    form = CommentForm(request.POST or None, steps=choices)
    status = 400 if request.method == "POST" else 200  # a POST that gets here was refused
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.comment_submit(
                address=client_address(request),
                body=d["body"],
                name=d["name"],
                step_code=d["step"],
                trap=d["website"],
            )
        except (services.PlanError, TooMany) as exc:
            form.add_error(None, str(exc).split(": ", 1)[-1])
            status = 429 if isinstance(exc, TooMany) else 400
        else:
            messages.success(
                request, "Thank you. Your comment will appear once a moderator has read it."
            )
            return redirect("plan_public:dashboard")
    catalog = sel.plan_catalog()
    return render(
        request,
        "plan/public.html",
        {
            "overall": sel.plan_progress(),
            "by_area": sel.plan_groups("area"),
            "by_phase": sel.plan_groups("phase"),
            "launch": sel.launch_list(),
            "categories": {k: v.name for k, v in catalog.categories.items()},
            "statuses": STATUSES,
            "comments": sel.comments_public()[:50],
            "form": form,
        },
        status=status,
    )


def public_csv(request: HttpRequest) -> HttpResponse:
    rows = sel.public_rows()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["step"])
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "evidence": " ".join(row["evidence"])})
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="action-plan-progress.csv"'
    return response


def public_json(request: HttpRequest) -> HttpResponse:
    overall = sel.plan_progress()
    body: dict[str, Any] = {
        "plan_version": sel.plan_catalog().version,
        "progress_percent": overall.percent,
        "status_counts": overall.counts,
        "steps": sel.public_rows(),
    }
    response = JsonResponse(body, json_dumps_params={"indent": 1})
    response["Content-Disposition"] = 'attachment; filename="action-plan-progress.json"'
    return response


@role_required(*MANAGERS)
def staffing_page(request: HttpRequest) -> HttpResponse:
    """Two staffing plans on the same demand, side by side, with charts."""
    from rightresponse.core.charts import bar_chart, line_chart
    from rightresponse.core.staffing import SimulationError, compare

    from . import staffing

    files = [p.name for p in staffing.staffing_files()]
    a = request.GET.get("a") or (files[0] if files else "")
    b = request.GET.get("b") or (files[1] if len(files) > 1 else a)
    dataset = request.GET.get("dataset", staffing.SYNTHETIC)
    context: dict[str, Any] = {"files": files, "a": a, "b": b, "dataset": dataset}
    try:
        weeks = min(52, max(1, int(request.GET.get("weeks", "13"))))
    except ValueError:
        weeks = 13
    context["weeks"] = weeks
    try:
        for name in (a, b):
            # Pages offer the staffing folder's plans only, never a path on the server.
            if name not in files:
                raise SimulationError(f"staffing: {name!r} is not a plan in the staffing folder")
        demand = staffing.dataset_demand(dataset)
        pairs = [staffing.staffing_run(staffing.plan_load(n), demand, weeks=weeks) for n in (a, b)]
        volume, call_source = staffing.call_volume(dataset)
    except SimulationError as exc:
        context["error"] = str(exc)
        return render(request, "plan/staffing.html", context, status=400)
    runs = [run for run, _ in pairs]
    context["warnings"] = sorted({w for _, warned in pairs for w in warned})
    call_takers = staffing.call_taker_week(volume)
    labels = [f"{r.staffing}: {row['label']}" for r in runs for row in r.by_program.values()]
    served = [
        100 * (row["share_eligible_served"] or 0) for r in runs for row in r.by_program.values()
    ]
    hours = [
        f"{['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][h // 24]} {h % 24:02d}"
        for h in range(168)
    ]
    program = next(iter(runs[0].by_program))
    context.update(
        {
            "demand": demand.source,
            "runs": runs,
            "compare": compare(runs[0], runs[1]),
            "served_chart": bar_chart(
                labels,
                served,
                title="Share of calls served by their first-choice program",
                unit="%",
            ),
            "wait_chart": line_chart(
                hours,
                {name: r.waits_by_hour[program] for name, r in zip(("A", "B"), runs, strict=True)},
                title=f"Mean wait by hour of the week: {runs[0].by_program[program]['label']} (minutes)",
            ),
            "call_takers": call_takers,
            "call_taker_chart": line_chart(
                [f"{c['day']} {c['time']}" for c in call_takers["intervals"]],
                {"On the floor": [c["on_floor"] for c in call_takers["intervals"]]},
                title="Call takers on the floor by half-hour of the week (NENA standard)",
            ),
            "call_source": call_source,
        }
    )
    return render(request, "plan/staffing.html", context)
