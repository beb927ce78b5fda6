"""Forms of the plan pages (parsing and field messages only; the rules are in services)."""

from __future__ import annotations

from django import forms

from rightresponse.core.plan.progress import STATUSES


class StepForm(forms.Form):
    status = forms.ChoiceField(choices=list(STATUSES.items()))
    committee = forms.CharField(max_length=120, required=False)
    executive_sponsor = forms.CharField(
        max_length=120,
        required=False,
        help_text="An office, e.g. Commissioner of Community Safety.",
    )
    agency = forms.CharField(max_length=120, required=False)
    start_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    due_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    done_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    public_note = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(
        max_length=500,
        required=False,
        label="Why (kept in the history)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(max_length=200)
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class EvidenceForm(forms.Form):
    title = forms.CharField(max_length=200)
    url = forms.URLField(max_length=500, assume_scheme="https")
    public = forms.BooleanField(required=False, initial=True, label="Show on the public dashboard")


class LinkForm(forms.Form):
    item = forms.IntegerField(label="CitiStat action item")


class CommentForm(forms.Form):
    name = forms.CharField(max_length=80, required=False, label="Your name (optional, shown)")
    body = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 4}), label="Comment"
    )
    step = forms.ChoiceField(required=False, label="About (optional)")
    # Not shown to people (hidden by CSS, labelled "leave empty"); bots fill it in.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        # Out of the tab order and the accessibility tree: people never reach it.
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(
        self, *args: object, steps: list[tuple[str, str]] | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["step"].choices = [("", "The plan as a whole"), *(steps or [])]  # type: ignore[attr-defined]


class PilotForm(forms.Form):
    name = forms.CharField(max_length=200)
    hypothesis = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    start_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    metric_id = forms.CharField(max_length=80, label="Metric it should move (catalog id)")
    pilot_areas = forms.CharField(max_length=300, label="Pilot: areas")
    pilot_hours = forms.CharField(max_length=120, required=False, label="Pilot: hours")
    pilot_call_types = forms.CharField(max_length=300, required=False, label="Pilot: call types")
    comparison_areas = forms.CharField(
        max_length=300, required=False, label="Comparison: areas (for difference-in-differences)"
    )


class ObservationsForm(forms.Form):
    values = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="One period a line: first day, value (e.g. 2026-03-01, 12.5)",
    )
