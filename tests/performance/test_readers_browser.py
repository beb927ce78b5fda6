"""What analysts, leaders and the public read (issue 18), in a real Chromium at a phone's
390x844 and a desktop's 1440x900: the analysis upload-to-report flow, the scorecards and
the public dashboard. On every page: no sideways scroll at 390 px, no raw key of the data
dictionary in the visible text, and axe-core (WCAG 2 A/AA, bundled with
axe-playwright-python and injected from disk: no network) finds nothing serious or
critical."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from rightresponse.core.dictionary import NOT_MEASURABLE_NO_TIMES, TERMS
from tests.conftest import PASSWORD
from tests.shared_files import real_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1440, "height": 900}}
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
SHOTS = Path(tempfile.gettempdir()) / "readers-shots"
SLO = "slo-police-call-log/SLOPD_report_2021-09-14_to_2022-03-15.csv"
# Keys a reader would take for code: with an underscore or a digit ("within_15", "p90").
# Plain words that are also keys ("calls", "area") are words, not leaks.
RAW_KEYS = sorted(t.key for t in TERMS if "_" in t.key or any(c.isdigit() for c in t.key))


@pytest.fixture(params=list(VIEWPORTS))
def screen(request: Any, chromium: Any, live_server: Any) -> Any:
    context = chromium.new_context(base_url=live_server.url, viewport=VIEWPORTS[request.param])
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.viewport_name = request.param
    yield page
    context.close()


def sign_in(page: Any, role: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", role)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def check_page(page: Any, name: str) -> None:
    """The three promises of every page, and a screenshot to look at."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_name}.png"), full_page=True)
    if page.viewport_name == "phone":
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{name}: the page is {width} px wide at 390 px"
    text = page.evaluate("document.body.innerText")
    leaked = [k for k in RAW_KEYS if re.search(rf"(?<![\w.-]){re.escape(k)}(?![\w-])", text)]
    assert not leaked, f"{name}: raw keys on the page: {leaked}"
    results = Axe().run(page, options=WCAG_AA)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{name}: {serious}"


def test_analysis_upload_to_report(screen: Any, users: dict[str, Any]) -> None:
    page = screen
    sign_in(page, "analyst")
    page.goto("/analytics/")
    check_page(page, "analysis-index")
    page.set_input_files("#id_file", str(real_file(SLO)))
    page.select_option("#id_profile", "slo-police-log")
    page.fill("#id_dataset", "slo")
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_url("**/analytics/work/**")
    page.get_by_role("heading", name="Rejects report").wait_for(timeout=120_000)
    assert page.locator("#rejects tbody tr").count() > 0
    check_page(page, "analysis-import")
    page.get_by_role("button", name=re.compile("Analyse .* now")).click()
    page.get_by_role("link", name="Open the dataset page").wait_for(timeout=120_000)
    page.get_by_role("link", name="Open the dataset page").click()
    page.wait_for_url("**/analytics/slo/")
    assert page.get_by_role("link", name="report.html").is_visible()
    assert page.get_by_role("link", name="summary.json").is_visible()
    body = page.evaluate("document.body.innerText")
    assert NOT_MEASURABLE_NO_TIMES in body
    check_page(page, "analysis-dataset")


def test_scorecards(screen: Any, users: dict[str, Any], facts: dict[str, Any]) -> None:
    page = screen
    sign_in(page, "supervisor")
    page.goto("/performance/scorecards/?committee=communications_911&all=1")
    assert page.locator("svg.curve").count() >= 1
    assert page.locator(".status-off_track").count() == 0  # no targets set: none off track
    assert page.get_by_role("link", name="Set a baseline or target").count() >= 1
    check_page(page, "scorecards")


def test_public_dashboard(screen: Any, facts: dict[str, Any]) -> None:
    page = screen
    page.goto("/")  # a logged-out visitor
    page.get_by_role("link", name="Public safety dashboard").first.click()
    page.wait_for_url("**/public/")
    assert page.get_by_role("heading", name="What changed since the last quarter").is_visible()
    assert page.get_by_role("heading", name="The trend, quarter by quarter").is_visible()
    check_page(page, "public-dashboard")
