"""The call-taker page in Chromium when the incident cannot be written: the call taker is
told at once that the call was NOT recorded, with what was typed still on the page; and
when it works, the times the page measured are stored (answer, triage start)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rightresponse.dispatch.models import Incident
from rightresponse.triage.models import Call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "images"


def _take_crisis_call(page: Any) -> None:
    page.goto("/triage/")
    page.fill("#id_address", "5 Elm St")
    page.fill("#id_caller_phone", "612-555-0100")
    page.wait_for_timeout(700)  # the call taker takes a moment before choosing the type
    page.select_option("#call_type", "behavioral_crisis")
    page.wait_for_selector("#tier-badge")
    page.check("#answer-weapon-no")
    page.wait_for_timeout(400)


def test_not_recorded_alert_when_the_incident_fails(
    login_page: Any,
    incidents_refused: None,  # noqa: F811
) -> None:
    page = login_page("call_taker")
    page.set_viewport_size({"width": 1440, "height": 900})
    _take_crisis_call(page)
    page.click("#create-call")
    alert = page.locator("#intake-failed")
    alert.wait_for()
    assert "NOT recorded" in alert.inner_text()
    assert alert.get_attribute("role") == "alert"
    assert page.locator("#id_caller_phone").input_value() == "612-555-0100"
    page.screenshot(path=str(SHOTS / "intake-not-recorded.png"))
    assert not Call.objects.exists()


def test_the_page_measures_answer_and_triage_start(login_page: Any) -> None:
    page = login_page("call_taker")
    _take_crisis_call(page)
    page.click("#create-call")
    page.locator("#created").wait_for()
    call = Call.objects.get()
    assert Incident.objects.filter(call=call).exists()
    started = (call.triage_started_at - call.answered_at).total_seconds()
    assert 0.5 <= started <= 10  # the choice of call type, after the pause above
    assert call.triaged_at > call.triage_started_at


def test_a_known_caller_is_shown_as_the_number_is_typed(login_page: Any, agencies: dict) -> None:
    from rightresponse.people.models import Person

    Person.objects.create(
        owner_agency=agencies["center"], given_name="Rowan", family_name="Diaz",
        phone="612-555-0142", preferred_language="Spanish",
        behavioural_flags=["startles at sirens"], what_works="speak slowly; no uniforms",
    )  # fmt: skip
    page = login_page("call_taker")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/triage/")
    page.fill("#id_address", "5 Elm St")
    page.locator("#id_caller_phone").press_sequentially("6125550142")
    known = page.locator("#caller-result .known-person")
    known.wait_for()
    assert "startles at sirens" in known.inner_text() and "speak slowly" in known.inner_text()
    page.screenshot(path=str(SHOTS / "intake-known-caller.png"))


def test_a_flag_rule_changes_the_recommendation_on_the_page(
    login_page: Any, agencies: dict
) -> None:
    """Issue 13 item 5: a known weapons history at the place (a hazard flag) raises a noise
    complaint to a co-response as the address is typed, with the rule's note shown."""
    from rightresponse.dispatch.models import LocationHazard
    from rightresponse.people.models import Person

    LocationHazard.objects.create(agency=agencies["police"], latitude=44.948, longitude=-93.232,
                                  radius_m=120, flag="violent propensity")  # fmt: skip
    Person.objects.create(owner_agency=agencies["center"], given_name="Rowan",
                          phone="612-555-0142", behavioural_flags=["de-escalation plan"],
                          what_works="speak slowly")  # fmt: skip
    page = login_page("call_taker")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/triage/")
    page.select_option("#call_type", "noise_complaint")
    page.wait_for_selector("#tier-badge")
    assert page.locator("#tier-badge").inner_text().startswith("Tier 1")
    page.fill("#id_address", "44.948, -93.232")
    page.locator("#id_caller_phone").press_sequentially("6125550142")
    page.locator("#caller-result .known-person").wait_for()
    box = page.locator("#flag-rules")
    box.wait_for()
    assert "never send civilians alone" in box.inner_text()
    assert page.locator("#tier-badge").inner_text().startswith("Tier 2")
    page.locator("#flag-rules").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "intake-flag-rule.png"))
    page.click("#create-call")
    page.locator("#created").wait_for()
    assert Call.objects.get().decision["flag_rules"][0]["rule"] == "place_weapons_history"
