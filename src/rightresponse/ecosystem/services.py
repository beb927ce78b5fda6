"""Writes of the ecosystem pillar: referrals and their lifecycle, second response, consent,
capacity and community healing plans. Each write checks who may make it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from rightresponse.accounts.models import Agency
from rightresponse.accounts.roles import ADMINISTRATOR
from rightresponse.accounts.selectors import user_agency, user_has_role
from rightresponse.accounts.services import audit_record
from rightresponse.accounts.visibility import viewer_of
from rightresponse.core import visibility as vis
from rightresponse.core.ecosystem import referrals as states
from rightresponse.core.ecosystem.consent import ConsentError, validate_grant
from rightresponse.core.ecosystem.referrals import Side, check_transition
from rightresponse.people.models import Person
from rightresponse.triage.models import Call

from . import config
from .models import (
    Consent,
    HealingAction,
    HealingPlan,
    Organization,
    Referral,
    ReferralEvent,
    Service,
)
from .sharing import consent_grants, person_facts, person_for_reference, sharing_decision

log = logging.getLogger(__name__)
User = AbstractBaseUser | AnonymousUser
REFERRAL_SHARE = frozenset({"identity", "contact", "needs"})


class InvalidInput(ValueError):
    """Bad input to an ecosystem write: the message names the field and the reason."""


class ReferralError(InvalidInput):
    """Bad input for a referral."""


class ReferenceNotFound(ReferralError):
    """A record the request names does not exist (the API answers 404, issue 20)."""


def referral_side(user: User, referral: Referral) -> Side:
    """Whether ``user`` acts for the provider (receiving agency) or the referrer."""
    agency = user_agency(user)
    if agency is not None and agency.pk == referral.to_agency_id:
        return "provider"
    if agency is not None and agency.pk == referral.from_agency_id:
        return "referrer"
    raise PermissionDenied(
        "Only the referring agency and the receiving provider act on a referral."
    )


def _event(
    referral: Referral,
    user: User | None,
    at: datetime,
    from_status: str,
    to_status: str,
    reason: str = "",
    note: str = "",
) -> None:
    actor = user if user is not None and user.is_authenticated else None
    ReferralEvent.objects.create(
        referral=referral,
        at=at,
        actor=actor,
        actor_agency=user_agency(actor) if actor is not None else None,
        from_status=from_status,
        to_status=to_status,
        outcome_reason=reason,
        note=note[:500],
    )


@transaction.atomic
def referral_create(
    *,
    user: User | None,
    source: str,
    service: Service | None = None,
    to_agency: Agency | None = None,
    person: Person | None = None,
    family_name: str = "",
    family_size: int | None = None,
    reason: str = "",
    incident_id: int | None = None,
    incident_category: str = "",
    incident_call_type: str = "",
    call: Call | None = None,
    parent: Referral | None = None,
    send: bool = True,
    from_agency: Agency | None = None,
    due_at: datetime | None = None,
    is_second_response: bool = False,
    follow_up_kind: str = "",
    at: datetime | None = None,
) -> Referral:
    if source not in dict(Referral.SOURCES):
        raise ReferralError(f"source: '{source}' is not one of {', '.join(dict(Referral.SOURCES))}")
    if service is not None:
        if service.status != "active" or not service.accepts_referrals:
            raise ReferralError(f"service: {service.name} is not taking referrals")
        if service.organization.agency_id is None:
            raise ReferralError(f"service: {service.name} has no agency to receive referrals")
        to_agency = service.organization.agency
    if to_agency is None:
        raise ReferralError("service: choose the service to refer to")
    if source == "incident" and incident_id is None:
        raise ReferralError("incident_id: a referral from an incident names the incident")
    if source == "hotline" and call is None:
        raise ReferralError("call_id: a referral from a hotline call names the call")
    if person is None and not family_name.strip() and not is_second_response:
        raise ReferralError("person: refer a person or a family (give the family name)")
    if from_agency is None:
        from_agency = user_agency(user) if user is not None else None
    if from_agency is None:
        raise ReferralError("from_agency: the referring user belongs to no agency")
    now = at or timezone.now()
    if incident_id is not None:
        # One provider, one referral per incident (issue 16): a field referral and the
        # automatic second response to the same provider become one referral.
        open_one = (
            Referral.objects.select_for_update()
            .filter(incident_id=incident_id, to_agency=to_agency, status__in=states.OPEN)
            .order_by("created_at")
            .first()
        )
        if open_one is not None:
            return _merge(open_one, user, now, person=person, service=service, reason=reason,
                          family_name=family_name, is_second_response=is_second_response,
                          follow_up_kind=follow_up_kind, due_at=due_at)  # fmt: skip
    referral = Referral.objects.create(
        source=source,
        service=service,
        to_agency=to_agency,
        from_agency=from_agency,
        created_by=user if user is not None and user.is_authenticated else None,
        person=person,
        family_name=family_name.strip()[:120],
        family_size=family_size,
        reason=reason.strip()[:2000],
        incident_id=incident_id,
        incident_category=(incident_category or "")[:60],
        incident_call_type=(incident_call_type or "")[:60],
        call=call,
        parent=parent,
        created_at=now,
        status=states.DRAFT,
        due_at=due_at,
        is_second_response=is_second_response,
        follow_up_kind=follow_up_kind[:40],
    )
    _event(referral, user, now, "", states.DRAFT, note="created")
    if send:
        _move(referral, user, states.REQUESTED, None, "sent", now)
    return referral


def _merge(
    referral: Referral,
    user: User | None,
    now: datetime,
    *,
    person: Person | None,
    service: Service | None,
    reason: str,
    family_name: str,
    is_second_response: bool,
    follow_up_kind: str,
    due_at: datetime | None,
) -> Referral:
    """Fold a second referral for the same incident and provider into the open one: the
    person, service and need it adds are kept, and the merge is an event on the referral."""
    fields = []
    if referral.person is None and person is not None:
        referral.person, fields = person, [*fields, "person"]
    if not referral.family_name and family_name.strip():
        referral.family_name, fields = family_name.strip()[:120], [*fields, "family_name"]
    if service is not None and referral.service_id != service.pk and not is_second_response:
        referral.service, fields = service, [*fields, "service"]  # the field's own choice
    reason = reason.strip()
    if reason and reason not in referral.reason:
        referral.reason = f"{referral.reason}\n{reason}".strip()[:2000]
        fields.append("reason")
    if is_second_response and not referral.is_second_response:
        referral.is_second_response, referral.follow_up_kind = True, follow_up_kind[:40]
        fields += ["is_second_response", "follow_up_kind"]
    if due_at is not None and (referral.due_at is None or due_at < referral.due_at):
        referral.due_at, fields = due_at, [*fields, "due_at"]
    if fields:
        referral.save(update_fields=fields)
    what = "second response" if is_second_response else "referral"
    _event(referral, user, now, referral.status, referral.status,
           note=f"merged: a {what} to the same provider for this incident")  # fmt: skip
    if "person" in fields:
        _share_on_send(referral, user)
    return referral


@dataclass(frozen=True)
class ReferralReferences:
    person: Person | None
    call: Call | None
    incident_category: str
    incident_call_type: str


def referral_references(
    user: User,
    *,
    person_id: int | None,
    call_id: int | None,
    incident_id: int | None,
    incident_category: str = "",
    incident_call_type: str = "",
    parent: Referral | None = None,
) -> ReferralReferences:
    """Resolve what a referral names, as far as ``user`` may see it (core.visibility;
    ``parent``: a referral the user's agency holds, whose person may be referred onward):
    a person, call or incident the user may not see gets the same answer as one that does
    not exist, so the messages are no existence oracle. The incident's category comes from
    the incident, or else must be one of the protocol's categories (it lands in metrics).
    """
    from rightresponse.dispatch.access import incident_for
    from rightresponse.triage.protocols import active_protocol
    from rightresponse.triage.selectors import calls_visible_to

    person = None
    if person_id is not None and parent is not None and parent.person_id == person_id:
        person = parent.person  # referring onward the person the referral is about
    elif person_id is not None:
        person = person_for_reference(user, person_id) if _fits(person_id) else None
        if person is None:
            raise ReferenceNotFound("person_id: no such person")
    call = None
    if call_id is not None:
        call = calls_visible_to(user).filter(pk=call_id).first() if _fits(call_id) else None
        if call is None:
            raise ReferenceNotFound("call_id: no such call")
    if incident_id is not None:
        incident = incident_for(user, incident_id) if _fits(incident_id) else None
        if incident is None:
            raise ReferenceNotFound("incident_id: no such incident")
        return ReferralReferences(person, call, incident.category, incident.call_type)
    category = (incident_category or "").strip()
    if category:
        known = active_protocol().categories
        if category not in known:
            raise ReferralError(
                f"incident_category: '{category[:60]}' is not a category of the protocol "
                f"(choose from {', '.join(known)})"
            )
    call_type = (incident_call_type or "").strip()
    if call_type and call_type not in active_protocol().call_types:
        raise ReferralError(f"incident_call_type: '{call_type[:60]}' is not a call type")
    return ReferralReferences(person, call, category, call_type)


def _fits(value: int) -> bool:
    """Ids the database can hold (a larger number cannot name a record: no 500)."""
    return 1 <= value < 2**63


def _share_on_send(referral: Referral, user: User | None) -> None:
    """Sending a referral shares the person's data with the provider as far as consent
    allows; the share is audited with its basis (nothing personal flows without it)."""
    if referral.person is None:
        return
    decision = sharing_decision(
        referral.person, referral.to_agency_id, purpose="referral", wanted=REFERRAL_SHARE
    )
    audit_record(
        user,
        "share",
        "referral",
        referral.pk,
        person_id=referral.person_id,
        purpose="referral",
        detail={
            "to_agency": referral.to_agency_id,
            "basis": decision.basis,
            "categories": sorted(decision.categories),
            "consent_id": decision.consent_id,
        },
    )


def _move(
    referral: Referral,
    user: User | None,
    target: str,
    reason: str | None,
    note: str,
    at: datetime,
) -> None:
    previous = referral.status
    referral.status = target
    if target == states.REQUESTED:
        referral.requested_at = at
    elif target == states.ACCEPTED:
        referral.accepted_at = at
    elif target == states.IN_PROGRESS and referral.first_contact_at is None:
        referral.first_contact_at = at
    if target == states.COMPLETED:
        referral.completed_at = at
        if referral.is_second_response and referral.connected is None:
            referral.connected = True
    if target in states.TERMINAL:
        referral.ended_at = at
        referral.outcome_reason = reason or ""
    referral.save()
    _event(referral, user, at, previous, target, reason or "", note)
    if target == states.REQUESTED:
        _share_on_send(referral, user)


@transaction.atomic
def referral_transition(
    referral: Referral,
    user: User,
    target: str,
    *,
    reason: str | None = None,
    note: str = "",
    at: datetime | None = None,
) -> Referral:
    """Move a referral, enforcing who may set which state (core.ecosystem.referrals)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    side = referral_side(user, referral)
    stored_reason = check_transition(referral.status, target, side, reason or None)
    _move(referral, user, target, stored_reason, note, at or timezone.now())
    return referral


@transaction.atomic
def referral_record_contact(
    referral: Referral,
    user: User,
    *,
    reached: bool,
    connected: bool | None = None,
    note: str = "",
    at: datetime | None = None,
) -> Referral:
    """The provider records an attempt: was the person reached, were they connected?"""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral_side(user, referral) != "provider":
        raise PermissionDenied("Only the receiving provider records contact.")
    if referral.status in states.TERMINAL:
        raise ReferralError(f"status: the referral is already {referral.status}")
    now = at or timezone.now()
    referral.reached = reached
    if reached and referral.first_contact_at is None:
        referral.first_contact_at = now
    if connected is not None:
        if connected and not reached:
            raise ReferralError("connected: a person not reached cannot be connected")
        referral.connected = connected
    referral.save()
    label = "reached" if reached else "not reached"
    if connected is not None:
        label += ", connected" if connected else ", not connected"
    _event(referral, user, now, referral.status, referral.status, note=f"{label}. {note}".strip())
    return referral


# ------------------------------------------------------------------ second response


def _team_service(team: Agency, *, victim_service: bool) -> Service | None:
    """The team's follow-up service: its second-response service, or for victims of a
    crime its victim service (advocates bound by VAWA/FVPSA/VOCA), else any it runs."""
    services = Service.objects.filter(
        organization__agency=team, status="active", accepts_referrals=True
    ).order_by("name")
    preferred = services.filter(is_victim_service=True) if victim_service else services.none()
    return (
        preferred.filter(subcategory="second_response").first()
        or preferred.first()
        or services.filter(subcategory="second_response").first()
        or services.first()
    )


def second_response_create(
    *,
    incident_id: int,
    call_type: str | None,
    category: str | None,
    person_ids: list[int] | None,
    agency_id: int | None,
    closed_at: datetime,
    closed_by: Any = None,
    call_id: int | None = None,
) -> list[Referral]:
    """Follow-up tasks for the designated team after an incident of a declared kind closes.

    One task per person involved (or one for the household when no person is linked);
    idempotent per incident and person, so a repeated signal creates nothing new."""
    kind = config.second_response_rules().match(call_type, category)
    if kind is None:
        return []
    team = Agency.objects.filter(slug=kind.team, active=True).first()
    if team is None:
        log.warning("second response: team agency %r does not exist; no follow-up", kind.team)
        return []
    from_agency = Agency.objects.filter(pk=agency_id).first() if agency_id else None
    people: list[Person | None] = list(Person.objects.filter(pk__in=person_ids or []))
    if not people:
        people = [None]
    call = Call.objects.filter(pk=call_id).first() if call_id else None
    created = []
    with transaction.atomic():
        for person in people:
            exists = Referral.objects.filter(
                incident_id=incident_id, is_second_response=True, person=person
            ).exists()
            if exists:
                continue
            created.append(
                referral_create(
                    user=closed_by,
                    source="second_response",
                    service=_team_service(team, victim_service=kind.victim_service),
                    to_agency=team,
                    person=person,
                    reason=f"Second response after {kind.label.lower()} ({call_type or category}).",
                    incident_id=incident_id,
                    incident_category=category or "",
                    incident_call_type=call_type or "",
                    call=call,
                    from_agency=from_agency or team,
                    due_at=closed_at + kind.due,
                    is_second_response=True,
                    follow_up_kind=kind.kind,
                    at=closed_at,
                )
            )
    return created


# ------------------------------------------------------------------ people from the field


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())[-10:]


