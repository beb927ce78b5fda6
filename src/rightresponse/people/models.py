"""People involved in calls, incidents and referrals.

Least information (report "System Integration", ~1674-1676): a person record holds who
they are, how to reach them, behavioural flags and what works. It holds no diagnoses and
no criminal history; those stay in the systems of record of the agencies that own them.
"""

from __future__ import annotations

from django.db import models

from rightresponse.accounts.models import Agency
from rightresponse.core.age_bands import age_band


class Person(models.Model):
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="people")
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    preferred_language = models.CharField(max_length=40, blank=True)
    # Optional, self-reported, used only in aggregate for equity breakdowns (report ~374-379).
    gender = models.CharField(max_length=40, blank=True)
    race_ethnicity = models.CharField(max_length=80, blank=True)
    # What a responder may see: behaviour to expect and what has helped before.
    behavioural_flags = models.JSONField(default=list, blank=True)
    what_works = models.TextField(blank=True, max_length=2000)
    # Victims of domestic or sexual violence: stricter sharing rules (VAWA, FVPSA, VOCA).
    is_protected_victim = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip() or f"Person {self.pk}"

    @property
    def age_band(self) -> str:
        """The report's age bands for preventive outcomes, today (core/age_bands.py)."""
        from datetime import date

        return age_band(self.date_of_birth, date.today())
