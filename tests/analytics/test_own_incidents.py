"""The system's own incidents analysed with the same analytics as imported data (issue 13
item 6): incidents made through the real services, exported (no personal data), imported
with the shipped profile and analysed give the same call volume and the same median time
to dispatch as the live metrics for that period."""

from __future__ import annotations

import csv
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from rightresponse.analytics.models import Dataset
from rightresponse.analytics.own import PROFILE, own_incidents_import, own_incidents_write
from rightresponse.analytics.selectors import mapping_get, profile_get
from rightresponse.analytics.services import dataset_analyze
from rightresponse.core.triage import load_protocol
from rightresponse.dispatch import services as dispatch
from rightresponse.dispatch.models import Unit
from rightresponse.intake.services import call_intake
from rightresponse.performance.selectors import Period, metric_views
from rightresponse.triage.services import CallDetails

pytestmark = pytest.mark.django_db
DEFAULT = Path(__file__).resolve().parents[2] / "protocols" / "default.yaml"
CALLS = [
    ("behavioral_crisis", {"weapon": "no", "violence": "no"}, 200),
    ("noise_complaint", {"weapon": "no", "violence": "no"}, 95),
    ("assault", {}, 40),
    ("welfare_check", {}, 600),
    ("shots_fired", {}, None),  # never dispatched: not in the median
]


@pytest.fixture
def incidents(agencies: dict[str, Any], users: dict[str, Any]) -> list[Any]:
    made = []
    now = timezone.now()
    for i, (call_type, answers, dispatch_after) in enumerate(CALLS):
        received = now - timedelta(minutes=30 - i)
        result = call_intake(
            user=users["call_taker"], agency=agencies["center"], call_type=call_type,
            answers=answers,
            details=CallDetails(received_at=received, answered_at=received + timedelta(seconds=9),
                                caller_phone=f"612-555-01{i:02d}", caller_name="Pat Doe",
                                address="5 Elm St", narrative="private words"),
        )  # fmt: skip
        incident = result.incident
        assert incident is not None
        if dispatch_after is not None:
            unit = Unit.objects.create(agency=agencies["care"], program="police", kind="police",
                                       call_sign=f"U-{i}", latitude=44.97, longitude=-93.26)  # fmt: skip
            dispatch.incident_assign(incident.pk, unit.pk, users["dispatcher"], "test")
            # The dispatch time as a CAD would have stamped it, a known number of seconds in.
            type(incident).objects.filter(pk=incident.pk).update(
                dispatched_at=received + timedelta(seconds=dispatch_after)
            )
        made.append(incident)
    return made


def _today() -> Period:
    day = timezone.localdate()
    return Period(day, day)


def test_the_export_carries_no_personal_data(incidents: list[Any], tmp_path: Path) -> None:
    period = _today()
    path = tmp_path / "own.csv"
    assert own_incidents_write(path, period.start_at, period.end_at) == len(CALLS)
    text = path.read_text()
    for private in ("Pat Doe", "612-555", "5 Elm St", "private words"):
        assert private not in text
    rows = list(csv.DictReader(path.open()))
    assert {r["final_type"] for r in rows} == {c[0] for c in CALLS}
    assert all(len(r["latitude"].split(".")[-1]) <= 3 for r in rows if r["latitude"])


def test_same_volume_and_median_dispatch_time_as_the_live_metrics(
    incidents: list[Any],
) -> None:
    period = _today()
    run = own_incidents_import(period.start_at, period.end_at)
    assert (run.rows_imported, run.rows_rejected) == (len(CALLS), 0)
    analysis = dataset_analyze(Dataset.objects.get(slug=PROFILE))
    live = metric_views(period)
    assert analysis.total_calls == live["call_volume"].value.value == len(CALLS)
    overall = analysis.summary["response_intervals"]["overall"]
    dispatch_row = next(r for r in overall if r["interval"] == "dispatch")
    live_median_minutes = live["time_to_dispatch"].value.median
    assert live_median_minutes == pytest.approx(147.5 / 60, abs=1 / 60)  # 95 s and 200 s
    assert dispatch_row["n"] == 4
    # The export keeps whole seconds: the same median to the second.
    assert dispatch_row["median"] == pytest.approx(live_median_minutes * 60, abs=1)
    # Importing the same period again adds nothing.
    again = own_incidents_import(period.start_at, period.end_at)
    assert again.rows_imported == 0 and again.rows_already_stored == len(CALLS)


def test_the_command_imports_and_analyze_runs_on_it(incidents: list[Any], tmp_path: Path) -> None:
    out = StringIO()
    call_command("own_incidents", stdout=out)
    assert f"{len(CALLS)} imported" in out.getvalue() and PROFILE in out.getvalue()
    report = tmp_path / "report"
    call_command("analyze", "--dataset", PROFILE, "--out", str(report), stdout=StringIO())
    assert (report / "summary.json").exists()


def test_the_mapping_covers_every_call_type_of_the_protocol() -> None:
    protocol = load_protocol(DEFAULT)
    mapping = mapping_get(profile_get(PROFILE))
    assert set(mapping) == set(protocol.call_types)
    assert all(row.call_type == code and row.reviewed for code, row in mapping.items())