@transaction.atomic
def person_find_or_create(*, user: User, name: str, phone: str) -> Person:
    """The person a responder names on scene: a record of the responder's own agency with
    the same phone and name when there is one, else a new record owned by that agency.
    Records of other agencies are never searched (tenancy: the responder sees nothing of
    them); sharing with the provider then follows consent (``_share_on_send``)."""
    agency = user_agency(user)
    if agency is None:
        raise ReferralError("person: your account belongs to no agency, so it cannot add people")
    parts = name.strip().split(None, 1)
    if not parts:
        raise ReferralError("person_name: give the person's name")
    given, family = parts[0][:100], (parts[1] if len(parts) > 1 else "")[:100]
    digits = _digits(phone)
    candidates = Person.objects.filter(
        owner_agency=agency, given_name__iexact=given, family_name__iexact=family
    )
    for candidate in candidates:
        if digits and _digits(candidate.phone) == digits:
            audit_record(user, "read", "person", candidate.pk, person_id=candidate.pk,
                         purpose="referral: matched by name and phone")  # fmt: skip
            return candidate
    person = Person.objects.create(
        owner_agency=agency, given_name=given, family_name=family, phone=phone.strip()[:40]
    )
    audit_record(user, "write", "person", person.pk, person_id=person.pk,
                 purpose="referral: person named in the field")  # fmt: skip
    return person


