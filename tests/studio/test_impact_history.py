"""The safety check on the city's own records: every severe outcome the issue names
(injury, weapon, arrest for violence, backup requested) is counted for a call type that
moves toward civilian-only, and only there, and only within the last year."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from studio_helpers import VIOLENT_TRESPASS, lower_care_violence_rule

from rightresponse.dispatch.models import Disposition, Incident, UseOfForceReport
from rightresponse.studio.impact import city_impact
from rightresponse.studio.live import compiled_text
from rightresponse.studio.services import file_protocol_text
from rightresponse.triage.models import Call
from rightresponse.triage.services import CallDetails, call_create

pytestmark = pytest.mark.django_db


def _call(agency: Any, call_type: str, answers: dict[str, str]) -> Incident:
    call = call_create(user=None, agency=agency, details=CallDetails(), call_type=call_type,
                       answers=answers)  # fmt: skip
    return Incident.objects.get(call=call)


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
    # The live protocol against itself: nothing moves, the history is never read (one
    # query: the grouped calls).
    with django_assert_max_num_queries(1):
        impact = city_impact(live, live)
    assert impact.moved == 0 and impact.safety == ()
