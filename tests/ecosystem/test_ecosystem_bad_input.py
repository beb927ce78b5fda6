"""Bad input on the ecosystem pages gets a form error, never a server error (issue 10,
item 10): integers past what the database holds (2^63 and more), dates in year 1 or 9999,
and ids in the URL too large to be ids."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db

HUGE = [str(2**63), str(2**31), "9" * 30, "-" + str(2**63)]


@pytest.mark.parametrize("field", ["available", "maximum", "waitlist"])
@pytest.mark.parametrize("value", HUGE)
def test_capacity_with_a_huge_number_is_refused(
    logged_in: Any, directory: dict[str, Any], field: str, value: str
) -> None:
    service = directory["counselling"]
    data = {"available": "1", "maximum": "10", "waitlist": "0", field: value}
    response = logged_in("service_provider").post(
        f"/services/capacity/{service.id}/", data, follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Capacity of" not in page  # not the success message
    assert "Not updated: " + field.capitalize() in page.replace("Available now", "Available")
    service.refresh_from_db()
    assert (service.capacity_available, service.capacity_maximum) == (3, 10)


@pytest.mark.parametrize("field", ["incident_id", "call_id", "person_id", "parent_id"])
def test_referral_ids_past_the_database_range_are_form_errors(
    logged_in: Any, directory: dict[str, Any], field: str
) -> None:
    response = logged_in("responder").post(
        "/services/refer/",
        {"service": str(directory["counselling"].id), "need": "counseling", field: str(2**63)},
    )
    assert 400 <= response.status_code < 500
    if field != "parent_id":  # a hidden field: the page refuses without showing it
        assert "less than or equal to 9223372036854775807" in response.content.decode()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_healing_plan_dates_outside_the_calendar_we_serve(
    logged_in: Any, directory: dict[str, Any], day: str
) -> None:
    response = logged_in("administrator").post(
        "/services/healing/", {"occurred_on": day, "incident_id": str(2**63)}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Enter a date from 1900 on." in page or "Enter a date before 2101." in page
    assert "less than or equal to 9223372036854775807" in page


@pytest.mark.parametrize(
    "path",
    [
        "/services/referrals/99999999999999999999/",
        "/services/people/99999999999999999999/",
        "/services/healing/actions/99999999999999999999/",
    ],
)
def test_ids_in_the_url_past_the_database_range_are_not_found(
    logged_in: Any, directory: dict[str, Any], path: str
) -> None:
    client = logged_in("administrator")
    assert client.get(path).status_code in (404, 405)
    assert client.post(path, {"status": "done"}).status_code in (404, 405)
