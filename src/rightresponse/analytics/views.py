"""Pages of the analytics pillar: imported datasets, their imports and their analyses.

Only aggregates are shown: no staff names, no free text, no single call's details."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from rightresponse.accounts import roles as r
from rightresponse.accounts.permissions import role_required
from rightresponse.accounts.services import audit_record
from rightresponse.core.analytics.analysis import map_points
from rightresponse.core.analytics.report import sections

from . import jobs, workflows
from .forms import CompareForm, UploadForm
from .models import Dataset
from .selectors import analysis_latest, dataset_calls, dataset_has_calls, dataset_list

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
    return render(request, "analytics/index.html", {"rows": rows, "upload": UploadForm()})


@role_required(*ROLES)
@require_http_methods(["POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Take an export from the page and import it in the background: the page that
    follows shows the progress, then the counts and the rejects with line numbers."""
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "analytics/index.html", {"rows": [], "upload": form}, status=400)
    file = form.cleaned_data["file"]
    path = workflows.upload_path(secrets.token_hex(6), file.name)
    with path.open("wb") as handle:
        for chunk in file.chunks():
            handle.write(chunk)
    profile, slug = form.cleaned_data["profile"], form.cleaned_data["dataset"]
    job_id = jobs.job_start(
        "import",
        f"Import of {path.name}",
        request.user.pk,
        lambda report: workflows.import_upload(path, profile, slug, request.user.pk, report),
    )
    return redirect("analytics:job", job_id=job_id)


@role_required(*ROLES)
def job(request: HttpRequest, job_id: str) -> HttpResponse:
    state = jobs.job_get(job_id)
    if state is None or state["user_id"] != request.user.pk:
        raise Http404("No such work.")
    context = {"job": state}
    if request.htmx:
        return render(request, "analytics/_job.html", context)
    return render(request, "analytics/job.html", context)


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
    choices = _protocol_choices()
    folders = (
        sorted(
            (p.name for p in workflows.reports_dir(dataset).iterdir() if p.is_dir()), reverse=True
        )
        if workflows.reports_dir(dataset).is_dir()
        else []
    )
    return render(
        request,
        "analytics/dataset.html",
        {
            "dataset": dataset,
            "analysis": analysis,
            "sections": parts,
            "has_calls": dataset_has_calls(dataset),
            "reports": [(f, workflows.report_files(dataset, f)) for f in folders[:10]],
            "compare": CompareForm([(k, v[0]) for k, v in choices.items()])
            if len(choices) > 1
            else None,
        },
    )


@role_required(*ROLES)
@require_http_methods(["POST"])
def dataset_run(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = get_object_or_404(Dataset, slug=slug)
    if not dataset_has_calls(dataset):
        messages.error(request, f"{dataset.title}: no imported calls to analyse yet.")
        return redirect("analytics:index")
    job_id = jobs.job_start(
        "analysis",
        f"Analysis of {dataset.title}",
        request.user.pk,
        lambda report: workflows.analyse(dataset, report),
    )
    return redirect("analytics:job", job_id=job_id)


def _protocol_choices() -> dict[str, tuple[str, Any]]:
    """key -> (name, source): the protocol file in effect and every studio version."""
    from django.conf import settings

    choices: dict[str, tuple[str, Any]] = {}
    default = Path(settings.RIGHTRESPONSE_PROTOCOL)
    if default.is_file():
        choices["file"] = (f"The protocol file in effect ({default.name})", default)
    try:
        from rightresponse.studio.selectors import versions_list
    except ImportError:
        return choices
    for version in versions_list()[:50]:
        name = version.version_label or version.name or f"version {version.pk}"
        choices[f"v{version.pk}"] = (
            f"Studio: {name} ({version.get_status_display().lower()})",
            version,
        )
    return choices


def _protocol_file(key: str, source: Any, folder: Path) -> Path:
    if isinstance(source, Path):
        return source
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"protocol-{key}.yaml"
    path.write_text(source.yaml_text, encoding="utf-8")
    return path


@role_required(*ROLES)
@require_http_methods(["POST"])
def dataset_compare_run(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = get_object_or_404(Dataset, slug=slug)
    choices = _protocol_choices()
    form = CompareForm([(k, v[0]) for k, v in choices.items()], request.POST)
    if not form.is_valid() or not dataset_has_calls(dataset):
        messages.error(
            request,
            "Comparison not started: "
            + (
                "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
                if form.errors
                else "no imported calls yet."
            ),
        )
        return redirect("analytics:dataset", slug=slug)
    a, b = form.cleaned_data["protocol_a"], form.cleaned_data["protocol_b"]
    folder = workflows.store_root() / "uploads" / "protocols" / secrets.token_hex(6)
    path_a = _protocol_file(a, choices[a][1], folder)
    path_b = _protocol_file(b, choices[b][1], folder)
    job_id = jobs.job_start(
        "comparison",
        f"{dataset.title}: {choices[a][0]} against {choices[b][0]}",
        request.user.pk,
        lambda report: workflows.compare(dataset, path_a, path_b, report),
    )
    return redirect("analytics:job", job_id=job_id)


@role_required(*ROLES)
def report_file(request: HttpRequest, slug: str, folder: str, name: str) -> FileResponse:
    """One output of an analysis or comparison (CSV, report.html, summary.json)."""
    dataset = get_object_or_404(Dataset, slug=slug)
    if name not in workflows.report_files(dataset, folder):
        raise Http404("No such report file.")
    audit_record(
        request.user,
        "export",
        "analytics.Dataset",
        dataset.pk,
        purpose=f"analytics report download {folder}/{name}",
    )
    path = workflows.reports_dir(dataset) / folder / name
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)
