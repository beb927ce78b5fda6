"""The re-assessment loop (issue 13 item 6, report line 1137 step 7): reclassifying an
incident decides its call again and keeps the decision and risk before and after."""

from __future__ import annotations

import pytest

from rightresponse.dispatch import services as dispatch
from rightresponse.intake.services import call_intake
from rightresponse.triage.models import Reassessment
from rightresponse.triage.services import CallDetails

pytestmark = pytest.mark.django_db


def test_reclassifying_reruns_the_decision_and_keeps_before_and_after(
    agencies, users, logged_in
) -> None:
    taken = call_intake(user=users["call_taker"], agency=agencies["center"],
                        details=CallDetails(), call_type="welfare_check",
                        answers={"weapon": "yes", "violence": "no"})  # fmt: skip
    incident = taken.incident
    assert incident is not None
    before_tier = taken.call.tier
    dispatch.incident_reclassify(incident.pk, "assault", users["dispatcher"],
                                 "caller says he was hit", tier=None)  # fmt: skip
    item = Reassessment.objects.get(call=taken.call)
    assert (item.call_type_before, item.call_type_after) == ("welfare_check", "assault")
    assert item.decision_before["tier"] == before_tier
    assert item.decision_after["call_type"] == "assault" and item.decision_after["tier"] >= 3
    assert item.decision_after["risk"]["score"] >= 1 and item.tier_applied is None
    incident.refresh_from_db()
    assert incident.tier == before_tier  # shown to the dispatcher, not applied behind them
    html = logged_in("dispatcher").get(f"/dispatch/incidents/{incident.pk}/").content.decode()
    assert 'id="reassessments"' in html and "welfare_check → assault" in html
    assert "caller says he was hit" in html


def test_the_tier_the_dispatcher_sets_is_recorded(agencies, users) -> None:
    taken = call_intake(user=users["call_taker"], agency=agencies["center"],
                        details=CallDetails(), call_type="welfare_check",
                        answers={"weapon": "no", "violence": "no"})  # fmt: skip
    dispatch.incident_reclassify(taken.incident.pk, "behavioral_crisis", users["dispatcher"],
                                 "in crisis", tier=2)  # fmt: skip
    assert Reassessment.objects.get().tier_applied == 2
