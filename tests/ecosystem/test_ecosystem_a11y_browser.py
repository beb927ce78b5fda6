"""Accessibility (axe-core, WCAG 2 A/AA rules) of the ecosystem's main pages in Chromium."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from rightresponse.ecosystem import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}, "resultTypes": ["violations"]}


def test_directory_referral_and_inbox_pages_have_no_wcag_violations(
    login_page, page, users, directory, person
) -> None:
    ref = services.referral_create(
        user=users["responder"],
        source="incident",
        incident_id=3,
        service=directory["counselling"],
        person=person,
    )
    axe = Axe()
    login_page("service_provider")
    for path in (
        "/services/",
        "/services/inbox/",
        f"/services/referrals/{ref.pk}/",
        "/services/navigator/",
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        results = axe.run(page, options=WCAG)
        assert results.violations_count == 0, f"{path}\n{results.generate_report()}"
