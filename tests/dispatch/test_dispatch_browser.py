"""A full incident in a real Chromium: call in and triage, dispatch from the live board,
the responder goes en route and on scene, escalates, and closes with an outcome."""

from __future__ import annotations

from typing import Any

import pytest

from rightresponse.dispatch.models import Incident
from rightresponse.intake.services import call_intake
from rightresponse.triage.models import Call
from rightresponse.triage.services import CallDetails

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def triaged_call(agencies: dict, users: dict, call_type: str, answers: dict[str, str]) -> Call:
    """What the call-taker page stores, through the same intake action."""
    details = CallDetails(
        address="100 Pine St", latitude=47.6105, longitude=-122.3305, area="north"
    )
    return call_intake(
        user=users["call_taker"], agency=agencies["center"], call_type=call_type,
        answers=answers, details=details,
    ).call  # fmt: skip


def test_full_incident_from_call_to_close(
    login_page: Any, agencies: dict, users: dict, units: dict
) -> None:
    # Call in and triage on the call-taker page (the triage pillar's page).
    page = login_page("call_taker")
    page.goto("/triage/")
    page.select_option("#call_type", "welfare_check")
    page.wait_for_selector("#tier-badge")
    questions = page.eval_on_selector_all(
        "fieldset.question", "els => els.map(e => e.id.replace('question-', ''))"
    )
    assert "weapon" in questions
    for question in questions:  # nothing dangerous: "No" to every question
        page.check(f"#answer-{question}-no")
        page.wait_for_function(f"() => document.querySelector('#answer-{question}-no').checked")
    page.wait_for_function(
        "() => document.querySelector('#tier-badge').innerText.includes('Tier 1')"
    )
    page.fill("#id_address", "100 Pine St")
    page.click("#create-call")
    page.wait_for_selector("#created")
    call = Call.objects.get()
    assert call.tier == 1
    incident = Incident.objects.get(call=call)
    page.get_by_role("button", name="Sign out").click()

    # Dispatch from the live board.
    page = login_page("dispatcher")
    page.goto("/dispatch/")
    item = page.locator(f"#incident-{incident.pk}")
    assert "CARE-1" in item.locator(f"#unit-{incident.pk}").inner_text()
    assert item.locator(".timer").inner_text().startswith("waiting 0:")
    # A new call appears on the open board without a reload (HTMX polls every second).
    second = triaged_call(agencies, users, "noise_complaint", {"weapon": "no", "violence": "no"})
    page.locator(f"#incident-{Incident.objects.get(call=second).pk}").wait_for(timeout=4000)
    # Typing an override reason pauses the refresh, so the text is not wiped.
    page.fill(f"#override-{incident.pk}", "checking the radio")
    page.wait_for_timeout(2200)
    assert page.input_value(f"#override-{incident.pk}") == "checking the radio"
    page.fill(f"#override-{incident.pk}", "")
    item.get_by_role("button", name="Assign").click()
    page.locator(f"tr[data-incident='{incident.pk}']").wait_for()
    incident.refresh_from_db()
    assert incident.status == "dispatched"

    page.get_by_role("button", name="Sign out").click()
    page = login_page("responder")
    page.goto("/dispatch/responder/")
    page.get_by_role("button", name="En route").click()
    page.get_by_role("button", name="On scene").click()
    assert page.get_by_test_id("incident-status").inner_text() == "On scene"
    page.select_option("#tier", "3")
    page.fill("#tier-reason", "a knife was seen")
    page.get_by_role("button", name="Change tier").click()
    page.get_by_role("button", name="Cleared").click()
    page.select_option("#outcome", "referred")
    page.fill("#disposition", "connected to the crisis line")
    page.get_by_role("button", name="Send close-out").click()
    page.get_by_text(f"Incident #{incident.pk} closed out.").wait_for()
    incident.refresh_from_db()
    assert incident.status == "closed" and incident.escalated and incident.tier == 3
    assert incident.disposition.outcome == "referred"
    kinds = list(incident.events.values_list("kind", flat=True))
    assert kinds.count("status") >= 4 and "escalation" in kinds and "close" in kinds


def test_board_and_responder_view_have_no_serious_accessibility_violations(
    login_page: Any, agencies: dict, users: dict, units: dict
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    call = triaged_call(agencies, users, "welfare_check", {"weapon": "no", "violence": "no"})
    from rightresponse.dispatch import services

    services.incident_assign(
        Incident.objects.get(call=call).pk, units["CARE-1"].pk, users["dispatcher"]
    )
    triaged_call(agencies, users, "noise_complaint", {"weapon": "no", "violence": "no"})
    axe = Axe()
    page = login_page("dispatcher")
    page.goto("/dispatch/")
    serious = [
        v for v in axe.run(page).response["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], [(v["id"], v["nodes"][0]["target"]) for v in serious]
    page.get_by_role("button", name="Sign out").click()
    page = login_page("responder")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto("/dispatch/responder/")
    serious = [
        v for v in axe.run(page).response["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], [(v["id"], v["nodes"][0]["target"]) for v in serious]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
