"""Analytics pages and API: who may see them and what they show."""

from __future__ import annotations

import time
from typing import Any

import pytest

from rightresponse.analytics.models import Dataset
from rightresponse.analytics.selectors import SAMPLES_DIR
from rightresponse.analytics.services import calls_import, dataset_analyze

pytestmark = pytest.mark.django_db


def wait_for_job(client: Any, url: str, seconds: float = 120) -> str:
    """Poll the work page as the browser does until the work is no longer running."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
        if 'hx-trigger="every 1s"' not in html:
            return html
        time.sleep(0.3)
    raise AssertionError(f"{url}: still running after {seconds} s")


@pytest.fixture
def madrona() -> Dataset:
    calls_import(
        SAMPLES_DIR / "seattle_madrona_2010-2023.csv",
        "seattle-call-data-study",
        dataset_slug="madrona",
    )
    return Dataset.objects.get(slug="madrona")


def test_index_lists_datasets_for_analysts_only(logged_in: Any, madrona: Dataset) -> None:
    page = logged_in("analyst").get("/analytics/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Seattle Call Data" in html and "seattle_madrona_2010-2023.csv" in html
    assert "Not analysed yet." in html
    assert logged_in("dispatcher").get("/analytics/").status_code == 403
    assert logged_in("supervisor").get("/analytics/").status_code == 200


def test_anonymous_visitors_are_sent_to_login(client: Any) -> None:
    response = client.get("/analytics/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db(transaction=True)  # the analysis runs in a background thread
def test_analyse_button_then_dataset_page_with_charts_and_map(
    logged_in: Any, madrona: Dataset
) -> None:
    client = logged_in("analyst")
    response = client.post("/analytics/madrona/analyse/")
    assert response.status_code == 302 and "/analytics/work/" in response["Location"]
    done = wait_for_job(client, response["Location"])
    assert "Open the dataset page" in done
    html = client.get("/analytics/madrona/").content.decode()
    assert "summary.json" in html and "report.html" in html  # downloads
    assert "446 calls" in html
    assert "<svg" in html and 'class="chart map"' in html
    assert "Reclassification: initial to final type" in html
    assert "Replay under protocol" in html
    assert logged_in("responder").post("/analytics/madrona/analyse/").status_code == 403
    from rightresponse.accounts.models import AuditEvent

    event = AuditEvent.objects.get(object_type="analytics.Analysis")
    assert event.action == "read" and event.actor.username == "analyst"


def test_unknown_dataset_is_a_404(logged_in: Any) -> None:
    assert logged_in("analyst").get("/analytics/nowhere/").status_code == 404


def test_api_lists_datasets_and_serves_the_summary(api_client: Any, madrona: Dataset) -> None:
    listing = api_client("analyst").get("/api/analytics/datasets")
    assert listing.status_code == 200
    assert listing.json()[0]["slug"] == "madrona"
    assert api_client("analyst").get("/api/analytics/datasets/madrona/summary").status_code == 404
    dataset_analyze(madrona)
    summary = api_client("analyst").get("/api/analytics/datasets/madrona/summary").json()
    assert summary["total_calls"] == 446
    assert api_client("call_taker").get("/api/analytics/datasets").status_code == 403
