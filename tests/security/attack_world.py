"""The attackers' world (issue 10; fixtures registered by conftest.py): a city whose people, incidents, calls, consents and
referrals belong to agencies the attackers do not work for, and attackers of every role
at an agency of every kind. Secrets are marked so a leak is found by searching every
response for them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.utils import timezone

from rightresponse.accounts import roles as r
from rightresponse.accounts.models import Agency
from rightresponse.accounts.services import token_create, user_create
from rightresponse.dispatch.models import (
    Assignment,
    Disposition,
    Incident,
    IncidentEvent,
    PersonLink,
    Unit,
    UnitMember,
)
from rightresponse.ecosystem import services as eco
from rightresponse.ecosystem.models import Consent, Organization, Referral, ReferralEvent, Service
from rightresponse.people.models import Person
from rightresponse.triage.models import Call

PASSWORD = "attack-at-dawn-2026"
# Strings that only the owners may ever see: any response that contains one leaks.
SECRETS = (
    "Vesna",  # the protected victim's given name
    "Kovacic",  # her family name
    "555-0909",  # her phone
    "Oskar",  # the subject's given name
    "Lindgren",  # the subject's family name
    "555-0808",  # the subject's phone
    "shouts when cornered",  # the subject's behavioural flag
    "12 Hidden Lane",  # the domestic-violence incident's address
    "Caller Secret",  # the caller's name on the 911 call
    "555-0707",  # the caller's phone
    "Needs a safe place",  # the referral's reason
)
MISSING_ID = 987654321
ATTACKER_KINDS = ("police", "civilian_response", "county", "community_org", "city", "fire_ems")
ATTACKER_ROLES = tuple(role for role in r.ROLES if role != r.ADMINISTRATOR)
TOKEN = re.compile(rb"[A-Za-z0-9]{64}")  # masked CSRF tokens differ per response


def normalised(body: bytes, *ids: object) -> bytes:
    """A response body with its CSRF tokens and the ids it was asked about taken out, so
    the answer for another agency's record can be compared with the answer for none."""
    body = TOKEN.sub(b"TOKEN", body)
    for value in ids:
        body = re.sub(
            rb"(?<![0-9A-Za-z])" + re.escape(str(value).encode()) + rb"(?![0-9A-Za-z])", b"ID", body
        )
    return body


@dataclass
class World:
    owner: Agency  # the care team: owns the people
    center: Agency
    shelter: Agency  # the community organisation the referral goes to
    victim: Person
    subject: Person
    incident: Incident  # domestic violence, tier 1, on scene, the care team's unit on it
    call: Call
    consent: Consent  # the victim's consent to the shelter
    referral: Referral  # care team -> shelter, about the victim
    owner_user: Any
    service: Service
    attackers: dict[tuple[str, str], Any] = field(default_factory=dict)  # (kind, role) -> user
    attacker_units: dict[str, Unit] = field(default_factory=dict)  # kind -> the kind's unit

    def ids(self) -> dict[str, object]:
        return {
            "incident_id": self.incident.pk,
            "person_id": self.victim.pk,
            "call_id": self.call.pk,
            "consent_id": self.consent.pk,
            "referral_id": self.referral.pk,
        }


WATCHED: tuple[type[models.Model], ...] = (
    Incident, IncidentEvent, Assignment, PersonLink, Disposition, Person, Consent, Referral,
    ReferralEvent, Call,
)  # fmt: skip


def snapshot(world: World) -> dict[str, Any]:
    """Row counts of every watched table and the state of the attacked records."""
    state: dict[str, Any] = {m.__name__: m.objects.count() for m in WATCHED}
    incident = Incident.objects.get(pk=world.incident.pk)
    state["incident"] = (incident.status, incident.tier, incident.call_type, incident.lead)
    consent = Consent.objects.get(pk=world.consent.pk)
    state["consent"] = (consent.revoked_at, consent.note)
    referral = Referral.objects.get(pk=world.referral.pk)
    state["referral"] = (referral.status, referral.reached, referral.connected)
    state["units"] = sorted(Unit.objects.values_list("pk", "status"))
    return state


