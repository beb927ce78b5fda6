"""Demand for the simulation: streams of calls (tier x area) with a rate per hour of the
week, built from observed counts (an imported dataset replayed through a protocol) or,
for benchmarks and examples, from a synthetic city-year with the usual weekly rhythm."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping

import numpy as np

from .config import StaffingPlan
from .simulation import HOURS_PER_WEEK, SimulationError, Stream


def streams_from_counts(
    rows: Iterable[tuple[int, str, int, float]],
    weeks_observed: float,
    plan: StaffingPlan,
    unit_hours: Mapping[int, float] | None = None,
    scale: float = 1.0,
) -> list[Stream]:
    """``rows``: (tier, area, hour of week 0..167, calls). Rates are calls per hour of
    that hour of the week, times ``scale`` (to project growth or a year's volume).
    ``unit_hours``: mean unit-hours per call by tier from the data; a program's own
    figure in the staffing plan is used where the data has none. Tiers with no chain
    in the plan (virtual responses) are not field work and are left out."""
    if weeks_observed <= 0:
        raise SimulationError("weeks observed must be > 0")
    rates: dict[tuple[int, str], np.ndarray] = defaultdict(lambda: np.zeros(HOURS_PER_WEEK))
    for tier, area, hour, calls in rows:
        if not 0 <= hour < HOURS_PER_WEEK:
            raise SimulationError(f"hour of week {hour}: must be 0..167")
        if tier in plan.chains:
            rates[(tier, area)][hour] += calls * scale / weeks_observed
    streams: list[Stream] = []
    for (tier, area), r in sorted(rates.items()):
        chain = plan.chains[tier]
        service: dict[str, float] = {}
        for p in chain:
            hours = plan.service_for(p, tier)
            if hours is None and unit_hours and unit_hours.get(tier):
                hours = unit_hours[tier]
            if hours is None:
                raise SimulationError(
                    f"program {p}: no service time for tier {tier} (give service_hours in the "
                    "staffing plan, or use a dataset with unit times)"
                )
            service[p] = hours
        streams.append(Stream(f"tier {tier} / {area}", area, tier, r.tolist(), chain, service))
    return streams


def weekly_profile() -> np.ndarray:
    """Share of a week's calls in each hour (Monday 00:00 first): low before dawn, a
    late-afternoon peak, busier Friday and Saturday nights; the shape calls-for-service
    data show in most U.S. cities."""
    hours = np.arange(HOURS_PER_WEEK)
    hod = hours % 24
    dow = hours // 24
    daily = (
        1.0
        + 0.65 * np.cos(2 * math.pi * (hod - 17) / 24)
        + 0.1 * np.cos(4 * math.pi * (hod - 14) / 24)
    )
    weekend_night = ((dow == 4) | (dow == 5)) & ((hod >= 20) | (hod < 3))
    daily = daily * np.where(weekend_night, 1.25, 1.0)
    result: np.ndarray = daily / daily.sum()
    return result


def synthetic_counts(
    calls_per_year: float = 400_000,
    areas: tuple[str, ...] = ("Precinct 1", "Precinct 2", "Precinct 3", "Precinct 4", "Precinct 5"),
    tier_shares: Mapping[int, float] | None = None,
) -> list[tuple[int, str, int, float]]:
    """Expected calls per (tier, area, hour of week) in one week of a city-year."""
    shares = tier_shares or {0: 0.10, 1: 0.20, 2: 0.12, 3: 0.13, 4: 0.45}
    weights = np.linspace(1.3, 0.7, len(areas))
    weights = weights / weights.sum()
    profile = weekly_profile()
    week = calls_per_year * 7 / 365.0
    rows: list[tuple[int, str, int, float]] = []
    for tier, share in shares.items():
        for area, w in zip(areas, weights, strict=True):
            for h in range(HOURS_PER_WEEK):
                rows.append((tier, area, h, float(week * share * w * profile[h])))
    return rows
