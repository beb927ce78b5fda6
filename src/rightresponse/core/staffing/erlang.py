"""Call-taker staffing from queueing theory: Erlang C, and Erlang A (with abandonment).

Per interval (the usual half-hour), from the calls offered and the mean handle time,
the fewest call takers on the floor that meet the NENA call-answering standard (NENA
56-005: 90% of 911 calls answered within 15 seconds, 95% within 20 seconds), then the
staff to schedule after shrinkage, and the relief factor that turns a position that is
open 24/7 into people on the payroll (about five; report 1117: "necessary staffing to meet
demand, ... shift analysis, overtime rates"; report 1346: "factoring in staffing relief
variables").

Erlang C assumes nobody hangs up; Erlang A (M/M/n+M, Garnett, Mandelbaum & Reiman 2002)
lets callers abandon after an exponential patience, which is what 911 queues see.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# NENA-STA-020 / 56-005 call answering standard: (seconds, share answered within).
NENA_STANDARD: tuple[tuple[float, float], ...] = ((15.0, 0.90), (20.0, 0.95))
HOURS_PER_YEAR = 24 * 365


def _check(calls_per_hour: float, handle_seconds: float) -> None:
    if calls_per_hour < 0 or not math.isfinite(calls_per_hour):
        raise ValueError(f"calls per hour must be a finite number >= 0, got {calls_per_hour}")
    if handle_seconds <= 0 or not math.isfinite(handle_seconds):
        raise ValueError(
            f"handle time must be a finite number of seconds > 0, got {handle_seconds}"
        )


def offered_load(calls_per_hour: float, handle_seconds: float) -> float:
    """Traffic in erlangs: the number of call takers busy on average."""
    _check(calls_per_hour, handle_seconds)
    return calls_per_hour * handle_seconds / 3600.0


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of M/M/n/n, by the stable recurrence B(k) = aB(k-1)/(k+aB(k-1))."""
    if servers < 0:
        raise ValueError("servers must be >= 0")
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(servers: int, load: float) -> float:
    """Probability that a caller waits at all (M/M/n); 1.0 when the queue is unstable."""
    if servers <= load:
        return 1.0
    b = erlang_b(servers, load)
    return servers * b / (servers - load * (1.0 - b))


@dataclass(frozen=True)
class Performance:
    """How an interval goes with a given number of call takers."""

    servers: int
    load: float
    occupancy: float
    probability_wait: float
    mean_wait_seconds: float  # of all callers (inf when unstable)
    abandon_share: float  # 0 for Erlang C
    answered_within: tuple[tuple[float, float], ...]  # (seconds, share of all calls)

    def meets(self, standard: Sequence[tuple[float, float]] = NENA_STANDARD) -> bool:
        got = dict(self.answered_within)
        return all(got.get(seconds, 0.0) >= share for seconds, share in standard)


def erlang_c_performance(
    servers: int,
    calls_per_hour: float,
    handle_seconds: float,
    thresholds: Sequence[float] = (15.0, 20.0),
) -> Performance:
    """M/M/n: P(W > t) = C(n, a) exp(-(n - a) t / h)."""
    load = offered_load(calls_per_hour, handle_seconds)
    if servers <= load:
        return Performance(
            servers, load, 1.0, 1.0, math.inf, 0.0, tuple((t, 0.0) for t in thresholds)
        )
    c = erlang_c(servers, load)
    rate = (servers - load) / handle_seconds
    within = tuple((t, 1.0 - c * math.exp(-rate * t)) for t in thresholds)
    return Performance(servers, load, load / servers, c, c / rate, 0.0, within)


def _served_within(positions: int, servers: int, mu: float, theta: float, t: float) -> np.ndarray:
    """P(answered within t seconds, before hanging up) for a caller who finds k callers
    waiting ahead of it, for every k < ``positions``: stages of rate n*mu + i*theta (i
    callers still ahead), each raced by the caller's own patience theta. One backward
    pass of the uniformised chain serves every starting position at once."""
    ahead = np.arange(positions, dtype=np.float64)
    advance = servers * mu + ahead * theta
    big = float(advance.max() + theta)
    stay = 1.0 - (advance + theta) / big
    step_on = advance / big
    # f[k + 1]: P(answered after N uniformised steps | k ahead); f[0]: answered (absorbing).
    f = np.zeros(positions + 1)
    f[0] = 1.0
    mean = big * t
    weight = math.exp(-mean)
    answered = np.zeros(positions)
    covered = weight
    n = 0
    # Until the Poisson weights left are negligible (f <= 1, so the error is below that).
    while 1.0 - covered > 1e-12 and n < mean + 50 * math.sqrt(mean + 1) + 50:
        n += 1
        f[1:] = stay * f[1:] + step_on * f[:-1]
        weight *= mean / n
        covered += weight
        answered += weight * f[1:]
    result: np.ndarray = np.minimum(answered, 1.0)
    return result


