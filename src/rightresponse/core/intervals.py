"""Confidence intervals shared by the analytics and the protocol studio's impact preview:
one definition, so a share means the same on every page and in every file."""

from __future__ import annotations

import math

Z95 = 1.959963984540054  # the normal quantile of a two-sided 95 % interval


def wilson(k: float, n: float) -> list[float] | None:
    """95 % Wilson score interval of the share k/n, or None when n is 0. (Wilson rather
    than the normal approximation: right near 0 and 1 and for small n, where most of
    these shares are. A formula this short is not worth SciPy's import time.)"""
    if not n:
        return None
    p = k / n
    denom = 1 + Z95 * Z95 / n
    centre = (p + Z95 * Z95 / (2 * n)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95 * Z95 / (4 * n * n)) / denom
    return [max(0.0, centre - half), min(1.0, centre + half)]
