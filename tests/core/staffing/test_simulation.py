"""The field simulation: waits against Erlang C on M/M/c cases, and the protocol rules
(fallback, shifts, eligible-but-not-served) on cases whose answer is known."""

from __future__ import annotations

import math
from pathlib import Path
from statistics import fmean, stdev

import numpy as np
import pytest

from rightresponse.core.metrics.evaluation import t_quantile
from rightresponse.core.staffing import (
    Program,
    Shift,
    SimulationError,
    Staffing,
    Stream,
    compare,
    erlang_c,
    simulate,
    staffing_load,
    staffing_parse,
    streams_from_counts,
    synthetic_counts,
)

REPO = Path(__file__).resolve().parents[3]


def _mmc(
    servers: int, rate: float, hours: float, max_wait: float | None = None
) -> tuple[list[Stream], Staffing]:
    staffing = Staffing(
        "mmc",
        {"unit": Program("unit", "Unit", (Shift("all", 0, 24, {"*": servers}),), max_wait)},
    )
    stream = Stream("s", "a", 4, [rate] * 168, ("unit",), {"unit": hours})
    return [stream], staffing


@pytest.mark.parametrize(
    ("servers", "rate", "hours"),
    [(1, 1.5, 0.5), (5, 8.0, 0.5), (20, 30.0, 0.6)],
)
def test_mean_wait_matches_erlang_c_within_confidence_interval(
    servers: int, rate: float, hours: float
) -> None:
    streams, staffing = _mmc(servers, rate, hours)
    result = simulate(streams, staffing, weeks=104, seed=7)
    # Batch means (about a week each, the first dropped as warm-up): a 99% interval.
    waits = result.waits_by_program["unit"]
    batches = [float(b.mean()) for b in np.array_split(waits, 104)[1:]]
    mean, se = fmean(batches), stdev(batches) / math.sqrt(len(batches))
    half = t_quantile(0.995, len(batches) - 1) * se
    load = rate * hours
    expected = erlang_c(servers, load) * hours / (servers - load) * 60.0  # minutes
    assert mean - half <= expected <= mean + half, (mean, half, expected)
    # Utilisation is the load per server.
    assert result.by_program["unit"]["utilisation"] == pytest.approx(load / servers, rel=0.03)


def test_no_unit_on_shift_falls_back_at_once() -> None:
    # Civilians work 08:00-20:00 only; at night every civilian call goes to police with
    # no wait for a civilian.
    staffing = Staffing(
        "day only",
        {
            "civ": Program("civ", "Civilian", (Shift("day", 8, 12, {"*": 50}),), 30),
            "pol": Program("pol", "Police", (Shift("all", 0, 24, {"*": 50}),), None, True),
        },
    )
    stream = Stream("s", "a", 1, [2.0] * 168, ("civ", "pol"), {"civ": 0.5, "pol": 0.5})
    result = simulate([stream], staffing, weeks=4, seed=3)
    civ = result.by_program["civ"]
    # Half the day is covered and 50 units are never all busy: about half are served.
    assert civ["share_eligible_served"] == pytest.approx(0.5, abs=0.03)
    assert civ["fell_back"] + civ["served_eligible"] == civ["eligible_first"]
    assert civ["eligible_not_served"] == 0
    # Calls from 20:00 to 07:00 never see a civilian (from 07:30 one may wait for 08:00).
    night = [w for h, w in enumerate(result.waits_by_hour["civ"]) if h % 24 < 7 or h % 24 >= 20]
    assert night and all(w is None for w in night)
    assert all(w is not None for w in result.waits_by_hour["civ"][8:20])
    assert result.by_tier[1]["served_by"]["pol"] == civ["fell_back"]
    # Night calls go to police at once (nobody on the civilian shift for 12 hours), and
    # police have units free: the calls hardly wait at all.
    assert civ["off_shift"] >= civ["fell_back"] - 5
    assert result.by_program["pol"]["mean_wait_minutes"] < 0.5


def test_eligible_but_not_served_when_the_chain_runs_out() -> None:
    # One civilian unit, calls far beyond its capacity, no fallback: most give up.
    streams, staffing = _mmc(1, 10.0, 1.0, max_wait=15)
    result = simulate(streams, staffing, weeks=2, seed=1)
    unit = result.by_program["unit"]
    assert unit["eligible_not_served"] > 0.8 * unit["eligible_first"]
    assert unit["served"] + unit["eligible_not_served"] == unit["eligible_first"]
    assert unit["p90_wait_minutes"] <= 15.0 + 1e-9


def test_unknown_program_and_bad_rates_are_named() -> None:
    streams, staffing = _mmc(1, 1.0, 1.0)
    bad = Stream("tier 9 / x", "x", 1, [1.0] * 168, ("nope",), {"nope": 1.0})
    with pytest.raises(SimulationError, match="tier 9 / x: program 'nope'"):
        simulate([bad], staffing, weeks=1)
    short = Stream("short", "x", 1, [1.0] * 24, ("unit",), {"unit": 1.0})
    with pytest.raises(SimulationError, match="short: rates need 168 values"):
        simulate([short], staffing, weeks=1)


def test_staffing_file_errors_name_the_place() -> None:
    with pytest.raises(SimulationError, match="programs/0/shifts/0: 'units' is a required"):
        staffing_parse(
            {
                "name": "x",
                "programs": [
                    {
                        "id": "p",
                        "label": "P",
                        "shifts": [{"name": "d", "start_hour": 0, "hours": 8}],
                    }
                ],
            }
        )
    with pytest.raises(SimulationError, match="chains/1/0: unknown program 'civ'"):
        staffing_parse(
            {
                "name": "x",
                "chains": {"1": ["civ"]},
                "programs": [
                    {
                        "id": "p",
                        "label": "P",
                        "shifts": [{"name": "d", "start_hour": 0, "hours": 8, "units": {"*": 1}}],
                    }
                ],
            }
        )


def test_twenty_four_seven_against_peak_coverage() -> None:
    """The shipped example plans: a city-year of synthetic demand; civilians on 24/7
    serve a larger share of the calls eligible for them than at peak hours only, and the
    police do less of that work (report 1003, 1119)."""
    results = []
    for name in ("example-24x7.yaml", "example-peak.yaml"):
        plan = staffing_load(REPO / "staffing" / name)
        streams = streams_from_counts(synthetic_counts(100_000), 1.0, plan)
        results.append(simulate(streams, plan.staffing, weeks=13, seed=5))
    full, peak = results
    assert (
        full.by_program["civilian"]["share_eligible_served"]
        > peak.by_program["civilian"]["share_eligible_served"]
    )
    assert full.by_program["police"]["served"] < peak.by_program["police"]["served"]
    rows = {(r["program"], r["measure"]): r for r in compare(full, peak)}
    assert rows[("civilian", "unit_hours_on_duty")]["difference"] < 0
    # FTE by shift and precinct for patrol, with the ICMA 60% check.
    police = [f for f in full.fte if f["program"] == "police"]
    assert {f["area"] for f in police} == {f"Precinct {i}" for i in range(1, 6)}
    assert all(f["fte_to_staff"] > f["units"] for f in police)  # relief: > 1 person a unit
    assert all(isinstance(f["over_icma_60"], bool) for f in police)
