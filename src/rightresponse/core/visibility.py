"""Who may see and do what with incidents and people: the one rule (issue 10).

Every page, endpoint, export and admin view asks this module; the Django apps only gather
the facts (who is asking, what the record is) and apply the answer: selectors turn an
``IncidentScope`` into a query filter, so lists hold only what the viewer may see, and a
record the viewer may not see answers exactly like a missing one.

Report: "System Integration" (~1668-1690: responders see behavioural flags and what works,
never diagnoses; ~1674-1676 least information), consent and data sharing (~558, ~2492).

Incidents, by the viewer's agency kind (issue 10, item 6):
- the 911 / emergency communications center sees all;
- police sees its own calls, incidents its units are on, and co-responses and police
  responses (tier 2-4: every tier at which the protocol sends police);
- civilian programs, county departments, fire/EMS and city departments see the incidents
  they own or their units are (or were) assigned to;
- community organisations see no incidents: they work from referrals;
- a field responder without a dispatching role sees only incidents their unit is on;
- analysts see every incident de-identified (no names, no free text; the location of a
  domestic-violence or sexual-assault incident generalised to its area);
- administrators see all.

People:
- the owner (serving) agency sees its record; other agencies see what a current consent
  for the purpose allows (victim-service records need informed, written, time-limited
  consent: VAWA 34 U.S.C. 12291(b)(2));
- emergency access, without consent, only for a person linked to an open incident the
  viewer's unit is assigned to or the viewer is dispatching, showing only what a responder
  needs (name, language, behaviour to expect, what works), never a victim-service record,
  and at most ``EMERGENCY_LOOKS_PER_HOUR`` deliberate looks an hour;
- only the owner agency records consent, and only with the person present; the owner
  agency revokes, or any named recipient at the person's own request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from rightresponse.core.ecosystem.consent import (
    AGGREGATE_ONLY_PURPOSES,
    ConsentGrant,
    SharingRequest,
    decide_sharing,
)

# Role and agency-kind names (spelled as in accounts.roles; a test checks they agree).
ADMINISTRATOR: Final = "administrator"
CALL_TAKER: Final = "call_taker"
DISPATCHER: Final = "dispatcher"
SUPERVISOR: Final = "supervisor"
RESPONDER: Final = "responder"
ANALYST: Final = "analyst"
SERVICE_PROVIDER: Final = "service_provider"

KIND_911: Final = "emergency_communications"
KIND_POLICE: Final = "police"
KIND_COMMUNITY_ORG: Final = "community_org"

DISPATCHING_ROLES: Final = frozenset({CALL_TAKER, DISPATCHER, SUPERVISOR})
BOARD_ROLES: Final = frozenset({DISPATCHER, SUPERVISOR})
# Tiers at which the protocol sends police: co-response (2, 3) and police only (4).
POLICE_TIERS: Final = 2
SENSITIVE_CATEGORIES: Final = frozenset({"domestic_violence", "sexual_assault"})

FULL: Final = "full"
DEIDENTIFIED: Final = "deidentified"
NONE: Final = "none"

# Which person fields each consent data category releases (categories "needs" and
# "incident" release the referral's reason and the incident summary, no person field).
FIELDS_BY_CATEGORY: Final[dict[str, tuple[str, ...]]] = {
    "identity": ("given_name", "family_name", "date_of_birth"),
    "contact": ("phone",),
    "safety": ("behavioural_flags", "what_works"),
    "demographics": ("preferred_language", "gender", "race_ethnicity"),
}
ALL_CATEGORIES: Final = frozenset({*FIELDS_BY_CATEGORY, "needs", "incident"})
PERSON_FIELDS: Final = frozenset(f for fs in FIELDS_BY_CATEGORY.values() for f in fs)
# What a responder needs on scene, and no more (report ~1674-1676).
RESPONDER_FIELDS: Final = frozenset(
    {"given_name", "preferred_language", "behavioural_flags", "what_works"}
)
EMERGENCY_PURPOSE: Final = "emergency_response"
EMERGENCY_LOOKS_PER_HOUR: Final = 10

BASIS_ADMIN = "administrator"
BASIS_OWN = "own_agency"
BASIS_CONSENT = "consent"
BASIS_EMERGENCY = "emergency"
BASIS_RATE_LIMITED = "rate_limited"
BASIS_NONE = "none"


@dataclass(frozen=True)
class Viewer:
    """Who is asking: their agency, roles and the units they serve on."""

    user_id: int | None
    agency_id: int | None
    agency_kind: str | None
    roles: frozenset[str]
    unit_ids: frozenset[int] = frozenset()

    @property
    def is_admin(self) -> bool:
        return ADMINISTRATOR in self.roles

    @property
    def dispatching(self) -> bool:
        return bool(self.roles & DISPATCHING_ROLES)

    @property
    def field_only(self) -> bool:
        """A responder who does not dispatch acts only on their own unit's incidents."""
        return RESPONDER in self.roles and not self.dispatching and not self.is_admin


