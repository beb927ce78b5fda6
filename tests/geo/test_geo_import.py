"""Boundaries and address points imported from files, and a call's location resolved
against them when it is created (issue 16: an address typed without any area)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rightresponse.dispatch.models import Incident, Unit
from rightresponse.geo import demo
from rightresponse.geo.models import AddressPoint, Boundary
from rightresponse.geo.selectors import location_resolve
from rightresponse.intake.services import call_intake
from rightresponse.triage.models import Call
from rightresponse.triage.services import CallDetails

pytestmark = pytest.mark.django_db


def call_create(**kwargs: Any) -> Call:
    """A call taken through the intake action (call, decision, incident or case)."""
    return call_intake(**kwargs).call


@pytest.fixture
def city(db: Any) -> None:
    call_command("import_boundaries", str(demo.DATA / "demo_precincts.geojson"),
                 "--layer", "precinct", "--name-property", "PRECINCT")  # fmt: skip


def test_boundaries_import_replaces_the_layer(city: None) -> None:
    assert sorted(Boundary.objects.values_list("name", flat=True)) == [
        f"Precinct {n}" for n in range(1, 6)
    ]


def test_a_broken_boundary_file_imports_nothing_and_says_why(tmp_path: Path, city: None) -> None:
    bad = tmp_path / "beats.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {
            "type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]}))  # fmt: skip
    with pytest.raises(CommandError, match=r"beats.geojson: features\[0\]: property 'BEAT'"):
        call_command("import_boundaries", str(bad), "--layer", "beat", "--name-property", "BEAT")
    assert not Boundary.objects.filter(layer="beat").exists()


def test_address_points_from_csv_and_geojson(tmp_path: Path, city: None) -> None:
    csv_file = tmp_path / "points.csv"
    csv_file.write_text("address,latitude,longitude\n2700 E Lake St,44.9483,-93.232\n")
    call_command("import_addresses", str(csv_file))
    geojson = tmp_path / "points.geojson"
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"ANUMBER": 3100, "FULLNAME": "Penn Ave N"},
         "geometry": {"type": "Point", "coordinates": [-93.3087, 45.0084]}}]}))  # fmt: skip
    call_command("import_addresses", str(geojson), "--address-field", "ANUMBER+FULLNAME")
    assert AddressPoint.objects.count() == 2
    assert location_resolve("3100 Penn Avenue North").area == "Precinct 4"
    assert location_resolve("2700 East Lake Street, Minneapolis").area == "Precinct 3"
    broken = tmp_path / "broken.csv"
    broken.write_text("address,latitude,longitude\n1 Main St,north,-93\n")
    with pytest.raises(CommandError, match="broken.csv line 2: 'north' is not a number"):
        call_command("import_addresses", str(broken))


def test_a_call_typed_without_an_area_gets_its_precinct(
    city: None, agencies: dict, users: dict
) -> None:
    demo.seed(type("Out", (), {"write": lambda self, s: None})())
    call = call_create(
        user=users["call_taker"], agency=agencies["center"], call_type="domestic_violence",
        answers={"weapon": "yes", "violence": "yes"},
        details=CallDetails(address="2700 East Lake Street", narrative="man has knife"),
    )  # fmt: skip
    assert call.area == "Precinct 3"
    assert call.latitude == pytest.approx(44.9483) and call.longitude is not None
    # A typed area is never trusted over the point.
    call = call_create(
        user=users["call_taker"], agency=agencies["center"], call_type="domestic_violence",
        answers={"weapon": "yes"}, details=CallDetails(address="3100 Penn Ave N", area="2"),
    )  # fmt: skip
    assert call.area == "Precinct 4"


def test_an_unresolved_call_still_has_every_available_unit_to_choose(
    city: None, agencies: dict, users: dict
) -> None:
    from rightresponse.dispatch import services

    for n in (1, 2):
        Unit.objects.create(agency=agencies["police"], program="police", kind="police",
                            call_sign=f"PD-{n}A", areas=[f"Precinct {n}"])  # fmt: skip
    call = call_create(
        user=users["call_taker"], agency=agencies["center"], call_type="domestic_violence",
        answers={"weapon": "yes"}, details=CallDetails(address="somewhere by the river"),
    )  # fmt: skip
    assert call.area == "" and call.latitude is None
    incident = Incident.objects.get(call=call)
    services.incidents_refresh_recommendations([incident])
    picker = incident.unit_choices  # type: ignore[attr-defined]
    assert [c["call_sign"] for c in picker] == ["PD-1A", "PD-2A"]
    assert picker[0]["recommended"]


def test_the_call_taker_sees_the_place_as_it_is_typed(
    city: None, logged_in: Any, agencies: dict
) -> None:
    from rightresponse.dispatch.models import LocationHazard

    demo.seed(type("Out", (), {"write": lambda self, s: None})())
    LocationHazard.objects.create(agency=agencies["police"], latitude=44.9483, longitude=-93.2321,
                                  flag="violent propensity", detail="not for the call taker")  # fmt: skip
    client = logged_in("call_taker")
    found = client.post("/triage/location/", {"address": "2700 e lake st"}).content.decode()
    assert "<strong>Precinct 3</strong>" in found and "Hazard: violent propensity" in found
    assert "not for the call taker" not in found
    missing = client.post("/triage/location/", {"address": "nowhere street"}).content.decode()
    assert "Location not found" in missing and "can still be created and dispatched" in missing
    clicked = client.post("/triage/location/", {"latitude": "45.01", "longitude": "-93.30"})
    assert "<strong>Precinct 4</strong> · location placed on the map" in clicked.content.decode()
