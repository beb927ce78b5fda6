"""Pages of the performance pillar: the internal dashboard, metric detail with
breakdowns and equity ratios, scorecards, entry of values, CitiStat and pilot evaluation;
and the public dashboard (no login, aggregates only)."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from rightresponse.accounts import roles as r
from rightresponse.accounts.permissions import role_required
from rightresponse.core import charts, dictionary
from rightresponse.core.metrics import Evaluator
from rightresponse.core.metrics.catalog import QUADRANTS, SOURCES, STAGES
from rightresponse.core.metrics.evaluation import difference_in_differences, pre_post
from rightresponse.core.metrics.publication import (
    PeriodError,
    Quarter,
    published_quarter,
    published_quarters,
)
from rightresponse.core.metrics.scorecard import MOVEMENT_LABELS, forecast, movement
from rightresponse.core.metrics.suppression import MIN_CELL, ProtectedTable

from . import public_page, services
from . import selectors as sel
from .forms import (
    ActionItemForm,
    ActionStatusForm,
    CsvUploadForm,
    EnteredValueForm,
    EvaluationForm,
    MeetingForm,
    PeriodFilterForm,
    TargetForm,
)
from .models import ActionItem, CitiStatMeeting

MANAGERS = (r.ANALYST, r.SUPERVISOR)


def _filters(request: HttpRequest) -> tuple[PeriodFilterForm, sel.Period, str, str]:
    form = PeriodFilterForm(request.GET or None)
    period = form.period()
    area = form.cleaned_data.get("area", "") if form.is_valid() else ""
    category = form.cleaned_data.get("category", "") if form.is_valid() else ""
    return form, period, area, category


@role_required(*MANAGERS)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Near real time from the operational database: every computed metric for the
    period, headline figures, volume by category and the monthly trend."""
    catalog = sel.metrics_catalog()
    form, period, area, category = _filters(request)
    trend_periods = sel.months_back(period.end, 12)
    frames = sel.fact_frames(
        min(trend_periods[0].start_at, period.start_at), period.end_at, sel.DASHBOARD_DIMENSIONS
    )
    views = sel.metric_views(
        period, area=area, category=category, frames=frames, metrics=catalog.computed()
    )
    areas, categories = sel.areas_and_categories(frames)
    volume = views["call_volume"]
    volume_chart = ""
    if volume.measured and volume.groups:
        ordered = sorted(volume.groups.items(), key=lambda kv: -(kv[1].value or 0))
        volume_chart = charts.bar_chart(
            [_protocol_labels().get(k, k) for k, _ in ordered],
            [v.value or 0 for _, v in ordered],
            title="Calls by category",
        )
    trend_chart = ""
    if volume.measured:
        scope = sel.scope_filter(area, category)
        series_volume = []
        series_diverted = []
        for p in trend_periods:
            ev = Evaluator(frames, p.start_at, p.end_at, scope)
            series_volume.append(
                ev.compute(catalog.metrics["call_volume"].compute or {}).total.value
            )
            series_diverted.append(
                ev.compute(catalog.metrics["diverted_share"].compute or {}).total.value
            )
        labels = [f"{p.start:%b %y}" for p in trend_periods]
        trend_chart = charts.line_chart(labels, {"Calls": series_volume}, title="Calls per month")
        diverted_chart = charts.line_chart(
            labels,
            {"Diverted %": series_diverted},
            title="Share of calls answered without a police lead, per month",
        )
    else:
        diverted_chart = ""
    groups = [(g, [views[m] for m in g.metric_ids if m in views]) for g in catalog.groups]
    context = {
        "form": form,
        "period": period,
        "area": area,
        "category": category,
        "areas": areas,
        "categories": categories,
        "headline": [(label, views[m]) for m, label in sel.HEADLINE.items()],
        "groups": [(g, vs) for g, vs in groups if vs],
        "volume_chart": volume_chart,
        "trend_chart": trend_chart,
        "diverted_chart": diverted_chart,
        "missing": sorted({v.needs for v in views.values() if not v.measured}),
        "entered_count": sum(1 for m in catalog if not m.computed),
    }
    return render(request, "performance/dashboard.html", context)


