"""What a protocol change would have done: replay past calls under two protocols.

The input is the city's own history grouped by what the decision depends on (call type
and answers, with how many calls had them), so a city-year of 400,000 calls is a few
thousand decisions per protocol. The output: tier and lead shares with 95% intervals
under each protocol, the call types whose calls moved tier and by how many calls, and
the safety check: every call type with calls moving toward civilian-only (a lower tier)
whose history has severe outcomes (injury, weapon, arrest for violence, backup
requested). Issue 19; the report asks for criteria revisited as programs grow and a
data-driven process for advancing alternative response (Responsive Services).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..intervals import wilson as wilson_interval
from .engine import UnknownIdError, decide
from .model import TIER_SHORT, Protocol

SEVERE_OUTCOMES: dict[str, str] = {
    "injury": "injury",
    "weapon": "weapon",
    "arrest_violence": "arrest for violence",
    "backup": "backup requested",
    # Imported calls-for-service data: a disposition matching the dataset profile's
    # severe_dispositions pattern (e.g. arrest, report taken for a felony).
    "severe_disposition": "a severe disposition",
}


@dataclass(frozen=True, slots=True)
class CallGroup:
    """Past calls that share a call type and answers (``count`` of them)."""

    call_type: str
    answers: Mapping[str, str]
    count: int
    shift: str = ""  # the shift the calls came in on; "" when not known
    # When and where, as far as programs' hours and areas tell calls apart: a wall-clock
    # time and an area standing for the group's (availability.time_classes, area_classes).
    # None: not known, not checked.
    at: datetime | None = None
    area: str | None = None


@dataclass(frozen=True, slots=True)
class Share:
    key: str
    label: str
    count: int
    share: float | None  # None when there are no calls: not measurable
    low: float | None
    high: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "count": self.count,
            "share": self.share,
            "ci95": [self.low, self.high] if self.share is not None else None,
        }


@dataclass(frozen=True, slots=True)
class Movement:
    call_type: str
    label: str
    calls: int  # calls of this type replayed
    moved: int  # calls whose tier differs
    transitions: tuple[tuple[int, int, int], ...]  # (tier before, tier after, calls)
    toward_civilian: int  # calls moving to a lower tier
    undecidable: int  # calls the new protocol cannot decide (call type or question removed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "call_type": self.call_type,
            "label": self.label,
            "calls": self.calls,
            "moved": self.moved,
            "toward_civilian": self.toward_civilian,
            "undecidable": self.undecidable,
            "transitions": [{"from": a, "to": b, "calls": n} for a, b, n in self.transitions],
        }


@dataclass(frozen=True, slots=True)
class Reroute:
    """Calls of a call type whose first program changes (a program's hours or areas, its
    eligibility, the order of programs), whatever their tier does."""

    call_type: str
    label: str
    calls: int  # calls of this type replayed
    rerouted: int
    transitions: tuple[tuple[str, str, int], ...]  # (program before, after, calls)

    def to_dict(self) -> dict[str, Any]:
        return {
            "call_type": self.call_type,
            "label": self.label,
            "calls": self.calls,
            "rerouted": self.rerouted,
            "transitions": [{"from": a, "to": b, "calls": n} for a, b, n in self.transitions],
        }


@dataclass(frozen=True, slots=True)
class SafetyFlag:
    call_type: str
    label: str
    toward_civilian: int
    history: Mapping[str, int]  # severe outcome key -> calls of this type with it

    def to_dict(self) -> dict[str, Any]:
        return {
            "call_type": self.call_type,
            "label": self.label,
            "toward_civilian": self.toward_civilian,
            "history": dict(self.history),
            "text": self.describe(),
        }

    def describe(self) -> str:
        parts = [f"{n} with {SEVERE_OUTCOMES[k]}" for k, n in self.history.items() if n]
        return (
            f"{self.label}: {self.toward_civilian} call(s) move toward civilian-only; "
            f"its history has " + ", ".join(parts)
        )


@dataclass(frozen=True, slots=True)
class Workload:
    """The calls a program would lead in one shift, before and after, with the unit-hours
    they took in the city's history and the FTE that is. Hours are ``None`` (not
    measurable, never 0) when no call in the cell has a call type with measured times;
    ``timed_*`` says how many of the calls the hours cover."""

    program: str  # the decision's first program; "none" when it sends nobody
    label: str
    shift: str
    calls_before: int
    calls_after: int
    timed_before: int
    timed_after: int
    hours_before: float | None
    hours_after: float | None
    fte_before: float | None
    fte_after: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "program": self.program,
            "label": self.label,
            "shift": self.shift,
            "before": {"calls": self.calls_before, "timed_calls": self.timed_before,
                       "unit_hours": self.hours_before, "fte": self.fte_before},
            "after": {"calls": self.calls_after, "timed_calls": self.timed_after,
                      "unit_hours": self.hours_after, "fte": self.fte_after},
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Impact:
    total: int
    distinct: int  # decisions made per protocol
    before_tiers: tuple[Share, ...]
    after_tiers: tuple[Share, ...]
    before_leads: tuple[Share, ...]
    after_leads: tuple[Share, ...]
    movements: tuple[Movement, ...]  # call types with moved calls, most moved first
    moved: int
    undecidable: int
    safety: tuple[SafetyFlag, ...]
    notes: tuple[str, ...] = field(default=())
    workload: tuple[Workload, ...] = field(default=())  # per program and shift
    reroutes: tuple[Reroute, ...] = field(default=())  # call types whose first program moved

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "moved": self.moved,
            "undecidable": self.undecidable,
            "tiers": {
                "before": [s.to_dict() for s in self.before_tiers],
                "after": [s.to_dict() for s in self.after_tiers],
            },
            "leads": {
                "before": [s.to_dict() for s in self.before_leads],
                "after": [s.to_dict() for s in self.after_leads],
            },
            "movements": [m.to_dict() for m in self.movements],
            "safety": [f.to_dict() for f in self.safety],
            "workload": [w.to_dict() for w in self.workload],
            "rerouted": sum(r.rerouted for r in self.reroutes),
            "reroutes": [r.to_dict() for r in self.reroutes],
            "notes": list(self.notes),
        }


def wilson(count: int, total: int) -> tuple[float | None, float | None, float | None]:
    """Share with its Wilson score 95% interval (core.intervals: one definition)."""
    interval = wilson_interval(count, total) if total > 0 else None
    if interval is None:
        return None, None, None
    return count / total, interval[0], interval[1]


def _shares(counts: Mapping[str, int], labels: Mapping[str, str], total: int) -> tuple[Share, ...]:
    out = []
    for key, label in labels.items():
        n = counts.get(key, 0)
        share, low, high = wilson(n, total)
        out.append(Share(key, label, n, share, low, high))
    return tuple(out)


_TIER_LABELS = {str(t): f"Tier {t}: {label}" for t, label in TIER_SHORT.items()}
_LEAD_LABELS = {"civilian": "Civilian lead", "police": "Police lead", "none": "Nobody on scene"}


# Severe-outcome counts for the given call types (a database read, injected by the app).
HistoryReader = Callable[[Sequence[str]], Mapping[str, Mapping[str, int]]]
_Outcome = tuple[int, str, str]  # tier, lead ("none"), first program ("none")
_Cache = dict[tuple[str, frozenset[tuple[str, str]], datetime | None, str | None], _Outcome | None]


def context_free(protocol: Protocol) -> frozenset[str]:
    """The call types whose decision cannot depend on when or where the call came in: no
    program they can be offered (theirs, their rules', the tier defaults, and every
    fallback of those) has hours or areas. Their past calls are decided once, not once per
    kind of time and area."""
    restricted = {p.id for p in protocol.programs.values() if p.hours or p.areas is not None}
    if not restricted:
        return frozenset(protocol.call_types)
    defaults = {pid for tier in protocol.tier_programs for pid in tier}
    free = set()
    for ct in protocol.call_types.values():
        todo = set(ct.programs) | defaults
        todo |= {pid for r in protocol.rules if ct.id in r.call_types for pid in r.add_programs}
        reach: set[str] = set()
        while todo:
            pid = todo.pop()
            if pid in reach or pid not in protocol.programs:
                continue
            reach.add(pid)
            fallback = protocol.programs[pid].fallback
            if fallback:
                todo.add(fallback)
        if not reach & restricted:
            free.add(ct.id)
    return frozenset(free)


def _decided(
    protocol: Protocol, group: CallGroup, cache: _Cache, free: frozenset[str] = frozenset()
) -> _Outcome | None:
    """(tier, lead, first program) of a group under a protocol, or None for a call type
    it lacks.

    Answers to questions the protocol does not have are not part of its decision, and an
    ``unknown`` answer is the same as no answer (engine.py), so groups that differ only
    there share one decision: the cache is keyed by what the decision depends on."""
    key = (
        group.call_type,
        frozenset(
            (q, a)
            for q, a in group.answers.items()
            if a in ("yes", "no") and q in protocol.questions
        ),
        None if group.call_type in free else group.at,
        None if group.call_type in free else group.area,
    )
    if key in cache:
        return cache[key]
    try:
        decision = decide(protocol, group.call_type, dict(key[1]), at=key[2], area=key[3])
    except UnknownIdError:
        cache[key] = None
        return None
    program = decision.programs[0] if decision.programs else "none"
    cache[key] = (decision.tier, decision.lead or "none", program)
    return cache[key]


def replay_impact(
    before: Protocol,
    after: Protocol,
    groups: Iterable[CallGroup],
    history: Mapping[str, Mapping[str, int]] | HistoryReader,
    unit_hours: Mapping[str, float] | None = None,
    *,
    years: float = 1.0,
    hours_per_fte: float = 1600.0,
) -> Impact:
    """Replay ``groups`` under ``before`` and ``after``. ``history`` maps a call type to its
    severe-outcome counts (keys of SEVERE_OUTCOMES), or reads them for the call types
    moving toward civilian-only. Calls a protocol cannot decide
    (unknown call type) are counted apart and left out of that protocol's shares.

    ``unit_hours``: the mean unit-hours a call of each call type took in the history
    (dispatch to clear); a call keeps its call type's time whoever leads it, so the
    workload table moves hours between programs and shifts rather than guessing new
    durations. FTE = hours a year / ``hours_per_fte`` (the analytics' staffing relief:
    hours one responder is available in a year)."""
    tiers: list[dict[str, int]] = [{}, {}]
    leads: list[dict[str, int]] = [{}, {}]
    decided = [0, 0]
    per_type: dict[str, dict[tuple[int, int], int]] = {}
    calls_of: dict[str, int] = {}
    undecidable_of: dict[str, int] = {}
    total = distinct = 0
    caches: tuple[_Cache, _Cache] = ({}, {})
    free = (context_free(before), context_free(after))
    both_free = free[0] & free[1]
    hours_of = unit_hours or {}
    # (program, shift) -> [calls, timed calls, hours] for before and after
    cells: list[dict[tuple[str, str], list[float]]] = [{}, {}]
    # The same call type and answers recur once per shift: decided once (the answers
    # as stored, before _decided's normalising, which costs more than this lookup).
    pairs: dict[
        tuple[str, tuple[tuple[str, str], ...], datetime | None, str | None],
        tuple[_Outcome | None, ...],
    ] = {}
    # call type -> (program before, program after) -> calls, when the first program changes
    rerouted: dict[str, dict[tuple[str, str], int]] = {}
    for group in groups:
        total += group.count
        distinct += 1
        calls_of[group.call_type] = calls_of.get(group.call_type, 0) + group.count
        results: list[int | None] = []
        seen = (
            (group.call_type, tuple(group.answers.items()), None, None)
            if group.call_type in both_free
            else (group.call_type, tuple(group.answers.items()), group.at, group.area)
        )
        pair = pairs.get(seen)
        if pair is None:
            pair = pairs[seen] = (
                _decided(before, group, caches[0], free[0]),
                _decided(after, group, caches[1], free[1]),
            )
        for i in (0, 1):
            outcome = pair[i]
            if outcome is None:
                results.append(None)
                continue
            tier, lead, program = outcome
            results.append(tier)
            cell = cells[i].setdefault((program, group.shift), [0, 0, 0.0])
            cell[0] += group.count
            if group.call_type in hours_of:
                cell[1] += group.count
                cell[2] += group.count * hours_of[group.call_type]
            decided[i] += group.count
            key = str(tier)
            tiers[i][key] = tiers[i].get(key, 0) + group.count
            leads[i][lead] = leads[i].get(lead, 0) + group.count
        if pair[0] is not None and pair[1] is not None and pair[0][2] != pair[1][2]:
            moves_of = rerouted.setdefault(group.call_type, {})
            route = (pair[0][2], pair[1][2])
            moves_of[route] = moves_of.get(route, 0) + group.count
        old, new = results
        if new is None and old is not None:
            undecidable_of[group.call_type] = undecidable_of.get(group.call_type, 0) + group.count
        elif old is not None and new is not None and old != new:
            moves = per_type.setdefault(group.call_type, {})
            moves[(old, new)] = moves.get((old, new), 0) + group.count
    movements = []
    for call_type in sorted(set(per_type) | set(undecidable_of)):
        moves = per_type.get(call_type, {})
        spec = after.call_types.get(call_type) or before.call_types.get(call_type)
        movements.append(
            Movement(
                call_type=call_type,
                label=spec.label if spec else call_type,
                calls=calls_of[call_type],
                moved=sum(moves.values()),
                transitions=tuple(sorted((a, b, n) for (a, b), n in moves.items())),
                toward_civilian=sum(n for (a, b), n in moves.items() if b < a),
                undecidable=undecidable_of.get(call_type, 0),
            )
        )
    movements.sort(key=lambda m: (-m.moved - m.undecidable, m.call_type))
    candidates = [m for m in movements if m.toward_civilian]
    # The history is read only for the call types the safety check concerns.
    found = history if isinstance(history, Mapping) else history([m.call_type for m in candidates])
    safety = tuple(
        SafetyFlag(m.call_type, m.label, m.toward_civilian, dict(found[m.call_type]))
        for m in candidates
        if any(found.get(m.call_type, {}).values())
    )
    workload = _workload(before, after, cells, years, hours_per_fte)
    reroutes = []
    for call_type, routes in rerouted.items():
        spec = after.call_types.get(call_type) or before.call_types.get(call_type)
        reroutes.append(
            Reroute(
                call_type,
                spec.label if spec else call_type,
                calls_of[call_type],
                sum(routes.values()),
                tuple(sorted(((a, b, n) for (a, b), n in routes.items()), key=lambda t: -t[2])),
            )
        )
    reroutes.sort(key=lambda r: (-r.rerouted, r.call_type))
    notes = []
    if decided[0] < total:
        notes.append(f"{total - decided[0]} call(s) have a call type the live protocol lacks.")
    return Impact(
        total=total,
        distinct=distinct,
        before_tiers=_shares(tiers[0], _TIER_LABELS, decided[0]),
        after_tiers=_shares(tiers[1], _TIER_LABELS, decided[1]),
        before_leads=_shares(leads[0], _LEAD_LABELS, decided[0]),
        after_leads=_shares(leads[1], _LEAD_LABELS, decided[1]),
        movements=tuple(movements),
        moved=sum(m.moved for m in movements),
        undecidable=sum(m.undecidable for m in movements),
        safety=safety,
        notes=tuple(notes),
        workload=workload,
        reroutes=tuple(reroutes),
    )


def _workload(
    before: Protocol,
    after: Protocol,
    cells: list[dict[tuple[str, str], list[float]]],
    years: float,
    hours_per_fte: float,
) -> tuple[Workload, ...]:
    """Rows per (program, shift), in the protocols' program order, then by shift name;
    cells empty under both protocols are left out."""
    order = {p: i for i, p in enumerate([*before.programs, *after.programs, "none"])}
    keys = sorted(set(cells[0]) | set(cells[1]), key=lambda k: (order.get(k[0], len(order)), k))
    rows = []
    for program, shift in keys:
        spec = after.programs.get(program) or before.programs.get(program)
        label = spec.label if spec else ("Nobody sent" if program == "none" else program)
        measured = []
        for i in (0, 1):
            calls, timed, hours = cells[i].get((program, shift), [0, 0, 0.0])
            value = hours if timed else None
            fte = value / years / hours_per_fte if value is not None and years > 0 else None
            measured.append((int(calls), int(timed), value, fte))
        (cb, tb, hb, fb), (ca, ta, ha, fa) = measured
        rows.append(Workload(program, label, shift, cb, ca, tb, ta, hb, ha, fb, fa))
    return tuple(rows)
