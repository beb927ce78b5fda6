"""Issue 10's attacks, each run as the attacker would (other agencies' clinician, provider,
officer, dispatcher, analyst), against the pages and the API: each is refused, a record
the attacker may not see answers exactly like a missing one, and nothing is written."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from attack_world import MISSING_ID, PASSWORD, World, leaks, normalised, snapshot
from django.utils import timezone

from rightresponse.accounts import roles as r
from rightresponse.accounts.models import AuditEvent
from rightresponse.accounts.services import user_create
from rightresponse.dispatch.models import Assignment, Incident, PersonLink
from rightresponse.people.models import Person

pytestmark = pytest.mark.django_db


def post(client: Any, url: str, body: dict) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def same(a: Any, b: Any, *ids: object) -> bool:
    return a.status_code == b.status_code and normalised(a.content, *ids) == normalised(
        b.content, *ids
    )


@pytest.mark.parametrize(
    "attacker", [("county", r.RESPONDER), ("community_org", r.SERVICE_PROVIDER)]
)
def test_1_consent_cannot_be_forged_on_the_referral_page_or_the_api(
    world: World, as_page: Any, as_api: Any, attacker: tuple[str, str]
) -> None:
    user = world.attackers[attacker]
    before = snapshot(world)
    form = {
        "service": world.service.id, "source": "navigator", "reason": "x",
        "consent_share": "on", "consent_person_present": "on", "consent_written": "on",
        "consent_until": (timezone.now() + timedelta(days=9)).date().isoformat(),
    }  # fmt: skip
    page = as_page(user)
    forged = page.post("/services/refer/", {**form, "person_id": world.victim.pk})
    missing = page.post("/services/refer/", {**form, "person_id": MISSING_ID})
    assert forged.status_code == 422 and same(forged, missing, world.victim.pk, MISSING_ID)
    assert page.get(f"/services/people/{world.victim.pk}/").status_code == 404
    api = as_api(user)
    body = {
        "person_id": world.victim.pk, "organisations": [f"a-{attacker[0]}"], "purposes": ["referral"],
        "data_categories": ["identity"], "valid_until": (timezone.now() + timedelta(days=9)).isoformat(),
        "informed": True, "written": True, "person_present": True, "method": "written",
    }  # fmt: skip
    granted = post(api, "/api/ecosystem/consents", body)
    assert granted.status_code == 404
    assert same(granted, post(api, "/api/ecosystem/consents", {**body, "person_id": MISSING_ID}))
    revoke = post(
        api, f"/api/ecosystem/consents/{world.consent.pk}/revoke", {"at_persons_request": True}
    )
    assert same(revoke, post(api, f"/api/ecosystem/consents/{MISSING_ID}/revoke", {"at_persons_request": True}), world.consent.pk, MISSING_ID)  # fmt: skip
    assert revoke.status_code == 404
    assert snapshot(world) == before


def test_1_even_a_consented_agency_does_not_record_consent(world: World, as_api: Any) -> None:
    """The shelter holds the victim's consent; it may read, but only the owner records."""
    shelter_user = user_create(username="shelter", password=PASSWORD, agency=world.shelter,
                               roles=[r.SERVICE_PROVIDER])  # fmt: skip
    before = snapshot(world)
    body = {
        "person_id": world.victim.pk, "organisations": ["w-shelter"], "purposes": ["care_coordination"],
        "data_categories": ["identity", "contact"], "informed": True, "written": True,
        "valid_until": (timezone.now() + timedelta(days=9)).isoformat(), "person_present": True,
    }  # fmt: skip
    assert post(as_api(shelter_user), "/api/ecosystem/consents", body).status_code == 403
    revoke = post(as_api(shelter_user), f"/api/ecosystem/consents/{world.consent.pk}/revoke", {})
    assert revoke.status_code == 403
    assert snapshot(world) == before


