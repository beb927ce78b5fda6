"""Forms of the performance pages (validation of shape; the catalog rules are in services)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms

from rightresponse.core.metrics.facts import DIMENSIONS
from rightresponse.web.fields import BoundedDateField

from .models import ActionItem, MetricTarget
from .selectors import Period, default_period, metrics_catalog


class PeriodFilterForm(forms.Form):
    start = BoundedDateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = BoundedDateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    area = forms.CharField(required=False, max_length=80)
    category = forms.CharField(required=False, max_length=80, label="Incident category")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end is before the start.")
        return data

    def period(self) -> Period:
        fallback = default_period()
        if not self.is_valid():
            return fallback
        end: date = self.cleaned_data.get("end") or fallback.end
        # a year back by days: end.replace(year=...) fails on 29 February
        start: date = self.cleaned_data.get("start") or end - timedelta(days=364)
        return Period(start, end)


def _entered_choices() -> list[tuple[str, str]]:
    return [(m.id, f"{m.wording[:80]} (L{m.line})") for m in metrics_catalog() if not m.computed]


class EnteredValueForm(forms.Form):
    metric_id = forms.ChoiceField(label="Metric", choices=())
    period_start = BoundedDateField(widget=forms.DateInput(attrs={"type": "date"}))
    period_end = BoundedDateField(
        widget=forms.DateInput(attrs={"type": "date"}), help_text="Last day of the period."
    )
    value = forms.FloatField()
    area = forms.CharField(required=False, max_length=80, help_text="Leave empty for city-wide.")
    dimension = forms.ChoiceField(required=False, choices=(), label="Breakdown (optional)")
    group = forms.CharField(required=False, max_length=80, label="Group within the breakdown")
    note = forms.CharField(required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric_id"].choices = _entered_choices()
        self.fields["dimension"].choices = [("", "—")] + [(k, v[0]) for k, v in DIMENSIONS.items()]


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: metric_id, period_start, period_end, value; optional area, dimension, group, note.",
    )


class TargetForm(forms.ModelForm):
    class Meta:
        model = MetricTarget
        fields = [
            "scope",
            "scope_name",
            "baseline",
            "baseline_label",
            "target",
            "target_date",
            "story",
            "action_plan",
        ]
        field_classes = {"target_date": BoundedDateField}
        widgets = {
            "target_date": forms.DateInput(attrs={"type": "date"}),
            "story": forms.Textarea(attrs={"rows": 3}),
            "action_plan": forms.Textarea(attrs={"rows": 3}),
        }


class MeetingForm(forms.Form):
    title = forms.CharField(max_length=200)
    committee = forms.ChoiceField(required=False, choices=())
    held_on = BoundedDateField(widget=forms.DateInput(attrs={"type": "date"}))
    period_start = BoundedDateField(widget=forms.DateInput(attrs={"type": "date"}))
    period_end = BoundedDateField(widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].choices = [("", "All committees")] + [
            (c.id, c.name) for c in metrics_catalog().committees.values()
        ]


class ActionItemForm(forms.Form):
    description = forms.CharField(max_length=500)
    owner = forms.CharField(max_length=120)
    due_on = BoundedDateField(widget=forms.DateInput(attrs={"type": "date"}))
    metric_id = forms.ChoiceField(required=False, choices=(), label="Metric (optional)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric_id"].choices = [("", "—")] + [
            (m.id, m.wording[:70]) for m in metrics_catalog()
        ]


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (ActionItem.OPEN, "Open"),
            (ActionItem.DONE, "Done"),
            (ActionItem.DROPPED, "Dropped"),
        ]
    )


class EvaluationForm(forms.Form):
    metric_id = forms.ChoiceField(label="Metric", choices=())
    pilot_areas = forms.CharField(
        max_length=300, help_text="Comma-separated areas where the pilot ran."
    )
    comparison_areas = forms.CharField(
        max_length=300,
        required=False,
        help_text="Comma-separated similar areas without the pilot (empty: pre/post only).",
    )
    pilot_start = BoundedDateField(
        widget=forms.DateInput(attrs={"type": "date"}), help_text="First day of the pilot."
    )
    months = forms.IntegerField(
        min_value=2, max_value=24, initial=6, help_text="Months before and after."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric_id"].choices = [
            (m.id, m.wording[:80]) for m in metrics_catalog() if m.computed
        ]