@dataclass(frozen=True)
class IncidentFacts:
    incident_id: int
    owner_agency_id: int
    tier: int | None
    category: str
    open: bool
    assigned_agency_ids: frozenset[int] = frozenset()  # agencies of units ever assigned
    assigned_unit_ids: frozenset[int] = frozenset()  # units ever assigned
    active_unit_ids: frozenset[int] = frozenset()  # units assigned now

    @property
    def sensitive(self) -> bool:
        return self.category in SENSITIVE_CATEGORIES


@dataclass(frozen=True)
class IncidentScope:
    """Which incidents a viewer sees, in a form a selector turns into one query filter.

    An incident is seen in full when ``everything`` or it matches any of the sets (or its
    tier is at least ``min_tier``); otherwise de-identified when ``deidentified_rest``."""

    everything: bool = False
    owner_agency_ids: frozenset[int] = frozenset()
    assigned_agency_ids: frozenset[int] = frozenset()
    assigned_unit_ids: frozenset[int] = frozenset()
    min_tier: int | None = None
    deidentified_rest: bool = False

    @property
    def nothing(self) -> bool:
        return not (
            self.everything
            or self.owner_agency_ids
            or self.assigned_agency_ids
            or self.assigned_unit_ids
            or self.min_tier is not None
            or self.deidentified_rest
        )


def incident_scope(viewer: Viewer) -> IncidentScope:
    if viewer.is_admin:
        return IncidentScope(everything=True)
    analyst = ANALYST in viewer.roles
    if viewer.field_only:
        return IncidentScope(assigned_unit_ids=viewer.unit_ids, deidentified_rest=analyst)
    # Whoever rides on a unit sees the incidents that unit is on, whatever else they see.
    riding = IncidentScope(assigned_unit_ids=viewer.unit_ids, deidentified_rest=analyst)
    operational = viewer.dispatching or RESPONDER in viewer.roles
    if not operational or viewer.agency_id is None:
        return riding
    kind = viewer.agency_kind
    if kind == KIND_911:
        return IncidentScope(everything=True)
    if kind == KIND_COMMUNITY_ORG:
        return riding
    own = frozenset({viewer.agency_id})
    return IncidentScope(
        owner_agency_ids=own,
        assigned_agency_ids=own,
        assigned_unit_ids=viewer.unit_ids,
        min_tier=POLICE_TIERS if kind == KIND_POLICE else None,
        deidentified_rest=analyst,
    )


def incident_level(scope: IncidentScope, incident: IncidentFacts) -> str:
    """FULL, DEIDENTIFIED or NONE: the per-record reading of ``scope`` (the selectors'
    query filter must agree with it; a property test checks that it does)."""
    full = (
        scope.everything
        or incident.owner_agency_id in scope.owner_agency_ids
        or bool(incident.assigned_agency_ids & scope.assigned_agency_ids)
        or bool(incident.assigned_unit_ids & scope.assigned_unit_ids)
        or (
            scope.min_tier is not None
            and incident.tier is not None
            and incident.tier >= scope.min_tier
        )
    )
    if full:
        return FULL
    return DEIDENTIFIED if scope.deidentified_rest else NONE


@dataclass(frozen=True)
class IncidentAccess:
    level: str
    may_dispatch: bool  # recommend and assign units
    may_act: bool  # status, reclassify, escalate, lead, backup, close
    may_link_people: bool

    @property
    def visible(self) -> bool:
        return self.level != NONE


def incident_access(viewer: Viewer, incident: IncidentFacts) -> IncidentAccess:
    level = incident_level(incident_scope(viewer), incident)
    full = level == FULL
    on_it = bool(incident.assigned_unit_ids & viewer.unit_ids)
    return IncidentAccess(
        level=level,
        may_dispatch=full and (viewer.is_admin or bool(viewer.roles & BOARD_ROLES)),
        may_act=full and (viewer.is_admin or viewer.dispatching or on_it),
        may_link_people=full and (viewer.is_admin or viewer.dispatching),
    )


