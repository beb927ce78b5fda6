"""Directory API: search and capacity; and referrals from a hotline call."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from rightresponse.triage.models import Call

pytestmark = pytest.mark.django_db


def test_search_api_filters_and_hides_confidential_addresses(api_client, directory) -> None:
    client = api_client("call_taker")
    body = client.get("/api/ecosystem/services?need=shelter").json()
    assert [s["name"] for s in body] == ["Emergency shelter"]
    assert body[0]["public_locations"] == [] and body[0]["is_victim_service"] is True
    assert "Hidden Lane" not in json.dumps(body)
    counselling = client.get("/api/ecosystem/services?language=es&has_capacity=true").json()
    assert [(s["name"], s["capacity_available"]) for s in counselling] == [
        ("Family counselling", 3)
    ]
    assert counselling[0]["public_locations"] == ["Family office, 10 Elm St"]
    bad = client.get("/api/ecosystem/services?age=-4")
    assert bad.status_code == 422
    assert api_client("analyst").get("/api/ecosystem/services").status_code == 403


def test_capacity_is_kept_current_by_the_providers_own_staff(api_client, directory) -> None:
    provider = api_client("service_provider")
    url = f"/api/ecosystem/services/{directory['counselling'].id}/capacity"
    before = timezone.now()
    response = provider.patch(
        url, json.dumps({"available": 0, "waitlist": 2}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["capacity_available"] == 0 and body["waitlist"] == 2
    directory["counselling"].refresh_from_db()
    assert directory["counselling"].capacity_updated_at >= before
    too_many = provider.patch(url, json.dumps({"available": 11}), content_type="application/json")
    assert too_many.status_code == 422 and "maximum" in too_many.json()["detail"]
    other = provider.patch(
        f"/api/ecosystem/services/{directory['crisis'].id}/capacity",
        json.dumps({"available": 1}),
        content_type="application/json",
    )
    assert other.status_code == 403


def test_referral_from_a_hotline_call(api_client, agencies, directory, person) -> None:
    call = Call.objects.create(
        agency=agencies["center"],
        received_at=timezone.now(),
        channel="988",
        call_type="behavioral_crisis",
    )
    response = api_client("call_taker").post(
        "/api/ecosystem/referrals",
        json.dumps(
            {
                "service_id": str(directory["crisis"].id),
                "source": "hotline",
                "call_id": call.pk,
                "family_name": "Caller's household",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["from_agency"] == "test-center" and call.referrals.count() == 1