@pytest.fixture
def world(db: Any) -> World:
    now = timezone.now()
    center = Agency.objects.create(slug="w-911", name="Metro 911", kind="emergency_communications")
    owner = Agency.objects.create(slug="w-care", name="Care Team", kind="civilian_response")
    shelter = Agency.objects.create(slug="w-shelter", name="Shelter", kind="community_org")
    owner_user = user_create(username="owner", password=PASSWORD, agency=owner, roles=[r.RESPONDER])
    victim = Person.objects.create(
        owner_agency=owner, given_name="Vesna", family_name="Kovacic", phone="555-0909",
        is_protected_victim=True, behavioural_flags=["startles"], what_works="quiet room",
    )  # fmt: skip
    subject = Person.objects.create(
        owner_agency=owner, given_name="Oskar", family_name="Lindgren", phone="555-0808",
        behavioural_flags=["shouts when cornered"], what_works="give space",
    )  # fmt: skip
    call = Call.objects.create(
        agency=center, received_at=now, channel="911", caller_name="Caller Secret",
        caller_phone="555-0707", address="12 Hidden Lane", call_type="domestic_violence",
        latitude=47.6, longitude=-122.3, tier=1,
    )  # fmt: skip
    # A call becomes its incident as it is saved (triage); make it the attacked one.
    incident = Incident.objects.filter(call=call).first() or Incident(call=call, received_at=now)
    for name, value in dict(
        agency=center, status="on_scene", call_type="domestic_violence",
        initial_call_type="domestic_violence", category="domestic_violence", tier=1,
        address="12 Hidden Lane", latitude=47.6, longitude=-122.3, area="north",
    ).items():  # fmt: skip
        setattr(incident, name, value)
    incident.save()
    care_unit = Unit.objects.create(
        agency=owner, program="community_responder", kind="civilian", call_sign="W-CARE",
        status="on_scene",
    )  # fmt: skip
    UnitMember.objects.create(
        agency=owner, unit=care_unit, user=owner_user, employee_id="O1", name="Owner"
    )
    Assignment.objects.create(incident=incident, unit=care_unit, assigned_at=now, primary=True)
    for person, role in ((victim, "victim"), (subject, "subject")):
        PersonLink.objects.create(incident=incident, person=person, role=role, linked_at=now)
    org = Organization.objects.create(name="Shelter org", agency=shelter)
    service = Service.objects.create(
        organization=org, name="Safe beds", category="responsive", subcategory="shelter",
        needs=["shelter"], is_victim_service=True,
    )  # fmt: skip
    consent = eco.consent_grant(
        user=owner_user, person=victim, organisations=[shelter], purposes=["referral"],
        data_categories=["identity", "contact", "needs"], valid_until=now + timezone.timedelta(days=30),
        informed=True, written=True, person_present=True,
    )  # fmt: skip
    referral = eco.referral_create(
        user=owner_user, source="incident", service=service, person=victim,
        reason="Needs a safe place tonight", incident_id=incident.pk,
        incident_category="domestic_violence", incident_call_type="domestic_violence",
    )  # fmt: skip
    made = World(
        owner=owner, center=center, shelter=shelter, victim=victim, subject=subject,
        incident=incident, call=call, consent=consent, referral=referral, owner_user=owner_user,
        service=service,
    )  # fmt: skip
    for kind in ATTACKER_KINDS:
        agency = Agency.objects.create(slug=f"a-{kind}", name=f"Attacker {kind}", kind=kind)
        unit = Unit.objects.create(
            agency=agency, program="police" if kind == "police" else "community_responder",
            kind="police" if kind == "police" else "civilian", call_sign=f"A-{kind}",
        )  # fmt: skip
        made.attacker_units[kind] = unit
        for role in ATTACKER_ROLES:
            user = user_create(
                username=f"{kind}-{role}", password=PASSWORD, agency=agency, roles=[role]
            )
            made.attackers[(kind, role)] = user
            if role == r.RESPONDER:
                UnitMember.objects.create(
                    agency=agency,
                    unit=unit,
                    user=user,
                    employee_id=f"{kind}-1",
                    name=f"{kind} rider",
                )
    return made


@pytest.fixture
def as_api(world: World) -> Any:
    tokens: dict[Any, str] = {}

    def make(user: Any) -> Client:
        if user.pk not in tokens:
            tokens[user.pk] = token_create(user)
        return Client(headers={"Authorization": f"Bearer {tokens[user.pk]}"})

    return make


@pytest.fixture
def as_page(world: World) -> Any:
    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def leaks(body: bytes) -> list[str]:
    text = body.decode("utf-8", "replace")
    return [s for s in SECRETS if s in text]
