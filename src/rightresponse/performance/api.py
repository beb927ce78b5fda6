"""REST endpoints of the performance pillar (thin: parse, authorise, call a service or selector).

The catalog and the public (suppressed) figures are open; values for a period and entry
need an analyst or a supervisor. ``format=csv`` gives CSV instead of JSON.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.errors import HttpError
from pydantic import Field

from rightresponse.accounts import roles as r
from rightresponse.accounts.permissions import PUBLIC, allow
from rightresponse.config import inputs
from rightresponse.config.inputs import Day, StrictIn
from rightresponse.core.metrics.publication import PeriodError

from . import selectors as sel
from . import services, views

router = Router(tags=["performance"])
MANAGERS = allow(r.ANALYST, r.SUPERVISOR)


def _csv(rows: list[list[Any]], filename: str) -> HttpResponse:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


Format = Literal["json", "csv"]
Filter = inputs.text(60)
Quarter = Annotated[str, Field(max_length=7, pattern=r"^([0-9]{4}-Q[1-4])?$")]


def _check_format(format: str) -> None:
    if format not in ("json", "csv"):
        raise HttpError(400, "format: use json or csv")


@router.get("/catalog", auth=PUBLIC, summary="The metrics catalog (every metric in the report)")
def catalog(request: HttpRequest, format: Format = "json") -> Any:
    _check_format(format)
    data = sel.metrics_catalog()
    metrics = [m.to_dict() for m in data]
    if format == "csv":
        columns = [k for k in metrics[0] if k != "compute"]
        rows = [columns] + [
            [
                ";".join(v) if isinstance(v, list) else ("" if v is None else v)
                for k, v in m.items()
                if k != "compute"
            ]
            for m in metrics
        ]
        return _csv(rows, "metrics-catalog.csv")
    return {
        "version": data.version,
        "committees": {
            c.id: {"name": c.name, "report_line": c.line} for c in data.committees.values()
        },
        "metrics": metrics,
    }


def _period(start: date | None, end: date | None) -> sel.Period:
    fallback = sel.default_period()
    end = end or fallback.end
    start = start or fallback.start
    if end < start:
        raise HttpError(400, "end: before start")
    return sel.Period(start, end)


@router.get("/values", auth=MANAGERS, summary="Every metric's value for a period")
def values(
    request: HttpRequest,
    start: Day | None = None,
    end: Day | None = None,
    area: Filter = "",  # type: ignore[valid-type]
    category: Filter = "",  # type: ignore[valid-type]
    format: Format = "json",
) -> Any:
    _check_format(format)
    period = _period(start, end)
    metric_views = sel.metric_views(period, area=area, category=category)
    records = []
    for view in metric_views.values():
        value = view.value
        records.append(
            {
                "metric_id": view.metric.id,
                "report_line": view.metric.line,
                "status": "measured" if view.measured else "not_yet_measured",
                "value": value.value if view.measured and value else None,
                "median": value.median if view.measured and value else None,
                "numerator": value.numerator if view.measured and value else None,
                "denominator": value.denominator if view.measured and value else None,
                "events": value.events if view.measured and value else None,
                "unit": view.metric.unit,
                "needs": view.needs,
            }
        )
    if format == "csv":
        columns = list(records[0])
        return _csv(
            [columns] + [[("" if rec[c] is None else rec[c]) for c in columns] for rec in records],
            f"metric-values-{period.start}-{period.end}.csv",
        )
    return {
        "start": period.start,
        "end": period.end,
        "area": area,
        "category": category,
        "values": records,
    }


@router.get(
    "/public", auth=PUBLIC, summary="The public dashboard's figures (small cells suppressed)"
)
def public(
    request: HttpRequest,
    period: Quarter = "",  # type: ignore[valid-type]
    format: Format = "json",
) -> Any:
    """``period``: a published calendar quarter (``2026-Q3``), default the latest; the
    public can request nothing else, so no two tables can be subtracted."""
    _check_format(format)
    try:
        quarter, _ = views._public_period(request)
    except PeriodError as error:
        raise HttpError(400, str(error)) from error
    period_ = sel.Period(quarter.start, quarter.end)
    rows = views.public_rows(sel.public_dashboard(period_))
    if format == "csv":
        return _csv(rows, "public-figures.csv")
    header, *body = rows
    return {
        "period": quarter.key,
        "start": period_.start,
        "end": period_.end,
        "rows": [dict(zip(header, row, strict=True)) for row in body],
    }


def _entered_metric_enum(schema: dict[str, Any]) -> None:
    """The spec lists the metrics that are entered rather than computed (the catalog)."""
    schema["enum"] = sorted(m.id for m in sel.metrics_catalog() if not m.computed)


class EntryIn(StrictIn):
    metric_id: Annotated[str, Field(json_schema_extra=_entered_metric_enum)]
    period_start: Day
    period_end: Day
    value: float | str  # a number; text is read as one ("91") and refused if it is not
    area: inputs.text(80) = ""  # type: ignore[valid-type]
    dimension: inputs.text(60) = ""  # type: ignore[valid-type]
    group: inputs.text(80) = ""  # type: ignore[valid-type]
    note: inputs.text(300) = ""  # type: ignore[valid-type]


@router.post(
    "/entered",
    auth=MANAGERS,
    response={201: dict[str, Any]},
    summary="Enter a value of an entered metric",
)
def enter(request: HttpRequest, payload: EntryIn) -> tuple[int, dict[str, Any]]:
    try:
        row = services.entered_value_record(
            request.user, payload.model_dump(mode="json"), source="api"
        )
    except services.EntryError as exc:
        raise HttpError(400, "; ".join(exc.problems)) from exc
    return 201, {
        "id": row.pk,
        "metric_id": row.metric_id,
        "entered_by": row.entered_by.get_username(),
        "entered_at": row.entered_at.isoformat(),
    }
