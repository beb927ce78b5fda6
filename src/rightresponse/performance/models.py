"""Storage of the performance pillar: values entered by hand (surveys, HR figures,
programme reports), targets and baselines for scorecards, and CitiStat meetings with
their action items. Metric definitions live in the catalog file, not in the database;
rows refer to a metric by its catalog id."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class EnteredValue(models.Model):
    """One value of an entered metric for a period, city-wide or for an area or group,
    with who entered it and when (report lines 2193-2195: programmes report metrics)."""

    metric_id = models.CharField(max_length=80, db_index=True)
    period_start = models.DateField()
    period_end = models.DateField(help_text="Last day of the period (inclusive).")
    area = models.CharField(max_length=80, blank=True, default="")
    dimension = models.CharField(max_length=40, blank=True, default="")
    group = models.CharField(max_length=80, blank=True, default="")
    value = models.FloatField()
    note = models.CharField(max_length=300, blank=True, default="")
    source = models.CharField(max_length=200, help_text="The form, or the file and row.")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["metric_id", "-period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric_id", "period_start", "period_end", "area", "dimension", "group"],
                name="performance_one_value_per_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric_id} {self.period_start}..{self.period_end}: {self.value}"


class MetricTarget(models.Model):
    """Baseline, target and the story behind the curve (RBA turn-the-curve) of a metric
    on a scorecard: city-wide, for an area or for a programme."""

    SCOPES = [("city", "City-wide"), ("area", "Area"), ("programme", "Programme")]

    metric_id = models.CharField(max_length=80, db_index=True)
    scope = models.CharField(max_length=10, choices=SCOPES, default="city")
    scope_name = models.CharField(max_length=80, blank=True, default="")
    baseline = models.FloatField(null=True, blank=True)
    baseline_label = models.CharField(max_length=60, blank=True, default="")
    target = models.FloatField(null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    story = models.TextField(
        blank=True, default="", help_text="The story behind the curve: causes and forces at work."
    )
    action_plan = models.TextField(blank=True, default="", help_text="What works; what we will do.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["metric_id", "scope", "scope_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric_id", "scope", "scope_name"], name="performance_one_target"
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric_id} ({self.scope} {self.scope_name})"


class CitiStatMeeting(models.Model):
    """A CitiStat-style management meeting (report line 550) reviewing a period."""

    title = models.CharField(max_length=200)
    committee = models.CharField(max_length=40, blank=True, default="")
    held_on = models.DateField()
    period_start = models.DateField()
    period_end = models.DateField(help_text="Last day of the period reviewed (inclusive).")
    notes = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"


class ActionItem(models.Model):
    """A commitment made at a meeting; open items are carried to the next meeting."""

    OPEN, DONE, CARRIED, DROPPED = "open", "done", "carried", "dropped"
    STATUSES = [
        (OPEN, "Open"),
        (DONE, "Done"),
        (CARRIED, "Carried to the next meeting"),
        (DROPPED, "Dropped"),
    ]

    meeting = models.ForeignKey(CitiStatMeeting, on_delete=models.CASCADE, related_name="items")
    metric_id = models.CharField(max_length=80, blank=True, default="")
    description = models.CharField(max_length=500)
    owner = models.CharField(max_length=120)
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=STATUSES, default=OPEN)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def times_carried(self) -> int:
        count, item = 0, self.carried_from
        while item is not None and count < 50:
            count, item = count + 1, item.carried_from
        return count
