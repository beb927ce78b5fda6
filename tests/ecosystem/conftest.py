"""Ecosystem fixtures: a small directory whose services belong to the test agencies."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from rightresponse.accounts.models import Agency
from rightresponse.ecosystem.models import Location, Organization, Schedule, Service
from rightresponse.people.models import Person


@pytest.fixture
def directory(agencies: dict[str, Agency]) -> dict[str, Any]:
    """Family Services (the provider's agency, test-org) and the county's crisis centre."""
    family = Organization.objects.create(
        name="Test Family Services", description="Family support", agency=agencies["org"]
    )
    county = Organization.objects.create(
        name="Test County Health", description="Crisis care", agency=agencies["county"]
    )
    office = Location.objects.create(
        organization=family, name="Family office", address_1="10 Elm St", city="Metro"
    )
    shelter = Location.objects.create(
        organization=family,
        name="Safe house",
        address_1="99 Hidden Lane",
        city="Metro",
        confidential=True,
    )
    counselling = Service.objects.create(
        organization=family,
        name="Family counselling",
        category="restorative",
        subcategory="trauma_healing",
        needs=["counseling"],
        languages=["en", "es"],
        areas=["North"],
        capacity_available=3,
        capacity_maximum=10,
        capacity_unit="clients",
    )
    counselling.locations.add(office)
    Schedule.objects.create(
        service=counselling, byday="MO,TU,WE,TH,FR", opens_at=time(9), closes_at=time(17)
    )
    dv_shelter = Service.objects.create(
        organization=family,
        name="Emergency shelter",
        category="responsive",
        subcategory="shelter",
        needs=["shelter", "safety_planning"],
        languages=["en"],
        areas=["Citywide"],
        is_victim_service=True,
        capacity_available=0,
        capacity_maximum=12,
    )
    dv_shelter.locations.add(shelter)
    Schedule.objects.create(
        service=dv_shelter, byday="MO,TU,WE,TH,FR,SA,SU", opens_at=time(0), closes_at=time(0)
    )
    crisis = Service.objects.create(
        organization=county,
        name="Crisis stabilisation",
        category="responsive",
        subcategory="behavioral_health",
        needs=["mental_health"],
        languages=["en", "so"],
        areas=["Citywide"],
        minimum_age=18,
    )
    return {
        "family": family,
        "county": county,
        "office": office,
        "shelter": shelter,
        "counselling": counselling,
        "dv_shelter": dv_shelter,
        "crisis": crisis,
    }


@pytest.fixture
def person(agencies: dict[str, Agency]) -> Person:
    """Known to the care team (the responder's agency)."""
    return Person.objects.create(
        owner_agency=agencies["care"],
        given_name="Rosa",
        family_name="Delgado",
        phone="555-0101",
        behavioural_flags=["anxious in crowds"],
    )


@pytest.fixture
def victim(agencies: dict[str, Agency]) -> Person:
    return Person.objects.create(
        owner_agency=agencies["care"],
        given_name="Ana",
        family_name="Moreno",
        phone="555-0102",
        is_protected_victim=True,
    )


INCIDENT_ID = 4242


@pytest.fixture
def care_incident(agencies: dict[str, Agency], users: dict[str, Any]) -> Any:
    """Incident 4242, a behavioural-health call the care team's unit (with the responder
    on it) is assigned to: referrals may name only incidents the referrer may see."""
    from django.utils import timezone

    from rightresponse.dispatch.models import Assignment, Incident, Unit, UnitMember

    unit = Unit.objects.create(
        agency=agencies["care"], program="community_responder", kind="civilian", call_sign="CARE-E"
    )
    UnitMember.objects.create(
        agency=agencies["care"], unit=unit, user=users["responder"], employee_id="E9", name="Rae"
    )
    now = timezone.now()
    incident = Incident.objects.create(
        pk=INCIDENT_ID,
        agency=agencies["center"],
        status="on_scene",
        call_type="behavioral_crisis",
        initial_call_type="behavioral_crisis",
        category="behavioral_health",
        tier=1,
        received_at=now,
    )
    Assignment.objects.create(incident=incident, unit=unit, assigned_at=now, primary=True)
    return incident
