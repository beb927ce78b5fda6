"""Pilot evaluation: pre/post comparison and difference-in-differences with confidence
intervals (report lines 364-372: "pre/post comparison of pilot areas or comparison of
pilot locations to similar non-pilot areas").

Observations are a metric's value per period (for example monthly) in each arm; the
intervals use Welch's t with the Welch-Satterthwaite degrees of freedom.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist, fmean, variance


@dataclass(frozen=True)
class Estimate:
    effect: float
    low: float
    high: float
    standard_error: float
    degrees_of_freedom: float
    confidence: float

    @property
    def significant(self) -> bool:
        """True when the interval excludes zero."""
        return self.low > 0 or self.high < 0


def t_quantile(p: float, df: float) -> float:
    """Quantile of Student's t (Hill 1970, Algorithm 396 expansion): accurate to about
    1e-3 for df >= 2, which is ample for a confidence interval."""
    if df <= 0:
        raise ValueError("degrees of freedom must be positive")
    if math.isinf(df) or df > 1e6:
        return NormalDist().inv_cdf(p)
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        q = 2 * p - 1
        return q * math.sqrt(2 / (1 - q * q))
    z = NormalDist().inv_cdf(p)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def _arm(values: Sequence[float], name: str) -> tuple[float, float, int]:
    if len(values) < 2:
        raise ValueError(f"{name}: at least two periods are needed, got {len(values)}")
    return fmean(values), variance(values), len(values)


def _interval(effect: float, parts: list[tuple[float, int]], confidence: float) -> Estimate:
    terms = [var / n for var, n in parts]
    se2 = sum(terms)
    se = math.sqrt(se2)
    denominator = sum(t * t / (n - 1) for t, (_, n) in zip(terms, parts, strict=True))
    df = se2 * se2 / denominator if denominator > 0 else math.inf
    half = t_quantile(0.5 + confidence / 2, df) * se
    return Estimate(effect, effect - half, effect + half, se, df, confidence)


def pre_post(before: Sequence[float], after: Sequence[float], confidence: float = 0.95) -> Estimate:
    """Mean after minus mean before, with a Welch interval."""
    m0, v0, n0 = _arm(before, "before")
    m1, v1, n1 = _arm(after, "after")
    return _interval(m1 - m0, [(v0, n0), (v1, n1)], confidence)


def difference_in_differences(
    pilot_before: Sequence[float],
    pilot_after: Sequence[float],
    comparison_before: Sequence[float],
    comparison_after: Sequence[float],
    confidence: float = 0.95,
) -> Estimate:
    """(pilot after - pilot before) - (comparison after - comparison before): the change
    in the pilot beyond the change the comparison areas saw anyway."""
    arms = [
        _arm(pilot_before, "pilot before"),
        _arm(pilot_after, "pilot after"),
        _arm(comparison_before, "comparison before"),
        _arm(comparison_after, "comparison after"),
    ]
    (pb, _, _), (pa, _, _), (cb, _, _), (ca, _, _) = arms
    effect = (pa - pb) - (ca - cb)
    return _interval(effect, [(v, n) for _, v, n in arms], confidence)