def erlang_a_performance(
    servers: int,
    calls_per_hour: float,
    handle_seconds: float,
    patience_seconds: float,
    thresholds: Sequence[float] = (15.0, 20.0),
) -> Performance:
    """M/M/n+M from the birth-death chain (callers hang up after an exponential patience
    of mean ``patience_seconds``). Shares within t count abandoned calls as not answered."""
    load = offered_load(calls_per_hour, handle_seconds)
    if patience_seconds <= 0 or not math.isfinite(patience_seconds):
        raise ValueError(f"patience must be a finite number of seconds > 0, got {patience_seconds}")
    lam = calls_per_hour / 3600.0
    mu = 1.0 / handle_seconds
    theta = 1.0 / patience_seconds
    if servers == 0 or lam == 0:
        answered = 0.0 if lam else 1.0
        return Performance(
            servers,
            load,
            0.0,
            1.0 if lam else 0.0,
            patience_seconds if lam else 0.0,
            1.0 if lam else 0.0,
            tuple((t, answered) for t in thresholds),
        )
    # Stationary distribution in log space; truncate where the terms vanish.
    log_p = [0.0]
    top = 0.0
    k = 0
    while True:
        k += 1
        death = min(k, servers) * mu + max(k - servers, 0) * theta
        log_p.append(log_p[-1] + math.log(lam / death))
        top = max(top, log_p[-1])
        if k > servers and log_p[-1] < top - 40:
            break
    p = [math.exp(v - top) for v in log_p]
    norm = sum(p)
    p = [v / norm for v in p]
    wait = sum(p[servers:])
    queue = sum((j - servers) * p[j] for j in range(servers + 1, len(p)))
    abandon = theta * queue / lam
    mean_wait = queue / lam  # Little's law over all callers
    busy = sum(min(j, servers) * p[j] for j in range(len(p)))
    within: list[tuple[float, float]] = []
    tail = np.array(p[servers:])
    # States beyond where the probability is negligible change no share (and cost time).
    kept = np.nonzero(tail > 1e-12)[0]
    tail = tail[: int(kept[-1]) + 1] if kept.size else tail[:0]
    for t in thresholds:
        share = sum(p[:servers]) + float(tail @ _served_within(tail.size, servers, mu, theta, t))
        within.append((t, share))
    return Performance(servers, load, busy / servers, wait, mean_wait, abandon, tuple(within))


def servers_needed(
    calls_per_hour: float,
    handle_seconds: float,
    standard: Sequence[tuple[float, float]] = NENA_STANDARD,
    patience_seconds: float | None = None,
    max_occupancy: float = 1.0,
) -> Performance:
    """The fewest call takers on the floor that meet ``standard`` (Erlang C, or Erlang A
    when a mean patience is given) without exceeding ``max_occupancy``."""
    load = offered_load(calls_per_hour, handle_seconds)
    thresholds = tuple(seconds for seconds, _ in standard)
    # Erlang A can meet a standard just below the load (callers who hang up free the line).
    n = max(1, math.floor(load * 0.8))
    while True:
        if patience_seconds is None:
            perf = erlang_c_performance(n, calls_per_hour, handle_seconds, thresholds)
        else:
            perf = erlang_a_performance(
                n, calls_per_hour, handle_seconds, patience_seconds, thresholds
            )
        if perf.meets(standard) and perf.occupancy <= max_occupancy:
            return perf
        n += 1


def scheduled_staff(on_floor: int, shrinkage: float) -> float:
    """Staff to schedule so that ``on_floor`` remain after breaks, training and absence
    taken during the shift (shrinkage, a share of paid time)."""
    if not 0 <= shrinkage < 1:
        raise ValueError(f"shrinkage must be in [0, 1), got {shrinkage}")
    return on_floor / (1.0 - shrinkage)


def relief_factor(
    paid_hours_per_year: float = 2080.0,
    leave_hours_per_year: float = 330.0,
    hours_per_year_covered: float = HOURS_PER_YEAR,
) -> float:
    """People needed to keep one position filled for ``hours_per_year_covered``: hours to
    cover over the hours one person actually works (paid less vacation, sick, training).
    With 2,080 paid and 330 leave hours a 24/7 position needs 8,760 / 1,750 = 5.01."""
    available = paid_hours_per_year - leave_hours_per_year
    if available <= 0:
        raise ValueError("leave hours must be fewer than paid hours")
    return hours_per_year_covered / available


@dataclass(frozen=True)
class IntervalPlan:
    start_minute: int  # minutes since the start of the week (or day)
    calls: float
    handle_seconds: float
    on_floor: int
    scheduled: float
    performance: Performance


def staffing_plan(
    calls_per_interval: Sequence[float],
    handle_seconds: Sequence[float] | float,
    interval_minutes: int = 30,
    shrinkage: float = 0.3,
    patience_seconds: float | None = None,
    standard: Sequence[tuple[float, float]] = NENA_STANDARD,
) -> list[IntervalPlan]:
    """Call takers per interval to meet the standard, and staff to schedule."""
    if interval_minutes <= 0:
        raise ValueError("interval must be > 0 minutes")
    handles = (
        [float(handle_seconds)] * len(calls_per_interval)
        if isinstance(handle_seconds, (int, float))
        else [float(h) for h in handle_seconds]
    )
    if len(handles) != len(calls_per_interval):
        raise ValueError(
            f"handle times: {len(handles)} values for {len(calls_per_interval)} intervals"
        )
    out: list[IntervalPlan] = []
    per_hour = 60.0 / interval_minutes
    for i, (calls, handle) in enumerate(zip(calls_per_interval, handles, strict=True)):
        if calls < 0:
            raise ValueError(f"interval {i}: calls must be >= 0, got {calls}")
        perf = servers_needed(calls * per_hour, handle, standard, patience_seconds)
        out.append(
            IntervalPlan(
                i * interval_minutes,
                calls,
                handle,
                perf.servers,
                scheduled_staff(perf.servers, shrinkage),
                perf,
            )
        )
    return out
