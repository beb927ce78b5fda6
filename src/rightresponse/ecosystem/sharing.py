"""Every read and share of a person's data goes through here: consent and the sharing
rules decide which categories flow (core.ecosystem.consent), and each decision is written
to the audit log with its purpose and basis (report ~558, ~1668-1690)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from rightresponse.accounts.selectors import user_agency
from rightresponse.accounts.services import audit_record
from rightresponse.core.ecosystem.consent import (
    ConsentGrant,
    SharingDecision,
    SharingRequest,
    decide_sharing,
)
from rightresponse.people.models import Person

from .models import Consent

FIELDS_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "identity": ("given_name", "family_name", "date_of_birth"),
    "contact": ("phone",),
    "safety": ("behavioural_flags", "what_works"),
    "demographics": ("preferred_language", "gender", "race_ethnicity"),
}
NO_AGENCY = -1


@dataclass
class PersonView:
    """What a user may see of a person, and why."""

    person_id: int
    decision: SharingDecision
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def display_name(self) -> str:
        name = f"{self.fields.get('given_name', '')} {self.fields.get('family_name', '')}".strip()
        return name or f"Person {self.person_id} (details withheld)"

    def may(self, category: str) -> bool:
        return category in self.decision.categories


def consent_grants(person: Person) -> list[ConsentGrant]:
    return [
        ConsentGrant(
            consent_id=c.pk,
            organisation_ids=frozenset(a.pk for a in c.organisations.all()),
            purposes=frozenset(c.purposes),
            data_categories=frozenset(c.data_categories),
            valid_from=c.valid_from,
            valid_until=c.valid_until,
            revoked_at=c.revoked_at,
            informed=c.informed,
            written=c.written,
        )
        for c in Consent.objects.filter(person=person).prefetch_related("organisations")
    ]


def sharing_decision(
    person: Person,
    recipient_agency_id: int,
    *,
    purpose: str,
    wanted: frozenset[str],
    emergency: bool = False,
) -> SharingDecision:
    request = SharingRequest(
        owner_agency_id=person.owner_agency_id,
        recipient_agency_id=recipient_agency_id,
        purpose=purpose,
        data_categories=wanted,
        at=timezone.now(),
        protected_victim=person.is_protected_victim,
        emergency=emergency,
    )
    return decide_sharing(request, consent_grants(person))


def person_view(
    user: AbstractBaseUser | AnonymousUser,
    person: Person,
    *,
    purpose: str,
    wanted: frozenset[str] = frozenset(FIELDS_BY_CATEGORY),
    emergency: bool = False,
    object_type: str = "person",
    object_id: object = None,
) -> PersonView:
    """Decide, audit and return what ``user`` may read of ``person`` for ``purpose``."""
    agency = user_agency(user)
    decision = sharing_decision(
        person,
        agency.pk if agency else NO_AGENCY,
        purpose=purpose,
        wanted=wanted,
        emergency=emergency,
    )
    fields = {
        name: getattr(person, name)
        for category in sorted(decision.categories)
        for name in FIELDS_BY_CATEGORY.get(category, ())
    }
    audit_record(
        user,
        "read",
        object_type,
        object_id if object_id is not None else person.pk,
        person_id=person.pk,
        purpose=purpose,
        detail={
            "basis": decision.basis,
            "categories": sorted(decision.categories),
            "consent_id": decision.consent_id,
        },
    )
    return PersonView(person.pk, decision, fields)


def may_view_person_record(user: AbstractBaseUser | AnonymousUser, person: Person) -> bool:
    """Who may open a person's consent and access-log page: the agency that owns the
    record, an agency the person has currently consented to, or an administrator."""
    from rightresponse.accounts.roles import ADMINISTRATOR
    from rightresponse.accounts.selectors import user_has_role

    if user_has_role(user, ADMINISTRATOR):
        return True
    agency = user_agency(user)
    if agency is None:
        return False
    if agency.pk == person.owner_agency_id:
        return True
    now = timezone.now()
    return any(
        agency.pk in g.organisation_ids and g.current_at(now) for g in consent_grants(person)
    )
