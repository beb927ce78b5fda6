"""Incidents, units and everything recorded about them, so every later metric can be
computed from these rows (report "System Integration", ~1668-1690; metrics ~1423-1460)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from rightresponse.accounts.models import Agency
from rightresponse.core.dispatch import INCIDENT_STATUSES, UNIT_STATUSES
from rightresponse.people.models import Person
from rightresponse.triage.models import Call

USER = settings.AUTH_USER_MODEL

NOT_SERVED_REASONS = [
    ("off_hours", "Outside service hours"),
    ("out_of_area", "Outside service area"),
    ("none_available", "No unit available"),
]
OUTCOMES = [
    ("resolved_on_scene", "Resolved on scene"),
    ("transported", "Transported"),
    ("referred", "Referred to services"),
    ("report_taken", "Report taken"),
    ("arrest", "Arrest"),
    ("no_action_needed", "No action needed"),
]
LEADS = [("civilian", "Civilian"), ("police", "Police")]


class Unit(models.Model):
    """A team that can be sent: a patrol car, a crisis van, an EMS rig, an advocate."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="units")
    program = models.CharField(max_length=60, db_index=True, help_text="Protocol program id")
    kind = models.CharField(max_length=20, help_text="civilian, co_response, police, medical, fire")
    call_sign = models.CharField(max_length=30, unique=True)
    capabilities = models.JSONField(default=list, blank=True, help_text="e.g. CIT, EMT, clinician")
    areas = models.JSONField(default=list, blank=True, help_text="Precincts or beats; empty: all")
    polygon = models.JSONField(default=list, blank=True, help_text="[[lat, lon], ...] or empty")
    service_hours = models.CharField(max_length=120, default="24/7")
    status = models.CharField(
        max_length=20, choices=list(UNIT_STATUSES.items()), default="available", db_index=True
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["call_sign"]

    def __str__(self) -> str:
        return self.call_sign


class UnitMember(models.Model):
    """A person on a unit, with the capabilities dispatchers need to know (report ~1682:
    "CIT? EMT? CEW?"). Imported from the HR system (``rightresponse import-staff``)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="unit_members")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="unit_memberships"
    )
    employee_id = models.CharField(max_length=40)
    name = models.CharField(max_length=120)
    capabilities = models.JSONField(default=list, blank=True)
    shift = models.CharField(max_length=120, blank=True, help_text="e.g. Mon-Fri 10:00-18:00")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "employee_id"], name="member_employee_once")
        ]

    def __str__(self) -> str:
        return self.name


class Incident(models.Model):
    """A triaged call under management, from dispatch to close."""

    call = models.OneToOneField(
        Call, null=True, blank=True, on_delete=models.PROTECT, related_name="incident"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="incidents")
    status = models.CharField(
        max_length=20, choices=list(INCIDENT_STATUSES.items()), default="waiting", db_index=True
    )
    channel = models.CharField(max_length=10, default="911")
    call_type = models.CharField(max_length=60)
    initial_call_type = models.CharField(max_length=60)
    category = models.CharField(max_length=60, blank=True)
    initial_category = models.CharField(max_length=60, blank=True)
    tier = models.PositiveSmallIntegerField(null=True)
    initial_tier = models.PositiveSmallIntegerField(null=True)
    lead = models.CharField(max_length=10, blank=True, choices=LEADS)
    initial_lead = models.CharField(max_length=10, blank=True, choices=LEADS)
    priority = models.PositiveSmallIntegerField(default=3, help_text="1 most urgent, 5 least")
    programs = models.JSONField(default=list, blank=True, help_text="From the decision")
    escalated = models.BooleanField(default=False)
    deescalated = models.BooleanField(default=False)
    lead_switches = models.PositiveSmallIntegerField(default=0)
    address = models.CharField(max_length=200, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    area = models.CharField(max_length=60, blank=True, db_index=True)
    recommendation = models.JSONField(default=dict, blank=True)
    # Timestamps with their actors (answered/triaged actors are the call taker).
    received_at = models.DateTimeField(db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    triaged_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatched_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    en_route_at = models.DateTimeField(null=True, blank=True)
    en_route_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_scene_at = models.DateTimeField(null=True, blank=True)
    on_scene_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    backup_requested = models.BooleanField(default=False)
    imported_from = models.CharField(max_length=200, blank=True, help_text="EIDD tracking id")
    # When anything this incident's facts (contract 3) derive from last changed: the row
    # itself, and through dispatch.receivers its disposition, units, force reports,
    # not-served records, linked people and call. The metrics' facts snapshot
    # (performance.facts_snapshot) re-reads only the incidents stamped since it was built.
    facts_changed_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)

    class Meta:
        ordering = ["priority", "received_at"]
        indexes = [models.Index(fields=["status", "priority", "received_at"])]

    def __str__(self) -> str:
        return f"Incident {self.pk} {self.call_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every save stamps the facts as changed, also a save of a few fields.
        self.facts_changed_at = timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "facts_changed_at"}
        super().save(*args, **kwargs)


class Assignment(models.Model):
    """A unit on an incident. The partial unique index makes "a unit is never on two active
    incidents" a rule of the database itself, so it holds under any concurrency."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    active = models.BooleanField(default=True)
    primary = models.BooleanField(default=False)
    assigned_at = models.DateTimeField()
    assigned_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    recommended = models.BooleanField(default=True, help_text="Was the top recommendation")
    override_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(active=True), name="unit_one_active_assignment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} on incident {self.incident_id}"


class IncidentEvent(models.Model):
    """Every status change, reclassification, escalation, lead switch and override: who,
    when and why (report ~1423-1460 and the risk analysis at ~1137)."""

    KINDS = [
        ("created", "Created"),
        ("status", "Status change"),
        ("assign", "Unit assigned"),
        ("override", "Recommendation overridden"),
        ("release", "Unit released"),
        ("reclassify", "Reclassified"),
        ("escalation", "Escalated"),
        ("de-escalation", "De-escalated"),
        ("lead_switch", "Lead switched"),
        ("backup", "Backup requested"),
        ("person_link", "Person linked"),
        ("close", "Closed"),
        ("import", "Imported"),
    ]
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=KINDS)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_value = models.CharField(max_length=60, blank=True)
    to_value = models.CharField(max_length=60, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.from_value}->{self.to_value}"


