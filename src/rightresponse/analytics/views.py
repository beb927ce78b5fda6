"""Pages of the analytics pillar: imported datasets, their imports and their analyses.

Only aggregates are shown: no staff names, no free text, no single call's details."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from rightresponse.accounts import roles as r
from rightresponse.accounts.permissions import role_required
from rightresponse.accounts.services import audit_record
from rightresponse.core.analytics.analysis import map_points
from rightresponse.core.analytics.profile import ProfileError
from rightresponse.core.analytics.report import sections

from .models import Dataset
from .selectors import analysis_latest, dataset_calls, dataset_has_calls, dataset_list
from .services import dataset_analyze

ROLES = (r.ANALYST, r.SUPERVISOR)


@role_required(*ROLES)
def index(request: HttpRequest) -> HttpResponse:
    rows = []
    for dataset in dataset_list():
        rows.append(
            {
                "dataset": dataset,
                "imports": list(dataset.imports.all()[:10]),
                "analyses": list(dataset.analyses.all()[:5]),
                "has_calls": dataset_has_calls(dataset),
            }
        )
    return render(request, "analytics/index.html", {"rows": rows})


@role_required(*ROLES)
def dataset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = get_object_or_404(Dataset, slug=slug)
    analysis = analysis_latest(dataset)
    parts: list[tuple[str, str]] = []
    if analysis is not None and dataset_has_calls(dataset):
        # Repeat locations show block addresses: a read of location data, audited.
        audit_record(
            request.user,
            "read",
            "analytics.Analysis",
            analysis.pk,
            purpose="analytics dataset page (aggregates, repeat locations)",
        )
        points = map_points(dataset_calls(dataset), limit=3000)
        # sections() escapes every value it prints; the SVG is built by core/charts.
        parts = [(h, mark_safe(html)) for h, html in sections(analysis.summary, points)]  # noqa: S308
    return render(
        request,
        "analytics/dataset.html",
        {"dataset": dataset, "analysis": analysis, "sections": parts},
    )


@role_required(*ROLES)
@require_http_methods(["POST"])
def dataset_run(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = get_object_or_404(Dataset, slug=slug)
    if not dataset_has_calls(dataset):
        messages.error(request, f"{dataset.title}: no imported calls to analyse yet.")
        return redirect("analytics:index")
    try:
        analysis = dataset_analyze(dataset)
    except ProfileError as exc:
        messages.error(request, str(exc))
        return redirect("analytics:index")
    messages.success(request, f"Analysed {analysis.total_calls:,} calls.")
    return redirect("analytics:dataset", slug=dataset.slug)
