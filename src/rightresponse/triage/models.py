"""A call for service and the triage decision made for it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rightresponse.accounts.models import Agency
from rightresponse.people.models import Person


class Call(models.Model):
    CHANNELS = [
        ("911", "911"),
        ("311", "311"),
        ("988", "988 crisis line"),
        ("hotline", "Other hotline"),
        ("online", "Online report"),
        ("direct", "Direct to a program"),
        ("officer", "Officer-initiated"),
    ]

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="calls")
    received_at = models.DateTimeField(db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # False when no phone system or queue said when the call arrived, so received_at is
    # the answer time and the time to answer is not measurable (not 0).
    answer_wait_measured = models.BooleanField(default=False)
    # Triage start: the call taker's first choice of a call type (the page's own event);
    # triage end: ``triaged_at``, when the decision was stored.
    triage_started_at = models.DateTimeField(null=True, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=CHANNELS, default="911")
    # Personal data: shown only to roles that handle the call; reads are audited.
    caller_name = models.CharField(max_length=120, blank=True)
    caller_phone = models.CharField(max_length=40, blank=True)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    address = models.CharField(max_length=200, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    area = models.CharField(max_length=60, blank=True, db_index=True, help_text="Precinct or beat")
    call_type = models.CharField(max_length=60, db_index=True)
    answers = models.JSONField(default=dict, blank=True)
    narrative = models.TextField(blank=True, max_length=4000)
    # The decision, stored whole, with the protocol version that made it.
    decision = models.JSONField(default=dict, blank=True)
    protocol_version = models.CharField(max_length=60, blank=True)
    tier = models.PositiveSmallIntegerField(null=True, db_index=True)
    lead = models.CharField(max_length=10, blank=True)
    risk_score = models.PositiveSmallIntegerField(null=True)
    risk_band = models.CharField(max_length=20, blank=True)
    screened_out = models.BooleanField(default=False)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"Call {self.pk} {self.call_type} tier {self.tier}"


class Reassessment(models.Model):
    """The re-assessment loop (report line 1137, step 7): when an incident is reclassified,
    the protocol decides its call again under the new call type with what is known, and
    the decision and risk before and after are kept side by side. ``tier_applied`` is the
    tier the dispatcher actually set (None: left as it was)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="reassessments")
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    reason = models.CharField(max_length=500)
    call_type_before = models.CharField(max_length=60)
    call_type_after = models.CharField(max_length=60)
    decision_before = models.JSONField(default=dict)
    decision_after = models.JSONField(default=dict)
    tier_applied = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"Re-assessment of call {self.call_id}: {self.call_type_before} -> {self.call_type_after}"