@role_required(*MANAGERS)
def catalog_page(request: HttpRequest) -> HttpResponse:
    catalog = sel.metrics_catalog()
    form, period, area, _ = _filters(request)
    views = sel.metric_views(period, area=area)
    groups = [(g, [views[m] for m in g.metric_ids]) for g in catalog.groups]
    return render(
        request,
        "performance/catalog.html",
        {
            "form": form,
            "period": period,
            "groups": groups,
            "committees": catalog.committees,
            "quadrants": QUADRANTS,
            "stages": STAGES,
            "sources": SOURCES,
            "measured": sum(1 for v in views.values() if v.measured),
            "total": len(views),
        },
    )


@role_required(*MANAGERS)
def metric_detail(request: HttpRequest, metric_id: str) -> HttpResponse:
    catalog = sel.metrics_catalog()
    metric = catalog.metrics.get(metric_id)
    if metric is None:
        raise Http404("No such metric.")
    form, period, area, _ = _filters(request)
    dimension = (
        request.GET.get("breakdown")
        or metric.default_breakdown
        or (metric.breakdowns[0] if metric.breakdowns else "")
    )
    breakdown = sel.metric_breakdown(metric, dimension, period, area) if dimension else None
    context: dict[str, Any] = {
        "metric": metric,
        "form": form,
        "period": period,
        "breakdown": breakdown,
        "dimension": dimension,
        "dimensions": [(d, sel.dimension_label(d)) for d in metric.breakdowns],
        "quadrant": QUADRANTS[metric.quadrant],
        "stage": STAGES[metric.stage],
        "source": SOURCES[metric.source],
        "committee": catalog.committees[metric.committee],
        "min_cell": MIN_CELL,
    }
    if request.htmx:
        return render(request, "performance/_breakdown.html", context)
    periods = sel.months_back(period.end, 12)
    trend = sel.metric_trend(metric, periods, area=area)
    targets = sel.targets_for(metric.id)
    city_target = next((t for t in targets if t.scope == "city"), None)
    context.update(
        {
            "view": sel.metric_views(period, area=area, metrics=[metric])[metric.id],
            "trend_chart": charts.line_chart(
                [f"{p.start:%b %y}" for p in periods],
                {metric.wording[:40]: trend},
                title=f"{metric.wording} per month",
                target=city_target.target if city_target else None,
            ),
            "trend_rows": list(zip([f"{p.start:%b %Y}" for p in periods], trend, strict=True)),
            "targets": targets,
            "target_form": TargetForm(instance=city_target),
            "entered": sel.entered_values(metric.id, 24) if not metric.computed else [],
        }
    )
    return render(request, "performance/metric.html", context)


@role_required(*MANAGERS)
@require_POST
def target_edit(request: HttpRequest, metric_id: str) -> HttpResponse:
    form = TargetForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "The target was not saved: "
            + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
        )
        return redirect("performance:metric", metric_id=metric_id)
    try:
        services.target_set(request.user, metric_id, **form.cleaned_data)
    except services.EntryError as exc:
        messages.error(request, "The target was not saved: " + "; ".join(exc.problems))
    else:
        messages.success(request, "Baseline, target and story saved.")
    return redirect("performance:metric", metric_id=metric_id)


