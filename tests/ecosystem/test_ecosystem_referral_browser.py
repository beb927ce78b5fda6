"""In a real Chromium: a responder refers from an incident through the ecosystem's own
entry point (/services/?incident_id=...), with consent, and the provider accepts.

The same journey starting from the dispatch pillar's real close-out page is
test_ecosystem_dispatch_close_browser.py."""

import pytest

from rightresponse.ecosystem.models import Referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_referral_from_incident_to_provider_acceptance(
    login_page, page, directory, person, care_incident
) -> None:
    login_page("responder")
    page.goto("/services/?incident_id=4242")
    page.select_option("#f-need", "counseling")  # HTMX swaps the results in place
    page.wait_for_selector("#results :text('1 service found')")
    page.click("a[aria-label='Refer to Family counselling']")
    assert page.locator("h1").inner_text() == "Refer to a service"
    assert page.input_value("#id_incident_id") == "4242"
    # By name and phone, as a responder knows the person on scene: the care team's own
    # record of Rosa Delgado is found (no record number needed).
    page.fill("#id_person_name", "Rosa Delgado")
    page.fill("#id_person_phone", "(555) 0101")
    page.fill("#id_reason", "Would like counselling after tonight's crisis.")
    page.check("#id_consent_share")  # consent captured with the referral, to this provider
    page.check("#id_consent_person_present")  # by the person's own agency, with them there
    page.click("button:text('Send referral')")
    page.wait_for_selector("#referral-status")
    assert page.locator("#referral-status").inner_text() == "requested"
    ref = Referral.objects.get()
    assert (ref.incident_id, ref.source, ref.person_id) == (4242, "incident", person.pk)

    page.click("button:text('Sign out')")
    login_page("service_provider")
    page.goto("/services/inbox/")
    row = page.locator(f"#ref-{ref.pk}")
    assert "requested" in row.inner_text().lower()
    row.locator(f"button[aria-label='Accept referral {ref.pk}']").click()
    page.wait_for_selector("[role=status] >> text=is now accepted")
    assert "accepted" in page.locator(f"#ref-{ref.pk}").inner_text().lower()
    page.click(f"#ref-{ref.pk} a")
    assert "Rosa Delgado" in page.locator("#who").inner_text()
    assert "Shared with the person's consent" in page.content()

    page.click("button:text('Sign out')")
    login_page("responder")
    page.goto("/services/referrals/")
    assert "accepted" in page.locator("section", has_text="Sent by my agency").inner_text()
    ref.refresh_from_db()
    assert ref.status == "accepted" and ref.accepted_at is not None
