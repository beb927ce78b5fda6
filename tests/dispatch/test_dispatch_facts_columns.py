"""incident_facts_columns: the column-shaped facts the dashboards read agree with
incident_facts (contract 3) on the same incidents, in a bounded number of queries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from rightresponse.core.metrics import Frame
from rightresponse.dispatch import services
from rightresponse.dispatch.selectors import incident_facts, incident_facts_columns
from rightresponse.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def varied_incidents(make_incident: Any, units: dict, users: dict, agencies: dict) -> list[Any]:
    """Closed with a subject, force and escalation; with a non-subject link; open; police
    sent where a civilian team was eligible; and one without an address or caller."""
    closed = make_incident("welfare_check", address="100 Pine St.,  Seattle")
    subject = Person.objects.create(owner_agency=agencies["care"], gender="female",
                                    race_ethnicity="Black", date_of_birth=date(1990, 1, 1))  # fmt: skip
    witness = Person.objects.create(owner_agency=agencies["care"], gender="male")
    services.incident_link_person(closed.pk, witness.pk, "witness", users["dispatcher"])
    services.incident_link_person(closed.pk, subject.pk, "subject", users["dispatcher"])
    services.incident_assign(closed.pk, units["CARE-1"].pk, users["dispatcher"])
    services.incident_set_status(closed.pk, "on_scene", users["responder"])
    services.incident_change_tier(closed.pk, 4, users["responder"], "gun seen")
    services.incident_close(closed.pk, users["responder"], disposition="arrest", outcome="arrest",
                            referrals_made=2, use_of_force={"force_type": "taser"})  # fmt: skip
    only_witness = make_incident("behavioral_crisis")
    services.incident_link_person(only_witness.pk, witness.pk, "witness", users["dispatcher"])
    still_open = make_incident("assault", caller_phone="")
    police_sent = make_incident("welfare_check")
    police = next(u for u in units.values() if u.kind == "police")
    services.incident_assign(police_sent.pk, police.pk, users["dispatcher"], "closest")
    bare = make_incident("trespass", address="", latitude=None, longitude=None)
    return [closed, only_witness, still_open, police_sent, bare]


def test_columns_agree_with_the_rows(varied_incidents: list[Any]) -> None:
    rows = incident_facts()
    columns = incident_facts_columns()
    assert len(rows) == len(varied_incidents) == len(columns["incident_id"])
    assert set(columns) == set(rows[0])
    for i, row in enumerate(rows):
        for key, value in row.items():
            got = columns[key][i]
            if key.endswith("_at"):
                expected = None if value is None else value.timestamp()
                assert (got is None) == (expected is None), key
                if expected is not None:
                    assert abs(got - expected) < 0.001, key
            else:
                assert got == value, (key, row["incident_id"], got, value)
    assert {r["gender"] for r in rows} == {"female", "male", "unknown"}  # fixture covers both
    assert any(r["eligible_not_served"] for r in rows) or any(r["use_of_force"] for r in rows)


def test_columns_make_the_same_frame_as_the_rows(varied_incidents: list[Any]) -> None:
    fields = ["received_at", "on_scene_at", "category", "final_tier", "escalated", "outcome"]
    start = timezone.now() - timedelta(days=1)
    columns = incident_facts_columns(start, None, fields)
    assert set(columns) == {*fields, "incident_id"}
    by_rows = Frame.from_rows("incidents", incident_facts(start), fields)
    by_columns = Frame.from_columns("incidents", columns, len(columns["incident_id"]), fields)
    assert by_rows.labels == by_columns.labels and by_rows.size == by_columns.size == 5
    for name in ("received_at", "on_scene_at"):
        assert by_rows.times[name] == pytest.approx(by_columns.times[name], abs=0.001, nan_ok=True)
    assert (by_rows.flags["escalated"] == by_columns.flags["escalated"]).all()


def test_a_window_excludes_incidents_outside_it(varied_incidents: list[Any]) -> None:
    later = timezone.now() + timedelta(days=1)
    assert incident_facts_columns(later)["incident_id"] == []
    assert incident_facts_columns(None, later - timedelta(days=2))["incident_id"] == []


def test_columns_take_a_fixed_number_of_queries(
    varied_incidents: list[Any], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(5):
        incident_facts_columns()
