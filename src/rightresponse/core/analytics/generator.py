"""A calibrated generator of synthetic calls for service (benchmarks and the demo).

It resamples real extracts: the (initial type, final type, clearance, priority, channel)
combinations of Seattle's public-domain "Call Data" (so the call-type mix and the
reclassifications are real ones), the hour-of-week profile and the interval
distributions of a real CAD export (queue, dispatch, en route, travel, on scene, by
priority), and spreads N calls over a city-year. Deterministic for a given seed.

``calibrate`` measures those distributions from files; ``DEFAULT_TIMINGS`` and
``DEFAULT_HOUR_WEIGHTS`` are the values it measured on the DECC weekly exports (weeks
35-52 of 2025), committed so the generator runs on a fresh machine with only the
Seattle sample shipped in the package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

# (median seconds, log-sd) of each step by priority "1".."4": measured with calibrate() on
# the DECC police calls of weeks 35-52 of 2025 (shared/data/real/decc-cad-weekly-2025).
Timing = dict[str, tuple[float, float]]
DEFAULT_TIMINGS: dict[str, Timing] = {
    "1": {"queue": (56, 0.64), "dispatch": (40, 0.93), "rollout": (4, 0.98), "travel": (167, 0.8), "on_scene": (946, 1.39)},
    "2": {"queue": (62, 0.79), "dispatch": (185, 1.55), "rollout": (4, 1.04), "travel": (350, 1.51), "on_scene": (759, 1.38)},
    "3": {"queue": (77, 0.85), "dispatch": (639, 1.6), "rollout": (5, 1.27), "travel": (422, 1.8), "on_scene": (1234, 1.68)},
    "4": {"queue": (65, 0.95), "dispatch": (1079, 2.12), "rollout": (5, 1.2), "travel": (488, 1.94), "on_scene": (1170, 1.78)},
}  # fmt: skip
# Share of calls received in each local hour (x24), DECC police calls, weeks 35-52 of 2025.
DEFAULT_HOUR_WEIGHTS: tuple[float, ...] = (
    0.71, 0.60, 0.47, 0.43, 0.40, 0.40, 0.54, 0.96, 1.43, 1.53, 1.45, 1.43,
    1.35, 1.36, 1.36, 1.45, 1.30, 1.27, 1.05, 0.94, 0.88, 0.80, 1.01, 0.89,
)  # fmt: skip
PRECINCTS = {  # name -> (lat, lon) centre; spread ~3 km
    "NORTH": (47.690, -122.330),
    "EAST": (47.615, -122.300),
    "SOUTH": (47.545, -122.300),
    "WEST": (47.615, -122.350),
    "SOUTHWEST": (47.545, -122.370),
}


@dataclass(frozen=True)
class Calibration:
    records: pa.Table  # initial_type, final_type, disposition, priority, channel
    timings: dict[str, Timing]
    hour_weights: tuple[float, ...]


def seattle_records(paths: Sequence[Path]) -> pa.Table:
    """The (type, final type, clearance, priority, channel) rows of Seattle extracts."""
    tables = []
    for path in paths:
        t = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=True))
        names = {n.replace(".", " "): n for n in t.column_names}
        pick = {
            "initial_type": names["Initial Call Type"],
            "final_type": names["Final Call Type"],
            "disposition": names["Event Clearance Description"],
            "priority": names["Priority"],
            "channel": names["Call Type"],
        }
        tables.append(pa.table({k: t[v].cast(pa.string()) for k, v in pick.items()}))
    return pa.concat_tables(tables)


def calibrate(seattle: Sequence[Path], cad_table: pa.Table | None = None) -> Calibration:
    """Measure timings by priority from a canonical CAD table (e.g. imported DECC weeks)."""
    timings = dict(DEFAULT_TIMINGS)
    if cad_table is not None:
        # The generator's successive gaps (each step from the one before, no fallback),
        # which it draws one after another; not the reported intervals, which are defined
        # once in core/status_times.py (there "dispatch" runs from the queue, else receipt).
        steps = {
            "queue": ("received_at", "queued_at"),
            "dispatch": ("queued_at", "dispatched_at"),
            "rollout": ("dispatched_at", "en_route_at"),
            "travel": ("en_route_at", "on_scene_at"),
            "on_scene": ("on_scene_at", "cleared_at"),
        }
        for priority in ("1", "2", "3", "4"):
            rows = cad_table.filter(pc.equal(cad_table["priority"], priority))
            measured: Timing = {}
            for step, (a, b) in steps.items():
                secs = pc.divide(
                    pc.cast(pc.subtract(rows[b], rows[a]), pa.int64()), 1_000_000
                ).to_numpy(zero_copy_only=False)
                secs = secs[np.isfinite(secs) & (secs > 0)]
                if len(secs) > 20:
                    logs = np.log(secs)
                    measured[step] = (float(np.exp(np.median(logs))), float(np.std(logs)))
            timings[priority] = {**DEFAULT_TIMINGS[priority], **measured}
    return Calibration(seattle_records(seattle), timings, DEFAULT_HOUR_WEIGHTS)


def generate(n: int, calibration: Calibration, *, seed: int = 2025, year: int = 2025) -> pa.Table:
    """N calls over one year, in the layout of profile ``rightresponse-synthetic``."""
    rng = np.random.default_rng(seed)
    records = calibration.records
    pick = rng.integers(0, records.num_rows, n)
    chosen = records.take(pa.array(pick))
    # Received times: day of year uniform, hour by the hourly curve, seconds uniform.
    weights = np.asarray(calibration.hour_weights, dtype=float)
    hours = rng.choice(24, size=n, p=weights / weights.sum())
    days = rng.integers(0, 365, n)
    start = np.datetime64(datetime(year, 1, 1), "s")
    received = start + (days * 86400 + hours * 3600 + rng.integers(0, 3600, n)).astype(
        "timedelta64[s]"
    )
    order = np.argsort(received, kind="stable")
    received = received[order]
    chosen = chosen.take(pa.array(order))
    priority = np.array(
        [
            p if p in calibration.timings else "4"
            for p in chosen["priority"].fill_null("4").to_pylist()
        ]
    )
    steps = ("queue", "dispatch", "rollout", "travel", "on_scene")
    out = {}
    current = received.copy()
    for step in steps:
        median = np.empty(n)
        sd = np.empty(n)
        for p, timing in calibration.timings.items():
            mask = priority == p
            median[mask], sd[mask] = timing[step]
        secs = np.exp(np.log(median) + sd * rng.standard_normal(n)).clip(0, 6 * 3600)
        current = current + secs.astype("timedelta64[s]")
        out[step] = current
    onview = pc.equal(chosen["channel"], "ONVIEW").fill_null(False).to_numpy(zero_copy_only=False)
    precinct_names = np.array(list(PRECINCTS))
    precinct = precinct_names[rng.integers(0, len(precinct_names), n)]
    index = {name: i for i, name in enumerate(precinct_names)}
    centres = np.array([PRECINCTS[name] for name in precinct_names])
    where = centres[np.vectorize(index.__getitem__)(precinct)]
    lat = where[:, 0] + rng.normal(0, 0.012, n)
    lon = where[:, 1] + rng.normal(0, 0.018, n)
    units = 1 + rng.binomial(2, 0.3, n)

    def blank_if(mask: np.ndarray, values: np.ndarray) -> pa.Array:
        text = np.char.replace(np.datetime_as_string(values, unit="s"), "T", " ")
        return pa.array(np.where(mask, "", text))

    # Officer-initiated calls have no queue or dispatch delay: dispatch = received.
    dispatched = np.where(onview, received, out["dispatch"])
    enroute = np.where(onview, received, out["rollout"])
    arrived = np.where(onview, received, out["travel"])
    cleared = arrived + (out["on_scene"] - out["travel"])
    no_arrival = rng.random(n) < 0.04  # cancelled before arrival: no arrival time
    return pa.table(
        {
            "call_id": pa.array([f"{year}{i:08d}" for i in range(n)]),
            "received": blank_if(np.zeros(n, dtype=bool), received),
            "dispatched": blank_if(np.zeros(n, dtype=bool), dispatched),
            "enroute": blank_if(no_arrival, enroute),
            "arrived": blank_if(no_arrival, arrived),
            "cleared": blank_if(np.zeros(n, dtype=bool), cleared),
            "initial_type": chosen["initial_type"],
            "final_type": chosen["final_type"],
            "priority": chosen["priority"],
            "disposition": chosen["disposition"],
            "channel": chosen["channel"],
            "precinct": pa.array(precinct),
            "beat": pa.array(
                np.char.add(
                    np.char.add(precinct.astype(str), "-"), (1 + rng.integers(0, 6, n)).astype(str)
                )
            ),
            "latitude": pa.array(lat.round(5)),
            "longitude": pa.array(lon.round(5)),
            "units": pa.array(units),
        }
    )


def write_csv(table: pa.Table, path: str | Path) -> Path:
    path = Path(path)
    pacsv.write_csv(table, path)
    return path