@role_required(*MANAGERS)
def scorecards(request: HttpRequest) -> HttpResponse:
    """Scorecards per committee, area or programme in the Results-Based Accountability
    habit (Clear Impact): baseline, target, a turn-the-curve chart with its forecast, the
    story behind the curve, partners and what works. A metric is on or off track only
    against a target or a baseline; otherwise "no target set", with a link to set one."""
    catalog = sel.metrics_catalog()
    form, period, area, _ = _filters(request)
    committee = request.GET.get("committee", "alternative_responses")
    if committee not in catalog.committees:
        committee = "alternative_responses"
    programmes = _protocol_programmes()
    programme = request.GET.get("programme", "")
    if programme not in programmes:
        programme = ""
    scope, scope_name = (
        ("programme", programme) if programme else (("area", area) if area else ("city", ""))
    )
    only_targets = request.GET.get("all") != "1"
    metrics = sel.scorecard_metrics(committee, with_targets_only=only_targets)
    rows = sel.scorecard(metrics, period, area=area, scope=scope, scope_name=scope_name)
    periods = sel.complete_months_back(period.end, 12)  # as sel.scorecard's trend
    months = [f"{p.start:%b %y}" for p in periods]
    ahead = _months_after(periods[-1].start, 3)
    for row in rows:
        ahead_values = forecast(row.trend, 3) if row.assessment.status != "not_measured" else []
        row.sparkline = charts.turn_the_curve(
            months,
            row.trend,
            title=f"{row.view.metric.wording}: last 12 months, baseline, target and forecast",
            baseline=row.target.baseline if row.target else None,
            target=row.target.target if row.target else None,
            forecast=ahead_values,
            forecast_labels=ahead,
        )
    return render(
        request,
        "performance/scorecards.html",
        {
            "form": form,
            "period": period,
            "committees": catalog.committees,
            "committee": committee,
            "programme": programme,
            "programmes": programmes,
            "area": area,
            "rows": rows,
            "off_track": sum(1 for row in rows if row.assessment.status == "off_track"),
            "no_target": sum(1 for row in rows if row.assessment.status == "no_target"),
            "group_titles": {g.id: g.title for g in catalog.groups},
            "only_targets": only_targets,
            "scope": scope,
            "scope_name": scope_name,
        },
    )


def _months_after(start: date, count: int) -> list[str]:
    out = []
    for _ in range(count):
        start = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        out.append(f"{start:%b %y}")
    return out


def _protocol_programmes() -> dict[str, str]:
    """Programme id -> its name in the active protocol: the scorecard's programme filter
    offers names, never internal ids."""
    try:
        from rightresponse.triage.protocols import active_protocol

        protocol = active_protocol()
    except Exception:  # a broken protocol: no programme filter rather than a failed page
        return {}
    return {pid: p.label for pid, p in protocol.programs.items()}


@role_required(*MANAGERS)
def entry(request: HttpRequest) -> HttpResponse:
    """Enter a value by form or upload a CSV; who and when are recorded."""
    form = EnteredValueForm(request.POST or None)
    upload = CsvUploadForm()
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.entered_value_record(
                    request.user,
                    form.cleaned_data
                    | {
                        "period_start": form.cleaned_data["period_start"].isoformat(),
                        "period_end": form.cleaned_data["period_end"].isoformat(),
                    },
                )
            except services.EntryError as exc:
                problems = exc.problems
                status = 400
            else:
                messages.success(request, "Value saved.")
                return redirect("performance:entry")
        else:
            status = 400
    return render(
        request,
        "performance/entry.html",
        {
            "form": form,
            "upload": upload,
            "problems": problems,
            "recent": sel.entered_values(limit=30),
        },
        status=status,
    )


@role_required(*MANAGERS)
@require_POST
def entry_csv(request: HttpRequest) -> HttpResponse:
    upload = CsvUploadForm(request.POST, request.FILES)
    problems: list[str] = []
    if upload.is_valid():
        file = upload.cleaned_data["file"]
        try:
            rows = services.entered_values_import_csv(request.user, file.read(), file.name)
        except services.EntryError as exc:
            problems = exc.problems
        else:
            messages.success(request, f"{len(rows)} values imported from {file.name}.")
            return redirect("performance:entry")
    else:
        problems = [f"{k}: {' '.join(v)}" for k, v in upload.errors.items()]
    return render(
        request,
        "performance/entry.html",
        {
            "form": EnteredValueForm(),
            "upload": upload,
            "problems": problems,
            "csv_failed": True,
            "recent": sel.entered_values(limit=30),
        },
        status=400,
    )