def _own_incident(world: World, kind: str, tier: int = 4) -> Incident:
    """An incident the attacker's agency legitimately works: its unit is on it."""
    now = timezone.now()
    incident = Incident.objects.create(
        agency=world.center, status="dispatched", call_type="assault", initial_call_type="assault",
        category="police_core", tier=tier, received_at=now,
    )  # fmt: skip
    Assignment.objects.create(incident=incident, unit=world.attacker_units[kind], assigned_at=now)
    return incident


@pytest.mark.parametrize("kind", ["police", "county", "civilian_response"])
def test_2_linking_another_agencys_person_is_refused_and_people_are_not_shown(
    world: World, as_api: Any, kind: str
) -> None:
    dispatcher = as_api(world.attackers[(kind, r.DISPATCHER)])
    own = _own_incident(world, kind)
    before = snapshot(world)
    url = f"/api/dispatch/incidents/{own.pk}/people"
    linked = post(dispatcher, url, {"person_id": world.victim.pk, "role": "victim"})
    missing = post(dispatcher, url, {"person_id": MISSING_ID, "role": "victim"})
    assert linked.status_code == 404 and same(linked, missing, world.victim.pk, MISSING_ID)
    assert snapshot(world) == before and not PersonLink.objects.filter(incident=own).exists()
    # The incident the victim is linked to is not theirs: it answers as a missing one.
    people = dispatcher.get(f"/api/dispatch/incidents/{world.incident.pk}/people")
    assert same(people, dispatcher.get(f"/api/dispatch/incidents/{MISSING_ID}/people"),
                world.incident.pk, MISSING_ID)  # fmt: skip
    assert people.status_code == 404 and not leaks(people.content)


def test_2_even_the_911_center_links_only_people_it_may_see(world: World, as_api: Any) -> None:
    center_dispatcher = user_create(username="c-disp", password=PASSWORD, agency=world.center,
                                    roles=[r.DISPATCHER])  # fmt: skip
    client = as_api(center_dispatcher)
    before = snapshot(world)
    url = f"/api/dispatch/incidents/{world.incident.pk}/people"
    other = Person.objects.create(owner_agency=world.owner, given_name="Oskar")
    assert post(client, url, {"person_id": other.pk, "role": "other"}).status_code == 404
    assert snapshot(world) == {**before, "Person": before["Person"] + 1}
    # What it sees of the people on the incident it dispatches: the emergency minimum.
    rows = client.get(url).json()
    assert {"role": "victim", "withheld": True} in rows
    subject = next(row for row in rows if row.get("role") == "subject")
    assert (
        subject["basis"] == "emergency" and "phone" not in subject and "family_name" not in subject
    )


def test_3_no_emergency_view_without_an_incident_one_is_on(world: World, as_page: Any) -> None:
    officer = world.attackers[("police", r.RESPONDER)]
    client = as_page(officer)
    _own_incident(world, "police")  # on an incident, but not one these people are linked to
    people = [
        Person.objects.create(owner_agency=world.owner, given_name=f"N{i}") for i in range(30)
    ]
    missing = client.get(f"/services/people/{MISSING_ID}/?purpose=emergency_response")
    assert missing.status_code == 404
    for person in [world.victim, world.subject, *people]:
        looked = client.get(f"/services/people/{person.pk}/?purpose=emergency_response")
        assert same(looked, missing, person.pk, MISSING_ID) and not leaks(looked.content)
    assert not AuditEvent.objects.filter(actor=officer, person_id__isnull=False).exists()


