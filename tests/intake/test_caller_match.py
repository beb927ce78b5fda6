"""Person at intake (issue 13 item 5, report lines 1596, 1620-1632): the caller's number
is matched to known people the call taker may see; only flags and what works are shown,
and each shown match is an audited read."""

from __future__ import annotations

import pytest

from rightresponse.accounts.models import AuditEvent
from rightresponse.people.models import Person

pytestmark = pytest.mark.django_db


def test_a_known_caller_shows_flags_and_what_works_and_is_audited(logged_in, agencies) -> None:
    person = Person.objects.create(
        owner_agency=agencies["center"], given_name="Rowan", family_name="Diaz",
        phone="(206) 555-0142", preferred_language="Spanish", date_of_birth="1990-01-01",
        behavioural_flags=["startles at sirens"], what_works="speak slowly, no uniforms",
    )  # fmt: skip
    response = logged_in("call_taker").post("/triage/caller/", {"caller_phone": "206.555.0142"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Rowan" in html and "startles at sirens" in html and "speak slowly" in html
    assert "1990" not in html  # least information: no date of birth
    assert AuditEvent.objects.filter(person_id=person.pk, action="read").exists()


def test_another_agencys_person_without_consent_is_not_shown(logged_in, agencies) -> None:
    Person.objects.create(owner_agency=agencies["org"], given_name="Kit", phone="2065550199",
                          behavioural_flags=["hides"])  # fmt: skip
    html = logged_in("call_taker").post("/triage/caller/", {"caller_phone": "2065550199"})
    text = html.content.decode()
    assert "Kit" not in text and "hides" not in text
    assert "No known person" in text
    assert not AuditEvent.objects.filter(action="read", object_type="person").exists()


def test_a_short_number_matches_nobody(logged_in, agencies) -> None:
    Person.objects.create(owner_agency=agencies["center"], given_name="Al", phone="0142")
    assert (
        "Al"
        not in logged_in("call_taker")
        .post("/triage/caller/", {"caller_phone": "0142"})
        .content.decode()
    )
