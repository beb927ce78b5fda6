"""Second response: closing an incident of a declared kind creates a follow-up task.

The dispatch pillar sends ``incident_closed``; here the test sends it with the documented
keyword arguments (contract 5), exactly as dispatch does."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from rightresponse.accounts.models import Agency
from rightresponse.dispatch.signals import incident_closed
from rightresponse.ecosystem.models import Referral
from rightresponse.ecosystem.selectors import referral_facts, referral_overdue

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(settings, tmp_path, agencies):
    """The shipped kinds, with the test agencies as the designated teams."""
    path = tmp_path / "second_response.yaml"
    path.write_text(
        "due_hours: 72\n"
        "kinds:\n"
        "  behavioural_crisis: {call_types: [behavioral_crisis], categories: [behavioral_health], team: test-care}\n"
        "  victimisation: {call_types: [domestic_violence], team: test-org, victim_service: true}\n"
        "  violence: {call_types: [shots_fired], team: test-care, due_hours: 48}\n"
    )
    settings.RIGHTRESPONSE_SECOND_RESPONSE = str(path)
    return path


def close(incident_id: int, call_type: str, person_ids: list[int], agency: Agency, **extra) -> None:
    kwargs = {
        "incident_id": incident_id,
        "call_id": None,
        "category": "behavioral_health" if call_type == "behavioral_crisis" else "other",
        "call_type": call_type,
        "outcome": "resolved_on_scene",
        "person_ids": person_ids,
        "agency_id": agency.pk,
        "closed_at": timezone.now(),
        "closed_by": None,
        **extra,
    }
    incident_closed.send(sender=None, **kwargs)


def test_closing_a_crisis_creates_a_follow_up_due_in_72_hours(
    rules, agencies, person, directory
) -> None:
    closed_at = timezone.now() - timedelta(hours=1)
    close(501, "behavioral_crisis", [person.pk], agencies["center"], closed_at=closed_at)
    task = Referral.objects.get()
    assert task.is_second_response and task.source == "second_response"
    assert task.to_agency == agencies["care"] and task.from_agency == agencies["center"]
    assert task.status == "requested" and task.person == person
    assert task.due_at == closed_at + timedelta(hours=72)
    assert task.follow_up_kind == "behavioural_crisis" and task.incident_id == 501


def test_the_signal_is_idempotent_and_ignores_undeclared_kinds(rules, agencies, person) -> None:
    close(502, "behavioral_crisis", [person.pk], agencies["center"])
    close(502, "behavioral_crisis", [person.pk], agencies["center"])
    close(503, "parking", [person.pk], agencies["center"])
    assert Referral.objects.count() == 1


def test_each_kind_has_its_team_and_due_time(rules, agencies, person, victim, directory) -> None:
    directory["counselling"].subcategory = "second_response"  # the team's general follow-up
    directory["counselling"].save()
    close(504, "shots_fired", [], agencies["police"])
    close(505, "domestic_violence", [victim.pk], agencies["police"])
    violence = Referral.objects.get(incident_id=504)
    assert violence.person is None and violence.to_agency == agencies["care"]
    assert violence.due_at - violence.created_at == timedelta(hours=48)
    dv = Referral.objects.get(incident_id=505)
    assert dv.to_agency == agencies["org"]
    # A victim's follow-up goes to the team's victim service, not its counselling line.
    assert dv.service == directory["dv_shelter"] and dv.service.is_victim_service


def test_reached_and_connected_are_recorded_and_feed_the_facts(
    rules, api_client, agencies, person
) -> None:
    close(
        506,
        "behavioral_crisis",
        [person.pk],
        agencies["center"],
        closed_at=timezone.now() - timedelta(hours=80),
    )
    task = Referral.objects.get()
    assert referral_overdue(task) == "follow-up due time passed without contact"
    team = api_client("responder")  # the care team's responders follow up
    url = f"/api/ecosystem/referrals/{task.pk}/contact"
    body = api_client("responder").post(
        url, json.dumps({"reached": True, "connected": True}), content_type="application/json"
    )
    assert body.status_code == 200, body.content
    assert body.json()["reached"] is True and body.json()["first_contact_at"]
    other = api_client("service_provider").post(
        url, json.dumps({"reached": False}), content_type="application/json"
    )
    assert other.status_code == 404  # not the designated team
    bad = team.post(
        url, json.dumps({"reached": False, "connected": True}), content_type="application/json"
    )
    assert bad.status_code == 409 and "not reached" in bad.json()["detail"]
    [fact] = referral_facts()
    assert fact["is_second_response"] and fact["reached"] is True and fact["connected"] is True
    assert fact["source"] == "second_response" and fact["incident_id"] == 506


def test_a_missing_team_logs_and_does_not_break_the_close(
    settings, tmp_path, agencies, caplog
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("kinds:\n  crisis: {call_types: [behavioral_crisis], team: nobody}\n")
    settings.RIGHTRESPONSE_SECOND_RESPONSE = str(path)
    close(507, "behavioral_crisis", [], agencies["center"])
    assert not Referral.objects.exists()
    assert "nobody" in caplog.text


def test_shipped_rules_name_call_types_and_categories_of_the_default_protocol(settings) -> None:
    from rightresponse.core.triage import load_protocol
    from rightresponse.ecosystem.config import DATA_DIR, _rules_from

    protocol = load_protocol(settings.RIGHTRESPONSE_PROTOCOL)
    categories = {ct.category for ct in protocol.call_types.values()}
    path = DATA_DIR / "second_response.yaml"
    for kind in _rules_from(str(path), path.stat().st_mtime).kinds:
        assert kind.call_types <= set(protocol.call_types), kind.kind
        assert kind.categories <= categories, kind.kind
