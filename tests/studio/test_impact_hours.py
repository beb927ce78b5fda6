"""The impact preview replays each past call with its own time and area (issue 19, item
1): a draft that narrows a program's hours, or its areas, moves exactly the calls outside
them to the fallback, on the city's clock across a daylight-saving change, and the
workload per program and shift follows. Expected figures are computed here directly from
the calls' times (zoneinfo), not by the code under test."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from rightresponse.studio.impact import city_impact
from rightresponse.studio.live import compiled_text
from rightresponse.studio.services import file_protocol_text
from rightresponse.triage.models import Call

pytestmark = pytest.mark.django_db

CALM = {"weapon": "no", "violence": "no", "medical_emergency": "no", "substance_escalating": "no",
        "threat_to_life": "no", "caller_requests_police": "no"}  # fmt: skip
BCT_HOURS = '      - {days: [mon, tue, wed, thu, fri, sat, sun], from: "08:00", to: "22:00"}'
AREAS = ["Precinct 1", "Precinct 2", "Precinct 3", "Precinct 4", "Precinct 5", ""]


def _seed(agency: Any) -> list[Call]:
    """A behavioural-crisis call every 37 minutes over the last 50 days (which hold the
    November daylight-saving change), in turn in each precinct and one with no area."""
    now = timezone.now()
    calls = [
        Call(
            agency=agency,
            received_at=now - timedelta(days=50) + timedelta(minutes=37 * i),
            call_type="behavioral_crisis",
            answers=CALM,
            area=AREAS[i % len(AREAS)],
            tier=1,
            lead="civilian",
        )  # fmt: skip
        for i in range(50 * 24 * 60 // 37)
    ]
    return Call.objects.bulk_create(calls)


def _shift(hour: int) -> str:
    return "day" if 7 <= hour < 15 else "evening" if 15 <= hour < 23 else "night"


def test_narrowing_a_programs_hours_moves_the_calls_outside_them(
    studio_users: dict[str, Any],
) -> None:
    calls = _seed(studio_users["author"].profile.agency)
    text = file_protocol_text()
    assert text.count(BCT_HOURS) == 1
    draft_text = text.replace(BCT_HOURS, BCT_HOURS.replace('"08:00", to: "22:00"',
                                                           '"10:00", to: "18:00"'))  # fmt: skip
    live = compiled_text(text, "file")
    draft = compiled_text(draft_text, "draft")
    city = ZoneInfo(settings.TIME_ZONE)
    local = [c.received_at.astimezone(city) for c in calls]
    assert {t.utcoffset() for t in local} == {timedelta(hours=-7), timedelta(hours=-8)}  # DST
    moving = [t for t in local if 8 <= t.hour < 10 or 18 <= t.hour < 22]
    before_bct = [t for t in local if 8 <= t.hour < 22]
    after_bct = [t for t in local if 10 <= t.hour < 18]

    impact = city_impact(draft, live)

    assert impact.total == len(calls)
    assert impact.moved == 0  # hours never change the tier
    (reroute,) = impact.reroutes
    assert reroute.call_type == "behavioral_crisis"
    assert reroute.rerouted == len(moving) > 0
    assert reroute.transitions == (("behavioral_crisis_team", "community_responder", len(moving)),)
    rows = {(w.program, w.shift): w for w in impact.workload}
    for shift in ("day", "evening", "night"):
        bct = rows.get(("behavioral_crisis_team", shift))
        expected_before = sum(1 for t in before_bct if _shift(t.hour) == shift)
        expected_after = sum(1 for t in after_bct if _shift(t.hour) == shift)
        assert (bct.calls_before if bct else 0) == expected_before, shift
        assert (bct.calls_after if bct else 0) == expected_after, shift
        community = rows[("community_responder", shift)]
        in_shift = sum(1 for t in local if _shift(t.hour) == shift)
        assert community.calls_after == in_shift - expected_after
    assert impact.to_dict()["rerouted"] == len(moving)


def test_narrowing_a_programs_areas_moves_the_calls_in_other_areas(
    studio_users: dict[str, Any],
) -> None:
    calls = _seed(studio_users["author"].profile.agency)
    text = file_protocol_text()
    draft_text = text.replace(BCT_HOURS, BCT_HOURS + "\n    areas: [Precinct 1, Precinct 2]")
    impact = city_impact(compiled_text(draft_text, "draft"), compiled_text(text, "file"))
    city = ZoneInfo(settings.TIME_ZONE)
    # Within the team's hours (unchanged), in Precincts 3-5: moved. No area: not held
    # against the program.
    expected = sum(
        1 for c in calls
        if 8 <= c.received_at.astimezone(city).hour < 22
        and c.area in ("Precinct 3", "Precinct 4", "Precinct 5")
    )  # fmt: skip
    (reroute,) = impact.reroutes
    assert reroute.rerouted == expected > 0


@pytest.mark.django_db(transaction=True)
def test_an_imported_dataset_is_replayed_at_each_calls_own_local_time(
    studio_users: dict[str, Any],
) -> None:
    """The shipped Seattle sample: the calls a narrowing of the crisis team's hours moves
    are counted call by call here (each decided at its own local time) and must equal the
    preview's grouped figure."""
    from io import StringIO

    from django.core.management import call_command

    from rightresponse.analytics.models import Dataset
    from rightresponse.analytics.selectors import (
        SAMPLES_DIR,
        dataset_calls,
        mapping_get,
        profile_get,
    )
    from rightresponse.core.triage import decide
    from rightresponse.studio.impact import dataset_impacts

    sample = SAMPLES_DIR / "seattle_east_c3_2018-2023.csv"
    call_command("import_calls", str(sample), "--profile", "seattle-call-data", "--no-progress",
                 stdout=StringIO())  # fmt: skip
    text = file_protocol_text()
    # The community responders (around the clock in the file) work 12:00-14:00 only.
    anchor = "    # Around the clock (CAHOOTS-style, report 1231)"
    assert text.count(anchor) == 1
    narrowed = text.replace(
        anchor, '    hours: [{days: [mon, tue, wed, thu, fri, sat, sun], from: "12:00", to: "14:00"}]\n'
        + anchor,
    )  # fmt: skip
    live = compiled_text(text, "file")
    draft = compiled_text(narrowed, "draft")
    (result,) = dataset_impacts(draft, live)
    dataset = Dataset.objects.get()
    mapping = mapping_get(profile_get(dataset.profile))
    rows = dataset_calls(dataset).select("initial_type", "received_local").to_pyarrow().to_pylist()
    expected = 0
    for row in rows:
        mapped = mapping.get(row["initial_type"]) if row["initial_type"] else None
        if mapped is None or not mapped.call_type or mapped.call_type not in live.call_types:
            continue
        at = row["received_local"]
        first = [
            decide(p, mapped.call_type, mapped.answers, at=at).programs[:1] for p in (live, draft)
        ]
        expected += first[0] != first[1]
    assert expected > 0
    assert sum(r.rerouted for r in result.impact.reroutes) == expected