def test_3_emergency_on_scene_is_limited_rate_limited_and_alerts(
    world: World, as_page: Any
) -> None:
    officer = world.attackers[("police", r.RESPONDER)]
    Assignment.objects.create(incident=world.incident, unit=world.attacker_units["police"],
                              assigned_at=timezone.now(), primary=False)  # fmt: skip
    client = as_page(officer)
    seen = client.get(f"/services/people/{world.subject.pk}/?purpose=emergency_response")
    html = seen.content.decode()
    assert seen.status_code == 200 and "Oskar" in html and "shouts when cornered" in html
    assert "Lindgren" not in html and "555-0808" not in html  # what a responder needs only
    victim = client.get(f"/services/people/{world.victim.pk}/?purpose=emergency_response")
    assert victim.status_code == 200 and not leaks(victim.content)
    alert = AuditEvent.objects.filter(actor=officer, alert=True, person_id=world.subject.pk).get()
    assert alert.detail["incident_id"] == world.incident.pk
    for _ in range(20):
        last = client.get(f"/services/people/{world.subject.pk}/?purpose=emergency_response")
    assert last.status_code == 429 and "shouts when cornered" not in last.content.decode()


@pytest.mark.parametrize("kind", ["county", "community_org", "police"])
def test_4_referral_ids_are_scoped_and_give_no_existence_oracle(
    world: World, as_api: Any, kind: str
) -> None:
    role = r.SERVICE_PROVIDER if kind == "community_org" else r.RESPONDER
    client = as_api(world.attackers[(kind, role)])
    before = snapshot(world)
    base = {
        "service_id": str(world.service.id),
        "source": "navigator",
        "family_name": "X",
        "reason": "x",
    }
    for name, target in (("person_id", world.victim.pk), ("call_id", world.call.pk),
                         ("incident_id", world.incident.pk)):  # fmt: skip
        hit = post(client, "/api/ecosystem/referrals", {**base, name: target})
        miss = post(client, "/api/ecosystem/referrals", {**base, name: MISSING_ID})
        assert hit.status_code == 404, (name, hit.content)
        assert hit.content == miss.content  # the very same message: no oracle
    made_up = post(client, "/api/ecosystem/referrals", {**base, "incident_category": "made_up"})
    assert made_up.status_code == 422 and "incident_category" in made_up.json()["detail"]
    assert snapshot(world) == before


def test_5_analysts_export_no_address_of_a_domestic_violence_incident(
    world: World, as_api: Any
) -> None:
    analyst = as_api(world.attackers[("city", r.ANALYST)])
    exported = analyst.get(f"/api/dispatch/incidents/{world.incident.pk}/eidd")
    assert exported.status_code == 200 and not leaks(exported.content)
    body = exported.content.decode()
    assert "47.6" not in body and "-122.3" not in body  # no point at all, only the area
    assert '"north"' in body
    # A 911 supervisor, who dispatches it, exports it whole.
    supervisor = user_create(username="c-sup", password=PASSWORD, agency=world.center,
                             roles=[r.SUPERVISOR])  # fmt: skip
    assert "12 Hidden Lane" in as_api(supervisor).get(
        f"/api/dispatch/incidents/{world.incident.pk}/eidd").content.decode()  # fmt: skip
    facts = analyst.get("/api/ecosystem/facts/referrals")
    assert facts.status_code == 200 and not leaks(facts.content)
    assert AuditEvent.objects.filter(action="export", object_id=str(world.incident.pk)).exists()


@pytest.mark.parametrize("kind", ["police", "county", "civilian_response", "community_org"])
def test_6_dispatch_is_not_city_wide(world: World, as_api: Any, as_page: Any, kind: str) -> None:
    for role in (r.DISPATCHER, r.SUPERVISOR, r.CALL_TAKER):
        user = world.attackers[(kind, role)]
        api = as_api(user)
        listed = api.get("/api/dispatch/incidents")
        assert listed.status_code == 200
        assert world.incident.pk not in [i["id"] for i in listed.json()] and not leaks(
            listed.content
        )
        got = api.get(f"/api/dispatch/incidents/{world.incident.pk}")
        assert got.status_code == 404
        assert same(
            got, api.get(f"/api/dispatch/incidents/{MISSING_ID}"), world.incident.pk, MISSING_ID
        )
        if role != r.CALL_TAKER:
            board = as_page(user).get("/dispatch/")
            assert board.status_code == 200 and not leaks(board.content)
            assert f"#{world.incident.pk} " not in board.content.decode()
