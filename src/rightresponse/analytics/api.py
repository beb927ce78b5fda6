"""REST endpoints of the analytics pillar (thin: parse, authorise, call a selector)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from rightresponse.accounts import roles as r
from rightresponse.accounts.permissions import allow
from rightresponse.accounts.services import audit_record

from .models import Dataset
from .selectors import analysis_latest, dataset_list

router = Router(tags=["analytics"])


class DatasetOut(Schema):
    slug: str
    title: str
    profile: str
    imports: int
    analyses: int


@router.get("/datasets", response=list[DatasetOut], auth=allow(r.ANALYST, r.SUPERVISOR))
def datasets(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "slug": d.slug,
            "title": d.title,
            "profile": d.profile,
            "imports": d.imports.count(),
            "analyses": d.analyses.count(),
        }
        for d in dataset_list()
    ]


@router.get(
    "/datasets/{slug}/summary", response=dict[str, Any], auth=allow(r.ANALYST, r.SUPERVISOR)
)
def summary(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The latest analysis summary (schema: docs/analytics.md); 404 before any analysis."""
    dataset = get_object_or_404(Dataset, slug=slug)
    analysis = analysis_latest(dataset)
    if analysis is None:
        raise HttpError(404, f"dataset {slug} has not been analysed yet")
    audit_record(request.user, "read", "analytics.Analysis", analysis.pk, purpose="summary API")
    result: dict[str, Any] = analysis.summary
    return result
