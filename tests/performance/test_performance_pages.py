"""The internal pages: permissions, "not yet measured", values from the facts, entry by
form and CSV (who and when; all or nothing), scorecards, CitiStat and pilot evaluation."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from performance_helpers import rows_between

from rightresponse.accounts.models import AuditEvent
from rightresponse.performance.models import ActionItem, CitiStatMeeting, EnteredValue, MetricTarget
from rightresponse.performance.selectors import complete_months_back, default_period

pytestmark = pytest.mark.django_db

HR_METRIC = "percentage_funded_positions_filled"


def test_dashboard_needs_a_manager_role(client: Any, logged_in: Any, no_facts: None) -> None:
    url = reverse("performance:dashboard")
    assert client.get(url).status_code == 302  # to the login page
    assert logged_in("responder").get(url).status_code == 403
    assert logged_in("analyst").get(url).status_code == 200
    assert logged_in("supervisor").get(url).status_code == 200


def test_without_records_metrics_are_not_yet_measured_never_zero(
    logged_in: Any, no_facts: None
) -> None:
    page = logged_in("analyst").get(reverse("performance:dashboard")).content.decode()
    assert "Not yet measured" in page
    assert "rightresponse.dispatch.selectors.incident_facts" in page  # what is needed
    assert 'class="figure">0<' not in page


def test_dashboard_counts_the_incidents_of_the_period(
    logged_in: Any, facts: dict[str, Any]
) -> None:
    period = default_period()
    expected = len(rows_between(facts["incidents"], period.start, period.end))
    response = logged_in("analyst").get(reverse("performance:dashboard"))
    page = response.content.decode()
    assert f'<p class="figure">{expected:,}</p>' in page
    assert "<svg" in page and "<title>Calls by category</title>" in page


def test_dashboard_filters_by_area_and_category(logged_in: Any, facts: dict[str, Any]) -> None:
    period = default_period()
    rows = [
        r
        for r in rows_between(facts["incidents"], period.start, period.end)
        if r["area"] == "precinct_3" and r["category"] == "violent"
    ]
    page = (
        logged_in("analyst")
        .get(reverse("performance:dashboard"), {"area": "precinct_3", "category": "violent"})
        .content.decode()
    )
    assert f'<p class="figure">{len(rows):,}</p>' in page


def test_bad_filter_dates_are_explained(logged_in: Any, no_facts: None) -> None:
    response = logged_in("analyst").get(
        reverse("performance:dashboard"), {"start": "2026-05-01", "end": "2026-01-01"}
    )
    assert response.status_code == 200
    assert "The end is before the start." in response.content.decode()


def test_metric_breakdown_with_disparity_ratios(logged_in: Any, facts: dict[str, Any]) -> None:
    period = default_period()
    rows = rows_between(facts["incidents"], period.start, period.end)
    city = sum(r["final_tier"] <= 2 for r in rows) / len(rows)
    north = [r for r in rows if r["area"] == "precinct_1"]
    ratio = (sum(r["final_tier"] <= 2 for r in north) / len(north)) / city
    client = logged_in("analyst")
    url = reverse("performance:metric", args=["diverted_share"])
    partial = client.get(
        url, {"breakdown": "area"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in partial  # an HTMX fragment
    assert "precinct_1" in partial and f"{ratio:.2f}" in partial
    full = client.get(url).content.decode()
    assert "Disparity ratio" in full and "story behind the curve" in full


def test_unknown_metric_is_404(logged_in: Any, no_facts: None) -> None:
    assert (
        logged_in("analyst").get(reverse("performance:metric", args=["no_such_metric"])).status_code
        == 404
    )


def _entry(**overrides: Any) -> dict[str, Any]:
    data = {
        "metric_id": HR_METRIC,
        "period_start": "2026-01-01",
        "period_end": "2026-03-31",
        "value": "87.5",
        "area": "",
        "dimension": "",
        "group": "",
        "note": "HR report",
    }
    data.update(overrides)
    return data


def test_entering_a_value_records_who_and_when(
    logged_in: Any, users: dict[str, Any], no_facts: None
) -> None:
    response = logged_in("analyst").post(reverse("performance:entry"), _entry())
    assert response.status_code == 302
    row = EnteredValue.objects.get(metric_id=HR_METRIC)
    assert row.value == 87.5 and row.entered_by == users["analyst"] and row.entered_at is not None
    assert AuditEvent.objects.filter(
        action="write", object_type="performance.EnteredValue"
    ).exists()
    catalog = (
        logged_in("analyst")
        .get(reverse("performance:catalog"), {"start": "2026-01-01", "end": "2026-03-31"})
        .content.decode()
    )
    assert "87.5%" in catalog


def test_bad_entry_is_refused_with_the_reason(logged_in: Any, no_facts: None) -> None:
    response = logged_in("analyst").post(reverse("performance:entry"), _entry(value="140"))
    assert response.status_code == 400
    assert "value: 140 is above 100 for a percentage" in response.content.decode()
    response = logged_in("analyst").post(
        reverse("performance:entry"), _entry(period_end="2025-12-01")
    )
    assert "is before period_start" in response.content.decode()
    assert not EnteredValue.objects.exists()


CSV_GOOD = b"metric_id,period_start,period_end,value,area,note\npercentage_funded_positions_filled,2026-01-01,2026-03-31,88,,q1\naverage_time_fill_vacant_positions,2026-01-01,2026-03-31,41,,q1\n"
CSV_BAD = b"metric_id,period_start,period_end,value\npercentage_funded_positions_filled,2026-01-01,2026-03-31,88\ncall_volume,2026-01-01,2026-03-31,12\nno_such,2026-13-01,2026-03-31,abc\n"


def test_csv_upload_all_rows(logged_in: Any, no_facts: None) -> None:
    upload = SimpleUploadedFile("hr.csv", CSV_GOOD, content_type="text/csv")
    response = logged_in("supervisor").post(reverse("performance:entry_csv"), {"file": upload})
    assert response.status_code == 302
    assert EnteredValue.objects.count() == 2
    assert EnteredValue.objects.get(metric_id=HR_METRIC).source == "hr.csv row 2"


def test_csv_upload_with_a_bad_row_saves_nothing_and_names_each_problem(
    logged_in: Any, no_facts: None
) -> None:
    upload = SimpleUploadedFile("bad.csv", CSV_BAD, content_type="text/csv")
    response = logged_in("analyst").post(reverse("performance:entry_csv"), {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "bad.csv, row 3, metric_id: &#x27;call_volume&#x27; is computed from records and cannot be entered"
        in page
    )
    assert "bad.csv, row 4, metric_id: unknown metric &#x27;no_such&#x27;" in page
    assert "bad.csv, row 4, period_start: &#x27;2026-13-01&#x27; is not a date" in page
    assert "bad.csv, row 4, value: &#x27;abc&#x27; is not a number" in page
    assert not EnteredValue.objects.exists()  # not even the good first row


def test_csv_upload_with_a_wrong_header_or_encoding(logged_in: Any, no_facts: None) -> None:
    client = logged_in("analyst")
    response = client.post(
        reverse("performance:entry_csv"), {"file": SimpleUploadedFile("x.csv", b"metric,value\n")}
    )
    assert (
        response.status_code == 400
        and "missing column(s) metric_id, period_start, period_end" in response.content.decode()
    )
    response = client.post(
        reverse("performance:entry_csv"), {"file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00bad")}
    )
    assert response.status_code == 400 and "not UTF-8 text" in response.content.decode()


def test_metric_without_baseline_or_target_is_never_off_track(
    logged_in: Any, facts: dict[str, Any]
) -> None:
    """RBA: on or off track only against a target or a baseline (issue 18). With none
    set, every measured metric says "No target set" and links to where to set one."""
    assert not MetricTarget.objects.exists()
    page = (
        logged_in("analyst")
        .get(reverse("performance:scorecards"), {"committee": "communications_911", "all": "1"})
        .content.decode()
    )
    assert "status-off_track" not in page and "Off track" not in page
    assert re.search(r"\d+ metrics? with no target set", page)
    assert 'status-no_target">No target set' in page
    link = re.search(r'href="(/performance/metrics/[\w-]+/)#tg-h">Set a baseline or target', page)
    assert link, "no link to set a target"
    # The target form is where the link points.
    assert 'id="tg-h"' in logged_in("analyst").get(link.group(1)).content.decode()
    # A turn-the-curve chart per metric, drawn on the server.
    assert page.count('<svg class="chart curve"') >= 1


def test_scorecard_trend_ends_with_the_last_whole_month(
    logged_in: Any, facts: dict[str, Any]
) -> None:
    """A month so far is not a month: its first days would read as a fall and feed the
    forecast and the on/off-track assessment."""
    periods = complete_months_back(date(2026, 12, 6), 12)
    assert len(periods) == 12
    assert (periods[0].start, periods[-1].start, periods[-1].end) == (
        date(2025, 12, 1), date(2026, 11, 1), date(2026, 11, 30))  # fmt: skip
    assert complete_months_back(date(2026, 11, 30), 1)[0].start == date(2026, 11, 1)
    page = logged_in("analyst").get(reverse("performance:scorecards"), {"all": "1"})
    history = re.findall(r"history: ([^<]*)", page.content.decode())
    today = date.today()
    month_so_far = f"{today:%b %y}"
    assert history, "no turn-the-curve chart described"
    last_whole = complete_months_back(today, 1)[0].start
    assert f"{last_whole:%b %y}" in page.content.decode()
    if (today + timedelta(days=1)).month == today.month:  # today is inside its month
        # (the forecast, after the history, may start with this month: it is a forecast)
        assert not any(month_so_far in h.split(";")[0] for h in history), history[0][:200]
        assert any(f"{last_whole:%b %y}" in h.split(";")[0] for h in history)


def test_scorecard_flags_a_metric_off_track(logged_in: Any, facts: dict[str, Any]) -> None:
    client = logged_in("analyst")
    # A target far above what the data shows, and a baseline above today's value.
    response = client.post(
        reverse("performance:target", args=["diverted_share"]),
        {
            "scope": "city",
            "scope_name": "",
            "baseline": "95",
            "baseline_label": "2025",
            "target": "99",
            "story": "Civilian teams are short-staffed at night.",
        },
    )
    assert response.status_code == 302
    assert MetricTarget.objects.get(metric_id="diverted_share").story.startswith("Civilian")
    page = client.get(
        reverse("performance:scorecards"), {"committee": "communications_911"}
    ).content.decode()
    assert "Civilian teams are short-staffed at night." in page
    assert 'status-off_track">Off track' in page
    assert re.search(r'class="flag">\d+ metrics? off track', page)


def test_citistat_carries_open_action_items_to_the_next_meeting(
    logged_in: Any, facts: dict[str, Any]
) -> None:
    client = logged_in("supervisor")
    today = date.today()
    first = {
        "title": "March CitiStat",
        "committee": "alternative_responses",
        "held_on": (today - timedelta(days=30)).isoformat(),
        "period_start": (today - timedelta(days=90)).isoformat(),
        "period_end": (today - timedelta(days=31)).isoformat(),
        "notes": "",
    }
    response = client.post(reverse("performance:citistat"), first)
    assert response.status_code == 302
    meeting = CitiStatMeeting.objects.get()
    client.post(
        reverse("performance:meeting", args=[meeting.pk]),
        {
            "description": "Extend civilian hours to 22:00",
            "owner": "Care team lead",
            "due_on": today.isoformat(),
            "metric_id": "eligible_not_served_share",
        },
    )
    client.post(
        reverse("performance:meeting", args=[meeting.pk]),
        {
            "description": "Publish the dashboard",
            "owner": "Analyst",
            "due_on": today.isoformat(),
            "metric_id": "",
        },
    )
    done = ActionItem.objects.get(description="Publish the dashboard")
    client.post(reverse("performance:action_status", args=[done.pk]), {"status": "done"})
    second = dict(
        first,
        title="April CitiStat",
        held_on=today.isoformat(),
        period_start=(today - timedelta(days=30)).isoformat(),
        period_end=today.isoformat(),
    )
    client.post(reverse("performance:citistat"), second)
    april = CitiStatMeeting.objects.get(title="April CitiStat")
    carried = april.items.get()
    assert (
        carried.description == "Extend civilian hours to 22:00" and carried.carried_from is not None
    )
    assert carried.carried_from.status == ActionItem.CARRIED
    page = client.get(reverse("performance:meeting", args=[april.pk])).content.decode()
    assert "carried 1×" in page and "Metrics that moved" in page and "Care team lead" in page
    # Each metric that moved says better or worse by its direction of good (issue 18).
    from rightresponse.core.metrics.scorecard import movement
    from rightresponse.performance.selectors import citistat_movements

    moved = citistat_movements(april)
    assert moved
    for m in moved:
        way = movement(m.current, m.previous, m.metric.direction)
        row = page[page.index(f"metrics/{m.metric.id}/") :]
        row = row[: row.index("</tr>")]
        assert f'status-{way}"' in row, (m.metric.id, way)
    assert 'status-better"' in page or 'status-worse"' in page


def test_pilot_evaluation_gives_intervals(logged_in: Any, facts: dict[str, Any]) -> None:
    start = (date.today().replace(day=1) - timedelta(days=160)).replace(day=1)
    response = logged_in("analyst").get(
        reverse("performance:evaluation"),
        {
            "metric_id": "diverted_share",
            "pilot_areas": "precinct_1, precinct_2",
            "comparison_areas": "precinct_4",
            "pilot_start": start.isoformat(),
            "months": "4",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Pre/post in the pilot areas" in page and "Difference-in-differences" in page
    assert " to " in page


def test_referral_metrics_are_not_shown_by_area(logged_in: Any, facts: dict[str, Any]) -> None:
    """Referral records carry no area: an area filter must not show a city-wide figure."""
    from rightresponse.performance.selectors import metric_views, metrics_catalog

    catalog = metrics_catalog()
    metrics = [
        catalog.metrics["referral_connection_rate"],
        catalog.metrics["referrals_per_incident"],
        catalog.metrics["call_volume"],
    ]
    views = metric_views(default_period(), area="precinct_1", metrics=metrics)
    assert not views["referral_connection_rate"].measured
    assert not views["referrals_per_incident"].measured
    assert "Not recorded by area" in views["referrals_per_incident"].needs
    assert views["call_volume"].measured


def test_converted_frames_are_reused_for_a_short_while(
    settings: Any, monkeypatch: pytest.MonkeyPatch, fact_rows: dict[str, Any]
) -> None:
    from rightresponse.performance import selectors

    calls: list[str] = []

    def source(facts: str) -> Any:
        def rows(start: Any = None, end: Any = None) -> list[dict[str, Any]]:
            calls.append(facts)
            return fact_rows[facts][:50]

        return rows

    sources = {f: source(f) for f in ("incidents", "referrals")}
    monkeypatch.setattr(selectors, "_fact_source", lambda facts: sources[facts])
    monkeypatch.setattr(selectors, "_FRAMES", {})
    settings.RIGHTRESPONSE_METRICS_CACHE_SECONDS = 30
    period = default_period()
    first = selectors.fact_frames(period.start_at, period.end_at)
    second = selectors.fact_frames(period.start_at, period.end_at)
    assert first["incidents"] is second["incidents"] and calls == ["incidents", "referrals"]
    settings.RIGHTRESPONSE_METRICS_CACHE_SECONDS = 0
    selectors.fact_frames(period.start_at, period.end_at)
    assert len(calls) == 4


def test_programme_scorecard_counts_that_programme(
    logged_in: Any, users: dict[str, Any], facts: dict[str, Any]
) -> None:
    from rightresponse.performance.selectors import metric_views, metrics_catalog

    period = default_period()
    rows = [
        r
        for r in rows_between(facts["incidents"], period.start, period.end)
        if r["responder_type"] == "community_responder"
    ]
    catalog = metrics_catalog()
    views = metric_views(
        period,
        programme="community_responder",
        metrics=[catalog.metrics["call_volume"], catalog.metrics["mentoring_sessions"]],
    )
    assert views["call_volume"].value is not None and views["call_volume"].value.value == len(rows)
    assert not views["mentoring_sessions"].measured  # nothing entered for the programme yet
    page = (
        logged_in("analyst")
        .get(
            reverse("performance:scorecards"),
            {"committee": "communications_911", "programme": "community_responder", "all": "1"},
        )
        .content.decode()
    )
    row = page[page.index("metrics/call_volume/") :][:1400]
    assert f"<dt>Now</dt><dd>{len(rows):,}</dd>" in row, row
    # The filter offers the programme by name, not its id.
    assert '<option value="community_responder" selected>Community responder' in page
