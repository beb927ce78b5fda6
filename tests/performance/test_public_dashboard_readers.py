"""The public dashboard a resident can find and read (issue 18): linked for logged-out
visitors, a trend, a precinct map from the city's boundaries that shows only published
figures, plain names, what changed since the last quarter, downloads with the data
dictionary, and no "Police" row under "answered without a police lead"."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rightresponse.core.dictionary import TERMS
from rightresponse.core.metrics.publication import published_quarters
from rightresponse.geo.services import boundaries_import
from rightresponse.performance import public_page
from rightresponse.performance import selectors as sel
from rightresponse.performance.views import DIVERTED_POLICE_LABEL

pytestmark = pytest.mark.django_db
GEOJSON = Path(__file__).resolve().parents[2] / "src/rightresponse/geo/data/demo_precincts.geojson"


@pytest.fixture
def precincts() -> None:
    """The demo city's precincts, named as the synthetic facts name their areas, plus
    one precinct ("precinct_9") with too few calls to publish (none at all)."""
    doc = json.loads(GEOJSON.read_text())
    for feature in doc["features"]:
        number = feature["properties"]["PRECINCT"].split()[-1]
        feature["properties"]["PRECINCT"] = f"precinct_{number}"
    doc["features"][-1]["properties"]["PRECINCT"] = "precinct_9"
    boundaries_import(doc, "precinct", "PRECINCT", "test")


def test_logged_out_visitors_find_the_dashboard() -> None:
    client = Client()
    home = client.get("/", follow=True)
    assert home.status_code == 200
    html = home.content.decode()
    link = reverse("public:dashboard")
    assert f'href="{link}">Public safety dashboard' in html
    assert "For residents" in html  # on the sign-in page itself


def test_map_trend_changes_and_plain_names(
    client: Any, facts: dict[str, Any], precincts: None
) -> None:
    page = client.get(reverse("public:dashboard")).content.decode()
    # A choropleth from the city's boundaries, SVG drawn on the server.
    svg = page[page.index('<svg class="chart map choropleth"') :]
    svg = svg[: svg.index("</svg>")]
    assert svg.count("<polygon") == len(json.loads(GEOJSON.read_text())["features"])
    # The map shows exactly the published column totals of the volume table, and a
    # precinct with too few calls shows no number.
    quarter = published_quarters(timezone.localdate())[0]
    dash = public_page.quarter_dashboard(quarter)
    assert dash.volume is not None and "precinct_9" not in dash.volume.cols
    drawn = set(re.findall(r"<title>(precinct_\d)", svg))
    for name in drawn - {"precinct_9"}:
        assert f"<title>{name}: {dash.volume.col_totals[name]:,}</title>" in svg
    assert "<title>precinct_9: Too few calls to show</title>" in svg
    assert not re.search(r"<title>precinct_9: \d", svg)
    # A trend over the published quarters and what changed since the last one.
    assert "The trend, quarter by quarter" in page
    assert page.count('<svg class="chart curve"') >= 2
    assert "What changed since the last quarter" in page
    assert re.search(r'status-(better|worse|same|changed)">', page)
    # Plain names and a "what this means" for the figures; no raw keys.
    assert "Share answered without a police lead" in page
    assert page.count("What this means:") >= 4
    visible = re.sub(r"<[^>]+>", " ", page)
    for term in TERMS:
        assert not re.search(rf"(?<![\w-]){re.escape(term.key)}(?![\w-])", visible) or (
            "_" not in term.key
        ), term.key
    # Times in minutes and seconds.
    assert not re.search(r"\d+\.\d min\b", visible)


def test_no_police_row_under_answered_without_a_police_lead(
    client: Any, facts: dict[str, Any]
) -> None:
    page = client.get(reverse("public:dashboard")).content.decode()
    table = page[page.index('id="diverted"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r'<th scope="row">([^<]+)</th>', table)
    assert rows and "Police" not in rows
    # The count stays (totals match the published share): it is named for what it is.
    dash = public_page.quarter_dashboard(published_quarters(timezone.localdate())[0])
    if dash.diverted is not None and "police" in dash.diverted.rows:
        assert DIVERTED_POLICE_LABEL in rows


def test_downloads_carry_the_data_dictionary(client: Any, facts: dict[str, Any]) -> None:
    data = client.get(reverse("public:json")).json()
    assert data["figures"] and {"table", "metric_id", "row", "column", "value", "note"} == set(
        data["figures"][0]
    )
    keys = {t["key"] for t in data["dictionary"]}
    assert {"table", "value", "note", "volume_by_category_and_area", "diverted_share"} <= keys
    csv_text = client.get(reverse("public:dictionary")).content.decode()
    assert csv_text.startswith("key,label,meaning")
    # Only published quarters, as for the CSV (issue 10).
    assert client.get(reverse("public:json"), {"period": "1999-Q1"}).status_code == 400
    assert sel.PUBLIC_RATES  # the rates the JSON carries are the page's
