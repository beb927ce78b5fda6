"""HSDS validation against the official schemas carried in the package, and CSV tables."""

import copy
from pathlib import Path

import rightresponse
from rightresponse.core.ecosystem.hsds import (
    csv_to_tables,
    from_tables,
    tables_to_csv,
    to_tables,
    validate_document,
)

SCHEMAS = Path(rightresponse.__file__).parent / "ecosystem" / "hsds" / "schema"
ORG = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
LOC = "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
SVC = "ac148810-d857-441c-9679-408f346de14b"
TAX = "5b0f9d7e-8b1c-4c52-9f0e-3d1e2a4b5c6d"
TERM = "3f7b145d-84af-42d7-8fae-eaca714b02b2"

DOC = {
    "taxonomies": [{"id": TAX, "name": "Test", "description": "Test taxonomy"}],
    "taxonomy_terms": [
        {
            "id": TERM,
            "name": "Housing",
            "description": "need",
            "code": "housing",
            "taxonomy_id": TAX,
        }
    ],
    "organizations": [
        {
            "id": ORG,
            "name": "Stable Homes",
            "description": "Rental help",
            "locations": [
                {
                    "id": LOC,
                    "organization_id": ORG,
                    "location_type": "physical",
                    "name": "Office",
                    "latitude": 44.97,
                    "addresses": [
                        {
                            "id": "b2f1c3d4-1111-4a2b-8c3d-000000000001",
                            "location_id": LOC,
                            "address_1": "1 Main St",
                            "city": "Metro",
                            "state_province": "MN",
                            "postal_code": "55401",
                            "country": "US",
                            "address_type": "physical",
                        }
                    ],
                }
            ],
        }
    ],
    "services": [
        {
            "id": SVC,
            "organization_id": ORG,
            "name": "Rental assistance",
            "status": "active",
            "minimum_age": 18,
            "schedules": [
                {
                    "id": "c1000000-0000-4000-8000-000000000001",
                    "service_id": SVC,
                    "freq": "WEEKLY",
                    "byday": "MO,TU",
                    "opens_at": "09:00",
                    "closes_at": "17:00",
                }
            ],
            "languages": [
                {"id": "c1000000-0000-4000-8000-000000000002", "service_id": SVC, "code": "es"}
            ],
            "service_at_locations": [
                {
                    "id": "c1000000-0000-4000-8000-000000000003",
                    "service_id": SVC,
                    "location_id": LOC,
                }
            ],
            "attributes": [
                {
                    "id": "c1000000-0000-4000-8000-000000000004",
                    "link_id": SVC,
                    "link_type": "need",
                    "link_entity": "service",
                    "taxonomy_term_id": TERM,
                }
            ],
            "capacities": [
                {
                    "id": "c1000000-0000-4000-8000-000000000005",
                    "service_id": SVC,
                    "unit": {"id": "u1", "name": "families"},
                    "available": 2,
                    "maximum": 40,
                    "updated": "2026-03-02T09:00:00+00:00",
                }
            ],
        }
    ],
}


def test_a_good_document_conforms() -> None:
    assert validate_document(DOC, SCHEMAS) == []


def test_errors_give_the_json_path_and_the_reason() -> None:
    bad = copy.deepcopy(DOC)
    bad["services"][0]["status"] = "open"
    bad["services"][0]["schedules"][0]["freq"] = "DAILY"
    del bad["organizations"][0]["description"]
    errors = {e.path: e.message for e in validate_document(bad, SCHEMAS)}
    assert "'open' is not one of" in errors["$.services[0].status"]
    assert "'DAILY' is not one of" in errors["$.services[0].schedules[0].freq"]
    assert "'description' is a required property" in errors["$.organizations[0]"]


def test_ids_must_be_uuids_and_references_must_resolve() -> None:
    bad = copy.deepcopy(DOC)
    bad["services"][0]["id"] = "not-a-uuid"
    assert [e.path for e in validate_document(bad, SCHEMAS)] == ["$.services[0].id"]
    dangling = copy.deepcopy(DOC)
    dangling["services"][0]["service_at_locations"][0]["location_id"] = ORG.replace("d9", "aa")
    paths = [e.path for e in validate_document(dangling, SCHEMAS)]
    assert paths == ["$.services[0].service_at_locations[0].location_id"]


def test_capacity_follows_the_hsds_3_1_shape() -> None:
    bad = copy.deepcopy(DOC)
    bad["services"][0]["capacities"][0]["available"] = -1
    errors = validate_document(bad, SCHEMAS)
    assert [e.path for e in errors] == ["$.services[0].capacities[0].available"]


def test_not_an_object_is_an_error_not_a_crash() -> None:
    assert validate_document([], SCHEMAS)[0].path == "$"
    assert validate_document({"services": {}}, SCHEMAS)[0].message == "must be an array"


def test_csv_tables_round_trip_to_the_same_document() -> None:
    files = tables_to_csv(to_tables(DOC))
    assert {"services.csv", "locations.csv", "addresses.csv", "service_capacities.csv"} <= set(
        files
    )
    assert files["schedules.csv"].splitlines()[0].startswith("id,service_id,freq")
    rebuilt = from_tables(csv_to_tables(files), SCHEMAS)
    assert rebuilt == DOC
    assert validate_document(rebuilt, SCHEMAS) == []


def test_nul_characters_are_refused_with_their_path() -> None:
    bad = copy.deepcopy(DOC)
    bad["services"][0]["description"] = "Rent\x00help"
    assert [str(e) for e in validate_document(bad, SCHEMAS)] == [
        "$.services[0].description: contains a NUL character"
    ]


def test_a_csv_row_that_belongs_to_nothing_is_refused_not_dropped() -> None:
    import pytest

    from rightresponse.core.ecosystem.hsds import HsdsInvalid

    tables = to_tables(DOC)
    tables["schedules"][0]["service_id"] = ORG  # an organization, not a service
    with pytest.raises(HsdsInvalid) as info:
        from_tables(csv_to_tables(tables_to_csv(tables)), SCHEMAS)
    assert [str(e) for e in info.value.errors] == [
        "schedules.csv row 2: names no parent row in the upload"
    ]