@role_required(*MANAGERS)
def citistat(request: HttpRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.citistat_meeting_create(request.user, **form.cleaned_data)
        except services.EntryError as exc:
            for problem in exc.problems:
                form.add_error(None, problem)
        else:
            return redirect("performance:meeting", pk=meeting.pk)
    return render(
        request,
        "performance/citistat.html",
        {
            "form": form,
            "meetings": sel.citistat_meetings(),
            "committees": sel.metrics_catalog().committees,
        },
        status=400 if request.method == "POST" else 200,
    )


@role_required(*MANAGERS)
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(CitiStatMeeting, pk=pk)
    catalog = sel.metrics_catalog()
    form = ActionItemForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.action_item_add(meeting, **form.cleaned_data)
            except services.EntryError as exc:
                for problem in exc.problems:
                    form.add_error(None, problem)
                status = 400
            else:
                return redirect("performance:meeting", pk=pk)
        else:
            status = 400
    movements = sel.citistat_movements(meeting)
    items = list(meeting.items.select_related("carried_from"))
    return render(
        request,
        "performance/meeting.html",
        {
            "meeting": meeting,
            "committee": catalog.committees.get(meeting.committee),
            "movements": [
                (
                    m,
                    sel.format_value(m.metric, m.current),
                    sel.format_value(m.metric, m.previous),
                    way := movement(m.current, m.previous, m.metric.direction),
                    MOVEMENT_LABELS[way],
                )
                for m in movements
            ],
            "items": items,
            "form": form,
            "status_form": ActionStatusForm(),
            "metric_names": {m.id: m.wording for m in catalog},
            "group_titles": {g.id: g.title for g in catalog.groups},
        },
        status=status,
    )


@role_required(*MANAGERS)
@require_POST
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ActionItem, pk=pk)
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        services.action_item_set_status(item, form.cleaned_data["status"])
    else:
        messages.error(request, "Choose open, done or dropped.")
    return redirect("performance:meeting", pk=item.meeting_id)


@role_required(*MANAGERS)
def evaluation(request: HttpRequest) -> HttpResponse:
    """Pilot evaluation: pre/post in the pilot areas and, with comparison areas,
    difference-in-differences, each with a 95% confidence interval (report 364-372)."""
    form = EvaluationForm(request.GET or None)
    result: dict[str, Any] | None = None
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        metric = sel.metrics_catalog().metrics[data["metric_id"]]
        months = data["months"]
        start: date = data["pilot_start"].replace(day=1)
        before = sel.months_back(start - timedelta(days=1), months)
        after_end = start
        for _ in range(months):
            after_end = (after_end.replace(day=28) + timedelta(days=4)).replace(day=1)
        after = sel.months_back(after_end - timedelta(days=1), months)
        pilot = [a.strip() for a in data["pilot_areas"].split(",") if a.strip()]
        comparison = [a.strip() for a in data["comparison_areas"].split(",") if a.strip()]
        frames = sel.fact_frames(before[0].start_at, after[-1].end_at)
        if metric.compute is None or metric.compute["facts"] not in frames:
            error = "Not yet measured: the records this metric needs are not available."
        else:

            def series(areas: list[str], periods: list[sel.Period]) -> list[float]:
                scope = {"incidents": {"area": areas}}
                values = [
                    Evaluator(frames, p.start_at, p.end_at, scope)
                    .compute(metric.compute or {})
                    .total.value
                    for p in periods
                ]
                return [v for v in values if v is not None]

            arms = {"pilot_before": series(pilot, before), "pilot_after": series(pilot, after)}
            try:
                result = {
                    "metric": metric,
                    "pre_post": pre_post(arms["pilot_before"], arms["pilot_after"]),
                    "arms": arms,
                }
                if comparison:
                    arms["comparison_before"] = series(comparison, before)
                    arms["comparison_after"] = series(comparison, after)
                    result["did"] = difference_in_differences(
                        arms["pilot_before"],
                        arms["pilot_after"],
                        arms["comparison_before"],
                        arms["comparison_after"],
                    )
            except ValueError as exc:
                error = f"Not enough data: {exc} with a value in the months chosen."
                result = None
    status = 400 if request.GET and not form.is_valid() else 200
    return render(
        request,
        "performance/evaluation.html",
        {"form": form, "result": result, "error": error},
        status=status,
    )


