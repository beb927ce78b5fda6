"""In a real Chromium, across pillars: the responder closes an incident on the dispatch
pillar's responder page; the close creates a second-response follow-up for the provider,
the responder refers from the incident, and the provider accepts in its inbox."""

from __future__ import annotations

from typing import Any

import pytest

from rightresponse.dispatch import services as dispatch_services
from rightresponse.dispatch.models import Incident, Unit, UnitMember
from rightresponse.ecosystem.models import Referral
from rightresponse.intake.services import call_intake
from rightresponse.triage.services import CallDetails

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def crisis_incident(agencies: dict, users: dict, settings: Any, tmp_path: Any) -> Incident:
    """A behavioural-crisis incident assigned to the responder's unit; crises are followed
    up by the provider's agency (test-org) under this test's rules."""
    rules = tmp_path / "second_response.yaml"
    rules.write_text(
        "kinds:\n  behavioural_crisis: {call_types: [behavioral_crisis], team: test-org}\n"
    )
    settings.RIGHTRESPONSE_SECOND_RESPONSE = str(rules)
    unit = Unit.objects.create(
        agency=agencies["care"], program="community_responder", kind="civilian",
        call_sign="CARE-1", latitude=47.61, longitude=-122.33,
    )  # fmt: skip
    UnitMember.objects.create(
        agency=agencies["care"], unit=unit, user=users["responder"], employee_id="E1",
        name="Rae Responder", capabilities=["clinician"],
    )  # fmt: skip
    answers = {"weapon": "no", "violence": "no"}
    details = CallDetails(
        address="100 Pine St", latitude=47.6105, longitude=-122.3305, area="north"
    )
    call = call_intake(
        user=users["call_taker"], agency=agencies["center"], call_type="behavioral_crisis",
        answers=answers, details=details,
    ).call  # fmt: skip
    incident = Incident.objects.get(call=call)
    dispatch_services.incident_assign(incident.pk, unit.pk, users["dispatcher"])
    return incident


def test_incident_close_to_provider_acceptance(
    login_page, page, directory, crisis_incident
) -> None:
    incident = crisis_incident
    login_page("responder")
    page.goto("/dispatch/responder/")
    page.get_by_role("button", name="En route").click()
    page.get_by_role("button", name="On scene").click()
    page.get_by_role("button", name="Cleared").click()
    page.select_option("#outcome", "referred")
    page.fill("#disposition", "calmer; wants counselling")
    page.get_by_role("button", name="Send close-out").click()
    page.get_by_text(f"Incident #{incident.pk} closed out.").wait_for()
    follow_up = Referral.objects.get(incident_id=incident.pk, is_second_response=True)
    assert follow_up.to_agency.slug == "test-org" and follow_up.status == "requested"

    # Refer from the closed incident to a service of the provider.
    page.goto(f"/services/?incident_id={incident.pk}")
    page.select_option("#f-need", "counseling")
    page.wait_for_selector("#results :text('1 service found')")
    page.click("a[aria-label='Refer to Family counselling']")
    assert page.input_value("#id_incident_id") == str(incident.pk)
    page.fill("#id_family_name", "Household at 100 Pine St")
    page.fill("#id_reason", "Counselling after tonight's crisis.")
    page.click("button:text('Send referral')")
    page.get_by_text("Added to the open referral to").wait_for()
    # Same provider, same incident: the field referral is merged into the second response
    # (issue 16: never two referrals to one provider for one incident).
    referral = Referral.objects.get(incident_id=incident.pk)
    assert referral.pk == follow_up.pk and referral.status == "requested"
    assert referral.family_name == "Household at 100 Pine St"
    assert "Counselling after tonight's crisis." in referral.reason
    assert referral.service.name == "Family counselling"
    assert referral.events.filter(note__startswith="merged").exists()

    page.click("button:text('Sign out')")
    login_page("service_provider")
    page.goto("/services/inbox/")
    assert "Counselling after tonight" in page.locator(f"#ref-{referral.pk} .need").inner_text()
    page.locator(f"#ref-{referral.pk} button[aria-label='Accept referral {referral.pk}']").click()
    page.wait_for_selector("[role=status] >> text=is now accepted")
    referral.refresh_from_db()
    assert referral.status == "accepted" and referral.accepted_at is not None
