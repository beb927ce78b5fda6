"""The board and the responder view through Django's test client."""

from __future__ import annotations

from typing import Any

import pytest

from rightresponse.accounts.models import AuditEvent
from rightresponse.dispatch import services
from rightresponse.dispatch.models import Incident, UseOfForceReport
from rightresponse.people.models import Person

pytestmark = pytest.mark.django_db


def test_board_shows_waiting_incidents_recommendation_units_and_map(
    logged_in: Any, make_incident: Any, units: dict, agencies: dict
) -> None:
    from rightresponse.dispatch.models import LocationHazard

    make_incident("welfare_check")  # an earlier call at the same place
    incident = make_incident("welfare_check")
    LocationHazard.objects.create(agency=agencies["police"], latitude=incident.latitude,
                                  longitude=incident.longitude, flag="aggressive dog",
                                  detail="secret detail")  # fmt: skip
    client = logged_in("dispatcher")
    page = client.get("/dispatch/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-incident="{incident.pk}"' in html and "CARE-1" in html and "(recommended)" in html
    assert "<svg" in html and 'hx-trigger="every 1s"' in html  # paused by board.js
    assert "Hazard: aggressive dog" in html and "secret detail" not in html
    assert "1 earlier call within 150 m" in html
    # Words, not ids: the unit's programme and the map label use the protocol's labels.
    assert "CARE-1 · Community responders (STAR-style)" in html
    assert f">#{incident.pk}</a> Welfare check" in html  # the number links to the incident page
    live = client.get("/dispatch/board/live/").content.decode()
    assert "<html" not in live and f'data-incident="{incident.pk}"' in live
    assert logged_in("analyst").get("/dispatch/").status_code == 403


def test_board_assign_form_and_override_without_reason(
    logged_in: Any, make_incident: Any, units: dict
) -> None:
    incident = make_incident()
    client = logged_in("dispatcher")
    refused = client.post(f"/dispatch/incidents/{incident.pk}/assign/",
                          {"unit_id": units["CARE-2"].pk}, follow=True)  # fmt: skip
    assert "needs a reason" in refused.content.decode()
    client.post(f"/dispatch/incidents/{incident.pk}/assign/", {"unit_id": units["CARE-1"].pk})
    incident.refresh_from_db()
    assert incident.status == "dispatched"


def test_responder_sees_least_information_and_closes_with_force_report(
    logged_in: Any, make_incident: Any, units: dict, users: dict, agencies: dict
) -> None:
    incident = make_incident()
    person = Person.objects.create(
        owner_agency=agencies["care"], given_name="Jo", family_name="Private",
        behavioural_flags=["may become agitated by sirens"], what_works="speak slowly, offer water",
    )  # fmt: skip
    services.incident_link_person(incident.pk, person.pk, "subject", users["dispatcher"])
    services.incident_assign(incident.pk, units["CARE-1"].pk, users["dispatcher"])
    client = logged_in("responder")
    html = client.get("/dispatch/responder/").content.decode()
    assert "may become agitated by sirens" in html and "offer water" in html
    assert "Private" not in html  # the family name is not needed on scene
    assert AuditEvent.objects.filter(person_id=person.pk, action="read").exists()
    # The responder can look for services and refer from this incident.
    services_link = f"/services/?incident_id={incident.pk}&amp;call_type={incident.call_type}"
    assert services_link in html
    assert client.get(services_link.replace("&amp;", "&")).status_code == 200
    url = f"/dispatch/responder/{incident.pk}/action/"
    client.post(url, {"action": "status", "status": "on_scene"})
    refused = client.post(url, {"action": "status", "status": "dispatched"}, follow=True)
    # In plain words, with what can be done instead (no raw transition error).
    assert (
        "The incident is on scene, so it cannot go back to dispatched. Next: Transporting, Cleared."
        in refused.content.decode()
    )
    page = client.get("/dispatch/responder/").content.decode()
    assert ">En route</button>" not in page and ">Cleared</button>" in page
    client.post(url, {"action": "close", "outcome": "referred", "disposition": "connected to care",
                      "referrals_made": "2", "use_of_force": "yes", "force_type": "escort hold"})  # fmt: skip
    incident.refresh_from_db()
    # Referrals are counted from the referral records (none here), not a typed number.
    assert incident.status == "closed" and incident.disposition.referrals_made == 0
    assert UseOfForceReport.objects.get(incident=incident).force_type == "escort hold"
    assert "No assignment right now" in client.get("/dispatch/responder/").content.decode()


def test_responder_cannot_act_on_another_units_incident(
    logged_in: Any, make_incident: Any, units: dict
) -> None:
    incident = make_incident()
    client = logged_in("responder")
    client.post(
        f"/dispatch/responder/{incident.pk}/action/", {"action": "status", "status": "on_scene"}
    )
    assert Incident.objects.get(pk=incident.pk).status == "waiting"
