"""Consent and the rules for sharing a person's data between agencies.

Report ~558 (and ~2492): "a coherent policy on confidentiality, privacy, data sharing, and
data security for all partners ... with a strong consent management process" and "data
sharing practice protocols at the individual, system, and population levels".

The rules, in order:
1. An agency reads its own records (still audited by the caller).
2. Funders, dashboards and public reports get aggregates only, never a person's data
   (VAWA 34 U.S.C. 12291(b)(2), FVPSA 42 U.S.C. 10406(c)(5), VOCA 28 CFR 94.115).
3. A current consent naming the recipient, the purpose and the data allows exactly that.
   For a protected victim the consent must also be informed, written and time-limited.
4. Without consent, an emergency allows only what responders need to keep people safe;
   for a protected victim even that is withheld (the federal victim rules allow release
   without consent only under a statute or a court order, not on an agency's judgement).
5. Otherwise nothing is shared.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

PURPOSES: Final[dict[str, str]] = {
    "referral": "Referral to a service",
    "care_coordination": "Care coordination between providers",
    "second_response": "Follow-up after a crisis or a crime",
    "emergency_response": "Emergency response",
}
AGGREGATE_ONLY_PURPOSES: Final[dict[str, str]] = {
    "funder_report": "Report to a funder",
    "dashboard": "Dashboards and public reports",
}
DATA_CATEGORIES: Final[dict[str, str]] = {
    "identity": "Name and date of birth",
    "contact": "Phone and how to reach them",
    "safety": "Behaviour to expect and what works",
    "needs": "Needs and the reason for referral",
    "incident": "Summary of the incident",
    "demographics": "Language, gender, race and ethnicity",
}
# What the law allows responders without consent in an emergency: enough to find the
# person and keep everyone safe (HIPAA 45 CFR 164.512(j): serious and imminent threat).
EMERGENCY_CATEGORIES: Final[frozenset[str]] = frozenset({"identity", "safety"})

BASIS_OWN = "own_agency"
BASIS_CONSENT = "consent"
BASIS_EMERGENCY = "emergency"
BASIS_AGGREGATE_ONLY = "aggregate_only"
BASIS_NONE = "none"


@dataclass(frozen=True)
class ConsentGrant:
    consent_id: int
    organisation_ids: frozenset[int]
    purposes: frozenset[str]
    data_categories: frozenset[str]
    valid_from: datetime
    valid_until: datetime | None
    revoked_at: datetime | None
    informed: bool
    written: bool

    def current_at(self, at: datetime) -> bool:
        if self.revoked_at is not None and self.revoked_at <= at:
            return False
        if at < self.valid_from:
            return False
        return self.valid_until is None or at < self.valid_until

    def meets_victim_standard(self) -> bool:
        """Informed, written and time-limited (VAWA 34 U.S.C. 12291(b)(2)(B))."""
        return self.informed and self.written and self.valid_until is not None


@dataclass(frozen=True)
class SharingRequest:
    owner_agency_id: int
    recipient_agency_id: int
    purpose: str
    data_categories: frozenset[str]
    at: datetime
    protected_victim: bool = False
    emergency: bool = False


@dataclass(frozen=True)
class SharingDecision:
    categories: frozenset[str]
    basis: str
    explanation: str
    consent_id: int | None = None

    @property
    def allowed(self) -> bool:
        return bool(self.categories)


class ConsentError(ValueError):
    """A consent that cannot be recorded as given: the message names the field."""


def validate_grant(
    *,
    purposes: Iterable[str],
    data_categories: Iterable[str],
    organisation_ids: Iterable[int],
    valid_from: datetime,
    valid_until: datetime | None,
    protected_victim: bool,
    informed: bool,
    written: bool,
) -> None:
    purposes = list(purposes)
    categories = list(data_categories)
    if not purposes:
        raise ConsentError("purposes: name at least one purpose")
    unknown = [p for p in purposes if p not in PURPOSES]
    if unknown:
        raise ConsentError(
            f"purposes: {', '.join(unknown)} not known (choose from {', '.join(PURPOSES)})"
        )
    if not categories:
        raise ConsentError("data_categories: name at least one kind of data")
    unknown = [c for c in categories if c not in DATA_CATEGORIES]
    if unknown:
        raise ConsentError(
            f"data_categories: {', '.join(unknown)} not known (choose from {', '.join(DATA_CATEGORIES)})"
        )
    if not list(organisation_ids):
        raise ConsentError("organisations: name at least one organisation")
    if valid_until is not None and valid_until <= valid_from:
        raise ConsentError("valid_until: must be after the consent starts")
    if protected_victim:
        if valid_until is None:
            raise ConsentError("valid_until: a victim's consent must be time-limited (VAWA)")
        if not (informed and written):
            raise ConsentError("written: a victim's consent must be informed and written (VAWA)")


def decide_sharing(request: SharingRequest, grants: Iterable[ConsentGrant]) -> SharingDecision:
    """Which of the requested data categories may flow, and on what basis."""
    wanted = request.data_categories
    if request.purpose in AGGREGATE_ONLY_PURPOSES:
        return SharingDecision(
            frozenset(),
            BASIS_AGGREGATE_ONLY,
            "Funders and dashboards receive aggregates only, never a person's data.",
        )
    if request.owner_agency_id == request.recipient_agency_id:
        return SharingDecision(wanted, BASIS_OWN, "Your agency's own record.")
    best: SharingDecision | None = None
    for grant in grants:
        if not grant.current_at(request.at):
            continue
        if request.recipient_agency_id not in grant.organisation_ids:
            continue
        if request.purpose not in grant.purposes:
            continue
        if request.protected_victim and not grant.meets_victim_standard():
            continue
        allowed = wanted & grant.data_categories
        if allowed and (best is None or len(allowed) > len(best.categories)):
            until = f" until {grant.valid_until:%Y-%m-%d}" if grant.valid_until else ""
            best = SharingDecision(
                allowed,
                BASIS_CONSENT,
                f"Shared with the person's consent{until}.",
                grant.consent_id,
            )
    if best is not None:
        return best
    if request.emergency:
        if request.protected_victim:
            return SharingDecision(
                frozenset(),
                BASIS_NONE,
                "No consent on file. This is a victim-service record: federal law (VAWA, "
                "FVPSA, VOCA) allows no release without written consent, even in an "
                "emergency, except under a statute or court order.",
            )
        return SharingDecision(
            wanted & EMERGENCY_CATEGORIES,
            BASIS_EMERGENCY,
            "No consent on file: only what the law allows in an emergency is shown "
            "(identity and safety information needed to respond).",
        )
    return SharingDecision(
        frozenset(),
        BASIS_NONE,
        "No consent on file for this organisation and purpose: nothing is shared.",
    )
