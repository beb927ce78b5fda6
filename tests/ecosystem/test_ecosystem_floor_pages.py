"""Issue 16 on the ecosystem's pages: languages by name, filters in the URL, the directory
opened from an incident filtered by its need and area, and no link to a page that answers
403 for its viewer."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_languages_are_shown_by_name(logged_in: Any, directory: dict) -> None:
    html = logged_in("responder").get("/services/").content.decode()
    assert (
        '<option value="so" >Somali</option>' in html
        or '<option value="so">Somali</option>' in html
    )
    assert "Languages: English, Somali" in html  # the county's crisis service
    assert ">so<" not in html


def test_filters_live_in_the_url_and_htmx_gets_only_the_results(
    logged_in: Any, directory: dict
) -> None:
    client = logged_in("responder")
    page = client.get("/services/?need=counseling&language=es").content.decode()
    assert 'value="counseling" selected' in page and 'value="es" selected' in page
    assert 'hx-push-url="true"' in page  # each change of a filter becomes the page's URL
    fragment = client.get("/services/?need=counseling", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "Family counselling" in fragment


def test_opened_from_a_domestic_violence_incident_the_need_is_preselected(
    logged_in: Any, directory: dict
) -> None:
    page = (
        logged_in("responder")
        .get("/services/?incident_id=9&category=domestic_violence")
        .content.decode()
    )
    assert 'value="safety_planning" selected' in page
    assert "Emergency shelter" in page and "Family counselling" not in page


@pytest.mark.parametrize("role", ["dispatcher", "responder", "service_provider", "call_taker"])
def test_the_referrals_page_links_only_to_pages_its_viewer_can_open(
    logged_in: Any, role: str
) -> None:
    client = logged_in(role)
    html = client.get("/services/referrals/").content.decode()
    main = html.split('id="main"', 1)[1]
    links = set(re.findall(r'href="(/[^"#]*)"', main))
    assert links, "the page has links"
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, (role, link)
