"""When and where a program takes calls: its ``hours`` and ``areas`` (issue 19, item 1).

One rule, used by live triage (``decide``) and by the studio's replay of history: a
program is offered only when the call came in within its hours (the city's local wall
clock, so a daylight-saving change moves nothing: 08:00 is 08:00 in March and in July) and
the call's area is among its areas. A call whose area is not known is not held against a
program's areas (the dispatcher's unit picker still checks each unit's own areas). The
weekly windows are dispatch's (``core/dispatch/hours.py``), so a unit's service hours and a
program's hours are one rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from ..dispatch.hours import DAYS, Window
from .model import NotOffered, Program

OUTSIDE_HOURS = "outside_hours"
OUTSIDE_AREAS = "outside_areas"


def _clock(text: str) -> time:
    hour, minute = (int(part) for part in text.split(":"))
    if hour == 24:  # the end of the day, as dispatch's hours read it
        return time(23, 59, 59, 999999)
    return time(hour, minute)


def hours_windows(spans: Iterable[Mapping[str, Any]]) -> tuple[Window, ...]:
    """The protocol's ``hours`` (already valid against the schema) as weekly windows."""
    return tuple(
        Window(
            days=frozenset(DAYS.index(day) for day in span["days"]),
            start=_clock(span["from"]),
            end=_clock(span["to"]),
        )
        for span in spans
    )


def _days_text(days: list[str]) -> str:
    index = sorted(DAYS.index(d) for d in days)
    runs: list[list[int]] = []
    for i in index:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    names = [d.capitalize() for d in DAYS]
    return ", ".join(names[r[0]] if len(r) == 1 else f"{names[r[0]]}-{names[r[-1]]}" for r in runs)


def hours_text(spans: Iterable[Mapping[str, Any]]) -> str:
    """``Mon-Fri 08:00-20:00; Sat 10:00-16:00``: what the call taker reads."""
    return "; ".join(f"{_days_text(list(s['days']))} {s['from']}-{s['to']}" for s in spans)


def open_at(hours: tuple[Window, ...] | None, at: datetime) -> bool:
    """Whether weekly ``hours`` (None: always) include the local wall-clock time ``at``."""
    return hours is None or any(w.contains(at) for w in hours)


def program_unavailable(
    program: Program, at: datetime | None, area: str | None
) -> NotOffered | None:
    """Why ``program`` cannot take a call received at local time ``at`` in ``area``, or
    None when it can. ``at`` None: hours not checked (the protocol's example calls);
    ``area`` None or "": not known, areas not checked."""
    if at is not None and not open_at(program.hours, at):
        return NotOffered(
            program.id,
            OUTSIDE_HOURS,
            f"Not offered: {program.label} works {program.hours_text}; the call came in "
            f"{at.strftime('%a %H:%M')}, outside its hours.",
        )
    if area and program.areas is not None and area not in program.areas:
        return NotOffered(
            program.id,
            OUTSIDE_AREAS,
            f"Not offered: {program.label} serves {', '.join(sorted(program.areas))}; "
            f"the call is in {area}, outside its areas.",
        )
    return None


# ---------------------------------------------------------------- replaying history

WEEK_MINUTES = 7 * 1440
# A Monday: minute m of the week is REFERENCE_MONDAY + m minutes on the city's wall clock.
REFERENCE_MONDAY = datetime(2024, 1, 1)


def week_minute_time(minute: int) -> datetime:
    return datetime.fromordinal(REFERENCE_MONDAY.toordinal() + minute // 1440).replace(
        hour=(minute % 1440) // 60, minute=minute % 60
    )


def _minute(moment: time) -> int:
    return 1440 if moment == time(23, 59, 59, 999999) else moment.hour * 60 + moment.minute


