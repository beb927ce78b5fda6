"""Recommend units for an incident, with a declared fallback chain and a record of the
alternative response that was eligible but not served.

Denver 911 recorded every STAR-eligible call "even if the call did not qualify for the
pilot because of location, time of day, or availability of the van" (report ~1243); that
record is what tells a city how much alternative capacity it is missing. The critical
decision path (report ~1137) is: acuity, risk, optimal resource, its availability, dispatch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .geo import haversine_km, point_in_polygon, travel_minutes
from .hours import ServiceHours

# Program id -> response kind, as in the default protocol (contract 1). The protocol's own
# program kinds override these when the dispatch layer passes them in.
PROGRAM_KINDS: dict[str, str] = {
    "online_report": "virtual",
    "phone_report": "virtual",
    "line_311": "virtual",
    "crisis_line_988": "virtual",
    "community_responder": "civilian",
    "behavioral_crisis_team": "civilian",
    "dv_advocate": "civilian",
    "violence_interrupters": "civilian",
    "ems": "medical",
    "fire": "fire",
    "cit_co_response": "co_response",
    "police": "police",
}

# When no unit of the alternative response is available, the next kind along this chain is
# tried: civilian -> co-response -> police.
FALLBACK_CHAIN: tuple[str, ...] = ("civilian", "co_response", "police")
ALTERNATIVE_KINDS = frozenset({"civilian", "co_response"})

NOT_SERVED_REASONS = ("off_hours", "out_of_area", "none_available")


@dataclass(frozen=True)
class UnitInfo:
    id: int
    call_sign: str
    program: str
    kind: str
    status: str
    hours: ServiceHours
    capabilities: frozenset[str] = frozenset()
    areas: frozenset[str] = frozenset()  # empty and no polygon: the whole city
    polygon: tuple[tuple[float, float], ...] = ()
    latitude: float | None = None
    longitude: float | None = None

    def covers(self, area: str, latitude: float | None, longitude: float | None) -> bool:
        if not self.areas and not self.polygon:
            return True
        if not area and (latitude is None or longitude is None):
            # Where the call is is not known: coverage cannot be checked, and a call must
            # never wait because of what nobody knows (issue 16: a knife call with a blank
            # area waited while six police units were available).
            return True
        if area and area in self.areas:
            return True
        if self.polygon and latitude is not None and longitude is not None:
            return point_in_polygon(latitude, longitude, self.polygon)
        return False


@dataclass(frozen=True)
class IncidentNeed:
    tier: int
    programs: tuple[str, ...]  # from the decision, preferred first
    at: datetime  # local time of the incident, for service hours
    area: str = ""
    latitude: float | None = None
    longitude: float | None = None
    needed_capabilities: frozenset[str] = frozenset()
    preferred_capabilities: frozenset[str] = frozenset()
    program_kinds: Mapping[str, str] = field(default_factory=lambda: dict(PROGRAM_KINDS))
    # Programs with a service-zone boundary, and those whose zone contains the point.
    zoned_programs: frozenset[str] = frozenset()
    in_zones: frozenset[str] = frozenset()

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def in_program_zone(self, program: str) -> bool:
        """False only when the program has a zone and the known point is outside it."""
        return not (self.located and program in self.zoned_programs) or program in self.in_zones

    def kind_of(self, program: str) -> str:
        return self.program_kinds.get(program, PROGRAM_KINDS.get(program, "civilian"))


@dataclass(frozen=True)
class Candidate:
    unit_id: int
    call_sign: str
    program: str
    kind: str
    distance_km: float | None
    eta_minutes: float | None
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "call_sign": self.call_sign,
            "program": self.program,
            "kind": self.kind,
            "distance_km": None if self.distance_km is None else round(self.distance_km, 2),
            "eta_minutes": None if self.eta_minutes is None else round(self.eta_minutes, 1),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Recommendation:
    candidates: tuple[Candidate, ...]  # best first
    response_kind: str | None  # the kind of response recommended after any fallback
    fell_back: bool
    eligible_not_served: tuple[tuple[str, str], ...]  # (program, reason)
    reasons: tuple[str, ...]

    @property
    def primary(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def not_served_reason(self) -> str | None:
        return self.eligible_not_served[0][1] if self.eligible_not_served else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidates": [c.to_dict() for c in self.candidates],
            "response_kind": self.response_kind,
            "fell_back": self.fell_back,
            "eligible_not_served": [
                {"program": p, "reason": r} for p, r in self.eligible_not_served
            ],
            "reasons": list(self.reasons),
        }


def _distance(unit: UnitInfo, need: IncidentNeed) -> float | None:
    if None in (unit.latitude, unit.longitude, need.latitude, need.longitude):
        return None
    return haversine_km(unit.latitude, unit.longitude, need.latitude, need.longitude)  # type: ignore[arg-type]


def _covers(unit: UnitInfo, need: IncidentNeed) -> bool:
    return need.in_program_zone(unit.program) and unit.covers(
        need.area, need.latitude, need.longitude
    )


def _eligible(unit: UnitInfo, need: IncidentNeed, *, strict_capabilities: bool) -> bool:
    return (
        unit.status == "available"
        and unit.hours.open_at(need.at)
        and _covers(unit, need)
        and (not strict_capabilities or need.needed_capabilities <= unit.capabilities)
    )


def _not_served_reason(units: Sequence[UnitInfo], need: IncidentNeed) -> str:
    """Why a program could not serve: no unit in service hours; else none covering the
    place; else every unit that could is busy (or lacks a needed capability)."""
    in_hours = [u for u in units if u.hours.open_at(need.at)]
    if units and not in_hours:
        return "off_hours"
    if in_hours and not any(_covers(u, need) for u in in_hours):
        return "out_of_area"
    return "none_available"


def _rank(
    units: Sequence[UnitInfo], need: IncidentNeed, program_rank: Mapping[str, int]
) -> list[Candidate]:
    scored = []
    for unit in units:
        km = _distance(unit, need)
        eta = None if km is None else travel_minutes(km)
        has_preferred = need.preferred_capabilities & unit.capabilities
        reasons = [f"{unit.program} ({unit.kind}) is available, in service hours and area"]
        if has_preferred:
            reasons.append("has " + ", ".join(sorted(has_preferred)))
        if eta is not None:
            reasons.append(f"about {eta:.0f} min away ({km:.1f} km)")
        key = (
            program_rank.get(unit.program, 99),
            0 if has_preferred else 1,
            eta if eta is not None else float("inf"),
            unit.call_sign,
        )
        scored.append(
            (
                key,
                Candidate(
                    unit.id, unit.call_sign, unit.program, unit.kind, km, eta, tuple(reasons)
                ),
            )
        )
    scored.sort(key=lambda item: item[0])
    return [c for _, c in scored]


def recommend(need: IncidentNeed, units: Sequence[UnitInfo]) -> Recommendation:
    """Eligible units nearest first; when the alternative response cannot be served, the
    reason is recorded and the next kind along FALLBACK_CHAIN is recommended."""
    field_programs = [p for p in need.programs if need.kind_of(p) != "virtual"]
    if not field_programs:
        return Recommendation(
            (), "virtual" if need.programs else None, False, (),
            ("No field unit: the decision routes this call to a virtual option."
             if need.programs else "The decision names no program.",),
        )  # fmt: skip
    rank = {p: i for i, p in enumerate(field_programs)}
    reasons: list[str] = []
    not_served: list[tuple[str, str]] = []
    candidates: list[Candidate] = []
    served_kinds: list[str] = []
    for program in field_programs:
        of_program = [u for u in units if u.program == program]
        eligible = [u for u in of_program if _eligible(u, need, strict_capabilities=True)]
        kind = need.kind_of(program)
        if eligible:
            candidates += _rank(eligible, need, rank)
            served_kinds.append(kind)
        elif served_kinds:
            # A later program is the protocol's own fallback, not needed once an earlier
            # program is served: neither "not served" nor worth a reason.
            continue
        elif kind in ALTERNATIVE_KINDS:
            reason = _not_served_reason(of_program, need)
            not_served.append((program, reason))
            reasons.append(f"{program} is eligible but cannot respond: {reason.replace('_', ' ')}")
        else:
            reasons.append(f"no {program} unit is available now")
    alternative_asked = [p for p in field_programs if need.kind_of(p) in ALTERNATIVE_KINDS]
    fell_back = False
    response_kind = served_kinds[0] if served_kinds else None
    # The chain is walked only when none of the decision's programs can go.
    if alternative_asked and not candidates:
        start = min(
            FALLBACK_CHAIN.index(need.kind_of(p))
            for p in alternative_asked
            if need.kind_of(p) in FALLBACK_CHAIN
        )
        for kind in FALLBACK_CHAIN[start + 1 :]:
            fallback = [
                u for u in units if u.kind == kind and _eligible(u, need, strict_capabilities=False)
            ]
            if fallback:
                fell_back = True
                response_kind = kind
                reasons.append(
                    f"fall back to {kind.replace('_', '-')} (civilian -> co-response -> police)"
                )
                candidates = _rank(fallback, need, rank)
                break
        else:
            reasons.append("no unit along the fallback chain is available; the incident waits")
    if candidates and not reasons:
        reasons.append("the preferred program has an eligible unit")
    return Recommendation(
        tuple(candidates), response_kind, fell_back, tuple(not_served), tuple(reasons)
    )


@dataclass(frozen=True)
class UnitChoice:
    """One available unit in the dispatcher's picker: every available unit is offered, the
    recommended ones first; the others say why they were not recommended."""

    unit_id: int
    call_sign: str
    program: str
    kind: str
    distance_km: float | None
    eta_minutes: float | None
    recommended: bool
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "call_sign": self.call_sign,
            "program": self.program,
            "kind": self.kind,
            "distance_km": None if self.distance_km is None else round(self.distance_km, 2),
            "eta_minutes": None if self.eta_minutes is None else round(self.eta_minutes, 1),
            "recommended": self.recommended,
            "note": self.note,
        }


def why_not_recommended(unit: UnitInfo, need: IncidentNeed) -> str:
    """The first cause, in the order a dispatcher weighs them."""
    if not unit.hours.open_at(need.at):
        return "outside its service hours"
    if not _covers(unit, need):
        return "outside the program's area"
    if unit.program not in need.programs and unit.kind not in (
        need.kind_of(p) for p in need.programs
    ):
        return "not a response the protocol names for this call"
    if not need.needed_capabilities <= unit.capabilities:
        return "lacks " + ", ".join(sorted(need.needed_capabilities - unit.capabilities))
    return "a later choice of the protocol"


def unit_choices(
    need: IncidentNeed, units: Sequence[UnitInfo], recommendation: Recommendation
) -> list[UnitChoice]:
    """Every available unit, recommended first (in the recommendation's order), then the
    others nearest first (distance unknown last). Empty only when no unit is available."""
    order = {c.unit_id: i for i, c in enumerate(recommendation.candidates)}
    choices = []
    for unit in units:
        if unit.status != "available":
            continue
        km = _distance(unit, need)
        eta = None if km is None else travel_minutes(km)
        recommended = unit.id in order
        note = "recommended" if recommended else why_not_recommended(unit, need)
        if km is None and not need.located:
            note += "; distance unknown (the call's location is not resolved)"
        choices.append(
            UnitChoice(unit.id, unit.call_sign, unit.program, unit.kind, km, eta, recommended, note)
        )
    choices.sort(
        key=lambda c: (
            order.get(c.unit_id, len(order)),
            c.eta_minutes if c.eta_minutes is not None else float("inf"),
            c.call_sign,
        )
    )
    return choices
