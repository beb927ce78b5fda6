"""Analysts work from the page (issue 18): upload an export, see the progress and the
rejects with line numbers, analyse, and download every output, on the real San Luis
Obispo log."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from test_analytics_pages import wait_for_job

from rightresponse.core.dictionary import NOT_MEASURABLE_NO_TIMES
from tests.shared_files import real_file

pytestmark = pytest.mark.django_db(transaction=True)  # the work runs in a thread
SLO = "slo-police-call-log/SLOPD_report_2021-09-14_to_2022-03-15.csv"


def test_upload_import_rejects_analyse_and_download(logged_in: Any) -> None:
    client = logged_in("analyst")
    path = real_file(SLO)
    with path.open("rb") as handle:
        response = client.post(
            "/analytics/upload/",
            {"file": handle, "profile": "slo-police-log", "dataset": "slo"},
        )
    assert response.status_code == 302, response.content.decode()[:500]
    first = client.get(response["Location"]).content.decode()
    assert "<progress" in first or "Done." in first  # progress while it runs
    done = wait_for_job(client, response["Location"])
    assert "New calls imported</dt><dd>19063</dd>" in done
    assert "Rejected</dt><dd>1013</dd>" in done
    # The rejects report: each row's line number in the file and the reason.
    lines = re.findall(r'<tr><td class="num">(\d+)</td>', done)
    assert lines and all(int(x) >= 2 for x in lines)
    assert "rejected" in done

    response = client.post("/analytics/slo/analyse/")
    done = wait_for_job(client, response["Location"])
    page = client.get("/analytics/slo/").content.decode()
    links = dict(
        (name, url)
        for url, name in re.findall(r'<a href="(/analytics/slo/reports/[^"]+)">([^<]+)</a>', page)
    )
    assert {"report.html", "summary.json", "by_category.csv", "data-dictionary.csv"} <= set(links)
    summary = json.loads(b"".join(client.get(links["summary.json"]).streaming_content))
    assert summary["diverted_unit_hours"]["fte"] is None
    report = b"".join(client.get(links["report.html"]).streaming_content).decode()
    assert NOT_MEASURABLE_NO_TIMES in report
    assert client.get("/analytics/slo/reports/../../etc/passwd").status_code == 404
    assert client.get("/analytics/slo/reports/20200101T000000-analysis/x.csv").status_code == 404


def test_bad_uploads_say_where_and_why(logged_in: Any) -> None:
    client = logged_in("analyst")
    response = client.post(
        "/analytics/upload/",
        {"file": SimpleUploadedFile("calls.xlsx", b"PK\x03\x04"), "profile": "slo-police-log"},
    )
    assert response.status_code == 400
    assert "calls.xlsx: not a CSV or Parquet file" in response.content.decode()
    # A CSV without the columns the profile needs: the work fails with the reason.
    response = client.post(
        "/analytics/upload/",
        {"file": SimpleUploadedFile("calls.csv", b"a,b\n1,2\n"), "profile": "slo-police-log"},
    )
    done = wait_for_job(client, response["Location"])
    assert "Not done" in done and "calls.csv: no column for" in done
    # Another analyst's work is not theirs to read.
    assert logged_in("supervisor").get(response["Location"]).status_code == 404
    assert logged_in("dispatcher").post("/analytics/upload/").status_code == 403


def test_upload_with_a_drafted_profile(logged_in: Any) -> None:
    """No shipped profile chosen: a profile is drafted from the file's columns, shown for
    review, and the calls import with it."""
    client = logged_in("analyst")
    with real_file(SLO).open("rb") as handle:
        response = client.post(
            "/analytics/upload/", {"file": handle, "profile": "draft", "dataset": "slo-draft"}
        )
    done = wait_for_job(client, response["Location"])
    assert "The drafted profile: review it" in done
    assert "# DRAFT" in done and "case_number" in done
    imported = int(re.search(r"New calls imported</dt><dd>(\d+)</dd>", done).group(1))
    assert imported > 15000  # most of the 20,076 rows: the draft read them
    page = client.get("/analytics/").content.decode()
    assert "Draft profile for SLOPD_report_2021-09-14_to_2022-03-15.csv" in page