def week_edges(programs: Iterable[Program], daily: Iterable[int] = ()) -> list[int]:
    """Minutes of the week (0: Monday 00:00) where any of ``programs`` opens or closes,
    plus the ``daily`` minutes of every day (the shifts' starts): between two edges every
    program is open throughout or closed throughout, so the replay of history decides
    once per stretch, not once per call."""
    edges = {0}
    for day in range(7):
        edges.update(day * 1440 + m for m in daily)
    for program in programs:
        for window in program.hours or ():
            for day in window.days:
                start = day * 1440 + _minute(window.start)
                end = day * 1440 + _minute(window.end) + (1440 if window.end <= window.start else 0)
                edges.update((start % WEEK_MINUTES, end % WEEK_MINUTES))
    return sorted(edges)


def area_classes(programs: Iterable[Program]) -> tuple[dict[str, int], dict[int, str | None]]:
    """The call areas that differ for ``programs``' areas: area -> class and class -> an
    area standing for it. Class 0 is "not known" (no area: nothing restricted); an area
    no program names shares class 1 with every other such area."""
    serving = [p for p in programs if p.areas is not None]
    names = sorted({a for p in serving for a in p.areas or ()})
    signature_of: dict[frozenset[int], int] = {}
    classes: dict[str, int] = {}
    stand_for: dict[int, str | None] = {0: None, 1: "(an area no program names)"}
    # Signatures by position: the same program id may carry other areas in each protocol.
    other = frozenset(range(len(serving)))
    signature_of[other] = 1
    for name in names:
        signature = frozenset(i for i, p in enumerate(serving) if name not in (p.areas or ()))
        if signature not in signature_of:
            signature_of[signature] = len(stand_for)
            stand_for[len(stand_for)] = name
        classes[name] = signature_of[signature]
    return classes, stand_for


@dataclass(frozen=True)
class TimeClasses:
    """The week cut where a shift starts or a program opens or closes, and the stretches
    grouped by what they decide: the shift and which programs are open."""

    edges: tuple[int, ...]  # the first minute of the week of each stretch
    class_of: tuple[int, ...]  # the class of each stretch
    at: tuple[datetime | None, ...]  # per class: a wall-clock time standing for it
    shift: tuple[str, ...]  # per class: the shift's name ("" without shifts)

    def by_minute(self) -> list[int]:
        """The class of every minute of the week (a lookup table for the database)."""
        table = []
        bounds = [*self.edges[1:], WEEK_MINUTES]
        for start, end, cls in zip(self.edges, bounds, self.class_of, strict=True):
            table.extend([cls] * (end - start))
        return table

    def shift_by_minute(self) -> list[int]:
        """Like ``by_minute`` with one class per shift (the first of it): for calls whose
        decision does not depend on which programs are open."""
        first: dict[str, int] = {}
        for cls, name in enumerate(self.shift):
            first.setdefault(name, cls)
        return [first[self.shift[cls]] for cls in self.by_minute()]


def time_classes(programs: Iterable[Program], shifts: Sequence[tuple[int, str]]) -> TimeClasses:
    """``shifts``: (start hour, name), the last running past midnight (the analytics')."""
    programs = list(programs)
    starts = sorted(shifts)
    edges = week_edges(programs, [hour * 60 for hour, _name in starts])

    def shift_at(minute_of_day: int) -> str:
        if not starts:
            return ""
        before = [name for hour, name in starts if hour * 60 <= minute_of_day]
        return before[-1] if before else starts[-1][1]

    timed = [p for p in programs if p.hours is not None]
    signature_of: dict[tuple[str, tuple[bool, ...]], int] = {}
    # Classes that differ only by shift share the time standing for them, so the replay
    # decides once per set of open programs (None: no program has hours, nothing to check).
    moment_of: dict[tuple[bool, ...], datetime | None] = {}
    class_of: list[int] = []
    at: list[datetime | None] = []
    shift: list[str] = []
    for edge in edges:
        moment = week_minute_time(edge)
        opens = tuple(open_at(p.hours, moment) for p in timed)
        signature = (shift_at(edge % 1440), opens)
        if signature not in signature_of:
            signature_of[signature] = len(at)
            at.append(moment_of.setdefault(opens, moment if timed else None))
            shift.append(signature[0])
        class_of.append(signature_of[signature])
    return TimeClasses(tuple(edges), tuple(class_of), tuple(at), tuple(shift))