def may_set_unit_status(viewer: Viewer, unit_id: int, unit_agency_id: int) -> bool:
    """A unit's own agency (its dispatchers, or its members for their own unit), the 911
    center that dispatches every unit, or an administrator."""
    if viewer.is_admin:
        return True
    if viewer.field_only:
        return unit_id in viewer.unit_ids
    if not viewer.dispatching:
        return False
    return viewer.agency_kind == KIND_911 or viewer.agency_id == unit_agency_id


def on_incident(viewer: Viewer, incident: IncidentFacts) -> bool:
    """Assigned to (a unit of theirs is on it now) or dispatching an open incident."""
    if not incident.open:
        return False
    if incident.active_unit_ids & viewer.unit_ids:
        return True
    return viewer.dispatching and incident_level(incident_scope(viewer), incident) == FULL


# ------------------------------------------------------------------ people


@dataclass(frozen=True)
class PersonFacts:
    person_id: int
    owner_agency_id: int
    protected_victim: bool
    grants: tuple[ConsentGrant, ...] = ()


@dataclass(frozen=True)
class PersonAccess:
    fields: frozenset[str]
    categories: frozenset[str]
    basis: str
    explanation: str
    consent_id: int | None = None

    @property
    def allowed(self) -> bool:
        return bool(self.fields or self.categories)


def _consented(viewer: Viewer, person: PersonFacts, at: datetime) -> bool:
    return viewer.agency_id is not None and any(
        viewer.agency_id in g.organisation_ids and g.current_at(at) for g in person.grants
    )


def may_open_person_record(viewer: Viewer, person: PersonFacts, at: datetime) -> bool:
    """The person's consents and access log: the owner agency, an agency the person has
    currently consented to, or an administrator."""
    if viewer.is_admin:
        return True
    if viewer.agency_id is not None and viewer.agency_id == person.owner_agency_id:
        return True
    return _consented(viewer, person, at)


def may_reference_person(viewer: Viewer, person: PersonFacts, at: datetime) -> bool:
    """Name the person in a referral or link them to an incident: the owner agency or an
    agency the person has currently consented to (administrators too)."""
    return may_open_person_record(viewer, person, at)


def may_record_consent(viewer: Viewer, person: PersonFacts, *, person_present: bool) -> bool:
    """Only the person's own serving agency, with the person there to give it."""
    return (
        person_present
        and viewer.agency_id is not None
        and viewer.agency_id == person.owner_agency_id
    )


def may_revoke_consent(
    viewer: Viewer, person: PersonFacts, grant: ConsentGrant, *, at_persons_request: bool
) -> bool:
    """The owner agency, or an agency the consent names when the person asks it to stop."""
    if viewer.agency_id is None:
        return False
    if viewer.agency_id == person.owner_agency_id:
        return True
    return at_persons_request and viewer.agency_id in grant.organisation_ids


def _fields(categories: Iterable[str]) -> frozenset[str]:
    return frozenset(f for c in categories for f in FIELDS_BY_CATEGORY.get(c, ()))


def person_access(
    viewer: Viewer,
    person: PersonFacts,
    *,
    purpose: str,
    at: datetime,
    wanted: frozenset[str] = ALL_CATEGORIES,
    incident: IncidentFacts | None = None,
    linked: bool = False,
    emergency_looks: int | None = None,
) -> PersonAccess:
    """What ``viewer`` may see of ``person`` for ``purpose``.

    ``incident`` and ``linked``: the incident the viewer works on and whether the person
    is linked to it (emergency access needs both). ``emergency_looks``: the viewer's
    deliberate emergency looks in the last hour, for the rate limit (None: not a
    deliberate look, e.g. the responder's own assignment screen)."""
    if purpose in AGGREGATE_ONLY_PURPOSES:
        return PersonAccess(
            frozenset(),
            frozenset(),
            "aggregate_only",
            "Funders and dashboards receive aggregates only, never a person's data.",
        )
    # On an incident, even those entitled to more see what a responder needs and the name.
    cap = RESPONDER_FIELDS | {"family_name"} if purpose == EMERGENCY_PURPOSE else PERSON_FIELDS
    if viewer.agency_id is not None and viewer.agency_id == person.owner_agency_id:
        return PersonAccess(_fields(wanted) & cap, wanted, BASIS_OWN, "Your agency's own record.")
    decision = decide_sharing(
        SharingRequest(
            owner_agency_id=person.owner_agency_id,
            recipient_agency_id=viewer.agency_id if viewer.agency_id is not None else -1,
            purpose=purpose,
            data_categories=wanted,
            at=at,
            protected_victim=person.protected_victim,
        ),
        person.grants,
    )
    if decision.allowed:
        return PersonAccess(
            _fields(decision.categories) & cap,
            decision.categories,
            BASIS_CONSENT,
            decision.explanation,
            decision.consent_id,
        )
    if purpose == EMERGENCY_PURPOSE:
        return _emergency(viewer, person, incident, linked, emergency_looks)
    if viewer.is_admin:
        return PersonAccess(
            frozenset(),
            frozenset(),
            BASIS_ADMIN,
            "Administrators see consents and the access log, not the person's details.",
        )
    return PersonAccess(
        frozenset(),
        frozenset(),
        BASIS_NONE,
        "No consent on file for this organisation and purpose: nothing is shared.",
    )