def _protocol_labels() -> dict[str, str]:
    """Category and programme ids -> the protocol's labels, so public pages show words
    ("Low-acuity disorder"), not ids; the CSV keeps the ids for machines."""
    try:
        from rightresponse.triage.protocols import active_protocol

        protocol = active_protocol()
    except Exception:  # a broken protocol: ids are still correct, just less friendly
        return {}
    labels = {cid: c.label for cid, c in protocol.categories.items()}
    labels.update({pid: p.label for pid, p in protocol.programs.items()})
    return labels


def _row_labels(table: ProtectedTable | None, labels: dict[str, str]) -> list[tuple[str, str]]:
    """(id, label) per row: the page shows the label and keeps the id in data-row, the
    same key as the CSV download."""
    return [(row, labels.get(row, row)) for row in table.rows] if table else []


# ---- public
def _public_period(request: HttpRequest) -> tuple[Quarter, list[Quarter]]:
    """The published quarter the request names (default the latest) and all the published
    ones. Only fixed calendar quarters can be requested, so no two public tables overlap
    and none can be subtracted from another (core/metrics/publication.py). An older
    ``months=`` link is ignored: it gets the default quarter. Raises PeriodError."""
    today = timezone.localdate()
    return published_quarter(request.GET.get("period"), today), published_quarters(today)


def _period_refused(error: PeriodError) -> HttpResponse:
    return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")


# The diverted table counts calls of tiers 0-2 by the programme of the first unit sent.
# A police unit first on a civilian-led joint response (or sent when no civilian unit
# was free) is not a police lead: it is named for what it is, never "Police" under
# "answered without a police lead" (issue 18). Its count stays in the table, so the
# totals match the published share and no figure can be worked out by difference.
DIVERTED_POLICE_LABEL = (
    "Police unit sent first (civilian-led joint response or no civilian unit free)"
)


def _public_names() -> dict[str, str]:
    """Plain names for the public page: the data dictionary, then the protocol's labels."""
    return {
        **{t.key: t.label for t in dictionary.TERMS},
        **_protocol_labels(),
    }


@require_GET
def public_dashboard(request: HttpRequest) -> HttpResponse:
    try:
        quarter, choices = _public_period(request)
    except PeriodError as error:
        return _period_refused(error)
    period = sel.Period(quarter.start, quarter.end)
    dashboards = public_page.recent_dashboards(quarter, choices)
    dash = dashboards[quarter]
    catalog = sel.metrics_catalog()
    figures_by_metric: dict[str, list[tuple[sel.PublicFigure, str]]] = {}
    for figure in dash.figures:
        figures_by_metric.setdefault(figure.metric.id, []).append(
            (figure, public_page.public_value(figure.metric, figure.value))
        )
    names = _public_names()
    labels_of = _protocol_labels()
    volume_chart = ""
    if dash.volume and not dash.volume.too_few:
        ordered = sorted(dash.volume.rows, key=lambda x: -dash.volume.row_totals[x])
        volume_chart = charts.bar_chart(
            [labels_of.get(x, x) for x in ordered],
            [dash.volume.row_totals[x] for x in ordered],
            width=560,
            title="Calls for service by category",
        )
    previous = quarter.previous()
    changes: list[public_page.Change] = []
    if dash.measured and previous in choices:
        before = dashboards.get(previous) or public_page.quarter_dashboard(previous)
        changes = public_page.changes(dash, before, catalog.metrics, names)
    return render(
        request,
        "performance/public_dashboard.html",
        {
            "dash": dash,
            "period": period,
            "quarter": quarter,
            "previous": previous if changes else None,
            "quarters": choices,
            "volume_chart": volume_chart,
            "trend_charts": public_page.trend_charts(dashboards) if dash.measured else [],
            "precinct_map": public_page.precinct_map(dash, _precinct_areas()),
            "changes": changes,
            "volume_rows": _row_labels(dash.volume, labels_of),
            "diverted_rows": _row_labels(
                dash.diverted, {**labels_of, "police": DIVERTED_POLICE_LABEL}
            ),
            "rates": [
                (catalog.metrics[m], names.get(m, m), figures_by_metric.get(m, []))
                for m in sel.PUBLIC_RATES
            ],
            "area_columns": max((len(f) for f in figures_by_metric.values()), default=1) - 1,
            "explained": [(m, names.get(m.id, m.numerator)) for m in catalog if m.public],
            "not_measured": [m for m in catalog if not m.public],
            "min_cell": MIN_CELL,
        },
    )


