"""Page forms: they parse and check input; services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms

from rightresponse.accounts.models import Agency
from rightresponse.core.ecosystem.consent import DATA_CATEGORIES, PURPOSES
from rightresponse.core.ecosystem.referrals import OUTCOME_REASONS
from rightresponse.web.fields import BoundedDateField, count_field, record_id_field

from .models import HealingPlan, Service


class ReferralForm(forms.Form):
    service = forms.ModelChoiceField(
        queryset=Service.objects.filter(
            status="active", accepts_referrals=True, organization__agency__isnull=False
        ).select_related("organization__agency"),
        label="Service",
    )
    source = forms.ChoiceField(
        choices=[
            ("incident", "An incident"),
            ("hotline", "A hotline call"),
            ("navigator", "A navigator"),
            ("provider", "A service provider"),
        ],
        label="Referred from",
    )
    incident_id = record_id_field(required=False, label="Incident number")
    incident_call_type = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)
    incident_category = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)
    call_id = record_id_field(required=False, label="Hotline call number")
    parent_id = record_id_field(required=False, widget=forms.HiddenInput)
    person_name = forms.CharField(required=False, max_length=200, label="Person's name")
    person_phone = forms.CharField(required=False, max_length=40, label="Person's phone")
    person_id = record_id_field(required=False, widget=forms.HiddenInput)
    family_name = forms.CharField(required=False, max_length=120, label="Or a family (name)")
    family_size = forms.IntegerField(required=False, min_value=1, max_value=30, label="Family size")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="What they need, in plain words",
    )

    consent_share = forms.BooleanField(
        required=False,
        label="The person agrees to share their name, phone and need with this provider",
    )
    consent_written = forms.BooleanField(required=False, label="Consent is written and signed")
    consent_person_present = forms.BooleanField(
        required=False, label="The person is here with me and gives this consent"
    )
    consent_until = BoundedDateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Consent until (required for victims)",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        named = data.get("person_id") or (data.get("person_name") or "").strip()
        if data.get("consent_share") and not named:
            self.add_error("consent_share", "Consent is recorded for a person: give their name.")
        if data.get("source") == "incident" and not data.get("incident_id"):
            self.add_error("incident_id", "A referral from an incident names the incident.")
        if data.get("source") == "hotline" and not data.get("call_id"):
            self.add_error("call_id", "A referral from a hotline call names the call.")
        if not named and not (data.get("family_name") or "").strip():
            self.add_error("person_name", "Refer a person (their name) or a family (name).")
        return data


class TransitionForm(forms.Form):
    status = forms.CharField(max_length=12)
    reason = forms.ChoiceField(
        choices=[("", "—")] + list(OUTCOME_REASONS.items()), required=False, label="Outcome"
    )
    note = forms.CharField(max_length=500, required=False)


class ContactForm(forms.Form):
    reached = forms.TypedChoiceField(
        choices=[("yes", "Reached"), ("no", "Not reached")], coerce=lambda v: v == "yes"
    )
    connected = forms.ChoiceField(
        choices=[("", "Not yet known"), ("yes", "Connected to a service"), ("no", "Not connected")],
        required=False,
    )
    note = forms.CharField(max_length=300, required=False)


class CapacityForm(forms.Form):
    available = count_field(label="Available now")
    maximum = count_field(required=False, label="Maximum")
    waitlist = count_field(required=False, label="Waitlist")


class ConsentForm(forms.Form):
    organisations = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        label="Share with",
    )
    purposes = forms.MultipleChoiceField(
        choices=list(PURPOSES.items()), widget=forms.CheckboxSelectMultiple, label="For"
    )
    data_categories = forms.MultipleChoiceField(
        choices=list(DATA_CATEGORIES.items()), widget=forms.CheckboxSelectMultiple, label="Data"
    )
    valid_until = BoundedDateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Until"
    )
    method = forms.ChoiceField(
        choices=[
            ("verbal", "Verbal"),
            ("written", "Written, signed"),
            ("electronic", "E-signature"),
        ]
    )
    informed = forms.BooleanField(
        required=False, label="The person was told what is shared, with whom and why"
    )
    person_present = forms.BooleanField(
        required=False, label="The person is here with me and gives this consent"
    )
    note = forms.CharField(max_length=300, required=False)


class HealingPlanForm(forms.Form):
    title = forms.CharField(max_length=200)
    event_summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    area = forms.CharField(max_length=60, required=False)
    incident_id = record_id_field(required=False, label="Incident number")
    occurred_on = BoundedDateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Date of the event"
    )
    level = forms.ChoiceField(choices=HealingPlan.LEVELS, label="Level of support")
    lead_agency = forms.ModelChoiceField(queryset=Agency.objects.filter(active=True))
    responsible_departments = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="One per line"
    )
    trusted_intermediaries = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Faith leaders, organisers, advocates: one per line",
    )
    actions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One per line: what | who | YYYY-MM-DD (date optional)",
    )
