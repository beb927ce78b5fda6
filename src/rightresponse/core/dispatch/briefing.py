"""What a responder is told before arriving (issue 16; report ~1672-1682: responders need
"known data about previous events" and safety flags, least information otherwise)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .status import INCIDENT_STATUSES, allowed_incident_targets

# Triage questions that bear on the responder's safety, most pressing first.
SAFETY_QUESTIONS: tuple[str, ...] = (
    "weapon",
    "firearm_or_vehicle_involved",
    "threat_to_life",
    "violence",
    "crime_in_progress",
    "suspect_on_scene",
    "victim_in_danger",
    "substance_escalating",
    "injury",
    "medical_emergency",
)
ANSWER_LABELS = {"yes": "Yes", "no": "No", "unknown": "Unknown"}


@dataclass(frozen=True)
class SafetyAnswer:
    question: str
    text: str
    answer: str  # "Yes", "No", "Unknown"

    @property
    def alarming(self) -> bool:
        return self.answer == "Yes"


def safety_answers(
    answers: Mapping[str, str], question_text: Mapping[str, str]
) -> list[SafetyAnswer]:
    """The answers the call taker recorded to the safety questions, in SAFETY_QUESTIONS
    order; a question not asked is left out (never shown as "No")."""
    return [
        SafetyAnswer(
            q,
            question_text.get(q, q.replace("_", " ").capitalize()),
            ANSWER_LABELS.get(answers[q], answers[q]),
        )  # fmt: skip
        for q in SAFETY_QUESTIONS
        if q in answers
    ]


# The statuses a unit moves an incident through itself, in the order of a response.
FIELD_STATUSES: tuple[str, ...] = ("en_route", "on_scene", "transporting", "cleared")


def field_next_statuses(current: str) -> list[str]:
    """Only the moves the lifecycle allows from ``current`` (no "En route" once on scene)."""
    allowed = allowed_incident_targets(current)
    return [s for s in FIELD_STATUSES if s in allowed]


def plain_status_refusal(current: str, target: str) -> str:
    """A refused status change in plain language, saying what can be done instead."""
    now = INCIDENT_STATUSES.get(current, current).lower()
    wanted = INCIDENT_STATUSES.get(target, target).lower()
    options = [INCIDENT_STATUSES[s] for s in field_next_statuses(current)]
    if current == target:
        return f"The incident is already {now}."
    if not options:
        return f"The incident is {now}; it cannot be set to {wanted}."
    return f"The incident is {now}, so it cannot go back to {wanted}. Next: {', '.join(options)}."


# Minutes a waiting call may wait for a unit, by priority (1 most urgent). The city sets its
# own targets; these are the demo's, in line with common 911 dispatch goals.
WAIT_TARGET_MINUTES: dict[int, int] = {1: 2, 2: 5, 3: 10, 4: 20, 5: 30}


def age_band(seconds: float, target_minutes: float) -> str:
    """ "ok" under half the target, "warn" under the target, "late" at or past it."""
    if seconds >= target_minutes * 60:
        return "late"
    return "warn" if seconds >= target_minutes * 30 else "ok"