# ------------------------------------------------------------------ consent


class ConsentInvalid(InvalidInput):
    """A consent that cannot be recorded as given."""


@transaction.atomic
def consent_grant(
    *,
    user: User,
    person: Person,
    organisations: list[Agency],
    purposes: list[str],
    data_categories: list[str],
    valid_until: datetime | None,
    informed: bool,
    written: bool,
    person_present: bool,
    method: str = "verbal",
    note: str = "",
    valid_from: datetime | None = None,
) -> Consent:
    """Only the person's own serving agency records consent, with the person present
    (core.visibility.may_record_consent); anyone else is refused."""
    facts = person_facts(person)
    if not vis.may_record_consent(viewer_of(user), facts, person_present=True):
        raise PermissionDenied("Only the person's own agency records their consent.")
    start = valid_from or timezone.now()
    try:
        validate_grant(
            purposes=purposes,
            data_categories=data_categories,
            organisation_ids=[a.pk for a in organisations],
            valid_from=start,
            valid_until=valid_until,
            protected_victim=person.is_protected_victim,
            informed=informed,
            written=written,
        )
    except ConsentError as exc:
        raise ConsentInvalid(str(exc)) from exc
    if not person_present:
        raise ConsentInvalid(
            "person_present: consent is recorded with the person present; confirm they are"
        )
    consent = Consent.objects.create(
        person=person,
        purposes=sorted(set(purposes)),
        data_categories=sorted(set(data_categories)),
        valid_from=start,
        valid_until=valid_until,
        informed=informed,
        written=written,
        method=method[:20],
        note=note[:300],
        person_present=person_present,
        captured_by=user if user.is_authenticated else None,
        captured_agency=user_agency(user),
    )
    consent.organisations.set(organisations)
    audit_record(
        user,
        "write",
        "consent",
        consent.pk,
        person_id=person.pk,
        purpose="consent granted",
        detail={"organisations": [a.slug for a in organisations], "purposes": purposes},
    )
    return consent


