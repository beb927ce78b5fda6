"""Storage of the plan pillar. The action steps themselves (titles, phases, areas,
categories, report lines, metrics) live in the plan file (catalog/plan.yaml); the database
keeps one row per action title and per step, mirrored from the file by ``plan_sync`` so that
other records can point at them, and what the city does with them: owners, status, dates,
milestones, evidence, pilots, history, links to CitiStat action items and public comments."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rightresponse.core.plan.progress import NOT_STARTED, STATUSES


class Action(models.Model):
    """An action title (report 2445-2774); it recurs across phases as several steps."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Step(models.Model):
    """An action in one phase: what a committee owns and reports progress on."""

    code = models.CharField(max_length=20, unique=True)  # P1-GOV-01
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="steps")
    phase = models.CharField(max_length=4)
    area = models.CharField(max_length=20)
    category = models.CharField(max_length=4)
    summary = models.TextField()
    report_line_start = models.PositiveIntegerField()
    report_line_end = models.PositiveIntegerField()
    in_plan_file = models.BooleanField(default=True)
    status = models.CharField(
        max_length=12, choices=list(STATUSES.items()), default=NOT_STARTED, db_index=True
    )
    committee = models.CharField(max_length=120, blank=True, default="")
    executive_sponsor = models.CharField(max_length=120, blank=True, default="")
    agency = models.CharField(max_length=120, blank=True, default="")
    start_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    public_note = models.CharField(
        max_length=500, blank=True, default="", help_text="Shown on the public dashboard."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.action.title}"


class StepChange(models.Model):
    """The history of a step: every change of status, owner or date, who and when."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    field = models.CharField(max_length=40)
    old = models.CharField(max_length=500, blank=True, default="")
    new = models.CharField(max_length=500, blank=True, default="")
    note = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old} -> {self.new}"

    @property
    def old_display(self) -> str:
        return STATUSES.get(self.old, self.old) if self.field == "status" else self.old

    @property
    def new_display(self) -> str:
        return STATUSES.get(self.new, self.new) if self.field == "status" else self.new


class Milestone(models.Model):
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class Evidence(models.Model):
    """A link to what shows the work: a published plan, an ordinance, a report."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500)
    public = models.BooleanField(default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-added_at", "-id"]

    def __str__(self) -> str:
        return self.title


class CitiStatLink(models.Model):
    """A CitiStat action item (performance pillar) that serves a plan step; kept here so
    the performance pillar's tables do not change."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="citistat_links")
    item = models.OneToOneField(
        "performance.ActionItem", on_delete=models.CASCADE, related_name="plan_link"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"item {self.item_id} -> step {self.step_id}"


class Pilot(models.Model):
    """A pilot of a step (report 364-372: pilot, document, evaluate, then scale)."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="pilots")
    name = models.CharField(max_length=200)
    hypothesis = models.TextField()
    start_on = models.DateField()
    end_on = models.DateField()
    metric_id = models.CharField(max_length=80, help_text="Catalog metric the pilot should move.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start_on", "id"]

    def __str__(self) -> str:
        return self.name


class PilotArm(models.Model):
    """Where, when and for which calls the pilot runs, or the comparison it is held to."""

    PILOT, COMPARISON = "pilot", "comparison"
    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="arms")
    role = models.CharField(max_length=12, choices=[(PILOT, "Pilot"), (COMPARISON, "Comparison")])
    areas = models.CharField(max_length=300)
    hours = models.CharField(max_length=120, blank=True, default="")
    call_types = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["pilot", "role", "id"]

    def __str__(self) -> str:
        return f"{self.role}: {self.areas}"


class PilotObservation(models.Model):
    """One period's value of the pilot's metric in an arm, before or after the start;
    the evaluation (pre/post, difference-in-differences) is computed from these."""

    arm = models.ForeignKey(PilotArm, on_delete=models.CASCADE, related_name="observations")
    period_start = models.DateField()
    value = models.FloatField()

    class Meta:
        ordering = ["arm", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["arm", "period_start"], name="plan_one_obs_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.period_start}: {self.value}"


class PublicComment(models.Model):
    """A comment from the public on the progress dashboard: shown only once a moderator
    approves it. ``source_hash`` (a salted hash of the address) throttles, never identifies."""

    PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
    step = models.ForeignKey(
        Step, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    name = models.CharField(max_length=80, blank=True, default="")
    body = models.TextField(max_length=2000)
    status = models.CharField(
        max_length=10,
        choices=[(PENDING, "Pending"), (APPROVED, "Approved"), (REJECTED, "Rejected")],
        default=PENDING,
        db_index=True,
    )
    source_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.body[:60]
