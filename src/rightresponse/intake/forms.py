"""Forms of the intake pages: the public online report and the report taker's actions."""

from __future__ import annotations

from django import forms


class OnlineReportForm(forms.Form):
    """What a person reports online: what happened, where, and (optionally) how to reach
    them. Least information: no name or number is required."""

    description = forms.CharField(
        max_length=2000, label="What happened",
        widget=forms.Textarea(attrs={"rows": 5, "aria-describedby": "description-help"}),
    )  # fmt: skip
    address = forms.CharField(
        max_length=200, required=False, label="Where (address or place, optional)"
    )
    contact = forms.CharField(
        max_length=40, required=False, label="Phone number if you want a call back (optional)",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )  # fmt: skip
    # Not shown to people (moved off screen, out of the tab order); bots fill it in.
    website = forms.CharField(
        required=False, label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )  # fmt: skip


class CaseCloseForm(forms.Form):
    status = forms.ChoiceField(choices=[("completed", "Completed"), ("abandoned", "Abandoned")])
    note = forms.CharField(max_length=500, required=False)
    advised_direct = forms.BooleanField(required=False)


class CaseElevateForm(forms.Form):
    call_type = forms.CharField(max_length=60)
    reason = forms.CharField(max_length=500)
