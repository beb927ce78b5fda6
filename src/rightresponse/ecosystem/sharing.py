"""Every read and share of a person's data goes through here. The decision is the core's
one visibility rule (core.visibility.person_access: owner agency, consent, emergency tied
to an incident); this module gathers the facts, applies the answer and writes each read
to the audit log with its purpose and basis (report ~558, ~1668-1690)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from rightresponse.accounts.models import AuditEvent
from rightresponse.accounts.services import audit_record
from rightresponse.accounts.visibility import viewer_of
from rightresponse.core import visibility as vis
from rightresponse.core.ecosystem.consent import ConsentGrant, SharingDecision
from rightresponse.dispatch.access import CLOSED_STATUSES, incident_facts_of
from rightresponse.dispatch.models import Incident, PersonLink
from rightresponse.people.models import Person

from .models import Consent

User = AbstractBaseUser | AnonymousUser
FIELDS_BY_CATEGORY = vis.FIELDS_BY_CATEGORY
EMERGENCY_LOOK = "person_emergency"  # the audit object type of a deliberate emergency look
# The responder's screen refreshes every second: one audit row per person and incident
# in this window, not one per refresh (issue 10, item 9).
SCREEN_AUDIT_WINDOW = timedelta(minutes=10)


@dataclass
class PersonView:
    """What a user may see of a person, and why."""

    person_id: int
    access: vis.PersonAccess
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def decision(self) -> vis.PersonAccess:  # templates read view.decision.basis
        return self.access

    @property
    def display_name(self) -> str:
        name = f"{self.fields.get('given_name', '')} {self.fields.get('family_name', '')}".strip()
        return name or f"Person {self.person_id} (details withheld)"

    def may(self, category: str) -> bool:
        return category in self.access.categories


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


def person_facts(person: Person) -> vis.PersonFacts:
    return vis.PersonFacts(
        person_id=person.pk,
        owner_agency_id=person.owner_agency_id,
        protected_victim=person.is_protected_victim,
        grants=tuple(consent_grants(person)),
    )


def sharing_decision(
    person: Person, recipient_agency_id: int, *, purpose: str, wanted: frozenset[str]
) -> SharingDecision:
    """What an agency (not a user: e.g. the provider a referral is sent to) receives."""
    access = vis.person_access(
        vis.Viewer(
            user_id=None, agency_id=recipient_agency_id, agency_kind=None, roles=frozenset()
        ),
        person_facts(person),
        purpose=purpose,
        at=timezone.now(),
        wanted=wanted,
    )
    return SharingDecision(access.categories, access.basis, access.explanation, access.consent_id)


def _fields(person: Person, access: vis.PersonAccess) -> dict[str, Any]:
    return {name: getattr(person, name) for name in sorted(access.fields)}


def person_view(
    user: User,
    person: Person,
    *,
    purpose: str,
    wanted: frozenset[str] = vis.ALL_CATEGORIES,
    incident: Incident | None = None,
    emergency_look: bool = False,
    object_type: str = "person",
    object_id: object = None,
    audit_window: timedelta | None = None,
) -> PersonView:
    """Decide, audit and return what ``user`` may read of ``person`` for ``purpose``.

    ``incident``: the incident the user works on (emergency access needs the person
    linked to it). ``emergency_look``: a deliberate look (the person page's emergency
    view): counted against the hourly limit and flagged to supervisors."""
    viewer = viewer_of(user)
    facts = incident_facts_of(incident) if incident is not None else None
    linked = (
        incident is not None
        and PersonLink.objects.filter(incident=incident, person=person).exists()
    )
    now = timezone.now()
    looks = None
    if emergency_look:
        looks = AuditEvent.objects.filter(
            actor_id=viewer.user_id, object_type=EMERGENCY_LOOK, at__gte=now - timedelta(hours=1)
        ).count()
    access = vis.person_access(
        viewer,
        person_facts(person),
        purpose=purpose,
        at=now,
        wanted=wanted,
        incident=facts,
        linked=linked,
        emergency_looks=looks,
    )
    audit_record(
        user,
        "read",
        EMERGENCY_LOOK if emergency_look else object_type,
        object_id if object_id is not None else person.pk,
        person_id=person.pk,
        purpose=purpose,
        detail={
            "basis": access.basis,
            "fields": sorted(access.fields),
            "consent_id": access.consent_id,
            **({"incident_id": incident.pk} if incident is not None else {}),
        },
        alert=emergency_look,
        dedupe_window=audit_window,
    )
    return PersonView(person.pk, access, _fields(person, access))


def may_view_person_record(user: User, person: Person) -> bool:
    """Who may open a person's consent and access-log page (core.visibility)."""
    return vis.may_open_person_record(viewer_of(user), person_facts(person), timezone.now())


def person_for_reference(user: User, person_id: int) -> Person | None:
    """The person if ``user`` may name them (refer, link to an incident), else None,
    exactly as for a missing id."""
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        return None
    if not vis.may_reference_person(viewer_of(user), person_facts(person), timezone.now()):
        return None
    return person


def incident_people_views(
    user: User, incident: Incident, *, audit_window: timedelta | None = None
) -> list[tuple[PersonLink, PersonView]]:
    """Everyone linked to ``incident`` as far as the rule lets ``user`` see them, each
    read audited (emergency purpose: the user must be on the open incident)."""
    return [
        (
            link,
            person_view(
                user,
                link.person,
                purpose=vis.EMERGENCY_PURPOSE,
                incident=incident,
                object_type="incident_person",
                object_id=incident.pk,
                audit_window=audit_window,
            ),
        )
        for link in incident.person_links.select_related("person").order_by("id")
    ]


REFERRAL_WANTED = frozenset({"identity", "contact", "needs"})


def referral_person_view(user: User, referral: Any) -> PersonView | None:
    """Open a referral: the person as far as the rule allows, audited; a family referral
    (a family name and the reason, no person record) is personal data too, and audited."""
    if referral.person is not None:
        return person_view(
            user,
            referral.person,
            purpose="referral",
            wanted=REFERRAL_WANTED,
            object_type="referral",
            object_id=referral.pk,
        )
    if referral.family_name or referral.reason:
        audit_record(user, "read", "referral", referral.pk, purpose="referral (family)")
    return None


def may_record_consent(user: User, person: Person) -> bool:
    """Whether the user's agency records this person's consent (with the person present)."""
    return vis.may_record_consent(viewer_of(user), person_facts(person), person_present=True)


def emergency_incident(user: User, person: Person) -> Incident | None:
    """An open incident the person is linked to and the user is assigned to or
    dispatching (core.visibility.on_incident), or None."""
    viewer = viewer_of(user)
    for incident in (
        Incident.objects.filter(person_links__person=person)
        .exclude(status__in=CLOSED_STATUSES)
        .distinct()
    ):
        if vis.on_incident(viewer, incident_facts_of(incident)):
            return incident
    return None


def people_visible(user: User, qs: Any = None) -> Any:
    """The people whose record ``user`` may open, as a query (the list form of
    core.visibility.may_open_person_record: owner agency, current consent, administrators)."""
    from django.db.models import Q

    qs = Person.objects.all() if qs is None else qs
    viewer = viewer_of(user)
    if viewer.is_admin:
        return qs
    if viewer.agency_id is None:
        return qs.none()
    now = timezone.now()
    consented = (
        Consent.objects.filter(organisations__id=viewer.agency_id, valid_from__lte=now)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=now))
        .values("person_id")
    )
    return qs.filter(Q(owner_agency_id=viewer.agency_id) | Q(pk__in=consented))
