"""HSDS export and import: validation, round trips, and confidential locations."""

from __future__ import annotations

import copy
import csv
import io
import json
import zipfile

import pytest

from rightresponse.ecosystem import hsds_io
from rightresponse.ecosystem.models import Location, Organization, Schedule, Service

pytestmark = pytest.mark.django_db


def wipe() -> None:
    Schedule.objects.all().delete()
    Service.objects.all().delete()
    Location.objects.all().delete()
    Organization.objects.all().delete()


def test_export_is_valid_hsds_and_never_holds_a_confidential_location(client, directory) -> None:
    response = client.get("/api/ecosystem/hsds.json")  # open data: no login
    assert response.status_code == 200
    text = response.content.decode()
    doc = json.loads(text)
    from rightresponse.core.ecosystem.hsds import validate_document
    from rightresponse.ecosystem.config import HSDS_SCHEMA_DIR

    assert validate_document(doc, HSDS_SCHEMA_DIR) == []
    assert "Hidden Lane" not in text and "Safe house" not in text
    assert str(directory["shelter"].id) not in text
    shelter = next(s for s in doc["services"] if s["name"] == "Emergency shelter")
    assert "service_at_locations" not in shelter  # its only location is confidential
    capacity = next(s for s in doc["services"] if s["name"] == "Family counselling").get(
        "capacities"
    )
    assert capacity is None  # never published without an update time
    archive = zipfile.ZipFile(io.BytesIO(client.get("/api/ecosystem/hsds.zip").content))
    assert "Hidden Lane" not in "".join(archive.read(n).decode() for n in archive.namelist())


def test_json_round_trip_gives_the_same_directory(directory, users) -> None:
    from rightresponse.ecosystem.services import service_capacity_update

    service_capacity_update(directory["counselling"], users["service_provider"], available=2)
    Location.objects.filter(confidential=True).delete()  # never exported, so not compared
    first = hsds_io.directory_document()
    wipe()
    result = hsds_io.directory_import(copy.deepcopy(first))
    assert (result.organizations, result.services, result.warnings) == (2, 3, [])
    assert hsds_io.directory_document() == first
    counselling = Service.objects.get(name="Family counselling")
    assert counselling.capacity_available == 2 and counselling.category == "restorative"
    assert counselling.needs == ["counseling"] and counselling.languages == ["en", "es"]
    assert Service.objects.get(name="Emergency shelter").is_victim_service


def test_csv_round_trip_gives_the_same_directory(directory) -> None:
    Location.objects.filter(confidential=True).delete()
    first = hsds_io.directory_document()
    data = hsds_io.directory_csv_zip()
    wipe()
    hsds_io.directory_import(hsds_io.document_from_csv_zip(data))
    assert hsds_io.directory_document() == first


def test_import_keeps_a_local_confidential_location_confidential(directory) -> None:
    doc = hsds_io.directory_document()
    doc["organizations"][1]["locations"].append(
        {
            "id": str(directory["shelter"].id),
            "organization_id": str(directory["family"].id),
            "location_type": "physical",
            "name": "Renamed",
        }
    )
    hsds_io.directory_import(doc)
    assert Location.objects.get(id=directory["shelter"].id).confidential


def test_bad_import_is_422_with_the_path_and_writes_nothing(api_client, directory) -> None:
    doc = hsds_io.directory_document()
    doc["services"][1]["status"] = "open"
    doc["services"][2]["name"] = "Renamed service"
    before = list(Service.objects.values_list("name", flat=True).order_by("name"))
    admin = api_client("administrator")
    response = admin.post(
        "/api/ecosystem/hsds/import", json.dumps(doc), content_type="application/json"
    )
    assert response.status_code == 422
    assert "$.services[1].status: 'open' is not one of" in response.json()["detail"]
    assert list(Service.objects.values_list("name", flat=True).order_by("name")) == before
    garbage = admin.post("/api/ecosystem/hsds/import", "{not json", content_type="application/json")
    assert garbage.status_code == 400 and "not JSON" in garbage.json()["detail"]


def test_csv_upload_errors_name_the_table_and_column(api_client, directory) -> None:
    admin = api_client("administrator")
    source = zipfile.ZipFile(io.BytesIO(hsds_io.directory_csv_zip()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in source.namelist():
            text = source.read(name).decode()
            if name == "services.csv":
                rows = list(csv.DictReader(io.StringIO(text)))
                rows[0]["minimum_age"] = "eighteen"
                out = io.StringIO()
                writer = csv.DictWriter(out, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
                text = out.getvalue()
            archive.writestr(name, text)
    response = admin.post("/api/ecosystem/hsds/import-csv", {"file": io.BytesIO(buffer.getvalue())})
    assert response.status_code == 422
    assert "services.csv row 2, column minimum_age" in response.json()["detail"]
    not_zip = admin.post("/api/ecosystem/hsds/import-csv", {"file": io.BytesIO(b"hello")})
    assert not_zip.status_code == 422 and "zip" in not_zip.json()["detail"]


def test_only_administrators_import(api_client, directory) -> None:
    response = api_client("service_provider").post(
        "/api/ecosystem/hsds/import",
        json.dumps(hsds_io.directory_document()),
        content_type="application/json",
    )
    assert response.status_code == 403


def test_unknown_codes_are_left_out_and_a_subcategory_implies_its_category(directory) -> None:
    Service.objects.filter(pk=directory["crisis"].pk).update(
        needs=["mental_health", "typed-by-hand"]
    )
    doc = hsds_io.directory_document()
    crisis = next(s for s in doc["services"] if s["name"] == "Crisis stabilisation")
    from rightresponse.ecosystem.config import taxonomy

    category_term = taxonomy().term("category", "responsive").id
    crisis["attributes"] = [
        a for a in crisis["attributes"] if a["taxonomy_term_id"] != category_term
    ]
    result = hsds_io.directory_import(doc)
    assert result.warnings == []
    imported = Service.objects.get(pk=directory["crisis"].pk)
    assert imported.category == "responsive" and imported.needs == ["mental_health"]
