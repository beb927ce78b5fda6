"""Query counts of the dispatcher's hot writes are pinned (issue 3), so that they cannot
silently grow back; more units or members must not mean more queries."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rightresponse.dispatch.models import Unit, UnitMember

pytestmark = pytest.mark.django_db

MAX_ASSIGN = 28  # one is the facts stamp of the new assignment (performance.facts_snapshot),
# one the user's agency, for the visibility rule (core.visibility: tenancy, issue 10),
# one asks whether the city's boundaries changed (program service zones, geo.selectors),
# two write the override to the audit log (the actor's agency, the event; issue 16)
MAX_STATUS = 14  # with the agency, as above


def post(client: Any, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_assign_and_status_take_a_bounded_number_of_queries(
    api_client: Any, make_incident: Any, units: dict, agencies: dict,
    django_assert_max_num_queries: Any,
) -> None:  # fmt: skip
    for n in range(20):
        unit = Unit.objects.create(agency=agencies["care"], program="community_responder",
                                   kind="civilian", call_sign=f"C-{n}", latitude=47.0, longitude=-122.0)  # fmt: skip
        UnitMember.objects.create(agency=agencies["care"], unit=unit, employee_id=f"M{n}",
                                  name=f"Member {n}", capabilities=["clinician"])  # fmt: skip
    dispatcher = api_client("dispatcher")
    incident = make_incident()
    dispatcher.get("/api/dispatch/units")  # stamps the token's last use
    url = f"/api/dispatch/incidents/{incident.pk}"
    with django_assert_max_num_queries(MAX_ASSIGN):
        assigned = post(dispatcher, f"{url}/assign",
                        {"unit_id": units["CARE-2"].pk, "override_reason": "closer by radio"})  # fmt: skip
    assert assigned.status_code == 200, assigned.content
    body = assigned.json()
    assert body["status"] == "dispatched" and [u["call_sign"] for u in body["units"]] == ["CARE-2"]
    assert Unit.objects.get(pk=units["CARE-2"].pk).status == "dispatched"
    with django_assert_max_num_queries(MAX_STATUS):
        moved = post(dispatcher, f"{url}/status", {"status": "on_scene"})
    assert moved.status_code == 200 and moved.json()["status"] == "on_scene"
    assert Unit.objects.get(pk=units["CARE-2"].pk).status == "on_scene"
