"""The service ecosystem's storage: directory (HSDS-shaped), referrals, consent, second
response and community healing plans (issue 6).

Records refer to incidents by a plain indexed ``incident_id`` (contract 5), so this app
does not depend on dispatch's migrations.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from rightresponse.accounts.models import Agency
from rightresponse.core.ecosystem import referrals as states
from rightresponse.people.models import Person
from rightresponse.triage.models import Call

CATEGORIES = [
    ("preventive", "Preventive"),
    ("responsive", "Responsive"),
    ("restorative", "Restorative"),
]


class Organization(models.Model):
    """An HSDS organization. ``agency`` is the tenant whose users work its inbox."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="organizations"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """An HSDS location. A confidential location (a domestic-violence shelter) is never
    shown on a page nor exported: callers are told to phone the service instead."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="locations"
    )
    name = models.CharField(max_length=200)
    location_type = models.CharField(
        max_length=10,
        choices=[("physical", "physical"), ("postal", "postal"), ("virtual", "virtual")],
        default="physical",
    )
    address_1 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state_province = models.CharField(max_length=60, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    confidential = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """An HSDS service with the report's ecosystem category and HSDS 3.1 capacity."""

    STATUSES = [
        ("active", "active"),
        ("inactive", "inactive"),
        ("defunct", "defunct"),
        ("temporarily closed", "temporarily closed"),
    ]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=STATUSES, default="active")
    email = models.EmailField(blank=True)
    url = models.URLField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    application_process = models.TextField(blank=True)
    eligibility_description = models.TextField(blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    wait_time = models.CharField(max_length=100, blank=True)
    category = models.CharField(max_length=12, choices=CATEGORIES, db_index=True)
    subcategory = models.CharField(max_length=40, db_index=True)
    needs = models.JSONField(default=list, blank=True, help_text="Taxonomy need codes")
    languages = models.JSONField(default=list, blank=True, help_text="ISO 639-1 codes")
    areas = models.JSONField(default=list, blank=True, help_text="Service area names")
    locations = models.ManyToManyField(Location, blank=True, related_name="services")
    # Victim services follow VAWA/FVPSA/VOCA: stricter consent, aggregates only to funders.
    is_victim_service = models.BooleanField(default=False)
    accepts_referrals = models.BooleanField(default=True)
    # HSDS 3.1 service capacity, kept current by the provider.
    capacity_available = models.PositiveIntegerField(null=True, blank=True)
    capacity_maximum = models.PositiveIntegerField(null=True, blank=True)
    capacity_unit = models.CharField(max_length=40, blank=True)
    capacity_updated_at = models.DateTimeField(null=True, blank=True)
    capacity_id = models.UUIDField(default=uuid.uuid4)
    waitlist = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Schedule(models.Model):
    """A weekly HSDS schedule row: open on ``byday`` from ``opens_at`` to ``closes_at``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedules")
    byday = models.CharField(max_length=40, help_text="e.g. MO,TU,WE")
    opens_at = models.TimeField()
    closes_at = models.TimeField()
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["byday", "opens_at"]

    def __str__(self) -> str:
        return f"{self.byday} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"


class Consent(models.Model):
    """A person's consent to share their data: with which organisations, for which
    purposes, which data, until when; who captured it; revocable at any time."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    organisations = models.ManyToManyField(Agency, related_name="consents_received")
    purposes = models.JSONField(default=list)
    data_categories = models.JSONField(default=list)
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    informed = models.BooleanField(
        default=False, help_text="The person was told what, to whom, why"
    )
    written = models.BooleanField(default=False, help_text="Signed in writing (or e-signature)")
    # The capturing worker attests the person was there to give it (issue 10: only the
    # person's own serving agency records consent, with the person present).
    person_present = models.BooleanField(
        default=False, help_text="The person was present and gave this consent"
    )
    method = models.CharField(max_length=20, default="verbal")
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    captured_agency = models.ForeignKey(
        Agency, null=True, on_delete=models.SET_NULL, related_name="consents_captured"
    )
    captured_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-captured_at"]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"Consent {self.pk} of person {self.person_id} ({state})"


class Referral(models.Model):
    SOURCES = [
        ("incident", "Incident"),
        ("hotline", "Hotline call"),
        ("navigator", "Navigator"),
        ("provider", "Service provider"),
        ("second_response", "Second response"),
    ]

    source = models.CharField(max_length=20, choices=SOURCES)
    incident_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    incident_category = models.CharField(max_length=60, blank=True)
    incident_call_type = models.CharField(max_length=60, blank=True)
    call = models.ForeignKey(
        Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="onward"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    family_name = models.CharField(
        max_length=120, blank=True, help_text="For a referral of a whole family"
    )
    family_size = models.PositiveSmallIntegerField(null=True, blank=True)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals_in")
    from_agency = models.ForeignKey(
        Agency, null=True, on_delete=models.PROTECT, related_name="referrals_out"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True, max_length=2000, help_text="Needs, in plain words")
    status = models.CharField(
        max_length=12, choices=[(s, s) for s in states.STATES], default=states.DRAFT
    )
    outcome_reason = models.CharField(
        max_length=24, blank=True, choices=list(states.OUTCOME_REASONS.items())
    )
    created_at = models.DateTimeField(db_index=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    # Second response (report ~1986-1996): follow-up after a crisis or a crime.
    is_second_response = models.BooleanField(default=False)
    follow_up_kind = models.CharField(max_length=40, blank=True)
    reached = models.BooleanField(null=True, blank=True)
    connected = models.BooleanField(null=True, blank=True)
    # When this referral's facts (contract 4) last changed: the row itself, or its
    # service's category (ecosystem.receivers). The metrics' facts snapshot
    # (performance.facts_snapshot) re-reads only the referrals stamped since it was built.
    facts_changed_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["to_agency", "status"])]

    def __str__(self) -> str:
        return f"Referral {self.pk} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every save stamps the facts as changed, also a save of a few fields.
        self.facts_changed_at = timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "facts_changed_at"}
        super().save(*args, **kwargs)


class ReferralEvent(models.Model):
    """Every change of a referral: who acted, when, from which state to which, and why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_agency = models.ForeignKey(Agency, null=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    outcome_reason = models.CharField(max_length=24, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.from_status} -> {self.to_status}"


class HealingPlan(models.Model):
    """A community-wide healing plan for a traumatic event (report ~1998-2006): levels of
    support, responsible departments, trusted intermediaries and action steps."""

    LEVELS = [
        ("information", "1 · Information and referral"),
        ("support", "2 · Coordinated support to affected families"),
        ("community", "3 · Community-led healing with city backbone"),
        ("citywide", "4 · Citywide response"),
    ]

    title = models.CharField(max_length=200)
    event_summary = models.TextField(max_length=2000)
    area = models.CharField(max_length=60, blank=True)
    incident_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    occurred_at = models.DateTimeField(null=True, blank=True)
    level = models.CharField(max_length=12, choices=LEVELS, default="support")
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="healing_plans")
    responsible_departments = models.JSONField(default=list, blank=True)
    trusted_intermediaries = models.JSONField(
        default=list, blank=True, help_text="Faith leaders, organisers, advocates (names, roles)"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class HealingAction(models.Model):
    STATUSES = [("planned", "planned"), ("in_progress", "in progress"), ("done", "done")]

    plan = models.ForeignKey(HealingPlan, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=300)
    owner = models.CharField(max_length=120)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=STATUSES, default="planned")

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.description} ({self.owner}, {self.status})"
