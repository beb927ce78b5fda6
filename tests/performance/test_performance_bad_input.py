"""Bad input on the performance pages gets a form error, never a server error (issue 10,
item 10): dates in year 1 or 9999, 29 February, numbers too large for any field."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db

FAR = ["0001-01-01", "9999-12-31"]


@pytest.mark.parametrize("day", FAR)
@pytest.mark.parametrize("path", ["/performance/", "/performance/metrics/call_volume/"])
def test_period_filters_outside_the_calendar(
    logged_in: Any, facts: dict, path: str, day: str
) -> None:
    response = logged_in("analyst").get(path, {"start": day, "end": day})
    assert response.status_code == 200
    page = response.content.decode()
    if path == "/performance/":  # the dashboard shows its filter form's errors
        assert "Enter a date from 1900 on." in page or "Enter a date before 2101." in page


def test_a_period_ending_on_29_february(logged_in: Any, facts: dict) -> None:
    response = logged_in("analyst").get("/performance/", {"end": "2024-02-29"})
    assert response.status_code == 200


@pytest.mark.parametrize("day", FAR)
def test_entered_value_dates_outside_the_calendar(logged_in: Any, day: str) -> None:
    response = logged_in("analyst").post(
        "/performance/entry/",
        {
            "metric_id": "pre_k",
            "period_start": day,
            "period_end": day,
            "value": "1e308",
        },
    )
    assert response.status_code == 400
    assert "Enter a date" in response.content.decode()


@pytest.mark.parametrize("value", ["1e400", "nan", "inf", "9" * 400])
def test_entered_values_that_are_not_finite(logged_in: Any, value: str) -> None:
    response = logged_in("analyst").post(
        "/performance/entry/",
        {
            "metric_id": "pre_k",
            "period_start": "2026-01-01",
            "period_end": "2026-01-31",
            "value": value,
        },
    )
    assert response.status_code == 400


@pytest.mark.parametrize("day", FAR)
def test_citistat_and_evaluation_dates_outside_the_calendar(
    logged_in: Any, facts: dict, day: str
) -> None:
    client = logged_in("analyst")
    meeting = client.post(
        "/performance/citistat/",
        {"title": "x", "held_on": day, "period_start": day, "period_end": day},
    )
    assert meeting.status_code < 500 and "Enter a date" in meeting.content.decode()
    evaluation = client.get(
        "/performance/evaluation/",
        {
            "metric_id": "call_volume",
            "pilot_areas": "North",
            "pilot_start": day,
            "months": str(2**63),
        },
    )
    assert evaluation.status_code < 500
    assert "Enter a date" in evaluation.content.decode()
    target = client.post(
        "/performance/metrics/call_volume/target/",
        {"scope": "city", "target": "1e400", "target_date": day},
    )
    assert target.status_code < 500


@pytest.mark.parametrize("path", ["/performance/citistat/99999999999999999999/"])
def test_ids_in_the_url_past_the_database_range(logged_in: Any, path: str) -> None:
    assert logged_in("analyst").get(path).status_code == 404