@transaction.atomic
def consent_revoke(
    consent: Consent, user: User, note: str = "", *, at_persons_request: bool = False
) -> Consent:
    """Revocation takes effect at once: every later sharing decision ignores it. The
    person's own agency revokes; an agency the consent names may stop it when the person
    asks (core.visibility.may_revoke_consent)."""
    grant = next(g for g in consent_grants(consent.person) if g.consent_id == consent.pk)
    allowed = vis.may_revoke_consent(
        viewer_of(user), person_facts(consent.person), grant, at_persons_request=at_persons_request
    )
    if not allowed:
        raise PermissionDenied("Only the person's own agency, or at the person's request, revokes.")
    if consent.revoked_at is not None:
        return consent
    consent.revoked_at = timezone.now()
    consent.revoked_by = user if user.is_authenticated else None
    if at_persons_request:
        note = f"at the person's request. {note}".strip()
    if note:
        consent.note = f"{consent.note} Revoked: {note}".strip()[:300]
    consent.save(update_fields=["revoked_at", "revoked_by", "note"])
    audit_record(
        user, "write", "consent", consent.pk, person_id=consent.person_id, purpose="consent revoked"
    )
    return consent


# ------------------------------------------------------------------ directory


def _may_manage(user: User, organization: Organization) -> bool:
    agency = user_agency(user)
    return user_has_role(user, ADMINISTRATOR) or (
        agency is not None and agency.pk == organization.agency_id
    )


