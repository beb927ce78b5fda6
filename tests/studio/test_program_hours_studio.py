"""Programs' hours and areas in the studio's forms: a bad time or an unknown day is a
problem at the hours field, and an area the city does not have (its precinct boundaries)
a problem at the areas field."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rightresponse.core.triage import read_yaml_text
from rightresponse.geo.models import Boundary
from rightresponse.studio.models import ProtocolVersion

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}


def _author(studio_users: dict[str, Any]) -> tuple[Client, ProtocolVersion, int]:
    client = Client()
    client.force_login(studio_users["author"])
    client.post("/studio/new/", {"note": "hours"})
    version = ProtocolVersion.objects.get()
    data = read_yaml_text(version.yaml_text, "t")
    i = next(i for i, p in enumerate(data["programs"]) if p["id"] == "violence_interrupters")
    return client, version, i


def _field_error(page: str, name: str) -> str:
    return page[page.index(f'id="e-{name}"') :][:400]


def test_a_bad_time_or_day_is_shown_at_the_hours_field(studio_users: dict[str, Any]) -> None:
    client, version, i = _author(studio_users)
    page = client.get(f"/studio/{version.pk}/section/programs/").content.decode()
    # The shipped hours are shown as short YAML, past midnight at weekends.
    assert "to: &quot;02:00&quot;" in page[page.index(f'id="f-{i}.hours"') :][:400]
    client.post(f"/studio/{version.pk}/section/programs/",
                {f"{i}.hours": '[{days: [mon, funday], from: "25:00", to: "20:00"}]'})  # fmt: skip
    version.refresh_from_db()
    assert not version.valid
    page = client.get(f"/studio/{version.pk}/section/programs/").content.decode()
    error = _field_error(page, f"{i}.hours")
    assert f"programs[{i}].hours[0].days[1]: &#x27;funday&#x27; is not one of" in error
    assert "is not a time of day" in error


def test_an_area_the_city_does_not_have_is_shown_at_the_areas_field(
    studio_users: dict[str, Any],
) -> None:
    for n in (1, 2, 3, 4, 5):
        Boundary.objects.create(layer="precinct", name=f"Precinct {n}", geometry=SQUARE)
    client, version, i = _author(studio_users)
    assert version.valid  # the shipped areas are the city's
    client.post(f"/studio/{version.pk}/section/programs/",
                {f"{i}.areas": "[Precinct 2, Precinct 9]"})  # fmt: skip
    version.refresh_from_db()
    assert version.problems == [
        {"path": f"programs[{i}].areas[1]",
         "reason": "unknown area 'Precinct 9': the city's areas are Precinct 1, Precinct 2, "
                   "Precinct 3, Precinct 4, Precinct 5"},
    ]  # fmt: skip
    page = client.get(f"/studio/{version.pk}/section/programs/").content.decode()
    assert "unknown area &#x27;Precinct 9&#x27;" in _field_error(page, f"{i}.areas")


def test_a_city_with_other_areas_fixes_them_in_the_draft_and_the_file_stays_restorable(
    studio_users: dict[str, Any],
) -> None:
    """The shipped file names the demo city's precincts. A city with other areas gets a
    draft that does not validate until its programs name the city's own areas; the file,
    which decided calls already, is still recorded as the version live before the first
    approval (rollback can return to it)."""
    from rightresponse.studio import services as s

    for name in ("North", "South"):
        Boundary.objects.create(layer="precinct", name=name, geometry=SQUARE)
    author, approver = studio_users["author"], studio_users["approver"]
    draft = s.draft_create(user=author)
    assert not draft.valid
    assert {p["reason"].split(":")[0] for p in draft.problems} == {
        "unknown area 'Precinct 2'", "unknown area 'Precinct 3'"}  # fmt: skip
    fixed = draft.yaml_text.replace("areas: [Precinct 2, Precinct 3]", "areas: [North]")
    draft = s.draft_save(user=author, version=draft, yaml_text=fixed)
    assert draft.valid, draft.problems
    s.draft_submit(user=author, version=draft)
    s.version_approve(user=approver, version=draft)
    file_version = ProtocolVersion.objects.exclude(pk=draft.pk).get()
    assert (
        file_version.status == ProtocolVersion.PUBLISHED and "Precinct 2" in file_version.yaml_text
    )
