"""Flag rules at intake (issue 13 item 5; report lines 1596, 1620-1632): the intake action
looks up the flags of the known caller and of the place (the kind only) and the core
decision applies the protocol's flag rules; the call records which rule changed what, the
call-taker page shows it, and a re-decision keeps the same flags."""

from __future__ import annotations

import pytest

from rightresponse.accounts.models import AuditEvent
from rightresponse.dispatch.models import Incident, LocationHazard
from rightresponse.intake import services
from rightresponse.people.models import Person
from rightresponse.triage.services import CallDetails

pytestmark = pytest.mark.django_db

HERE = {"latitude": 44.948, "longitude": -93.232}
ELSEWHERE = {"latitude": 44.99, "longitude": -93.30}
CRISIS_NO = {"weapon": "no", "violence": "no", "threat_to_life": "no",
             "medical_emergency": "no", "substance_escalating": "no"}  # fmt: skip


@pytest.fixture
def hazard(agencies) -> LocationHazard:
    return LocationHazard.objects.create(
        agency=agencies["police"], address="2700 E Lake St", radius_m=120,
        flag="violent propensity", detail="threatened responders with a knife", **HERE,
    )  # fmt: skip


def _noise(users, agencies, where: dict[str, float]) -> services.Intake:
    return services.call_intake(user=users["call_taker"], agency=agencies["center"],
                                call_type="noise_complaint", answers={},
                                details=CallDetails(**where))  # fmt: skip


def test_the_same_call_at_a_flagged_place_gets_a_co_response(users, agencies, hazard) -> None:
    plain = _noise(users, agencies, ELSEWHERE)
    flagged = _noise(users, agencies, HERE)
    assert plain.call.tier == 1 and flagged.call.tier == 2
    (effect,) = flagged.call.decision["flag_rules"]
    assert effect["rule"] == "place_weapons_history" and "tier 1 -> 2" in effect["changes"]
    assert flagged.call.decision["flags"] == [{"on": "place", "flag": "violent propensity"}]
    # Least information: the hazard's detail goes nowhere near the decision.
    assert "knife" not in str(flagged.call.decision)
    assert "flags" not in plain.call.decision
    assert Incident.objects.get(call=flagged.call).tier == 2


def test_a_known_caller_with_a_plan_gets_the_crisis_team_and_the_question(users, agencies) -> None:
    person = Person.objects.create(
        owner_agency=agencies["center"], given_name="Rowan", phone="(206) 555-0142",
        behavioural_flags=["De-escalation plan"], what_works="speak slowly",
    )  # fmt: skip
    details = {"caller_phone": "206.555.0142"}
    known = services.call_intake(user=users["call_taker"], agency=agencies["center"],
                                 call_type="welfare_check", answers=CRISIS_NO,
                                 details=CallDetails(**details))  # fmt: skip
    stranger = services.call_intake(user=users["call_taker"], agency=agencies["center"],
                                    call_type="welfare_check", answers=CRISIS_NO,
                                    details=CallDetails(caller_phone="206.555.0999"))  # fmt: skip
    assert known.call.decision["programs"][0] == "behavioral_crisis_team"
    assert stranger.call.decision["programs"][0] == "community_responder"
    assert known.call.decision["ask_next"][0] == "caller_is_person"
    # Reading the person's flags for the decision is an audited read.
    assert AuditEvent.objects.filter(person_id=person.pk, action="read").exists()
    # Deciding again (new answers) applies the same flags.
    again = services.call_reassess(call=known.call, user=users["call_taker"],
                                   answers={"caller_is_person": "no"})  # fmt: skip
    assert again.call.decision["flag_rules"][0]["rule"] == "person_deescalation_plan"
    assert "caller_is_person" not in again.call.decision["ask_next"]


def test_another_agencys_person_does_not_change_the_call(users, agencies) -> None:
    """Only people the call taker may see count (core.visibility through caller_matches)."""
    Person.objects.create(owner_agency=agencies["org"], given_name="Kit", phone="2065550199",
                          behavioural_flags=["weapons history"])  # fmt: skip
    result = services.call_intake(user=users["call_taker"], agency=agencies["center"],
                                  call_type="noise_complaint", answers={},
                                  details=CallDetails(caller_phone="2065550199"))  # fmt: skip
    assert result.call.tier == 1 and "flags" not in result.call.decision


def test_the_page_shows_the_flag_rule_to_the_call_taker(logged_in, users, agencies, hazard):
    client = logged_in("call_taker")
    located = client.post("/triage/location/", {"latitude": "44.948", "longitude": "-93.232"})
    assert located["HX-Trigger"] == "flags-changed"
    assert 'name="flag" value="place:violent propensity"' in located.content.decode()
    page = client.post("/triage/recommend/", {"call_type": "noise_complaint",
                                              "flag": "place:violent propensity"})  # fmt: skip
    html = page.content.decode()
    assert 'id="flag-rules"' in html and "never send civilians alone" in html
    assert 'id="tier-badge">Tier 2' in html
    assert (
        'id="flag-rules"'
        not in client.post("/triage/recommend/", {"call_type": "noise_complaint"}).content.decode()
    )


def test_the_public_form_is_not_changed_by_a_place_flag(agencies, hazard) -> None:
    """Anonymous: no flag rules, so a hazard flag cannot show through the form's answer."""
    result = services.online_report_submit(
        sender_address="203.0.113.9", call_type="property_crime_report",
        answers={"crime_in_progress": "no", "suspect_on_scene": "no", "weapon": "no",
                 "injury": "no", "firearm_or_vehicle_involved": "no"},
        details=CallDetails(narrative="Bike taken", **HERE),
    )  # fmt: skip
    assert result.case is not None and result.call.tier == 0


def test_the_api_reports_the_flag_rule(api_client, hazard) -> None:
    import json

    response = api_client("call_taker").post(
        "/api/triage/calls",
        json.dumps({"call_type": "noise_complaint", "answers": {}, **HERE}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    decision = response.json()["decision"]
    assert decision["tier"] == 2
    assert [r["rule"] for r in decision["flag_rules"]] == ["place_weapons_history"]
    assert decision["flag_rules"][0]["on"] == "place"
