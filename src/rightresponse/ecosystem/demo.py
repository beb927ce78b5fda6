"""Demo directory, referrals, consent and a healing plan.

The organisations are fictional but modelled on the kinds of programmes the report
inventories: preventive (~605-693: violence interrupters, group violence intervention,
youth centre, rental assistance), responsive (crisis, overdose, domestic violence) and
restorative (~1984-2130: second response, restorative justice, reentry, community healing).
Areas are the five police precincts the triage and dispatch demos use. Idempotent: ids are
derived from names, so running it twice changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from rightresponse.accounts.models import Agency
from rightresponse.people.models import Person

from . import services
from .models import HealingPlan, Location, Organization, Referral, Schedule, Service

NS = uuid.UUID("0f3c2a9e-8d7b-4c61-b2aa-5d4e3f2a1b00")
DAILY = "MO,TU,WE,TH,FR,SA,SU"
WEEKDAYS = "MO,TU,WE,TH,FR"
ALWAYS = [(DAILY, time(0, 0), time(0, 0))]

# slug, agency name, organisation description
ORGS: list[tuple[str, str, str]] = [
    (
        "safe-harbor",
        "Safe Harbor Family Services",
        "Advocacy, shelter and counselling for survivors of domestic and sexual violence.",
    ),
    (
        "care-team",
        "Community Assistance and Response Team",
        "The city's civilian responders and their follow-up navigators.",
    ),
    (
        "county-bh",
        "County Behavioral Health",
        "County crisis, stabilisation and recovery services.",
    ),
    (
        "northside-peace",
        "Northside Peace Collective",
        "Violence interrupters and credible messengers working evenings in the neighbourhoods.",
    ),
    (
        "youth-hub",
        "Youth Connection Hub",
        "A 24/7 youth centre: needs assessments, referrals and aftercare for ages 10-17.",
    ),
    (
        "stable-homes",
        "Stable Homes Partnership",
        "Rental assistance and emergency funds for families at risk of homelessness.",
    ),
    (
        "circle-justice",
        "Restorative Circles Center",
        "Restorative justice conferencing and community mediation.",
    ),
    (
        "second-chance",
        "Second Chance Reentry Network",
        "Reentry navigation, jobs and housing after incarceration.",
    ),
    (
        "healing-roots",
        "Healing Roots Collective",
        "Trauma-informed healing circles led by faith leaders and community organisers.",
    ),
]

# org slug, name, category, subcategory, needs, languages, areas, hours, capacity, extras
SERVICES: list[dict[str, Any]] = [
    {
        "org": "safe-harbor",
        "name": "24-hour domestic violence advocacy line",
        "category": "responsive",
        "subcategory": "victim_services",
        "needs": ["safety_planning", "legal", "counseling"],
        "languages": ["en", "es", "so"],
        "areas": ["Citywide"],
        "hours": ALWAYS,
        "victim": True,
        "phone": "555-0142",
        "capacity": (5, 8, "advocates"),
    },
    {
        "org": "safe-harbor",
        "name": "Confidential emergency shelter",
        "category": "responsive",
        "subcategory": "shelter",
        "needs": ["shelter", "safety_planning"],
        "languages": ["en", "es"],
        "areas": ["Citywide"],
        "hours": ALWAYS,
        "victim": True,
        "phone": "555-0142",
        "capacity": (3, 24, "beds"),
        "confidential": True,
        "eligibility": "Survivors of domestic or sexual violence and their children. Location given by phone only.",
    },
    {
        "org": "care-team",
        "name": "CARE follow-up navigation",
        "category": "restorative",
        "subcategory": "second_response",
        "needs": ["mental_health", "housing", "income_benefits", "medical"],
        "languages": ["en", "es", "hmn"],
        "areas": ["Citywide"],
        "hours": [(DAILY, time(8, 0), time(20, 0))],
        "capacity": (12, 30, "cases"),
        "description": "Navigators follow up within 72 hours after a crisis call to connect people to what they need (report ~1986-1996).",
    },
    {
        "org": "county-bh",
        "name": "Mobile crisis and stabilisation centre",
        "category": "responsive",
        "subcategory": "behavioral_health",
        "needs": ["mental_health", "substance_use"],
        "languages": ["en", "es", "so", "hmn"],
        "areas": ["Citywide"],
        "hours": ALWAYS,
        "capacity": (4, 16, "chairs"),
        "phone": "555-0988",
    },
    {
        "org": "county-bh",
        "name": "Overdose follow-up and peer recovery",
        "category": "responsive",
        "subcategory": "substance_use",
        "needs": ["substance_use", "medical"],
        "languages": ["en"],
        "areas": ["Citywide"],
        "hours": [(WEEKDAYS, time(9, 0), time(17, 0))],
        "capacity": (6, 20, "clients"),
        "min_age": 16,
    },
    {
        "org": "northside-peace",
        "name": "Violence interrupters",
        "category": "preventive",
        "subcategory": "violence_prevention",
        "needs": ["mediation"],
        "languages": ["en", "so"],
        "areas": ["Precinct 4", "Precinct 1"],
        "hours": [(DAILY, time(16, 0), time(23, 0))],
        "description": "Credible messengers detect and de-escalate conflict and connect people to jobs, housing and treatment (report ~619-621).",
    },
    {
        "org": "northside-peace",
        "name": "Group violence intervention offramps",
        "category": "preventive",
        "subcategory": "violence_prevention",
        "needs": ["employment", "mediation", "counseling"],
        "languages": ["en"],
        "areas": ["Precinct 4"],
        "hours": [(WEEKDAYS, time(10, 0), time(18, 0))],
        "capacity": (0, 15, "places"),
        "waitlist": 4,
        "min_age": 14,
        "max_age": 30,
    },
    {
        "org": "youth-hub",
        "name": "Youth Connection Hub drop-in",
        "category": "preventive",
        "subcategory": "youth",
        "needs": ["youth_support", "shelter", "food"],
        "languages": ["en", "es", "so"],
        "areas": ["Citywide"],
        "hours": ALWAYS,
        "capacity": (7, 20, "places"),
        "min_age": 10,
        "max_age": 17,
    },
    {
        "org": "stable-homes",
        "name": "Family rental assistance",
        "category": "preventive",
        "subcategory": "housing",
        "needs": ["housing", "income_benefits"],
        "languages": ["en", "es"],
        "areas": ["Citywide"],
        "hours": [(WEEKDAYS, time(9, 0), time(16, 30))],
        "capacity": (2, 40, "families"),
        "waitlist": 11,
    },
    {
        "org": "circle-justice",
        "name": "Restorative justice conferencing",
        "category": "restorative",
        "subcategory": "restorative_justice",
        "needs": ["mediation", "counseling"],
        "languages": ["en", "es"],
        "areas": ["Precinct 3", "Precinct 2"],
        "hours": [("TU,TH", time(17, 0), time(21, 0))],
        "capacity": (5, 10, "conferences"),
    },
    {
        "org": "second-chance",
        "name": "Reentry navigation",
        "category": "restorative",
        "subcategory": "reentry",
        "needs": ["reentry_support", "employment", "housing"],
        "languages": ["en"],
        "areas": ["Citywide"],
        "hours": [(WEEKDAYS, time(8, 30), time(17, 0))],
        "capacity": (9, 25, "clients"),
        "min_age": 18,
    },
    {
        "org": "healing-roots",
        "name": "Community healing circles",
        "category": "restorative",
        "subcategory": "trauma_healing",
        "needs": ["counseling"],
        "languages": ["en", "so", "hmn"],
        "areas": ["Precinct 1", "Precinct 2", "Precinct 3", "Precinct 4", "Precinct 5"],
        "hours": [("WE,SA", time(18, 0), time(20, 0))],
    },
]

ADDRESSES = {
    "safe-harbor": ("Confidential shelter", "", True),
    "care-team": ("CARE Team base", "300 Civic Plaza", False),
    "county-bh": ("Stabilisation centre", "1800 Chicago Ave", False),
    "northside-peace": ("Northside hub", "2200 Broadway Ave N", False),
    "youth-hub": ("Youth Connection Hub", "425 Portland Ave", False),
    "stable-homes": ("Stable Homes office", "801 Plymouth Ave", False),
    "circle-justice": ("Circles Center", "3000 Lake St E", False),
    "second-chance": ("Reentry office", "1100 Hennepin Ave", False),
    "healing-roots": ("Healing Roots house", "3815 Chicago Ave", False),
}


def _id(name: str) -> uuid.UUID:
    return uuid.uuid5(NS, name)


@transaction.atomic
def seed(stdout: Any) -> None:
    now = timezone.now()
    agencies: dict[str, Agency] = {}
    orgs: dict[str, Organization] = {}
    for slug, name, description in ORGS:
        agencies[slug], _ = Agency.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": "community_org"}
        )
        orgs[slug], _ = Organization.objects.get_or_create(
            id=_id(f"org:{slug}"),
            defaults={"name": name, "description": description, "agency": agencies[slug]},
        )
        loc_name, address, confidential = ADDRESSES[slug]
        Location.objects.get_or_create(
            id=_id(f"loc:{slug}"),
            defaults={
                "organization": orgs[slug],
                "name": loc_name,
                "address_1": address,
                "city": "Minneapolis",
                "state_province": "MN",
                "postal_code": "55401",
                "confidential": confidential,
            },
        )
    for spec in SERVICES:
        sid = _id(f"service:{spec['name']}")
        if Service.objects.filter(id=sid).exists():
            continue
        available, maximum, unit = spec.get("capacity", (None, None, ""))
        service = Service.objects.create(
            id=sid,
            organization=orgs[spec["org"]],
            name=spec["name"],
            description=spec.get("description", ""),
            category=spec["category"],
            subcategory=spec["subcategory"],
            needs=spec["needs"],
            languages=spec["languages"],
            areas=spec["areas"],
            phone=spec.get("phone", "555-0100"),
            eligibility_description=spec.get("eligibility", ""),
            minimum_age=spec.get("min_age"),
            maximum_age=spec.get("max_age"),
            is_victim_service=spec.get("victim", False),
            capacity_available=available,
            capacity_maximum=maximum,
            capacity_unit=unit,
            capacity_updated_at=now if available is not None else None,
            waitlist=spec.get("waitlist", 0),
        )
        service.locations.add(Location.objects.get(id=_id(f"loc:{spec['org']}")))
        for byday, opens, closes in spec["hours"]:
            Schedule.objects.create(
                id=_id(f"schedule:{spec['name']}:{byday}"),
                service=service,
                byday=byday,
                opens_at=opens,
                closes_at=closes,
            )
    _seed_referrals(now, agencies)
    stdout.write(
        f"ecosystem: {Organization.objects.count()} organisations, {Service.objects.count()} services, "
        f"{Referral.objects.count()} referrals\n"
    )


def _service(name: str) -> Service:
    return Service.objects.select_related("organization__agency").get(id=_id(f"service:{name}"))


def _seed_referrals(now: datetime, agencies: dict[str, Agency]) -> None:
    # Other pillars' demos may already have made referrals (dispatch closes incidents, which
    # starts second responses), so look for this demo's own marker.
    if Person.objects.filter(given_name="Maria", family_name="Lindqvist").exists():
        return
    center = Agency.objects.filter(slug="metro-911").first()
    responder = User.objects.filter(username="responder").first()
    provider = User.objects.filter(username="provider").first()
    dispatcher = User.objects.filter(username="dispatcher").first()
    if center is None or responder is None or provider is None or dispatcher is None:
        return  # accounts demo not seeded: the directory alone is still useful
    care = agencies["care-team"]
    maria = Person.objects.create(
        owner_agency=care,
        given_name="Maria",
        family_name="Lindqvist",
        phone="555-0199",
        preferred_language="es",
        behavioural_flags=["startles at loud voices"],
        what_works="Speak Spanish, sit down, offer water.",
        is_protected_victim=True,
    )
    jamal = Person.objects.create(
        owner_agency=care, given_name="Jamal", family_name="Carter", phone="555-0177"
    )
    services.consent_grant(
        user=responder,
        person=maria,
        organisations=[agencies["safe-harbor"], agencies["county-bh"]],
        purposes=["referral", "care_coordination"],
        data_categories=["identity", "contact", "needs"],
        valid_until=now + timedelta(days=90),
        informed=True,
        written=True,
        person_present=True,
        method="written",
        note="Signed on scene; copy given.",
    )
    services.consent_grant(
        user=responder,
        person=jamal,
        organisations=[agencies["county-bh"]],
        purposes=["referral"],
        data_categories=["identity", "contact"],
        valid_until=None,
        informed=True,
        written=False,
        person_present=True,
    )
    dv = services.referral_create(
        user=responder,
        source="incident",
        service=_service("24-hour domestic violence advocacy line"),
        person=maria,
        reason="Wants safety planning and help with a protection order.",
        incident_id=9001,
        incident_category="domestic_violence",
        incident_call_type="domestic_violence",
        at=now - timedelta(hours=30),
    )
    services.referral_transition(dv, provider, "accepted", at=now - timedelta(hours=26))
    services.referral_transition(dv, provider, "in-progress", at=now - timedelta(hours=20))
    services.referral_create(
        user=responder,
        source="incident",
        service=_service("Mobile crisis and stabilisation centre"),
        person=jamal,
        reason="Ran out of medication; agreed to a follow-up visit.",
        incident_id=9002,
        incident_category="behavioral_health",
        incident_call_type="behavioral_crisis",
        at=now - timedelta(hours=60),
    )
    services.referral_create(
        user=dispatcher,
        source="navigator",
        service=_service("Family rental assistance"),
        family_name="Okonkwo household",
        family_size=5,
        reason="Eviction notice; three children at Lincoln Elementary.",
        at=now - timedelta(days=3),
    )
    shelter = services.referral_create(
        user=responder,
        source="incident",
        service=_service("Confidential emergency shelter"),
        family_name="Household of incident 9003",
        family_size=3,
        reason="Needs a safe place tonight.",
        incident_id=9003,
        incident_category="domestic_violence",
        incident_call_type="domestic_violence",
        at=now - timedelta(days=6),
    )
    services.referral_transition(shelter, provider, "accepted", at=now - timedelta(days=6))
    services.referral_transition(shelter, provider, "completed", at=now - timedelta(days=2))
    services.second_response_create(
        incident_id=9002,
        call_type="behavioral_crisis",
        category="behavioral_health",
        person_ids=[jamal.pk],
        agency_id=center.pk,
        closed_at=now - timedelta(hours=58),
    )
    if not HealingPlan.objects.exists():
        services.healing_plan_create(
            user=responder,
            title="Lake Street shooting: community healing",
            event_summary="A shooting near a bus stop injured two teenagers on a Saturday evening.",
            level="community",
            lead_agency=agencies["healing-roots"],
            area="Precinct 3",
            occurred_at=now - timedelta(days=4),
            responsible_departments=["Department of Neighborhood Safety", "Health Department"],
            trusted_intermediaries=[
                "Pastor A. Mensah, Lake Street Baptist",
                "Y. Hassan, Somali youth organiser",
            ],
            actions=[
                (
                    "Open a healing circle at the library",
                    "Healing Roots Collective",
                    (now + timedelta(days=2)).date(),
                ),
                (
                    "Door-knock the block with counselling information",
                    "Northside Peace Collective",
                    (now + timedelta(days=1)).date(),
                ),
                (
                    "Brief the school on counselling for students",
                    "Health Department",
                    (now + timedelta(days=3)).date(),
                ),
            ],
        )