def _emergency(
    viewer: Viewer,
    person: PersonFacts,
    incident: IncidentFacts | None,
    linked: bool,
    looks: int | None,
) -> PersonAccess:
    if incident is None or not linked or not on_incident(viewer, incident):
        return PersonAccess(
            frozenset(),
            frozenset(),
            BASIS_NONE,
            "Emergency access needs an open incident you are assigned to or dispatching, "
            "with this person linked to it.",
        )
    if person.protected_victim:
        return PersonAccess(
            frozenset(),
            frozenset(),
            BASIS_NONE,
            "No consent on file. This is a victim-service record: federal law (VAWA, "
            "FVPSA, VOCA) allows no release without written consent, even in an "
            "emergency, except under a statute or court order.",
        )
    if looks is not None and looks >= EMERGENCY_LOOKS_PER_HOUR:
        return PersonAccess(
            frozenset(),
            frozenset(),
            BASIS_RATE_LIMITED,
            f"Refused: more than {EMERGENCY_LOOKS_PER_HOUR} emergency looks in an hour. "
            "Your supervisor has been told; ask them if this is a real emergency.",
        )
    return PersonAccess(
        RESPONDER_FIELDS,
        frozenset({"safety"}),
        BASIS_EMERGENCY,
        f"No consent on file: emergency access for incident {incident.incident_id} shows "
        "only what a responder needs (name, language, behaviour to expect, what works).",
    )


# ------------------------------------------------------------------ de-identified exports

# About 110 m: a block, not a door (report ~374-379: analysis by area, not by household).
GENERALISED_DECIMALS: Final = 3


def deidentified_incident(record: dict[str, object]) -> dict[str, object]:
    """An incident record (dispatch.selectors.incident_record) as an analyst receives it:
    no address, no names of staff, no free text (it can name people); coordinates rounded
    to a block, and for domestic-violence and sexual-assault incidents no coordinates at
    all, only the area (issue 10, item 5)."""
    out = dict(record)
    sensitive = record.get("category") in SENSITIVE_CATEGORIES or (
        record.get("initial_category") in SENSITIVE_CATEGORIES
    )
    out["address"] = ""
    lat, lon = record.get("latitude"), record.get("longitude")
    if sensitive or not isinstance(lat, float) or not isinstance(lon, float):
        out["latitude"] = out["longitude"] = None
    else:
        out["latitude"] = round(lat, GENERALISED_DECIMALS)
        out["longitude"] = round(lon, GENERALISED_DECIMALS)
    events = record.get("events")
    if isinstance(events, list):
        out["events"] = [_deidentified_event(e) if isinstance(e, dict) else e for e in events]
    disposition = record.get("disposition")
    if isinstance(disposition, dict):
        out["disposition"] = {**disposition, "disposition": ""}
    return out


def _deidentified_event(event: dict[str, object]) -> dict[str, object]:
    out = {**event, "reason": "", "actor": ""}
    if event.get("kind") == "person_link":  # "role:person id" names a person
        out["to"] = ""
    return out


def may_update_healing_plan(
    viewer: Viewer, *, lead_agency_id: int, author_agency_id: int | None
) -> bool:
    """A community-wide healing plan is read by every partner but moved only by its lead
    agency or the agency that wrote it (report ~1998-2006; tenancy, issue 10)."""
    if viewer.is_admin:
        return True
    return viewer.agency_id is not None and viewer.agency_id in {lead_agency_id, author_agency_id}
