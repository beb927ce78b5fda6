"""The public progress page on a phone and a staff flow, in a real Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def serious(page: Any) -> list[str]:
    violations = Axe().run(page, options=WCAG).response["violations"]
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


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
    assert serious(page) == []
    page.select_option("#id_step", "P1-RSP-01")
    page.fill("#id_body", "Will the civilian teams work nights?")
    page.get_by_role("button", name="Send comment").click()
    page.wait_for_url("**/progress/")
    assert "once a moderator has read it" in page.locator(".messages").inner_text()
    assert "work nights" not in page.content()  # held for moderation
    from rightresponse.plan.models import PublicComment

    assert PublicComment.objects.get().step.code == "P1-RSP-01"


def test_analyst_moves_a_step_and_approves_a_comment(
    login_page: Any, plan: Any, users: dict[str, Any]
) -> None:
    from rightresponse.plan.services import comment_submit

    comment_submit(address="someone", body="Thank you for the dashboard")
    page = login_page("analyst")
    page.goto("/plan/")
    assert serious(page) == []
    page.get_by_role("link", name="P1-GOV-11").first.click()
    page.wait_for_url("**/plan/steps/P1-GOV-11/")
    assert serious(page) == []
    page.select_option("#id_status", "done")
    page.fill("#id_committee", "Executive Steering Committee")
    page.fill("#id_note", "Dashboard published")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/plan/steps/P1-GOV-11/")
    history = page.locator("ul.history").inner_text()
    assert "status" in history
    assert "Not started → Done" in history and "Dashboard published" in history
    page.goto("/plan/comments/")
    page.get_by_role("button", name="Approve").click()
    page.goto("/progress/")
    assert "Thank you for the dashboard" in page.content()
    assert page.get_by_role("img", name="Whole plan: 1% of the way").count() == 1


def test_staffing_page_charts_and_tables(login_page: Any, plan: Any) -> None:
    page = login_page("supervisor")
    page.goto("/plan/staffing/?weeks=1")
    assert page.locator("svg.chart").count() >= 3
    assert page.get_by_role("heading", name="Side by side").count() == 1
    assert serious(page) == []
