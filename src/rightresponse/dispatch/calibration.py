"""The demo's call-type mix, channel mix and hour-of-week pattern, derived from the real
public-domain Seattle Police "Call Data" samples committed with the analytics pillar
(src/rightresponse/analytics/samples/, see its README) and the analytics mapping of Seattle
codes to protocol call types (analytics/mappings/seattle.csv).

``derive()`` measures them; ``demo_calibration.json`` beside this file holds the result so
the demo needs no parsing at start-up, and a test re-derives it so the file stays true.
Re-derive after changing a sample or the mapping with::

    .venv/bin/python -m rightresponse.dispatch.calibration

How (also written into the file's ``derivation`` key):
- call types: every citizen-initiated call (ONVIEW officer stops left out) of both samples;
  the *initial* call type (what the caller reported) is mapped to a protocol call type;
  codes that map to nothing the protocol dispatches (administrative, alarms to fire...) are
  left out; add-one smoothing over the demo's call types so rare types still appear.
- channels: "911" -> 911, "TELEPHONE OTHER, NOT 911" (the non-emergency line) -> 311;
  alarm-company calls and ONVIEW are left out.
- hour of week: day-of-week shares from both samples (the Madrona one has dates only),
  hour-of-day shares from the East C3 sample's queue times, smoothed over three hours
  (circular) because 200 calls are a thin sample; the 168 weights are their product.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from rightresponse.core.analytics.mapping import load_mapping

ANALYTICS = Path(__file__).resolve().parent.parent / "analytics"
SAMPLES = [
    ANALYTICS / "samples" / "seattle_east_c3_2018-2023.csv",
    ANALYTICS / "samples" / "seattle_madrona_2010-2023.csv",
]
MAPPING = ANALYTICS / "mappings" / "seattle.csv"
CALIBRATION_FILE = Path(__file__).resolve().parent / "demo_calibration.json"
# The protocol call types the demo draws from (the default protocol's dispatchable ones).
DEMO_CALL_TYPES = [
    "traffic_collision", "parking", "noise_complaint", "low_acuity_disorder", "trespass",
    "welfare_check", "property_crime_report", "behavioral_crisis", "suicidal_person",
    "intoxicated_person", "medical", "overdose", "homelessness_assist", "domestic_violence",
    "assault", "burglary_in_progress", "robbery", "shots_fired", "animal",
    "violence_interrupter_request", "sexual_assault", "violent_crime_in_progress",
    "bias_based_complaint",
]  # fmt: skip
CHANNELS = {"911": "911", "TELEPHONE OTHER, NOT 911": "311"}


def _column(row: dict[str, str], name: str) -> str:
    """Both layouts: 'Initial Call Type' and 'Initial.Call.Type'."""
    return (row.get(name) or row.get(name.replace(" ", ".")) or "").strip()


def _received(row: dict[str, str]) -> tuple[int, int | None]:
    """(weekday 0=Monday, hour or None when the sample has a date only)."""
    stamp = _column(row, "Original Time Queued")
    if stamp:
        at = datetime.strptime(stamp, "%m/%d/%Y %I:%M:%S %p")
        return at.weekday(), at.hour
    return datetime.strptime(_column(row, "Incident Date"), "%Y-%m-%d").weekday(), None


def _derivation() -> list[str]:
    """The module docstring's "How" list, one string per item."""
    how = (__doc__ or "").split("``derivation`` key):")[-1]
    return [" ".join(item.split()) for item in how.split("\n- ") if item.strip()]


def derive() -> dict[str, Any]:
    mapping = load_mapping(MAPPING)
    types: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    weekdays: Counter[int] = Counter()
    hours: Counter[int] = Counter()
    rows = 0
    for path in SAMPLES:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                channel = _column(row, "Call Type")
                if channel == "ONVIEW":
                    continue
                rows += 1
                weekday, hour = _received(row)
                weekdays[weekday] += 1
                if hour is not None:
                    hours[hour] += 1
                if channel in CHANNELS:
                    channels[CHANNELS[channel]] += 1
                for code in (_column(row, "Initial Call Type"), _column(row, "Final Call Type")):
                    mapped = mapping.get(code)
                    if mapped is not None and mapped.call_type:
                        if mapped.call_type in DEMO_CALL_TYPES:
                            types[mapped.call_type] += 1
                        break
    total_types = sum(types.values()) + len(DEMO_CALL_TYPES)
    mix = {t: round((types[t] + 1) / total_types, 4) for t in DEMO_CALL_TYPES}
    hour_raw = [hours[h] for h in range(24)]
    hour_smooth = [(hour_raw[h - 1] + hour_raw[h] + hour_raw[(h + 1) % 24]) / 3 for h in range(24)]
    hour_total = sum(hour_smooth)
    day_total = sum(weekdays.values())
    hour_share = [x / hour_total for x in hour_smooth]
    day_share = [weekdays[d] / day_total for d in range(7)]
    return {
        "source": "Seattle Police Department Call Data (data.seattle.gov 33kz-ixgy, public "
        "domain): "
        + ", ".join(f"analytics/samples/{p.name}" for p in SAMPLES)
        + "; codes mapped with analytics/mappings/seattle.csv",
        "derivation": _derivation(),
        "calls_used": rows,
        "calls_typed": sum(types.values()),
        "call_type_counts": {t: types[t] for t in DEMO_CALL_TYPES},
        "call_type_mix": mix,
        "channel_mix": {
            c: round(n / sum(channels.values()), 4) for c, n in sorted(channels.items())
        },
        "hour_of_day": [round(x, 4) for x in hour_share],
        "day_of_week": [round(x, 4) for x in day_share],
        "hour_of_week": [round(d * h * 168, 4) for d in day_share for h in hour_share],
    }


def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    return data


def main() -> None:
    CALIBRATION_FILE.write_text(json.dumps(derive(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {CALIBRATION_FILE}")


if __name__ == "__main__":
    main()
