"""Field staffing: a discrete-event simulation of a year of calls for each program.

Report requirements: whether to staff alternative responses "24/7 or just during peak
demand" (report 1003, 1119), the workforce "necessary ... to meet demand" and "shift
analysis" (report 1117), and that diverted workload only frees an officer when it
amounts to "one full officer by shift and by precinct" (report 1346).

The model. Calls arrive as a Poisson process whose rate follows the hour of the week
(one rate per stream: a tier in an area). Each call tries the programs of its chain in
order (civilian -> co-response -> police, report 1578-1588): it takes the first unit of
that program in its area (or in a city-wide pool) that is on duty, first come first
served; if none comes free within the program's ``max_wait_minutes`` the call falls back
to the next program in its chain; when the chain runs out, the call is eligible but not
served. Units work their shift's hours and days; a unit that is busy at the end of its
shift finishes the call (overtime) and then goes off duty. Service times are
exponential with the stream's mean unit-hours for that program.

Because each pool serves first come first served and a call that gives up never held a
unit, the wait of a request is known the moment it is made: keeping each pool as a heap
of the times its units come free gives the exact same sample path as an event-by-event
simulation (Kiefer & Wolfowitz's recursion), with no per-call process objects. Requests
are handled in time order across all pools (arrivals merged with the fallback requests).
Checked against Erlang C on M/M/c cases (tests/core/staffing).
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

HOURS_PER_WEEK = 168
CITY_WIDE = "*"
# ICMA rule of 60, second part: no more than 60% of patrol time committed to calls for
# service (the "saturation index"); above it officers have no time for proactive work.
ICMA_SATURATION = 0.60


class SimulationError(ValueError):
    """Bad input to the simulation; the message names the place and the reason."""


@dataclass(frozen=True)
class Shift:
    name: str
    start_hour: float  # 0..24, local time
    hours: float  # length, 0 < hours <= 24
    units: Mapping[str, int]  # area (or "*" for a city-wide pool) -> units on duty
    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)  # 0 = Monday

    def windows(self) -> list[tuple[float, float]]:
        """On-duty windows in hours of the week, wrapped into [0, 168)."""
        out: list[tuple[float, float]] = []
        if self.hours >= 24 and len(self.days) == 7:
            return [(0.0, float(HOURS_PER_WEEK))]
        for d in self.days:
            start = d * 24 + self.start_hour
            end = start + self.hours
            if end <= HOURS_PER_WEEK:
                out.append((start, end))
            else:
                out.append((start, float(HOURS_PER_WEEK)))
                out.append((0.0, end - HOURS_PER_WEEK))
        out.sort()
        merged: list[tuple[float, float]] = []
        for s, e in out:
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], e))
            else:
                merged.append((s, e))
        return merged


@dataclass(frozen=True)
class Program:
    id: str
    label: str
    shifts: tuple[Shift, ...]
    max_wait_minutes: float | None = None  # None: the call waits as long as it takes
    police: bool = False


@dataclass(frozen=True)
class Staffing:
    name: str
    programs: Mapping[str, Program]
    hours_per_fte: float = 1750.0  # hours a person works in a year, after leave


@dataclass(frozen=True)
class Stream:
    """One kind of call: a tier in an area, its rate by hour of the week (calls per
    hour, 168 values, Monday 00:00 first) and its chain of programs with the mean
    unit-hours each takes."""

    name: str
    area: str
    tier: int
    rates: Sequence[float]
    chain: tuple[str, ...]
    service_hours: Mapping[str, float]


@dataclass
class PoolStats:
    program: str
    area: str
    shift: str
    units: int
    duty_hours: float = 0.0
    busy_hours: float = 0.0
    served: int = 0
    gave_up: int = 0

    @property
    def utilisation(self) -> float | None:
        """Busy over scheduled unit-hours; above 1 means calls ran into overtime."""
        return self.busy_hours / self.duty_hours if self.duty_hours else None


@dataclass
class Result:
    staffing: str
    weeks: int
    calls: int
    by_program: dict[str, dict[str, Any]]
    by_tier: dict[int, dict[str, Any]]
    pools: list[PoolStats]
    fte: list[dict[str, Any]]
    waits_by_program: dict[str, np.ndarray] = field(repr=False)
    waits_by_hour: dict[str, list[float | None]] = field(repr=False)

    def summary(self) -> dict[str, Any]:
        """Plain, JSON-ready figures."""
        return {
            "staffing": self.staffing,
            "weeks": self.weeks,
            "calls": self.calls,
            "by_program": self.by_program,
            "by_tier": {str(k): v for k, v in self.by_tier.items()},
            "pools": [
                {
                    "program": p.program,
                    "area": p.area,
                    "shift": p.shift,
                    "units": p.units,
                    "duty_hours": round(p.duty_hours, 1),
                    "busy_hours": round(p.busy_hours, 1),
                    "utilisation": p.utilisation,
                    "served": p.served,
                    "gave_up": p.gave_up,
                    "over_icma_60": (p.utilisation or 0.0) > ICMA_SATURATION,
                }
                for p in self.pools
            ],
            "fte": self.fte,
            "mean_wait_minutes_by_hour": self.waits_by_hour,
        }


def _next_on_duty(starts: list[float], ends: list[float], t: float) -> float:
    """The first time >= t within one of the windows (hours of the week)."""
    if not starts:
        return math.inf
    base = math.floor(t / HOURS_PER_WEEK) * HOURS_PER_WEEK
    w = t - base
    i = bisect.bisect_right(ends, w)
    if i < len(starts):
        return t if starts[i] <= w else base + starts[i]
    return base + HOURS_PER_WEEK + starts[0]


def _merge(windows: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for s, e in sorted(windows):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def pool_windows(staffing: Staffing) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """When each pool (program, area) has at least one unit on duty, in hours of the week."""
    out: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for program in staffing.programs.values():
        for shift in program.shifts:
            for area, count in shift.units.items():
                if count > 0:
                    out.setdefault((program.id, area), []).extend(shift.windows())
    return {key: _merge(windows) for key, windows in out.items()}


def _duty_hours(windows: list[tuple[float, float]], weeks: int) -> float:
    return sum(e - s for s, e in windows) * weeks


def generate_arrivals(
    streams: Sequence[Stream], weeks: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Arrival times (hours from Monday 00:00 of week one) and stream index, in time order:
    a Poisson count per hour of each week, spread uniformly within the hour."""
    times: list[np.ndarray] = []
    which: list[np.ndarray] = []
    hours = np.arange(weeks * HOURS_PER_WEEK, dtype=np.float64)
    for k, s in enumerate(streams):
        rates = np.asarray(s.rates, dtype=np.float64)
        if rates.shape != (HOURS_PER_WEEK,):
            raise SimulationError(f"stream {s.name}: rates need 168 values, got {rates.shape[0]}")
        if (rates < 0).any() or not np.isfinite(rates).all():
            raise SimulationError(f"stream {s.name}: rates must be finite and >= 0")
        counts = rng.poisson(np.tile(rates, weeks))
        t = np.repeat(hours, counts) + rng.random(int(counts.sum()))
        times.append(t)
        which.append(np.full(t.shape[0], k, dtype=np.int32))
    all_t = np.concatenate(times) if times else np.empty(0)
    all_k = np.concatenate(which) if which else np.empty(0, dtype=np.int32)
    order = np.argsort(all_t, kind="stable")
    return all_t[order], all_k[order]