def _precinct_areas() -> list[Any]:
    """The city's precinct boundaries (issue 16), for the map; none imported: no map."""
    from rightresponse.core.geo.svgmap import MapArea
    from rightresponse.geo.selectors import boundaries

    index = boundaries()
    return [
        MapArea(name, rings, index.label_point("precinct", name))
        for name, rings in index.rings("precinct")
    ]


@require_GET
def public_json(request: HttpRequest) -> HttpResponse:
    """The public figures as JSON with the data dictionary of every column and table."""
    try:
        quarter, _ = _public_period(request)
    except PeriodError as error:
        return _period_refused(error)
    rows = public_rows(sel.public_dashboard(sel.Period(quarter.start, quarter.end)))
    header, body = rows[0], rows[1:]
    used = {*header, *(r[0] for r in body), *(r[1] for r in body)}
    return JsonResponse(
        {
            "period": quarter.key,
            "figures": [dict(zip(header, r, strict=True)) for r in body],
            "dictionary": [
                {"key": t.key, "label": t.label, "meaning": t.meaning}
                for t in dictionary.TERMS
                if t.key in used
            ],
        },
        json_dumps_params={"indent": 1},
    )


@require_GET
def public_dictionary(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(dictionary.dictionary_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rightresponse-data-dictionary.csv"'
    return response


@require_GET
def public_csv(request: HttpRequest) -> HttpResponse:
    try:
        quarter, _ = _public_period(request)
    except PeriodError as error:
        return _period_refused(error)
    period = sel.Period(quarter.start, quarter.end)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="rightresponse-public-{period.start}-{period.end}.csv"'
    )
    writer = csv.writer(response)
    for row in public_rows(sel.public_dashboard(period)):
        writer.writerow(row)
    return response


def public_rows(dash: sel.PublicDashboard) -> list[list[str]]:
    """The public figures as rows: table, metric, row, column, value (empty when
    suppressed), note. Shared by the CSV download and the API."""
    out = [["table", "metric_id", "row", "column", "value", "note"]]
    for name, metric_id, table in (
        ("volume_by_category_and_area", "call_volume", dash.volume),
        ("diverted_by_responder_and_area", "diverted_count", dash.diverted),
    ):
        if table is None:
            continue
        if table.too_few:
            out.append([name, metric_id, "", "", "", f"fewer than {MIN_CELL} events: not shown"])
            continue
        for (row, col), value in table.cells.items():
            out.append(
                [
                    name,
                    metric_id,
                    row,
                    col,
                    "" if value is None else str(value),
                    "suppressed" if value is None else "",
                ]
            )
        for row in table.rows:
            out.append([name, metric_id, row, "Total", str(table.row_totals[row]), ""])
        for col in table.cols:
            out.append([name, metric_id, "Total", col, str(table.col_totals[col]), ""])
        out.append([name, metric_id, "Total", "Total", str(table.total), ""])
        merged = table.merged_rows + table.merged_cols
        if merged:
            out.append(
                [
                    name,
                    metric_id,
                    "Other",
                    "",
                    "",
                    "groups under the threshold combined: " + ", ".join(merged),
                ]
            )
    for figure in dash.figures:
        out.append(
            [
                "rates",
                figure.metric.id,
                figure.group,
                "",
                "" if figure.value is None else f"{figure.value:.2f}",
                figure.note,
            ]
        )
    return out
