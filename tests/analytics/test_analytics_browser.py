from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from rightresponse.analytics.models import Dataset
from rightresponse.analytics.selectors import SAMPLES_DIR
from rightresponse.analytics.services import calls_import

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOT = Path(tempfile.gettempdir()) / "analytics-dataset-page.png"


def test_analyst_imports_nothing_by_hand_and_reads_the_landscape(login_page: Any) -> None:
    calls_import(
        SAMPLES_DIR / "seattle_east_c3_2018-2023.csv", "seattle-call-data", dataset_slug="east-c3"
    )
    assert Dataset.objects.filter(slug="east-c3").exists()
    page = login_page("analyst")
    page.get_by_role("link", name="Analytics").first.click()
    page.get_by_role(
        "button", name="Analyse Seattle Police Department Call Data (portal export) now"
    ).click()
    # The analysis runs in the background; the page follows it, then links to the report.
    page.get_by_role("link", name="Open the dataset page").click(timeout=120_000)
    page.wait_for_url("**/analytics/east-c3/")
    assert page.locator("svg.chart").count() >= 4
    assert page.get_by_role("heading", name="Response intervals").is_visible()
    assert page.locator("svg.map circle").count() > 0
    # The publishing work: calls reported apart, intervals, the published methods.
    assert page.get_by_role("heading", name="Published eligibility methods on these calls").count()
    assert page.get_by_text("Reported apart, not triaged").count()
    assert page.get_by_text("95% interval").first.is_visible()
    page.get_by_role(
        "heading", name="Published eligibility methods on these calls"
    ).scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOT))
