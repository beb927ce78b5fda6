"""The call-taker page in a real Chromium, driven with the keyboard only."""

from __future__ import annotations

from typing import Any

import pytest

from rightresponse.triage.models import Call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def test_keyboard_only_call_taking(login_page: Any) -> None:
    page = login_page("call_taker")
    page.goto("/triage/")
    # Skip link, then into the page: the location is the first control (a 911 call goes
    # location and callback number first, then what is happening).
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_address"
    page.keyboard.type("2400 Harriet Ave")
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_caller_phone"
    page.keyboard.type("612-555-0100")
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_caller_name"
    page.keyboard.type("Jo Caller")
    # The on-screen shortcut Alt+T goes to the call type.
    page.keyboard.press("Alt+t")
    assert focused_id(page) == "call_type"
    # Type-ahead picks "Behavioral health crisis" on the closed select; HTMX swaps the
    # workspace and focus comes back to the select.
    page.keyboard.type("Behavioral")
    page.wait_for_selector("#tier-badge")
    assert page.locator("#call_type").input_value() == "behavioral_crisis"
    assert focused_id(page) == "call_type"
    assert "Tier 2" in page.locator("#tier-badge").inner_text()
    # The first question is the most decisive one, marked "ask next".
    first = page.locator("fieldset.question").first
    assert first.get_attribute("id") == "question-threat_to_life"
    assert "ask next" in first.inner_text()

    # Tab into each question (lands on the checked "Unknown"), arrow to "No".
    for q in ("threat_to_life", "weapon"):
        page.keyboard.press("Tab")
        assert focused_id(page) == f"answer-{q}-unknown"
        page.keyboard.press("ArrowLeft")
        page.wait_for_function(f"() => document.querySelector('#answer-{q}-no').checked")
        assert focused_id(page) == f"answer-{q}-no"
    # Violence: Tab, then ArrowLeft twice reaches "Yes" (Unknown -> No -> Yes).
    page.keyboard.press("Tab")
    assert focused_id(page).startswith("answer-violence")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "() => document.querySelector('#tier-badge').innerText.includes('Tier 3')"
    )
    assert page.locator("#lead").inner_text() == "police"
    assert "Physical violence" in page.locator("#reasons").inner_text()
    # The matrix is folded under its summary (band and score), so the decision fits the screen.
    assert "High" in page.locator("details.risk summary").inner_text()
    assert page.locator("td.current").text_content().startswith("High 12")
    # Focus survived the swaps: still on the violence question.
    assert focused_id(page) == "answer-violence-yes"

    # Back to No: arrow right; with no weapon, violence or threat, civilians go alone.
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('#tier-badge').innerText.includes('Tier 1')"
    )
    assert page.locator("#programs li").first.inner_text().startswith("Community responders")

    # Tab on through the rest of the form to "Create call" and press Space.
    for _ in range(30):
        page.keyboard.press("Tab")
        if focused_id(page) == "create-call":
            break
    assert focused_id(page) == "create-call"
    page.keyboard.press("Space")
    page.wait_for_selector("#created")
    assert "created: tier 1" in page.locator("#created").inner_text()
    call = Call.objects.get()
    assert call.call_type == "behavioral_crisis" and call.tier == 1
    assert call.answers["weapon"] == "no" and call.answers["violence"] == "no"
    assert call.caller_name == "Jo Caller"


def test_screened_out_bias_call_is_shown(login_page: Any) -> None:
    page = login_page("dispatcher")
    page.goto("/triage/?call_type=bias_based_complaint")
    for q in ("crime_in_progress", "weapon", "violence", "threat_to_life", "victim_in_danger"):
        page.check(f"#answer-{q}-no")
        page.wait_for_load_state("networkidle")
    page.wait_for_selector("#screened")
    assert "Tier 0" in page.locator("#tier-badge").inner_text()


def test_page_has_no_accessibility_violations(login_page: Any) -> None:
    """axe-core (bundled with axe-playwright-python, nothing fetched) on the live page."""
    from axe_playwright_python.sync_playwright import Axe

    page = login_page("supervisor")
    page.goto("/triage/?call_type=domestic_violence")
    page.wait_for_selector("#tier-badge")
    results = Axe().run(page)
    assert len(results.response["passes"]) > 10  # axe really ran
    violations = [(v["id"], v["help"]) for v in results.response["violations"]]
    assert violations == [], results.generate_report()
