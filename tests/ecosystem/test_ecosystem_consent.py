"""Consent: granting, revoking (sharing stops at once), the victim rules, the access log."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from rightresponse.accounts.models import AuditEvent
from rightresponse.dispatch.models import PersonLink
from rightresponse.ecosystem import services
from rightresponse.ecosystem.models import Consent
from rightresponse.ecosystem.sharing import person_view

pytestmark = pytest.mark.django_db


def post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def grant_body(person, **extra) -> dict:
    return {
        "person_id": person.pk,
        "organisations": ["test-org"],
        "purposes": ["referral"],
        "data_categories": ["identity", "contact", "needs"],
        "valid_until": (timezone.now() + timedelta(days=30)).isoformat(),
        "informed": True,
        "method": "written",
        "person_present": True,
        **extra,
    }


def referral_detail(client, ref_id: int) -> dict:
    return client.get(f"/api/ecosystem/referrals/{ref_id}").json()


def test_consent_shares_with_the_provider_and_revocation_stops_it_at_once(
    api_client, users, directory, person
) -> None:
    responder, provider = api_client("responder"), api_client("service_provider")
    granted = post(responder, "/api/ecosystem/consents", grant_body(person))
    assert granted.status_code == 201, granted.content
    consent = granted.json()
    assert consent["captured_by"] == "responder" and consent["written"] is True
    ref = services.referral_create(
        user=users["responder"],
        source="incident",
        incident_id=7,
        service=directory["counselling"],
        person=person,
        reason="Needs counselling",
    )
    shared = referral_detail(provider, ref.pk)
    assert shared["person"] == {
        "given_name": "Rosa",
        "family_name": "Delgado",
        "date_of_birth": "None",
        "phone": "555-0101",
    }
    assert shared["person_basis"] == "consent" and shared["reason"] == "Needs counselling"
    revoked = post(responder, f"/api/ecosystem/consents/{consent['id']}/revoke", {"note": "asked"})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    after = referral_detail(provider, ref.pk)
    assert after["person"] == {} and after["person_basis"] == "none" and after["reason"] == ""
    reads = AuditEvent.objects.filter(
        action="read", person_id=person.pk, actor__username="service_provider"
    )
    assert [e.detail["basis"] for e in reads.order_by("at", "pk")] == ["consent", "none"]


def test_victim_consent_must_be_informed_written_and_time_limited(api_client, victim) -> None:
    responder = api_client("responder")
    verbal = post(responder, "/api/ecosystem/consents", grant_body(victim, method="verbal"))
    assert verbal.status_code == 422 and "written" in verbal.json()["detail"]
    open_ended = post(responder, "/api/ecosystem/consents", grant_body(victim, valid_until=None))
    assert open_ended.status_code == 422 and "time-limited" in open_ended.json()["detail"]
    assert not Consent.objects.exists()
    assert post(responder, "/api/ecosystem/consents", grant_body(victim)).status_code == 201


def link(incident, person) -> None:
    PersonLink.objects.create(incident=incident, person=person, linked_at=timezone.now())


def test_without_consent_an_emergency_shows_only_what_a_responder_needs(
    users, person, victim, care_incident
) -> None:
    dispatcher = users["dispatcher"]  # the 911 center: not the owner, no consent
    # No incident: no emergency, nothing shown.
    alone = person_view(dispatcher, person, purpose="emergency_response")
    assert alone.fields == {} and alone.decision.basis == "none"
    # Linked to an open incident the dispatcher's center dispatches: what a responder needs.
    link(care_incident, person)
    link(care_incident, victim)
    view = person_view(dispatcher, person, purpose="emergency_response", incident=care_incident)
    assert view.decision.basis == "emergency"
    assert set(view.fields) == {
        "given_name",
        "preferred_language",
        "behavioural_flags",
        "what_works",
    }
    hidden = person_view(dispatcher, victim, purpose="emergency_response", incident=care_incident)
    assert hidden.fields == {} and "VAWA" in hidden.decision.explanation
    assert AuditEvent.objects.filter(actor=dispatcher, person_id=victim.pk, action="read").exists()


def test_only_the_owner_agency_records_consent_with_the_person_present(
    api_client, users, person
) -> None:
    """Issue 10 item 1: another agency cannot forge consent, and the owner attests the
    person is present."""
    absent = post(
        api_client("responder"), "/api/ecosystem/consents", grant_body(person, person_present=False)
    )
    assert absent.status_code == 422 and "person_present" in absent.json()["detail"]
    assert not Consent.objects.exists()
    with pytest.raises(PermissionDenied):
        services.consent_grant(
            user=users["dispatcher"], person=person, organisations=[], purposes=["referral"],
            data_categories=["identity"], valid_until=None, informed=True, written=True,
            person_present=True,
        )  # fmt: skip
    assert not Consent.objects.exists()


def test_consent_input_errors_are_named(api_client, person) -> None:
    responder = api_client("responder")
    response = post(
        responder, "/api/ecosystem/consents", grant_body(person, organisations=["nobody"])
    )
    assert response.status_code == 404 and "nobody" in response.json()["detail"]
    response = post(
        responder, "/api/ecosystem/consents", grant_body(person, purposes=["marketing"])
    )
    # The purposes are an enumeration in the spec: the problem names the field and the choices.
    [error] = response.json()["errors"]
    assert response.status_code == 422 and error["field"] == "purposes.0"
    assert "referral" in error["reason"]


def test_another_agency_cannot_see_a_persons_consents_without_consent(api_client, person) -> None:
    assert (
        api_client("service_provider")
        .get(f"/api/ecosystem/people/{person.pk}/consents")
        .status_code
        == 404
    )
    listed = api_client("responder").get(f"/api/ecosystem/people/{person.pk}/consents")
    assert listed.status_code == 200 and listed.json() == []


def test_person_page_shows_who_looked_when_and_why(logged_in, users, person) -> None:
    person_view(users["responder"], person, purpose="care_coordination")
    client = logged_in("responder")
    page = client.get(f"/services/people/{person.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Who looked at this record" in html and "care_coordination" in html
    assert "responder" in html
    # The provider's agency holds no consent: the page is closed to it.
    assert logged_in("service_provider").get(f"/services/people/{person.pk}/").status_code == 404


def test_person_page_records_and_revokes_consent(logged_in, agencies, person) -> None:
    client = logged_in("responder")
    response = client.post(
        f"/services/people/{person.pk}/",
        {
            "organisations": [agencies["org"].pk],
            "purposes": ["referral"],
            "data_categories": ["identity"],
            "method": "verbal",
            "informed": "on",
            "person_present": "on",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.captured_by.username == "responder" and consent.method == "verbal"
    assert client.post(f"/services/consents/{consent.pk}/revoke/").status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_at is not None


def test_victim_page_explains_the_federal_rules(logged_in, victim) -> None:
    html = logged_in("responder").get(f"/services/people/{victim.pk}/").content.decode()
    assert "VAWA, FVPSA, VOCA" in html and "never depend on consent" in html


def test_emergency_view_needs_an_incident_and_alerts_supervisors(
    logged_in, person, victim, care_incident
) -> None:
    client = logged_in("dispatcher")
    missing = client.get("/services/people/999999/?purpose=emergency_response")
    assert client.get(f"/services/people/{person.pk}/").status_code == 404
    # No incident linking the person: answered exactly as a missing person.
    unlinked = client.get(f"/services/people/{person.pk}/?purpose=emergency_response")
    assert unlinked.status_code == missing.status_code == 404
    token = re.compile(rb"[A-Za-z0-9]{64}")  # the per-response masked CSRF tokens
    assert token.sub(b"", unlinked.content) == token.sub(b"", missing.content)
    link(care_incident, person)
    link(care_incident, victim)
    html = client.get(f"/services/people/{person.pk}/?purpose=emergency_response").content.decode()
    assert "only what a responder needs" in html
    assert "Rosa" in html and "anxious in crowds" in html and "555-0101" not in html
    assert "Delgado" not in html
    hidden = client.get(
        f"/services/people/{victim.pk}/?purpose=emergency_response"
    ).content.decode()
    assert "VAWA" in hidden and "Ana" not in hidden and "555-0102" not in hidden
    event = AuditEvent.objects.filter(person_id=person.pk, actor__username="dispatcher").get()
    assert event.purpose == "emergency_response" and event.detail["basis"] == "emergency"
    assert event.alert and event.detail["incident_id"] == care_incident.pk
    alerts = logged_in("supervisor").get("/services/people/alerts/").content.decode()
    assert f"<td>{person.pk}</td>" in alerts and "dispatcher" in alerts
    # Roles that do not respond to emergencies get no emergency view.
    assert (
        logged_in("service_provider")
        .get(f"/services/people/{person.pk}/?purpose=emergency_response")
        .status_code
        == 404
    )


def test_emergency_looks_are_rate_limited(logged_in, agencies, care_incident) -> None:
    from rightresponse.core.visibility import EMERGENCY_LOOKS_PER_HOUR
    from rightresponse.people.models import Person

    client = logged_in("dispatcher")
    # A name no token or nonce on the page can contain by chance ("P0" once did).
    people = [
        Person.objects.create(owner_agency=agencies["care"], given_name=f"Quillonby{i:02d}")
        for i in range(EMERGENCY_LOOKS_PER_HOUR + 1)
    ]
    for p in people:
        link(care_incident, p)
    codes = [
        client.get(f"/services/people/{p.pk}/?purpose=emergency_response").status_code
        for p in people
    ]
    assert codes == [200] * EMERGENCY_LOOKS_PER_HOUR + [429]
    last = client.get(f"/services/people/{people[0].pk}/?purpose=emergency_response")
    assert last.status_code == 429 and people[0].given_name not in last.content.decode()