class Disposition(models.Model):
    """How an incident ended (report ~1423-1460: call outcomes, service connections,
    referrals or transports)."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="disposition")
    disposition = models.CharField(max_length=120)
    outcome = models.CharField(max_length=20, choices=OUTCOMES)
    referrals_made = models.PositiveSmallIntegerField(default=0)
    service_connections = models.PositiveSmallIntegerField(default=0)
    notes = models.TextField(blank=True, max_length=2000)

    def __str__(self) -> str:
        return f"{self.outcome}: {self.disposition}"


class UseOfForceReport(models.Model):
    """Force used by any responder, police or not, linked to the incident so risk analysis
    can tie force back to the initial call classification (report ~1680)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="force_reports")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField()
    force_type = models.CharField(max_length=80)
    subject_injured = models.BooleanField(default=False)
    responder_injured = models.BooleanField(default=False)
    narrative = models.TextField(blank=True, max_length=4000)

    def __str__(self) -> str:
        return f"Use of force on incident {self.incident_id}: {self.force_type}"


class PersonLink(models.Model):
    ROLES = [("subject", "Subject"), ("caller", "Caller"), ("victim", "Victim"),
             ("witness", "Witness"), ("other", "Other")]  # fmt: skip
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="person_links")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="incident_links")
    role = models.CharField(max_length=10, choices=ROLES, default="subject")
    linked_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "person", "role"], name="person_link_once")
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.person_id} on incident {self.incident_id}"


class LocationHazard(models.Model):
    """A known hazard at a place. Dispatchers and responders see the flag ("violent
    propensity", "dog"); only some roles see the detail (report ~1680: "a flag in CAD ...
    would suffice")."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    address = models.CharField(max_length=200, blank=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    radius_m = models.PositiveIntegerField(default=50)
    flag = models.CharField(max_length=80)
    detail = models.TextField(blank=True, max_length=2000)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.flag} near {self.address or (self.latitude, self.longitude)}"


class EligibleNotServed(models.Model):
    """The alternative response was eligible but could not be sent, and why (Denver STAR,
    report ~1243): the record of missing alternative capacity."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="not_served")
    program = models.CharField(max_length=60)
    reason = models.CharField(max_length=20, choices=NOT_SERVED_REASONS)
    area = models.CharField(max_length=60, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "program"], name="not_served_once")
        ]

    def __str__(self) -> str:
        return f"{self.program} not served: {self.reason}"


class IdempotencyKey(models.Model):
    """A write's ``Idempotency-Key``: the first response is stored in the same transaction
    as the write, so a retried request returns it and does nothing twice."""

    key = models.CharField(max_length=100)
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=120)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once")]

    def __str__(self) -> str:
        return f"{self.key} ({self.scope})"
