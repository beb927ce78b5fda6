"""The protocol and the decision as plain, immutable Python objects.

Tiers follow the report's tiered dispatch (lines 1578-1588) with the recommended Tier 0:
0 virtual response, 1 civilian only, 2 co-response led by civilians, 3 co-response led
by police, 4 police only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..dispatch.hours import Window

Answer = Literal["yes", "no", "unknown"]
ANSWERS: tuple[str, ...] = ("yes", "no", "unknown")
PROGRAM_KINDS: tuple[str, ...] = ("virtual", "civilian", "co_response", "police", "medical", "fire")

TIER_LABELS: dict[int, str] = {
    0: "Virtual response (online or phone report, 311, hotline transfer)",
    1: "Civilian response only",
    2: "Co-response led by civilians",
    3: "Co-response led by police",
    4: "Police response only",
}
TIER_SHORT: dict[int, str] = {
    0: "Virtual",
    1: "Civilian",
    2: "Civilian-led co-response",
    3: "Police-led co-response",
    4: "Police",
}


def tier_lead(tier: int) -> str | None:
    """Who leads at a tier: nobody in person at 0, civilians at 1-2, police at 3-4."""
    if tier == 0:
        return None
    return "civilian" if tier <= 2 else "police"


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class RiskEffect:
    likelihood: int = 1
    consequence: int = 1


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    text: str
    help: str
    unknown_as: str
    if_yes: RiskEffect
    if_unknown: RiskEffect


@dataclass(frozen=True, slots=True)
class Program:
    id: str
    label: str
    kind: str
    tiers: frozenset[int]
    eligible_when: Mapping[str, frozenset[str]]
    fallback: str | None
    # When and where it takes calls (None: always, citywide). The windows are the one rule
    # for weekly hours that dispatch's units use too (core/dispatch/hours.py).
    hours: tuple[Window, ...] | None = None
    hours_text: str = ""  # "Mon-Fri 08:00-20:00", for the reasons shown to the call taker
    areas: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class CallType:
    id: str
    label: str
    category: str
    tier: int
    likelihood: int
    consequence: int
    questions: tuple[str, ...]
    programs: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    when: Mapping[str, frozenset[str]]
    call_types: frozenset[str]  # the call types the rule applies to (resolved scope)
    tier: int
    add_programs: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class Screening:
    id: str
    call_types: frozenset[str]
    unless_yes: tuple[str, ...]
    reason: str


def flag_key(text: str) -> str:
    """A flag's wording as rules compare it: without case or extra spaces."""
    return " ".join(text.lower().split())


@dataclass(frozen=True, slots=True)
class FlagRule:
    """How a flag on the known caller (``on="person"``) or the place (``on="place"``)
    changes the questions or the response (report lines 1596, 1620-1632)."""

    id: str
    on: str
    flags: frozenset[str]  # flag_key of each wording
    call_types: frozenset[str]  # resolved scope
    ask: tuple[str, ...]
    min_tier: int | None
    exclude_programs: tuple[str, ...]
    prefer_programs: tuple[str, ...]
    note: str


@dataclass(frozen=True, slots=True)
class FlagEffect:
    """What one flag rule did to a decision, for the call taker and the record."""

    rule: str
    on: str
    flag: str
    note: str
    changes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "on": self.on, "flag": self.flag, "note": self.note,
                "changes": list(self.changes)}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Band:
    id: str
    label: str
    min_tier: int
    max_tier: int


@dataclass(frozen=True, slots=True)
class RiskMatrix:
    likelihood_labels: tuple[str, ...]  # index 0 is likelihood 1
    consequence_labels: tuple[str, ...]
    # cells[likelihood - 1][consequence - 1] = (band id, score), as printed in the report
    cells: tuple[tuple[tuple[str, int], ...], ...]
    bands: tuple[Band, ...]  # lowest risk first

    def band(self, likelihood: int, consequence: int) -> Band:
        band_id = self.cells[likelihood - 1][consequence - 1][0]
        return next(b for b in self.bands if b.id == band_id)

    def score(self, likelihood: int, consequence: int) -> int:
        return self.cells[likelihood - 1][consequence - 1][1]


@dataclass(frozen=True, slots=True)
class Example:
    name: str
    call_type: str
    answers: Mapping[str, str]
    expect: Mapping[str, Any]
    flags: tuple[tuple[str, str], ...] = ()  # (person or place, flag wording), as at intake


@dataclass(frozen=True, slots=True)
class Risk:
    likelihood: int
    consequence: int
    score: int
    band: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "likelihood": self.likelihood,
            "consequence": self.consequence,
            "score": self.score,
            "band": self.band,
        }


@dataclass(frozen=True, slots=True)
class NotOffered:
    """A program passed over for this call: ``why`` is "outside_hours" or "outside_areas"
    ("none_open": the tier's default, closed too, listed anyway)."""

    program: str
    why: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"program": self.program, "why": self.why, "text": self.text}


@dataclass(frozen=True, slots=True)
class Decision:
    tier: int
    lead: str | None
    programs: tuple[str, ...]
    risk: Risk
    screened_out: bool
    reasons: tuple[str, ...]
    ask_next: tuple[str, ...]
    protocol_version: str
    call_type: str
    category: str
    # Programs the call would have had but for their hours or areas, with why (auditable).
    not_offered: tuple[NotOffered, ...] = ()
    # The flags the call came with (kind and wording only) and what their rules changed.
    flags: tuple[tuple[str, str], ...] = ()
    flag_effects: tuple[FlagEffect, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "tier": self.tier,
            "lead": self.lead,
            "programs": list(self.programs),
            "risk": self.risk.to_dict(),
            "screened_out": self.screened_out,
            "reasons": list(self.reasons),
            "ask_next": list(self.ask_next),
            "protocol_version": self.protocol_version,
            "call_type": self.call_type,
            "category": self.category,
            "not_offered": [n.to_dict() for n in self.not_offered],
        }
        if self.flags:
            out["flags"] = [{"on": on, "flag": flag} for on, flag in self.flags]
            out["flag_rules"] = [effect.to_dict() for effect in self.flag_effects]
        return out


@dataclass(frozen=True, slots=True)
class Protocol:
    version: str
    name: str
    source: str
    categories: Mapping[str, Category]
    questions: Mapping[str, Question]  # in asking order
    programs: Mapping[str, Program]
    call_types: Mapping[str, CallType]
    rules: tuple[Rule, ...]
    screening: tuple[Screening, ...]
    risk_matrix: RiskMatrix
    tier_programs: tuple[tuple[str, ...], ...]
    examples: tuple[Example, ...]
    # Lookup structures built once by the loader so decide() does no parsing (see engine.py).
    compiled: Any = field(default=None, repr=False, compare=False)
    flag_rules: tuple[FlagRule, ...] = ()
