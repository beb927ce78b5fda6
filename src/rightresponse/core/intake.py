"""What a triaged call becomes, and the virtual case's lifecycle: pure rules used by the
intake action (intake/services.py), the pages and the metrics (report lines 1153,
1168-1172, 1588: Tier 0 calls are handled virtually, by phone or online)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Literal

Outcome = Literal["incident", "virtual_case", "none"]

_CASE_NEXT: dict[str, frozenset[str]] = {
    "initiated": frozenset({"completed", "abandoned", "elevated"}),
    "completed": frozenset({"elevated"}),  # a report read later may still need someone
    "abandoned": frozenset(),
    "elevated": frozenset(),
}
CASE_FINAL = frozenset({"abandoned", "elevated"})


def intake_outcome(tier: int | None, screened_out: bool, call_type: str) -> Outcome:
    """A triaged call needing a field response (tiers 1-4) becomes an incident; a Tier 0
    call becomes a virtual case; a screened-out or untriaged call stays a call."""
    if tier is None or screened_out or not call_type:
        return "none"
    return "virtual_case" if tier == 0 else "incident"


class CaseTransitionError(ValueError):
    """A virtual-case status change the lifecycle does not allow."""


def check_case_transition(current: str, target: str) -> None:
    if current not in _CASE_NEXT or target not in _CASE_NEXT:
        raise CaseTransitionError(
            f"virtual case status must be one of {', '.join(_CASE_NEXT)}; got {target!r}"
        )
    if target not in _CASE_NEXT[current]:
        allowed = ", ".join(sorted(_CASE_NEXT[current])) or "nothing (it is final)"
        raise CaseTransitionError(
            f"a virtual case cannot go from {current!r} to {target!r}; it may go to {allowed}"
        )


# An online report (the public form) is started when the person chooses what to report and
# completed when it is sent. One not sent within this time was abandoned (report line 1389:
# reports initiated vs completed): decided when read, so no background job is needed, and
# the figure is the same whenever it is computed after the window has passed.
ONLINE_ABANDON_AFTER = timedelta(minutes=60)


def online_report_status(stored: str, started_at: datetime, now: datetime) -> str:
    """What an online report is now: its stored status, except that one still
    ``initiated`` after ``ONLINE_ABANDON_AFTER`` is ``abandoned``."""
    if stored == "initiated" and now - started_at >= ONLINE_ABANDON_AFTER:
        return "abandoned"
    return stored


# A hotline transfer's lifecycle (report lines 1166, 1491): the hotline answers it
# (accepted or declined), then closes it with an outcome or hands it back to 911.
_TRANSFER_NEXT: dict[str, frozenset[str]] = {
    "requested": frozenset({"accepted", "declined"}),
    "accepted": frozenset({"closed", "handed_back"}),
    "declined": frozenset(),
    "closed": frozenset(),
    "handed_back": frozenset(),
}


def check_transfer_transition(current: str, target: str) -> None:
    if current not in _TRANSFER_NEXT or target not in _TRANSFER_NEXT:
        raise CaseTransitionError(f"transfer status must be one of {', '.join(_TRANSFER_NEXT)}")
    if target not in _TRANSFER_NEXT[current]:
        allowed = ", ".join(sorted(_TRANSFER_NEXT[current])) or "nothing (it is final)"
        raise CaseTransitionError(
            f"a transfer cannot go from {current!r} to {target!r}; it may go to {allowed}"
        )


# ---------------------------------------------------------------- figures (issue 13 item 4)
# Computed from the virtual cases and transfers themselves, so "not measurable" (None) is
# told apart from zero: a share with no denominator, a time with no measured pair.


@dataclass(frozen=True)
class CaseRow:
    channel: str
    status: str
    opened_at: datetime
    taken_at: datetime | None
    closed_at: datetime | None
    advised_direct: bool


@dataclass(frozen=True)
class TransferRow:
    hotline: str
    status: str
    requested_at: datetime
    answered_at: datetime | None
    outcome: str


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 1)


def _median_minutes(pairs: list[tuple[datetime, datetime | None]]) -> float | None:
    spans = [(end - start).total_seconds() / 60 for start, end in pairs if end is not None]
    return round(median(spans), 2) if spans else None


def virtual_reporting_figures(rows: list[CaseRow]) -> dict[str, float | int | None]:
    """Telephone and online reporting (report lines 1383-1398): how many were started and
    completed, how fast, and how many came through 911 rather than directly."""
    completed = [c for c in rows if c.status == "completed"]
    closed = [c for c in rows if c.status != "initiated"]
    via_911 = [c for c in rows if c.channel == "911"]
    return {
        "virtual_reports_initiated": len(rows),
        "virtual_reports_completed": len(completed),
        "virtual_reports_completion_rate": _share(len(completed), len(closed)),
        "virtual_reports_abandoned_rate": _share(
            sum(c.status == "abandoned" for c in rows), len(closed)
        ),
        "virtual_reports_elevated_rate": _share(
            sum(c.status == "elevated" for c in rows), len(closed)
        ),
        "virtual_report_completion_time": _median_minutes(
            [(c.opened_at, c.closed_at) for c in completed]
        ),
        "virtual_queue_time_to_answer": _median_minutes([(c.opened_at, c.taken_at) for c in rows]),
        "virtual_contact_time": _median_minutes(
            [(c.taken_at, c.closed_at) for c in completed if c.taken_at is not None]
        ),
        "virtual_routed_from_911": _share(len(via_911), len(rows)),
        "virtual_911_callers_advised_direct": _share(
            sum(c.advised_direct for c in via_911 if c.status == "completed"),
            sum(c.status == "completed" for c in via_911),
        ),
    }


def hotline_figures(rows: list[TransferRow]) -> dict[str, float | int | None]:
    """Transfers from 911 to hotlines (report lines 1166, 1491): acceptance, speed of
    answer, outcomes and how many came back to 911 for an in-person response."""
    answered = [t for t in rows if t.answered_at is not None]
    accepted = [t for t in rows if t.status in ("accepted", "closed", "handed_back")]
    finished = [t for t in accepted if t.status in ("closed", "handed_back")]
    return {
        "hotline_transfers_from_911": len(rows),
        "hotline_accepted_share": _share(len(accepted), len(answered)),
        "hotline_speed_of_answer": _median_minutes([(t.requested_at, t.answered_at) for t in rows]),
        "hotline_resolved_share": _share(
            sum(t.outcome in ("resolved", "referred") for t in finished), len(finished)
        ),
        "hotline_elevated_share": _share(
            sum(t.status == "handed_back" for t in finished), len(finished)
        ),
    }
