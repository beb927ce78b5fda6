"""Property (issue 10): for random agencies, users, people, consents and incidents, nothing
a page, endpoint, export or admin list returns about a person or an incident lies outside
what the one visibility rule (core.visibility) allows; and the selectors' query filters
agree with the rule record by record.

Every person's field holds a marker unique to (person, field), every incident's address
one unique to the incident, so a leak is found by searching the answers for markers."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rightresponse.accounts import roles as r
from rightresponse.accounts.models import Agency
from rightresponse.accounts.services import token_create, user_create
from rightresponse.accounts.visibility import viewer_of
from rightresponse.core import visibility as vis
from rightresponse.dispatch.access import incident_facts_of, incidents_visible
from rightresponse.dispatch.models import Assignment, Incident, PersonLink, Unit, UnitMember
from rightresponse.ecosystem.models import Consent
from rightresponse.ecosystem.sharing import people_visible, person_facts
from rightresponse.people.models import Person

pytestmark = pytest.mark.django_db

KINDS = (
    "emergency_communications",
    "police",
    "civilian_response",
    "county",
    "community_org",
    "city",
)
ROLES = (r.CALL_TAKER, r.DISPATCHER, r.SUPERVISOR, r.RESPONDER, r.SERVICE_PROVIDER, r.ANALYST)
FIELDS = ("given_name", "family_name", "phone", "what_works", "preferred_language", "gender",
          "race_ethnicity", "behavioural_flags")  # fmt: skip
PURPOSES = ("referral", "care_coordination", "second_response", "emergency_response")
# "#" never occurs in a CSRF token (alphanumeric), so a token cannot pass for a marker.
MARK = re.compile(r"#P(\d+)_(\w+?)#")
ADDRESS = re.compile(r"#Street(\d+)#")

world_spec = st.fixed_dictionaries(
    {
        "kinds": st.lists(st.sampled_from(KINDS), min_size=2, max_size=4),
        "user_agency": st.integers(0, 3),
        "roles": st.lists(st.sampled_from(ROLES), min_size=1, max_size=2, unique=True),
        "on_unit": st.booleans(),
        "people": st.lists(
            st.tuples(st.integers(0, 3), st.booleans()), min_size=1, max_size=3
        ),  # (owner agency, protected victim)
        "consents": st.lists(
            st.tuples(
                st.integers(0, 2),  # person
                st.integers(0, 3),  # to agency
                st.sampled_from(PURPOSES),
                st.sets(st.sampled_from(sorted(vis.ALL_CATEGORIES)), min_size=1, max_size=3),
                st.sampled_from(("current", "revoked", "expired")),
            ),
            max_size=3,
        ),
        "incidents": st.lists(
            st.tuples(
                st.integers(0, 3),  # owner agency
                st.integers(0, 4),  # tier
                st.sampled_from(("wellness_check", "domestic_violence")),
                st.booleans(),  # open
                st.lists(st.integers(0, 3), max_size=2),  # agencies whose units are on it
                st.lists(st.integers(0, 2), max_size=2),  # linked people
            ),
            min_size=1,
            max_size=3,
        ),
    }
)


def _mark(pid: int, name: str) -> str:
    return f"#P{pid}_{name}#"


def _build(spec: dict[str, Any]) -> dict[str, Any]:
    now = timezone.now()
    agencies = [
        Agency.objects.create(slug=f"p-{i}-{kind}", name=f"Agency {i}", kind=kind)
        for i, kind in enumerate(spec["kinds"])
    ]

    def agency(index: int) -> Agency:
        return agencies[index % len(agencies)]

    units = [
        Unit.objects.create(
            agency=a, program="community_responder", kind="civilian", call_sign=f"P-{a.pk}"
        )  # fmt: skip
        for a in agencies
    ]
    user = user_create(username="prop", password="prop-pass-2026", agency=agency(spec["user_agency"]),
                       roles=spec["roles"])  # fmt: skip
    if spec["on_unit"]:
        UnitMember.objects.create(agency=user.profile.agency, unit=units[agencies.index(user.profile.agency)],
                                  user=user, employee_id="P1", name="Prop")  # fmt: skip
    people = []
    for owner, protected in spec["people"]:
        person = Person.objects.create(owner_agency=agency(owner), is_protected_victim=protected)
        for name in FIELDS:
            value: Any = (
                [_mark(person.pk, name)] if name == "behavioural_flags" else _mark(person.pk, name)
            )
            setattr(person, name, value)
        person.save()
        people.append(person)
    for p_index, to, purpose, categories, state in spec["consents"]:
        person = people[p_index % len(people)]
        consent = Consent.objects.create(
            person=person, purposes=[purpose], data_categories=sorted(categories),
            valid_from=now - timedelta(days=2),
            valid_until=now - timedelta(days=1) if state == "expired" else now + timedelta(days=9),
            revoked_at=now - timedelta(hours=1) if state == "revoked" else None,
            informed=True, written=True, person_present=True,
        )  # fmt: skip
        consent.organisations.set([agency(to)])
    incidents = []
    busy: set[int] = set()  # a unit is on one active incident at most (a database rule)
    for owner, tier, category, is_open, on_it, linked in spec["incidents"]:
        incident = Incident.objects.create(
            agency=agency(owner), status="on_scene" if is_open else "closed", call_type=category,
            initial_call_type=category, category=category, tier=tier, received_at=now,
            latitude=47.6, longitude=-122.3,
        )  # fmt: skip
        incident.address = f"#Street{incident.pk}#"
        incident.save()
        for a in {agency(i).pk for i in on_it}:
            unit = units[[x.pk for x in agencies].index(a)]
            active = is_open and unit.pk not in busy
            busy |= {unit.pk} if active else set()
            Assignment.objects.create(incident=incident, unit=unit, assigned_at=now, active=active)
        for p_index in {p % len(people) for p in linked}:
            PersonLink.objects.create(incident=incident, person=people[p_index], linked_at=now)
        incidents.append(incident)
    return {"user": User.objects.get(pk=user.pk), "people": people, "incidents": incidents}


def _allowed(user: Any, people: list[Person], incidents: list[Incident]) -> set[tuple[int, str]]:
    """Every (person, field) the rule allows the user in any purpose or incident."""
    viewer = viewer_of(user)
    now = timezone.now()
    allowed: set[tuple[int, str]] = set()
    for person in people:
        facts = person_facts(person)
        contexts: list[dict[str, Any]] = [{"purpose": p} for p in PURPOSES]
        for incident in incidents:
            linked = PersonLink.objects.filter(incident=incident, person=person).exists()
            contexts.append({"purpose": vis.EMERGENCY_PURPOSE, "incident": incident_facts_of(incident),
                             "linked": linked})  # fmt: skip
        for context in contexts:
            access = vis.person_access(viewer, facts, at=now, **context)
            allowed |= {(person.pk, name) for name in access.fields}
    return allowed


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spec=world_spec)
def test_nothing_returned_lies_outside_the_rule(db: Any, spec: dict[str, Any]) -> None:
    with transaction.atomic():
        built = _build(spec)
        user, people, incidents = built["user"], built["people"], built["incidents"]
        viewer = viewer_of(user)
        # The selectors' filters agree with the rule, record by record.
        scope = vis.incident_scope(viewer)
        full = {
            i.pk for i in incidents if vis.incident_level(scope, incident_facts_of(i)) == vis.FULL
        }
        assert set(incidents_visible(user).values_list("pk", flat=True)) == full
        openable = {
            p.pk
            for p in people
            if vis.may_open_person_record(viewer, person_facts(p), timezone.now())
        }
        assert set(people_visible(user).values_list("pk", flat=True)) == openable
        # Every answer the user can get about these people and incidents.
        api = Client(headers={"Authorization": f"Bearer {token_create(user)}"})
        page = Client()
        page.force_login(user)
        bodies = [api.get("/api/dispatch/incidents").content, page.get("/dispatch/").content,
                  page.get("/dispatch/responder/").content]  # fmt: skip
        for incident in incidents:
            base = f"/api/dispatch/incidents/{incident.pk}"
            bodies += [api.get(base).content, api.get(f"{base}/people").content,
                       api.get(f"{base}/eidd").content, api.get(f"{base}/location").content]  # fmt: skip
        for person in people:
            bodies += [
                page.get(f"/services/people/{person.pk}/").content,
                page.get(f"/services/people/{person.pk}/?purpose=emergency_response").content,
                api.get(f"/api/ecosystem/people/{person.pk}/consents").content,
            ]
        text = b"\n".join(bodies).decode("utf-8", "replace")
        seen = {(int(pid), name) for pid, name in MARK.findall(text)}
        event(f"person fields shown: {'some' if seen else 'none'}")
        assert seen <= _allowed(user, people, incidents), sorted(
            seen - _allowed(user, people, incidents)
        )
        addresses = {int(i) for i in ADDRESS.findall(text)}
        event(f"addresses shown: {'some' if addresses else 'none'}")
        assert addresses <= full, (addresses - full, spec)
        transaction.set_rollback(True)
