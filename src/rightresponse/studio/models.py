"""Protocol versions: drafts an author edits, and the approved schedule live triage reads.

A version's YAML text is the whole protocol (the same format as protocols/default.yaml and
validated by the same schema). Once submitted the text is frozen; once approved it is part
of the schedule: live triage uses the latest approved version whose ``effective_at`` has
passed (``studio.live``), and every call records the version string that decided it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class ProtocolVersion(models.Model):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"  # in the schedule, effective in the future when approved
    PUBLISHED = "published"  # in the schedule, effective when approved (or a rollback)
    RETIRED = "retired"  # taken out of the schedule before it took effect (by a rollback)
    STATUSES = [
        (DRAFT, "Draft"),
        (SUBMITTED, "Submitted for approval"),
        (APPROVED, "Approved (scheduled)"),
        (PUBLISHED, "Published"),
        (RETIRED, "Retired"),
    ]
    SCHEDULED = (APPROVED, PUBLISHED)

    yaml_text = models.TextField()
    # The protocol's own ``version:`` and ``name:`` as last saved ('' while the YAML does
    # not parse); the version string is what each call records.
    version_label = models.CharField(max_length=60, blank=True, db_index=True)
    name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=DRAFT, db_index=True)
    note = models.TextField(blank=True, max_length=4000, help_text="What changed and why")
    # Validation and the example calls, re-run on every save.
    valid = models.BooleanField(default=False)
    problems = models.JSONField(default=list, blank=True)
    example_results = models.JSONField(default=list, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    rollback_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    # Everyone who wrote the text: none of them may approve it (two-person rule).
    editors = models.ManyToManyField(USER, blank=True, related_name="+")
    submitted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approver = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    effective_at = models.DateTimeField(null=True, blank=True, db_index=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Protocol version {self.pk} {self.version_label or '(unparsed)'} ({self.status})"

    @property
    def examples_passed(self) -> int:
        return sum(1 for r in self.example_results if r.get("passed"))


class ScheduleRevision(models.Model):
    """One row whose counter rises with every change to the schedule (approve, rollback,
    retire): each live call reads it (one indexed query) and reloads the schedule only
    when it moved, so a change takes effect in every process without a restart."""

    counter = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Protocol schedule revision {self.counter}"