def uncovered(streams: Sequence[Stream], staffing: Staffing) -> list[tuple[str, str, str]]:
    """(stream, program, area) where a program of the stream's chain has no unit in the
    stream's area nor a city-wide pool: such calls skip that program at once, and when it
    is the last of the chain they are not served. Usually an area spelled differently in
    the staffing plan and in the data."""
    pools = {
        (p.id, area)
        for p in staffing.programs.values()
        for shift in p.shifts
        for area, n in shift.units.items()
        if n > 0
    }
    return [
        (s.name, pid, s.area)
        for s in streams
        for pid in s.chain
        if (pid, s.area) not in pools and (pid, CITY_WIDE) not in pools
    ]


def simulate(
    streams: Sequence[Stream],
    staffing: Staffing,
    weeks: int = 52,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
    arrivals: tuple[np.ndarray, np.ndarray] | None = None,
    started: Callable[[int], None] | None = None,
) -> Result:
    """Run the year; ``started`` is told how many calls there are, then ``progress`` the
    number handled since it was last called (for a progress bar)."""
    if weeks < 1:
        raise SimulationError("weeks: at least one")
    for s in streams:
        if not s.chain:
            raise SimulationError(f"stream {s.name}: empty chain of programs")
        for p in s.chain:
            if p not in staffing.programs:
                raise SimulationError(f"stream {s.name}: program {p!r} is not in the staffing plan")
            if not s.service_hours.get(p, 0) > 0:
                raise SimulationError(f"stream {s.name}: no service time for program {p!r}")
    rng = np.random.default_rng(seed)
    arr_t, arr_k = arrivals if arrivals is not None else generate_arrivals(streams, weeks, rng)
    n = int(arr_t.shape[0])
    unit_draws = rng.exponential(1.0, size=n)
    if started is not None:
        started(n)

    # Units: windows per unit; pools keyed by (program, area).
    unit_starts: list[list[float]] = []
    unit_ends: list[list[float]] = []
    unit_stats: list[PoolStats] = []
    heaps: dict[tuple[str, str], list[tuple[float, int]]] = {}
    pools: list[PoolStats] = []
    for program in staffing.programs.values():
        for shift in program.shifts:
            windows = shift.windows()
            starts = [s for s, _ in windows]
            ends = [e for _, e in windows]
            for area, count in shift.units.items():
                if not shift.days or not 0 < shift.hours <= 24:
                    raise SimulationError(f"{program.id}, shift {shift.name}: no hours on duty")
                if count < 0:
                    raise SimulationError(f"{program.id}, shift {shift.name}, {area}: units < 0")
                stats = PoolStats(program.id, area, shift.name, count)
                stats.duty_hours = _duty_hours(windows, weeks) * count
                pools.append(stats)
                heap = heaps.setdefault((program.id, area), [])
                for _ in range(count):
                    u = len(unit_starts)
                    unit_starts.append(starts)
                    unit_ends.append(ends)
                    unit_stats.append(stats)
                    heap.append((_next_on_duty(starts, ends, 0.0), u))
    for heap in heaps.values():
        heapq.heapify(heap)
    # A dispatcher knows when a program has nobody on shift: if nobody comes on within the
    # program's wait, the call goes to the next program at once instead of waiting.
    on_duty = {
        key: ([s for s, _ in w], [e for _, e in w]) for key, w in pool_windows(staffing).items()
    }
    # Calls that give up are counted against the program's first pool serving the area.
    first_pool: dict[tuple[str, str], PoolStats] = {}
    for s in streams:
        for p in s.chain:
            for pool in pools:
                if pool.program == p and pool.area in (s.area, CITY_WIDE):
                    first_pool.setdefault((p, s.area), pool)

    chains = [s.chain for s in streams]
    areas = [s.area for s in streams]
    service = [[s.service_hours[p] for p in s.chain] for s in streams]
    max_wait = {
        pid: (math.inf if p.max_wait_minutes is None else p.max_wait_minutes / 60.0)
        for pid, p in staffing.programs.items()
    }
    served_by = np.full(n, -1, dtype=np.int16)  # index in the chain, -1: not served
    wait = np.zeros(n)
    start_at = np.full(n, np.nan)
    fallback: list[tuple[float, int, int]] = []  # (time, call, chain position)
    off_shift_calls = dict.fromkeys(staffing.programs, 0)
    i = 0
    done = 0
    horizon_report = max(1, n // 100)
    while i < n or fallback:
        if fallback and (i >= n or fallback[0][0] <= arr_t[i]):
            t, call, pos = heapq.heappop(fallback)
        else:
            t, call, pos = float(arr_t[i]), i, 0
            i += 1
        k = int(arr_k[call])
        chain = chains[k]
        pid = chain[pos]
        pool_key = (pid, areas[k]) if heaps.get((pid, areas[k])) else (pid, CITY_WIDE)
        heap = heaps.get(pool_key) or []
        limit = max_wait[pid]
        avail = math.inf
        off_shift = bool(heap) and _next_on_duty(*on_duty[pool_key], t) - t > limit
        if off_shift:
            off_shift_calls[pid] += 1
            heap = []
        if heap:
            while True:
                key, u = heap[0]
                at = key if key >= t else t
                avail = _next_on_duty(unit_starts[u], unit_ends[u], at)
                if avail == at:
                    break
                heapq.heapreplace(heap, (avail, u))  # off duty now: when it is next on
        waited = avail - t
        if heap and waited <= limit:
            key, u = heap[0]
            hours = service[k][pos] * unit_draws[call]
            end = avail + hours
            heapq.heapreplace(heap, (_next_on_duty(unit_starts[u], unit_ends[u], end), u))
            stats = unit_stats[u]
            stats.busy_hours += float(hours)
            stats.served += 1
            served_by[call] = pos
            wait[call] += waited
            start_at[call] = avail
        else:
            # No unit of this program here at all, or none on shift soon enough: on to
            # the next one at once.
            gave_up_after = limit if heap and math.isfinite(limit) else 0.0
            if heap:
                first_pool[(pid, areas[k])].gave_up += 1
            wait[call] += gave_up_after
            if pos + 1 < len(chain):
                heapq.heappush(fallback, (t + gave_up_after, call, pos + 1))
        if pos == 0:
            done += 1
            if progress is not None and done % horizon_report == 0:
                progress(horizon_report)
    if progress is not None and done % horizon_report:
        progress(done % horizon_report)
    return _result(streams, staffing, weeks, arr_t, arr_k, served_by, wait, pools, off_shift_calls)


def _result(
    streams: Sequence[Stream],
    staffing: Staffing,
    weeks: int,
    arr_t: np.ndarray,
    arr_k: np.ndarray,
    served_by: np.ndarray,
    wait: np.ndarray,
    pools: list[PoolStats],
    off_shift_calls: dict[str, int],
) -> Result:
    n = int(arr_t.shape[0])
    program_of = np.full(n, "", dtype=object)
    first = np.array([s.chain[0] for s in streams], dtype=object)[arr_k]
    for k, s in enumerate(streams):
        mine = arr_k == k
        for pos, p in enumerate(s.chain):
            program_of[mine & (served_by == pos)] = p
    by_program: dict[str, dict[str, Any]] = {}
    waits_by_program: dict[str, np.ndarray] = {}
    hour = (np.floor(arr_t) % HOURS_PER_WEEK).astype(np.int64)
    waits_by_hour: dict[str, list[float | None]] = {}
    for pid, prog in staffing.programs.items():
        eligible = first == pid
        served_here = program_of == pid
        w = wait[served_here] * 60.0
        waits_by_program[pid] = w
        fell_back = eligible & (served_by > 0)
        not_served = eligible & (served_by < 0)
        n_eligible = int(eligible.sum())
        duty = float(sum(p.duty_hours for p in pools if p.program == pid))
        busy = float(sum(p.busy_hours for p in pools if p.program == pid))
        by_program[pid] = {
            "label": prog.label,
            "eligible_first": n_eligible,
            "served": int(served_here.sum()),
            "served_eligible": int((eligible & served_here).sum()),
            "share_eligible_served": (
                float((eligible & served_here).sum()) / n_eligible if n_eligible else None
            ),
            "fell_back": int(fell_back.sum()),
            # Requests (first choice or fallback) that found nobody on shift soon enough.
            "off_shift": off_shift_calls[pid],
            "eligible_not_served": int(not_served.sum()),
            "mean_wait_minutes": float(w.mean()) if w.size else None,
            "p90_wait_minutes": float(np.percentile(w, 90)) if w.size else None,
            "utilisation": busy / duty if duty else None,
            "unit_hours_on_duty": duty,
            "unit_hours_busy": busy,
        }
        sums = np.bincount(hour[served_here], weights=w, minlength=HOURS_PER_WEEK)
        counts = np.bincount(hour[served_here], minlength=HOURS_PER_WEEK)
        waits_by_hour[pid] = [
            float(sums[h] / counts[h]) if counts[h] else None for h in range(HOURS_PER_WEEK)
        ]
    by_tier: dict[int, dict[str, Any]] = {}
    tiers = np.array([s.tier for s in streams])[arr_k]
    for tier in sorted({s.tier for s in streams}):
        mine = tiers == tier
        total = int(mine.sum())
        by_tier[tier] = {
            "calls": total,
            "served_by": {
                pid: int((mine & (program_of == pid)).sum()) for pid in staffing.programs
            },
            "not_served": int((mine & (served_by < 0)).sum()),
            "mean_wait_minutes": float(wait[mine].mean() * 60.0) if total else None,
        }
    annual = 52.0 / weeks
    fte = []
    for pool in pools:
        fte.append(
            {
                "program": pool.program,
                "shift": pool.shift,
                "area": pool.area,
                "units": pool.units,
                # People to keep the units on the road, all year (relief included).
                "fte_to_staff": pool.duty_hours * annual / staffing.hours_per_fte,
                # Workload actually done, as full-time people: for police pools this is
                # what the calls took; compare by shift and precinct (report 1346).
                "fte_of_workload": pool.busy_hours * annual / staffing.hours_per_fte,
                "utilisation": pool.utilisation,
                "over_icma_60": (pool.utilisation or 0.0) > ICMA_SATURATION,
            }
        )
    return Result(
        staffing.name, weeks, n, by_program, by_tier, pools, fte, waits_by_program, waits_by_hour
    )


def compare(a: Result, b: Result) -> list[dict[str, Any]]:
    """Side by side per program: what changes between two runs (two protocols, or two
    staffing plans such as 24/7 against peak-hours coverage)."""
    rows = []
    for pid in sorted(set(a.by_program) | set(b.by_program)):
        pa, pb = a.by_program.get(pid, {}), b.by_program.get(pid, {})
        for key in (
            "served",
            "share_eligible_served",
            "eligible_not_served",
            "fell_back",
            "mean_wait_minutes",
            "utilisation",
            "unit_hours_on_duty",
        ):
            va, vb = pa.get(key), pb.get(key)
            rows.append(
                {
                    "program": pid,
                    "measure": key,
                    "a": va,
                    "b": vb,
                    "difference": (vb - va) if va is not None and vb is not None else None,
                }
            )
    return rows
