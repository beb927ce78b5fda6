"""The public progress page on a phone and a staff flow, in a real Chromium."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_progress_on_a_phone_and_a_comment(
    page: Any, plan: Any, users: dict[str, Any]
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/progress/")
    assert page.locator("h1").inner_text().startswith("Safe and Thriving Communities")
    # Nothing overflows sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_role("img", name="Whole plan: 0% of the way").count() == 1
    assert page.locator("a[href$='plan.csv']").count() == 1
    page.fill("#id_body", "Will the civilian teams work nights?")
    page.get_by_role("button", name="Send comment").click()
    page.wait_for_url("**/progress/")
    assert "once a moderator has read it" in page.locator(".messages").inner_text()
    assert "work nights" not in page.content()  # held for moderation


def test_analyst_moves_a_step_and_approves_a_comment(
    login_page: Any, plan: Any, users: dict[str, Any]
) -> None:
    from rightresponse.plan.services import comment_submit

    comment_submit(address="someone", body="Thank you for the dashboard")
    page = login_page("analyst")
    page.goto("/plan/")
    page.get_by_role("link", name="P1-GOV-11").first.click()
    page.wait_for_url("**/plan/steps/P1-GOV-11/")
    page.select_option("#id_status", "done")
    page.fill("#id_committee", "Executive Steering Committee")
    page.fill("#id_note", "Dashboard published")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/plan/steps/P1-GOV-11/")
    history = page.locator("ul.history").inner_text()
    assert "status" in history
    assert "not_started → done" in history and "Dashboard published" in history
    page.goto("/plan/comments/")
    page.get_by_role("button", name="Approve").click()
    page.goto("/progress/")
    assert "Thank you for the dashboard" in page.content()
    assert page.get_by_role("img", name="Whole plan: 1% of the way").count() == 1
