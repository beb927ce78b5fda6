"""What a call becomes when it needs no field response: a virtual case (Tier 0, report
lines 1153, 1168-1172, 1588), tracked from initiated to completed, abandoned or elevated."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rightresponse.accounts.models import Agency
from rightresponse.triage.models import Call

# The lifecycle (core/intake.py holds which may follow which).
CASE_STATUSES = [
    ("initiated", "Initiated"),
    ("completed", "Completed"),
    ("abandoned", "Abandoned"),
    ("elevated", "Elevated to a field response"),
]


class VirtualCase(models.Model):
    """A Tier 0 call handled without sending anyone: a report taken by phone or online,
    information, or a referral. ``elevated`` links the incident it became."""

    call = models.OneToOneField(Call, on_delete=models.PROTECT, related_name="virtual_case")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="virtual_cases")
    channel = models.CharField(max_length=10, choices=Call.CHANNELS)
    status = models.CharField(
        max_length=10, choices=CASE_STATUSES, default="initiated", db_index=True
    )
    opened_at = models.DateTimeField(db_index=True)
    # The phone-report queue: when a report taker took the case (the caller answered).
    taken_at = models.DateTimeField(null=True, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    note = models.CharField(max_length=500, blank=True)
    # The caller was told how to report this kind of thing directly next time (online or
    # 311) instead of calling 911 (report lines 1168-1172).
    advised_direct = models.BooleanField(default=False)
    # Online reports: a salted hash of the sender's address, to throttle spam; it never
    # identifies anyone (the same rule as public comments on the plan dashboard).
    source_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # The incident the case became when a field response was needed after all.
    elevated_incident = models.OneToOneField(
        "dispatch.Incident", null=True, blank=True, on_delete=models.PROTECT,
        related_name="elevated_from_case",
    )  # fmt: skip

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"Virtual case {self.pk} ({self.status})"


HOTLINES = [("988", "988 crisis line"), ("311", "311"), ("211", "211")]
HANDOFFS = [("warm", "Warm (stays on the line until the hotline answers)"), ("cold", "Cold")]
TRANSFER_STATUSES = [
    ("requested", "Requested"),
    ("accepted", "Accepted"),
    ("declined", "Declined"),
    ("closed", "Closed with an outcome"),
    ("handed_back", "Handed back to 911"),
]
TRANSFER_OUTCOMES = [
    ("resolved", "Resolved by the hotline"),
    ("referred", "Referred to a service"),
    ("no_contact", "Caller could not be reached"),
]


class HotlineTransfer(models.Model):
    """A 911 call transferred to a hotline (988, 311, 211; report lines 1166, 1491), and
    what became of it: accepted or declined, its outcome, or a hand-back to 911 when the
    hotline finds that a civilian, co-response or police response is needed, which is a new
    call linked to the original one."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="transfers_out")
    from_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="transfers_in")
    hotline = models.CharField(max_length=3, choices=HOTLINES)
    handoff = models.CharField(max_length=4, choices=HANDOFFS)
    status = models.CharField(
        max_length=12, choices=TRANSFER_STATUSES, default="requested", db_index=True
    )
    requested_at = models.DateTimeField(db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    answered_at = models.DateTimeField(null=True, blank=True)  # accepted or declined
    declined_reason = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=12, choices=TRANSFER_OUTCOMES, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    hand_back_call = models.OneToOneField(
        Call, null=True, blank=True, on_delete=models.PROTECT, related_name="handed_back_from"
    )
    hand_back_reason = models.CharField(max_length=500, blank=True)
    # The hotline's own reference for the contact, so its system can match records.
    external_ref = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Transfer {self.pk} to {self.hotline} ({self.status})"


ONLINE_STATUSES = [
    ("initiated", "Started"),
    ("completed", "Sent"),
    ("elevated", "Sent to 911 (someone may need help now)"),
]


class OnlineReport(models.Model):
    """One use of the public report form, from the moment a person starts a report
    (chooses what to report) to sending it (report lines 1387-1389: reports initiated and
    completed). No personal data: the kind of report, when, and what became of it.
    ``abandoned`` is not stored: a report still ``initiated`` after
    ``core.intake.ONLINE_ABANDON_AFTER`` reads as abandoned (decided on read, no job)."""

    call_type = models.CharField(max_length=60)
    category = models.CharField(max_length=60, blank=True)
    started_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=ONLINE_STATUSES, default="initiated")
    finished_at = models.DateTimeField(null=True, blank=True)
    # The same salted hash as the virtual case's: throttles starts from one address.
    source_hash = models.CharField(max_length=64, blank=True, db_index=True)
    case = models.OneToOneField(
        VirtualCase, null=True, blank=True, on_delete=models.PROTECT, related_name="online_report"
    )

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Online report {self.pk} ({self.status})"
