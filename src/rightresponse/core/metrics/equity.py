"""Equity analysis: every breakdown as a disparity ratio against the city-wide rate
(report lines 374-379, "Embed equity analyses in all planning and assessments")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Disparity:
    group: str
    rate: float | None
    ratio: float | None  # group rate / city-wide rate; None when either is missing
    events: int
    reliable: bool  # enough events for the ratio to mean something


def disparity_ratios(
    rates: Mapping[str, tuple[float | None, int]],
    reference: float | None,
    min_events: int = 11,
) -> list[Disparity]:
    """``rates`` maps a group to (its rate, the events it rests on). A ratio above 1
    means the group's rate is above the city-wide rate; whether that is good depends on
    the metric's direction."""
    out = []
    for group, (rate, events) in sorted(rates.items()):
        ratio = None
        if rate is not None and reference not in (None, 0.0):
            assert reference is not None
            ratio = rate / reference
        out.append(Disparity(group, rate, ratio, events, events >= min_events))
    return out


def per_capita(
    counts: Mapping[str, float], population: Mapping[str, float], per: float = 1000.0
) -> dict[str, float | None]:
    """Counts turned into rates per ``per`` residents, so that groups of different size
    compare fairly; a group with no known population has no rate."""
    return {
        group: (per * n / population[group] if population.get(group) else None)
        for group, n in counts.items()
    }
