"""Closed-loop referrals through the API: lifecycle, who may act, the provider's inbox."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from rightresponse.accounts.models import AuditEvent
from rightresponse.ecosystem import services
from rightresponse.ecosystem.models import Referral
from rightresponse.ecosystem.selectors import referral_overdue, referrals_inbox

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("care_incident")]


def post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def refer(client, directory, person=None, **extra):
    body = {
        "service_id": str(directory["counselling"].id),
        "source": "incident",
        "incident_id": 4242,
        "incident_category": "behavioral_health",
        "reason": "Wants counselling after the crisis.",
        **extra,
    }
    if person is not None:
        body["person_id"] = person.pk
    return post(client, "/api/ecosystem/referrals", body)


def test_referral_from_incident_to_completion(api_client, directory, person) -> None:
    responder, provider = api_client("responder"), api_client("service_provider")
    created = refer(responder, directory, person)
    assert created.status_code == 201, created.content
    ref = created.json()
    assert ref["status"] == "requested" and ref["to_agency"] == "test-org"
    assert ref["from_agency"] == "test-care" and ref["incident_id"] == 4242
    url = f"/api/ecosystem/referrals/{ref['id']}/transition"
    accepted = post(provider, url, {"status": "accepted"}).json()
    assert accepted["status"] == "accepted" and accepted["accepted_at"]
    started = post(provider, url, {"status": "in-progress"}).json()
    assert started["first_contact_at"]
    done = post(provider, url, {"status": "completed"}).json()
    assert done["status"] == "completed" and done["outcome_reason"] == "got_help"
    # The referrer sees the status.
    sent = responder.get("/api/ecosystem/referrals?box=sent").json()
    assert [(r["id"], r["status"]) for r in sent] == [(ref["id"], "completed")]
    history = Referral.objects.get(pk=ref["id"]).events.values_list("to_status", "actor__username")
    assert list(history) == [
        ("draft", "responder"),
        ("requested", "responder"),
        ("accepted", "service_provider"),
        ("in-progress", "service_provider"),
        ("completed", "service_provider"),
    ]


def test_illegal_transitions_are_409_and_change_nothing(api_client, directory, person) -> None:
    responder, provider = api_client("responder"), api_client("service_provider")
    ref = refer(responder, directory, person).json()
    url = f"/api/ecosystem/referrals/{ref['id']}/transition"
    # The referrer cannot accept its own referral; the provider cannot skip to completed.
    response = post(responder, url, {"status": "accepted"})
    assert response.status_code == 409 and "only the provider" in response.json()["detail"]
    response = post(provider, url, {"status": "completed"})
    assert response.status_code == 409
    response = post(provider, url, {"status": "rejected"})
    assert response.status_code == 409 and "outcome reason" in response.json()["detail"]
    assert Referral.objects.get(pk=ref["id"]).status == "requested"
    rejected = post(provider, url, {"status": "rejected", "reason": "no_capacity"}).json()
    assert rejected["status"] == "rejected" and rejected["outcome_reason"] == "no_capacity"
    again = post(responder, url, {"status": "cancelled"})
    assert again.status_code == 409 and "already rejected" in again.json()["detail"]


def test_provider_inbox_shows_only_referrals_sent_to_its_agency(
    api_client, directory, person
) -> None:
    responder = api_client("responder")
    mine = refer(responder, directory, person).json()
    other = refer(responder, directory, person, service_id=str(directory["crisis"].id)).json()
    assert other["to_agency"] == "test-county"
    provider = api_client("service_provider")
    inbox = provider.get("/api/ecosystem/referrals?box=inbox").json()
    assert [r["id"] for r in inbox] == [mine["id"]]
    # Another agency's referral is invisible and cannot be acted on.
    assert provider.get(f"/api/ecosystem/referrals/{other['id']}").status_code == 404
    response = post(
        provider, f"/api/ecosystem/referrals/{other['id']}/transition", {"status": "accepted"}
    )
    assert response.status_code == 404
    assert Referral.objects.get(pk=other["id"]).status == "requested"


def test_referral_input_errors_are_named(api_client, directory) -> None:
    responder = api_client("responder")
    response = refer(responder, directory, incident_id=None)
    assert response.status_code == 422 and "incident_id" in response.json()["detail"]
    response = refer(responder, directory, service_id="00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404 and "service_id" in response.json()["detail"]
    response = refer(responder, directory, person_id=999999)
    assert response.status_code == 404 and "person_id" in response.json()["detail"]
    response = refer(responder, directory, source="navigator")
    assert response.status_code == 422 and "family" in response.json()["detail"]
    response = refer(responder, directory, source="hotline")
    assert response.status_code == 422 and "call_id" in response.json()["detail"]
    assert Referral.objects.count() == 0


def test_a_family_can_be_referred(api_client, directory) -> None:
    response = refer(
        api_client("dispatcher"),
        directory,
        source="navigator",
        family_name="Okafor household",
        family_size=4,
    )
    assert response.status_code == 201
    assert Referral.objects.get().family_size == 4


def test_roles_without_referral_work_are_refused(api_client, directory, person) -> None:
    assert refer(api_client("analyst"), directory, person).status_code == 403


def test_overdue_flag_when_the_provider_does_not_answer(users, directory, person) -> None:
    ref = services.referral_create(
        user=users["responder"],
        source="navigator",
        service=directory["counselling"],
        person=person,
        at=timezone.now() - timedelta(days=3),
    )
    assert referral_overdue(ref) == "no answer from the provider"
    services.referral_transition(ref, users["service_provider"], "accepted")
    ref.refresh_from_db()
    assert referral_overdue(ref) is None
    assert list(referrals_inbox(users["service_provider"], open_only=True)) == [ref]


def test_sending_shares_only_what_consent_allows_and_is_audited(
    api_client, directory, person
) -> None:
    ref = refer(api_client("responder"), directory, person).json()
    share = AuditEvent.objects.get(action="share", object_type="referral", object_id=str(ref["id"]))
    assert share.person_id == person.pk and share.detail["basis"] == "none"
    assert share.actor.username == "responder" and share.purpose == "referral"
    detail = api_client("service_provider").get(f"/api/ecosystem/referrals/{ref['id']}").json()
    assert detail["person"] == {} and detail["person_basis"] == "none"
    assert detail["reason"] == ""  # the need is personal data too
    read = AuditEvent.objects.filter(action="read", person_id=person.pk).latest("at")
    assert read.actor.username == "service_provider"


def test_text_postgresql_cannot_store_is_a_422_not_a_500(
    api_client, logged_in, directory, person
) -> None:
    response = refer(api_client("responder"), directory, person, reason="a\x00b")
    assert response.status_code == 422 and "NUL" in response.content.decode()
    assert logged_in("responder").get("/services/search/?q=a%00b").status_code == 200
    facts = api_client("analyst").get(
        "/api/ecosystem/facts/referrals?start=0095-08-23T16:06:59%2B17:33"
    )
    assert facts.status_code == 422 and "start" in facts.json()["detail"]
    assert not Referral.objects.exists()
