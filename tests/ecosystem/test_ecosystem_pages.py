"""Pages: search and its HTMX partial, refer from an incident, inbox, navigator, healing."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from rightresponse.accounts import roles as r
from rightresponse.ecosystem import services
from rightresponse.ecosystem.models import HealingPlan, Referral
from rightresponse.ecosystem.selectors import SearchCriteria, services_search

pytestmark = pytest.mark.django_db


def names(hits) -> list[str]:
    return [h.service.name for h in hits]


def test_search_by_need_area_language_age_and_capacity(directory) -> None:
    assert names(services_search(SearchCriteria(need="counseling"))) == ["Family counselling"]
    assert names(services_search(SearchCriteria(language="so"))) == ["Crisis stabilisation"]
    # "Citywide" services serve every area.
    assert names(services_search(SearchCriteria(area="South"))) == [
        "Crisis stabilisation",
        "Emergency shelter",
    ]
    assert "Crisis stabilisation" not in names(services_search(SearchCriteria(age=15)))
    assert names(services_search(SearchCriteria(has_capacity=True))) == ["Family counselling"]
    assert names(services_search(SearchCriteria(category="responsive"))) == [
        "Crisis stabilisation",
        "Emergency shelter",
    ]


def test_open_now_uses_the_published_hours(directory) -> None:
    monday_10 = timezone.make_aware(datetime(2026, 3, 2, 10, 0))
    sunday_10 = timezone.make_aware(datetime(2026, 3, 1, 10, 0))
    assert names(services_search(SearchCriteria(open_now=True), at=monday_10)) == [
        "Family counselling",
        "Emergency shelter",
    ]
    assert names(services_search(SearchCriteria(open_now=True), at=sunday_10)) == [
        "Emergency shelter"
    ]


def test_search_partial_is_a_fragment_other_pages_can_include(logged_in, directory) -> None:
    response = logged_in("call_taker").get("/services/search/?need=shelter&incident_id=12")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Emergency shelter" in html and "Family counselling" not in html
    assert "Confidential location: phone for intake" in html and "Hidden Lane" not in html
    assert "incident_id=12" in html  # the Refer link carries the incident


def test_directory_page_by_role(logged_in, directory) -> None:
    assert logged_in("responder").get("/services/").status_code == 200
    assert logged_in("analyst").get("/services/").status_code == 403


def test_refer_from_an_incident_page(logged_in, directory, person, care_incident) -> None:
    client = logged_in("responder")
    url = f"/services/refer/?service={directory['counselling'].id}&incident_id=4242&call_type=behavioral_crisis&category=behavioral_health"
    form = client.get(url)
    assert form.status_code == 200 and "From incident 4242" in form.content.decode()
    response = client.post(
        url,
        {
            "service": directory["counselling"].id,
            "source": "incident",
            "incident_id": 4242,
            "incident_call_type": "behavioral_crisis",
            "incident_category": "behavioral_health",
            "person_id": person.pk,
            "reason": "Counselling after the crisis",
        },
    )
    ref = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/services/referrals/{ref.pk}/"
    assert (ref.incident_id, ref.incident_call_type, ref.status) == (
        4242,
        "behavioral_crisis",
        "requested",
    )


def test_refer_form_errors_are_shown_and_nothing_is_saved(logged_in, directory) -> None:
    response = logged_in("responder").post(
        "/services/refer/",
        {"service": directory["counselling"].id, "source": "incident", "reason": "x"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "names the incident" in html and "Refer a person" in html
    assert not Referral.objects.exists()


def test_inbox_page_lists_only_my_agency_and_acts(logged_in, users, directory, person) -> None:
    mine = services.referral_create(
        user=users["responder"], source="navigator", person=person, service=directory["counselling"]
    )
    theirs = services.referral_create(
        user=users["responder"], source="navigator", person=person, service=directory["crisis"]
    )
    client = logged_in("service_provider")
    html = client.get("/services/inbox/").content.decode()
    assert f'id="ref-{mine.pk}"' in html and f'id="ref-{theirs.pk}"' not in html
    response = client.post(
        f"/services/referrals/{mine.pk}/transition/", {"status": "accepted", "next": "inbox"}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "accepted"
    refused = client.post(f"/services/referrals/{mine.pk}/transition/", {"status": "draft"})
    assert refused.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "accepted"
    assert client.get(f"/services/referrals/{theirs.pk}/").status_code == 404


def test_provider_keeps_capacity_current_for_its_own_services_only(logged_in, directory) -> None:
    client = logged_in("service_provider")
    client.post(
        f"/services/capacity/{directory['counselling'].id}/", {"available": 1, "maximum": 10}
    )
    directory["counselling"].refresh_from_db()
    assert directory["counselling"].capacity_available == 1
    assert directory["counselling"].capacity_updated_at is not None
    assert (
        client.post(f"/services/capacity/{directory['crisis'].id}/", {"available": 5}).status_code
        == 403
    )


def test_navigator_page_lists_follow_ups(logged_in, users, agencies, directory, person) -> None:
    services.referral_create(
        user=users["dispatcher"],
        source="navigator",
        person=person,
        service=directory["counselling"],
        is_second_response=True,
        follow_up_kind="behavioural_crisis",
        incident_id=31,
        due_at=timezone.now(),
    )
    html = logged_in("service_provider").get("/services/navigator/").content.decode()
    assert "Second-response follow-ups (1)" in html and "incident 31" in html


def test_healing_plan_with_levels_departments_intermediaries_and_actions(
    logged_in, agencies
) -> None:
    client = logged_in("supervisor")
    response = client.post(
        "/services/healing/",
        {
            "title": "Corner store shooting",
            "event_summary": "Two people hurt; children saw it.",
            "level": "community",
            "lead_agency": agencies["city"].pk,
            "responsible_departments": "Neighborhood Safety\nHealth",
            "trusted_intermediaries": "Pastor Lee\nYouth organiser Sam",
            "actions": "Healing circle | Pastor Lee | 2026-04-01\nSchool briefing | Health",
            "incident_id": 4321,
            "occurred_on": "2026-03-28",
        },
    )
    assert response.status_code == 302
    plan = HealingPlan.objects.get()
    assert plan.responsible_departments == ["Neighborhood Safety", "Health"]
    assert plan.incident_id == 4321 and plan.occurred_at.date().isoformat() == "2026-03-28"
    assert sorted((a.owner, str(a.due_on)) for a in plan.actions.all()) == [
        ("Health", "None"),
        ("Pastor Lee", "2026-04-01"),
    ]
    bad = client.post(
        "/services/healing/",
        {
            "title": "x",
            "event_summary": "y",
            "level": "community",
            "lead_agency": agencies["city"].pk,
            "actions": "no owner",
        },
    )
    assert bad.status_code == 422 and "actions line 1" in bad.content.decode()
    assert logged_in("analyst").get("/services/healing/").status_code == 200
    assert logged_in("analyst").post("/services/healing/", {}).status_code == 403


def test_consent_captured_with_a_referral_and_victim_rules_enforced(
    logged_in, directory, person, victim
) -> None:
    from rightresponse.ecosystem.models import Consent

    client = logged_in("responder")
    form = {
        "service": directory["counselling"].id,
        "source": "navigator",
        "reason": "Counselling",
        "consent_share": "on",
        "consent_person_present": "on",
    }
    response = client.post("/services/refer/", {**form, "person_id": victim.pk})
    assert response.status_code == 422 and "time-limited" in response.content.decode()
    assert not Referral.objects.exists() and not Consent.objects.exists()
    assert client.post("/services/refer/", {**form, "person_id": person.pk}).status_code == 302
    consent = Consent.objects.get()
    assert list(consent.organisations.values_list("slug", flat=True)) == ["test-org"]
    assert consent.purposes == ["referral"] and consent.captured_by.username == "responder"
    without_person = client.post("/services/refer/", {**form, "family_name": "Lee family"})
    assert (
        without_person.status_code == 422 and "give their name" in without_person.content.decode()
    )


def test_incident_referrals_fragment_shows_only_my_agencys_referrals(
    logged_in, users, directory, person
) -> None:
    services.referral_create(
        user=users["responder"],
        source="incident",
        incident_id=64,
        service=directory["counselling"],
        person=person,
    )
    services.referral_create(
        user=users["dispatcher"],
        source="incident",
        incident_id=64,
        service=directory["crisis"],
        person=person,
    )
    html = logged_in("responder").get("/services/incidents/64/referrals/").content.decode()
    assert "Family counselling" in html and "Crisis stabilisation" not in html
    assert "/services/?incident_id=64" in html


def test_a_provider_refers_onward_from_a_follow_up(logged_in, users, directory, person) -> None:
    follow_up = services.referral_create(
        user=users["responder"], source="navigator", person=person, service=directory["counselling"]
    )
    client = logged_in("service_provider")
    detail = client.get(f"/services/referrals/{follow_up.pk}/").content.decode()
    assert f"/services/?parent={follow_up.pk}" in detail
    results = client.get(
        f"/services/search/?need=mental_health&parent={follow_up.pk}"
    ).content.decode()
    assert f"parent={follow_up.pk}" in results
    form = client.get(f"/services/refer/?service={directory['crisis'].id}&parent={follow_up.pk}")
    assert 'value="provider" selected' in form.content.decode()
    response = client.post(
        "/services/refer/",
        {
            "service": directory["crisis"].id,
            "source": "provider",
            "parent_id": follow_up.pk,
            "person_id": person.pk,
            "reason": "Crisis care",
        },
    )
    assert response.status_code == 302
    onward = Referral.objects.get(parent=follow_up)
    assert onward.source == "provider" and onward.from_agency.slug == "test-org"
    stranger = Referral.objects.create(
        source="navigator",
        to_agency=directory["crisis"].organization.agency,
        from_agency=directory["crisis"].organization.agency,
        created_at=timezone.now(),
    )
    refused = client.post(
        "/services/refer/",
        {
            "service": directory["crisis"].id,
            "source": "provider",
            "parent_id": stranger.pk,
            "person_id": person.pk,
            "reason": "x",
        },
    )
    assert refused.status_code == 422 and Referral.objects.filter(parent=stranger).count() == 0


def test_search_widget_for_other_pillars_pages_loads_the_partial_with_the_incident() -> None:
    from django.template.loader import render_to_string

    html = render_to_string(
        "ecosystem/_search_widget.html", {"need": "mental_health", "incident_id": 12}
    )
    assert 'hx-get="/services/search/?open_now=1&amp;need=mental_health&amp;incident_id=12"' in html
    assert '<label for="svc-need">' in html


def test_only_the_plans_agencies_move_a_healing_action(logged_in, agencies) -> None:
    """Tenancy (issue 10): another agency reads a community-wide plan but cannot change
    its actions; the refusal is the same 404 as an action that does not exist."""
    owner = logged_in("supervisor")
    owner.post(
        "/services/healing/",
        {"title": "Vigil", "event_summary": "A vigil after a shooting.", "level": "community",
         "lead_agency": agencies["city"].pk, "actions": "Healing circle | Pastor Lee"},
    )  # fmt: skip
    action = HealingPlan.objects.get().actions.get()
    outsider = logged_in(r.SERVICE_PROVIDER)  # a community organisation, not the plan's
    forbidden = outsider.post(f"/services/healing/actions/{action.pk}/", {"status": "done"})
    missing = outsider.post("/services/healing/actions/99999999/", {"status": "done"})
    assert forbidden.status_code == missing.status_code == 404
    action.refresh_from_db()
    assert action.status != "done"
    moved = owner.post(f"/services/healing/actions/{action.pk}/", {"status": "done"})
    assert moved.status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
