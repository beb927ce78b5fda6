"""The closed-loop referral lifecycle.

States are those of the HL7 FHIR SDOH Clinical Care referral Task (Task.status as used by
the Gravity Project's SDOH Clinical Care IG): the *referrer* (requester) drafts, sends and
cancels; the *provider* (performer) accepts or rejects, starts, pauses, completes or fails.
The outcome reason answers the report's "is anyone better off?" (report ~1394, ~932:
"service connections or referrals"; ~786: the 211 system gains "virtual referrals, case
management, tracking of outcomes").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

Side = Literal["referrer", "provider"]

DRAFT: Final = "draft"
REQUESTED: Final = "requested"
ACCEPTED: Final = "accepted"
REJECTED: Final = "rejected"
IN_PROGRESS: Final = "in-progress"
ON_HOLD: Final = "on-hold"
FAILED: Final = "failed"
COMPLETED: Final = "completed"
CANCELLED: Final = "cancelled"

STATES: Final[tuple[str, ...]] = (
    DRAFT,
    REQUESTED,
    ACCEPTED,
    REJECTED,
    IN_PROGRESS,
    ON_HOLD,
    FAILED,
    COMPLETED,
    CANCELLED,
)
TERMINAL: Final[frozenset[str]] = frozenset({REJECTED, FAILED, COMPLETED, CANCELLED})
OPEN: Final[frozenset[str]] = frozenset(STATES) - TERMINAL

OUTCOME_REASONS: Final[dict[str, str]] = {
    "got_help": "Got help",
    "not_eligible": "Not eligible",
    "no_capacity": "No capacity",
    "could_not_contact": "Could not contact",
    "no_longer_interested": "No longer interested",
}

# Who may move a referral from one state to another. The referrer owns the request (send,
# withdraw); the provider owns the work (accept, decline, start, pause, finish).
TRANSITIONS: Final[dict[Side, dict[str, frozenset[str]]]] = {
    "referrer": {
        DRAFT: frozenset({REQUESTED, CANCELLED}),
        REQUESTED: frozenset({CANCELLED}),
        ACCEPTED: frozenset({CANCELLED}),
        IN_PROGRESS: frozenset({CANCELLED}),
        ON_HOLD: frozenset({CANCELLED}),
    },
    "provider": {
        REQUESTED: frozenset({ACCEPTED, REJECTED}),
        ACCEPTED: frozenset({IN_PROGRESS, ON_HOLD, COMPLETED, FAILED}),
        IN_PROGRESS: frozenset({ON_HOLD, COMPLETED, FAILED}),
        ON_HOLD: frozenset({IN_PROGRESS, COMPLETED, FAILED}),
    },
}

# What the button that moves a referral to a state says: a verb, never the state's name
# ("Accept", not "Accepted"; issue 16).
ACTION_VERBS: Final[dict[str, str]] = {
    REQUESTED: "Send",
    ACCEPTED: "Accept",
    REJECTED: "Decline",
    IN_PROGRESS: "Start work",
    ON_HOLD: "Pause",
    COMPLETED: "Complete",
    FAILED: "Close as not connected",
    CANCELLED: "Withdraw",
}

# Which outcome reasons fit which ending; None in the set means the reason is optional.
REASONS_FOR: Final[dict[str, frozenset[str | None]]] = {
    REJECTED: frozenset({"not_eligible", "no_capacity"}),
    FAILED: frozenset({"could_not_contact", "no_longer_interested", "not_eligible", "no_capacity"}),
    COMPLETED: frozenset({"got_help"}),
    CANCELLED: frozenset({"no_longer_interested", "got_help", None}),
}


class TransitionError(ValueError):
    """An illegal move: the message says which state, which side and why."""


def allowed_targets(current: str, side: Side) -> frozenset[str]:
    return TRANSITIONS[side].get(current, frozenset())


def check_transition(current: str, target: str, side: Side, reason: str | None) -> str | None:
    """Raise TransitionError unless ``side`` may move ``current`` to ``target``.

    Returns the outcome reason to store (completing defaults to ``got_help``)."""
    if target not in STATES:
        raise TransitionError(f"'{target}' is not a referral state ({', '.join(STATES)})")
    if current in TERMINAL:
        raise TransitionError(f"the referral is already {current}; it cannot become {target}")
    if target not in allowed_targets(current, side):
        other: Side = "provider" if side == "referrer" else "referrer"
        if target in allowed_targets(current, other):
            raise TransitionError(
                f"only the {other} may move a referral from {current} to {target}"
            )
        raise TransitionError(f"a referral cannot go from {current} to {target}")
    if reason is not None and reason not in OUTCOME_REASONS:
        raise TransitionError(f"'{reason}' is not an outcome reason ({', '.join(OUTCOME_REASONS)})")
    if target == COMPLETED and reason is None:
        return "got_help"
    fitting = REASONS_FOR.get(target)
    if fitting is None:
        if reason is not None:
            raise TransitionError(
                f"an outcome reason is given only when a referral ends, not {target}"
            )
        return None
    if reason not in fitting:
        names = ", ".join(sorted(r for r in fitting if r is not None))
        raise TransitionError(f"a {target} referral needs an outcome reason: one of {names}")
    return reason


@dataclass(frozen=True)
class OverdueRules:
    """How long each open state may last before a referral is flagged.

    Defaults follow common closed-loop practice: a provider answers within two days and
    makes first contact within three days of accepting."""

    respond_within: timedelta = timedelta(hours=48)
    first_contact_within: timedelta = timedelta(hours=72)


@dataclass(frozen=True)
class ReferralClock:
    status: str
    requested_at: datetime | None
    accepted_at: datetime | None
    first_contact_at: datetime | None
    due_at: datetime | None = None


def overdue_reason(clock: ReferralClock, now: datetime, rules: OverdueRules) -> str | None:
    """Why a referral is overdue at ``now``, or None when it is on time or finished."""
    if clock.status not in OPEN or clock.status == DRAFT:
        return None
    if clock.due_at is not None and now > clock.due_at and clock.first_contact_at is None:
        return "follow-up due time passed without contact"
    if (
        clock.status == REQUESTED
        and clock.requested_at is not None
        and now - clock.requested_at > rules.respond_within
    ):
        return "no answer from the provider"
    if (
        clock.status in (ACCEPTED, ON_HOLD)
        and clock.accepted_at is not None
        and clock.first_contact_at is None
        and now - clock.accepted_at > rules.first_contact_within
    ):
        return "accepted but no first contact"
    return None
