"""referral_facts (contract 4): the rows the performance pillar computes metrics from."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rightresponse.ecosystem import services
from rightresponse.ecosystem.selectors import referral_facts

pytestmark = pytest.mark.django_db

KEYS = {
    "referral_id",
    "incident_id",
    "source",
    "incident_category",
    "service_id",
    "service_category",
    "subcategory",
    "created_at",
    "accepted_at",
    "first_contact_at",
    "completed_at",
    "status",
    "outcome_reason",
    "is_second_response",
    "reached",
    "connected",
}


def test_facts_follow_each_referral_through_its_life(users, directory, person) -> None:
    t0 = timezone.now() - timedelta(days=2)
    ref = services.referral_create(
        user=users["responder"],
        source="incident",
        incident_id=77,
        incident_category="behavioral_health",
        service=directory["counselling"],
        person=person,
        at=t0,
    )
    provider = users["service_provider"]
    services.referral_transition(ref, provider, "accepted", at=t0 + timedelta(hours=2))
    services.referral_transition(ref, provider, "in-progress", at=t0 + timedelta(hours=5))
    services.referral_transition(ref, provider, "completed", at=t0 + timedelta(days=1))
    declined = services.referral_create(
        user=users["dispatcher"],
        source="navigator",
        family_name="Ng family",
        service=directory["crisis"],
        at=t0,
    )
    services.referral_transition(declined, _county_user(), "rejected", reason="not_eligible")
    rows = {r["referral_id"]: r for r in referral_facts()}
    assert set(rows[ref.pk]) == KEYS
    done = rows[ref.pk]
    assert done["source"] == "incident" and done["incident_id"] == 77
    assert done["incident_category"] == "behavioral_health"
    assert (done["service_category"], done["subcategory"]) == ("restorative", "trauma_healing")
    assert done["accepted_at"] - done["created_at"] == timedelta(hours=2)
    assert done["first_contact_at"] - done["created_at"] == timedelta(hours=5)
    assert done["status"] == "completed" and done["outcome_reason"] == "got_help"
    assert done["is_second_response"] is False and done["reached"] is None
    no = rows[declined.pk]
    assert no["status"] == "rejected" and no["outcome_reason"] == "not_eligible"
    assert (
        no["incident_id"] is None and no["incident_category"] is None and no["accepted_at"] is None
    )
    # Facts carry no personal data: they go to dashboards and funders.
    assert all("person" not in key for key in done)


def _county_user():
    from rightresponse.accounts.models import Agency
    from rightresponse.accounts.roles import SERVICE_PROVIDER
    from rightresponse.accounts.services import user_create

    return user_create(
        username="county-intake",
        password="x-very-long-pass-1",
        agency=Agency.objects.get(slug="test-county"),
        roles=[SERVICE_PROVIDER],
    )


def test_facts_filter_by_creation_time(users, directory, person) -> None:
    now = timezone.now()
    old = services.referral_create(
        user=users["responder"],
        source="navigator",
        person=person,
        service=directory["counselling"],
        at=now - timedelta(days=40),
    )
    new = services.referral_create(
        user=users["responder"],
        source="navigator",
        person=person,
        service=directory["counselling"],
        at=now,
    )
    ids = [r["referral_id"] for r in referral_facts(start=now - timedelta(days=30))]
    assert ids == [new.pk]
    ids = [r["referral_id"] for r in referral_facts(end=now - timedelta(days=30))]
    assert ids == [old.pk]


def test_facts_endpoint_is_for_analysts(api_client, users, directory, person) -> None:
    services.referral_create(
        user=users["responder"], source="navigator", person=person, service=directory["counselling"]
    )
    assert (
        api_client("analyst").get("/api/ecosystem/facts/referrals").json()[0]["source"]
        == "navigator"
    )
    assert api_client("service_provider").get("/api/ecosystem/facts/referrals").status_code == 403