def service_capacity_update(
    service: Service,
    user: User,
    *,
    available: int,
    maximum: int | None = None,
    waitlist: int | None = None,
    unit: str | None = None,
) -> Service:
    """HSDS 3.1 capacity, kept current by the provider so referrers see who can take one."""
    if not _may_manage(user, service.organization):
        raise PermissionDenied("Only the organisation's own staff update its capacity.")
    maximum = maximum if maximum is not None else service.capacity_maximum
    if available < 0 or (maximum is not None and (maximum < 0 or available > maximum)):
        raise InvalidInput("available: must be between 0 and the maximum")
    service.capacity_available = available
    service.capacity_maximum = maximum
    if waitlist is not None:
        if waitlist < 0:
            raise InvalidInput("waitlist: must not be negative")
        service.waitlist = waitlist
    if unit:
        service.capacity_unit = unit[:40]
    service.capacity_updated_at = timezone.now()
    service.save()
    return service


# ------------------------------------------------------------------ community healing


@transaction.atomic
def healing_plan_create(
    *,
    user: User,
    title: str,
    event_summary: str,
    level: str,
    lead_agency: Agency,
    area: str = "",
    incident_id: int | None = None,
    occurred_at: datetime | None = None,
    responsible_departments: list[str] | None = None,
    trusted_intermediaries: list[str] | None = None,
    actions: list[tuple[str, str, date | None]] | None = None,
) -> HealingPlan:
    if not title.strip():
        raise InvalidInput("title: give the plan a title")
    if level not in dict(HealingPlan.LEVELS):
        raise InvalidInput(f"level: choose one of {', '.join(dict(HealingPlan.LEVELS))}")
    plan = HealingPlan.objects.create(
        title=title.strip()[:200],
        event_summary=event_summary.strip()[:2000],
        level=level,
        lead_agency=lead_agency,
        area=area,
        incident_id=incident_id,
        occurred_at=occurred_at,
        responsible_departments=[d for d in (responsible_departments or []) if d.strip()],
        trusted_intermediaries=[t for t in (trusted_intermediaries or []) if t.strip()],
        created_by=user if user.is_authenticated else None,
    )
    for description, owner, due_on in actions or []:
        healing_action_add(plan, description=description, owner=owner, due_on=due_on)
    return plan


def healing_action_add(
    plan: HealingPlan, *, description: str, owner: str, due_on: date | None = None
) -> HealingAction:
    if not description.strip() or not owner.strip():
        raise InvalidInput("action: give a description and an owner")
    return HealingAction.objects.create(
        plan=plan, description=description.strip()[:300], owner=owner.strip()[:120], due_on=due_on
    )


def healing_action_set_status(action: HealingAction, status: str) -> HealingAction:
    if status not in dict(HealingAction.STATUSES):
        raise InvalidInput(f"status: choose one of {', '.join(dict(HealingAction.STATUSES))}")
    action.status = status
    action.save(update_fields=["status"])
    return action
