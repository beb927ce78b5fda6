"""incident_facts (contract 3): one row per incident with the keys the metrics need."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from rightresponse.dispatch import services
from rightresponse.dispatch.selectors import caller_key, incident_facts
from rightresponse.people.models import Person

pytestmark = pytest.mark.django_db

KEYS = {
    "incident_id", "call_id", "received_at", "answered_at", "dispatched_at", "en_route_at",
    "on_scene_at", "cleared_at", "closed_at", "call_type", "initial_call_type", "category",
    "initial_category", "channel", "area", "initial_tier", "final_tier", "initial_lead",
    "final_lead", "responder_type", "escalated", "deescalated", "lead_switches", "disposition",
    "outcome", "use_of_force", "referrals_made", "eligible_not_served",
    "eligible_not_served_reason", "location_key", "caller_key", "age_band", "gender",
    "race_ethnicity",
}  # fmt: skip


def test_facts_describe_an_escalated_closed_incident_and_an_open_one(
    make_incident: Any, units: dict, users: dict, agencies: dict
) -> None:
    closed = make_incident("welfare_check", address="100 Pine St.,  Seattle")
    person = Person.objects.create(owner_agency=agencies["care"], gender="female",
                                   race_ethnicity="Black", date_of_birth=date(1990, 1, 1))  # fmt: skip
    services.incident_link_person(closed.pk, person.pk, "subject", users["dispatcher"])
    services.incident_assign(closed.pk, units["CARE-1"].pk, users["dispatcher"])
    services.incident_set_status(closed.pk, "on_scene", users["responder"])
    services.incident_change_tier(closed.pk, 4, users["responder"], "gun seen")
    services.incident_close(closed.pk, users["responder"], disposition="arrest", outcome="arrest",
                            referrals_made=0, use_of_force={"force_type": "taser"})  # fmt: skip
    still_open = make_incident("assault", caller_phone="")
    rows = {row["incident_id"]: row for row in incident_facts()}
    assert set(rows) == {closed.pk, still_open.pk}
    row = rows[closed.pk]
    assert set(row) == KEYS
    assert row["initial_tier"] == 1 and row["final_tier"] == 4
    assert row["initial_lead"] == "civilian" and row["final_lead"] == "police"
    assert row["escalated"] and not row["deescalated"] and row["lead_switches"] == 1
    assert row["responder_type"] == "community_responder"
    assert row["outcome"] == "arrest" and row["use_of_force"] is True
    assert row["channel"] == "911" and row["area"] == "north"
    assert row["location_key"] == "100 pine st seattle"
    assert row["caller_key"] == caller_key("206-555-0100") != ""
    assert (row["age_band"], row["gender"], row["race_ethnicity"]) == ("25+", "female", "Black")
    assert row["closed_at"] is not None and row["on_scene_at"] is not None
    other = rows[still_open.pk]
    assert other["outcome"] is None and other["caller_key"] == "" and other["age_band"] == "unknown"
    assert other["responder_type"] is None and other["eligible_not_served"] is False


def test_facts_filter_by_received_time(make_incident: Any) -> None:
    old = make_incident(received_at=timezone.now() - timedelta(days=10))
    new = make_incident()
    since = timezone.now() - timedelta(days=1)
    assert [r["incident_id"] for r in incident_facts(start=since)] == [new.pk]
    assert [r["incident_id"] for r in incident_facts(end=since)] == [old.pk]
