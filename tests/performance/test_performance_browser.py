"""Both dashboards in a real Chromium: keyboard use, the HTMX breakdown, and an axe-core
accessibility check (axe.min.js bundled by axe-playwright-python, injected from disk, so
no network) with no serious or critical violations."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def serious_violations(page: Any) -> list[str]:
    results = Axe().run(page, options=WCAG_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_public_dashboard_is_accessible_without_login(page: Any, facts: dict[str, Any]) -> None:
    page.goto("/public/")
    assert page.locator("h1").inner_text().startswith("Community safety")
    assert page.locator("table#volume").count() == 1
    titles = page.locator("svg.chart > title").all_text_contents()
    assert "Calls for service by category" in titles and "Calls for service per quarter" in titles
    assert serious_violations(page) == []
    # keyboard: the skip link first, then the period selector is reachable
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    # the periods offered are published calendar quarters (no overlapping windows)
    second = page.locator("#period option").nth(1).get_attribute("value")
    page.select_option("#period", second)
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_url(f"**/public/?period={second}")
    assert f"Q{second[-1]}" in page.locator("#period option:checked").inner_text()


def test_internal_dashboard_and_htmx_breakdown(login_page: Any, facts: dict[str, Any]) -> None:
    page = login_page("analyst")
    page.goto("/performance/")
    assert page.locator("h1").inner_text() == "Performance dashboard"
    assert page.locator(".headline .card").count() == 5
    assert serious_violations(page) == []
    page.goto("/performance/metrics/diverted_share/")
    page.select_option("#id_breakdown", "race_ethnicity")
    page.wait_for_selector("#breakdown caption:has-text('race_ethnicity')")
    assert page.locator("#breakdown tbody tr").count() >= 3
    assert serious_violations(page) == []


def test_scorecards_and_entry_pages_are_accessible(login_page: Any, facts: dict[str, Any]) -> None:
    page = login_page("supervisor")
    for url in (
        "/performance/scorecards/?all=1",
        "/performance/entry/",
        "/performance/citistat/",
        "/performance/catalog/",
    ):
        page.goto(url)
        assert serious_violations(page) == [], url
