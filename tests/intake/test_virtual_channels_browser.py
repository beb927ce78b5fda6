"""The public online report on a phone (390x844) and a desktop, and the report taker's
queue (1440x900), in Chromium; screenshots go to docs/images."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rightresponse.intake.models import OnlineReport, VirtualCase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "images"


@pytest.mark.parametrize("size", [(390, 844), (1440, 900)])
def test_a_person_reports_online_with_the_keyboard(
    page: Any, agencies: dict, size: tuple[int, int]
) -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto("/report/")
    assert "Call 911" in page.locator(".urgent-note").inner_text()
    start = page.get_by_role("button", name="Property crime report")
    assert start.bounding_box()["height"] >= 44  # a target a thumb can hit
    page.screenshot(path=str(SHOTS / f"report-start-{size[0]}.png"), full_page=True)
    start.click()
    page.wait_for_selector("fieldset")
    for fieldset in page.locator("fieldset").all():
        fieldset.get_by_label("No", exact=True).check()
    page.get_by_label("What happened").fill("My bike was taken from the rack overnight.")
    page.get_by_label("Where (address or place, optional)").fill("5 Elm St")
    if size[0] < 500:
        page.screenshot(path=str(SHOTS / "report-form-phone.png"), full_page=True)
    # The spam trap is out of the keyboard's way: Tab from the contact field reaches Send.
    page.get_by_label("Phone number if you want a call back (optional)").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Send report"
    page.keyboard.press("Enter")
    page.locator("#report-done").wait_for()
    assert "311" in page.locator("#direct-hint").inner_text()
    name = "report-done-phone.png" if size[0] < 500 else "report-done.png"
    page.screenshot(path=str(SHOTS / name), full_page=True)
    assert VirtualCase.objects.get().channel == "online"
    # Counted from the moment the kind of report was chosen, and now sent.
    started = OnlineReport.objects.get()
    assert started.status == "completed" and started.case == VirtualCase.objects.get()


def test_report_taker_works_the_queue(login_page: Any, agencies: dict) -> None:
    from django.test import Client

    Client().post("/report/", {
        "call_type": "property_crime_report", "description": "Graffiti on the school wall",
        "answer-crime_in_progress": "no", "answer-weapon": "no", "answer-injury": "no",
        "answer-suspect_on_scene": "no", "answer-firearm_or_vehicle_involved": "no",
    })  # fmt: skip
    case = VirtualCase.objects.get()
    page = login_page("call_taker")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/intake/")
    row = page.locator(f"#case-{case.pk}")
    assert "Online report" in row.inner_text()
    row.get_by_role("button", name="Take").click()
    page.locator(f"#case-{case.pk}").get_by_text("taken").wait_for()
    page.screenshot(path=str(SHOTS / "report-queue.png"))
    page.locator(f"#case-{case.pk}").get_by_label("told how to report directly").check()
    page.locator(f"#case-{case.pk}").get_by_role("button", name="Close").click()
    page.locator("#queue-empty").wait_for()
    case.refresh_from_db()
    assert case.status == "completed" and case.taken_at is not None
