"""The safety check on the city's own records: every severe outcome the issue names
(injury, weapon, arrest for violence, backup requested) is counted for a call type that
moves toward civilian-only, and only there, and only within the last year."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from studio_helpers import VIOLENT_TRESPASS, lower_care_violence_rule

from rightresponse.dispatch.models import Disposition, Incident, UseOfForceReport
from rightresponse.intake.services import call_intake
from rightresponse.studio.impact import city_impact
from rightresponse.studio.live import compiled_text
from rightresponse.studio.services import file_protocol_text
from rightresponse.triage.models import Call
from rightresponse.triage.services import CallDetails

pytestmark = pytest.mark.django_db


def _call(agency: Any, call_type: str, answers: dict[str, str]) -> Incident:
    result = call_intake(user=None, agency=agency, details=CallDetails(), call_type=call_type,
                         answers=answers)  # fmt: skip
    assert result.incident is not None
    return result.incident


def _force(incident: Incident, **injured: bool) -> None:
    UseOfForceReport.objects.create(incident=incident, reported_at=timezone.now(),
                                    force_type="hands-on", **injured)  # fmt: skip


def test_each_severe_outcome_is_counted_for_the_moving_call_type_only(
    studio_users: dict[str, Any],
) -> None:
    agency = studio_users["author"].profile.agency
    moving = [_call(agency, "trespass", VIOLENT_TRESPASS["answers"]) for _ in range(5)]
    moving[0].backup_requested = True
    moving[0].save()
    _force(moving[1], subject_injured=True)
    _force(moving[1], responder_injured=True)  # two reports, one incident: counted once
    _force(moving[2], subject_injured=False)  # force without an injury: not severe here
    Disposition.objects.create(incident=moving[3], disposition="arrest", outcome="arrest")
    # An arrest on a trespass without violence, weapon or threat to life is not an
    # "arrest for violence"; a weapon at intake counts even though that call does not move.
    quiet = _call(agency, "trespass", {"violence": "no", "weapon": "no", "threat_to_life": "no"})
    Disposition.objects.create(incident=quiet, disposition="arrest", outcome="arrest")
    _call(agency, "trespass", {"violence": "no", "weapon": "yes", "threat_to_life": "no"})
    # A year and a day ago: outside the replayed year, its injury is not history here.
    old = _call(agency, "trespass", VIOLENT_TRESPASS["answers"])
    _force(old, subject_injured=True)
    Call.objects.filter(pk=old.call_id).update(received_at=timezone.now() - timedelta(days=366))
    # Severe outcomes on a call type that does not move: never flagged.
    assault = _call(agency, "assault", {"violence": "yes"})
    assault.backup_requested = True
    assault.save()
    _force(assault, subject_injured=True)

    live = compiled_text(file_protocol_text(), "file")
    draft = compiled_text(lower_care_violence_rule(file_protocol_text()), "draft")
    impact = city_impact(draft, live)

    assert impact.total == 8  # five moving, two other trespass, one assault; not the old one
    (flag,) = impact.safety
    assert flag.call_type == "trespass" and flag.toward_civilian == 5
    assert flag.history == {"backup": 1, "injury": 1, "arrest_violence": 1, "weapon": 1}
    text = flag.describe()
    for words in ("injury", "weapon", "arrest for violence", "backup requested"):
        assert words in text
    assert {m.call_type for m in impact.movements} == {"trespass"}


def test_nothing_moving_toward_civilian_means_no_flag_and_no_history_read(
    studio_users: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    agency = studio_users["author"].profile.agency
    incident = _call(agency, "trespass", VIOLENT_TRESPASS["answers"])
    _force(incident, subject_injured=True)
    live = compiled_text(file_protocol_text(), "file")
    # The live protocol against itself: nothing moves, the history is never read (two
    # queries: the grouped calls and the mean unit-hours).
    with django_assert_max_num_queries(2):
        impact = city_impact(live, live)
    assert impact.moved == 0 and impact.safety == ()


def test_workload_per_program_and_shift_from_local_hours_and_measured_times(
    studio_users: dict[str, Any], settings: Any
) -> None:
    """Shifts are the city's local hours (day 7-15, evening 15-23, night 23-7), across a
    daylight-saving change; unit-hours are dispatch to clear; a call type with no timed
    incident is not measurable, never 0."""
    settings.TIME_ZONE = "America/Los_Angeles"
    tz = ZoneInfo("America/Los_Angeles")
    agency = studio_users["author"].profile.agency
    now = timezone.now()
    # A day of each offset in the last year (winter -8 h, summer -7 h).
    days = [(now - timedelta(days=k)).astimezone(tz).date() for k in range(5, 360)]
    winter = next(
        d for d in days if datetime(d.year, d.month, d.day, 12, tzinfo=tz).dst() == timedelta(0)
    )
    summer = next(d for d in days if datetime(d.year, d.month, d.day, 12, tzinfo=tz).dst())

    def local(d: Any, hour: int, minute: int) -> datetime:
        return datetime(d.year, d.month, d.day, hour, minute, tzinfo=tz)

    # Violent trespasses near the day shift's edges in each season (an hour's error in
    # the offset would put one in another shift) and one in the evening: each took 1.5 h
    # from dispatch to clear.
    moments = [local(winter, 14, 30), local(summer, 7, 30), local(summer, 22, 30)]
    for at in moments:
        incident = _call(agency, "trespass", VIOLENT_TRESPASS["answers"])
        Call.objects.filter(pk=incident.call_id).update(received_at=at)
        Incident.objects.filter(pk=incident.pk).update(
            received_at=at, dispatched_at=at, cleared_at=at + timedelta(minutes=90)
        )
    # A noise complaint at 02:00 local (night), never dispatched: not measurable.
    noise = _call(agency, "noise_complaint", {"violence": "no", "weapon": "no"})
    night = local(summer, 2, 0)
    Call.objects.filter(pk=noise.call_id).update(received_at=night)

    live = compiled_text(file_protocol_text(), "file")
    draft = compiled_text(lower_care_violence_rule(file_protocol_text()), "draft")
    impact = city_impact(draft, live)
    (day,) = [w for w in impact.workload if w.shift == "day"]
    assert day.calls_before == day.calls_after == 2
    assert day.hours_before == day.hours_after == pytest.approx(3.0)
    assert day.fte_before == pytest.approx(3.0 / 1600)
    (evening,) = [w for w in impact.workload if w.shift == "evening"]
    assert evening.calls_before == 1 and evening.hours_after == pytest.approx(1.5)
    assert day.program == evening.program == "cit_co_response"  # the decision's first
    (night,) = [w for w in impact.workload if w.shift == "night"]
    assert night.calls_before == night.calls_after == 1
    assert night.hours_before is None and night.fte_after is None  # not measurable
