"""Every read of personal data is audited once per view and shows in the person's access
log (issue 10, item 9)."""

from __future__ import annotations

from typing import Any

import pytest
from attack_world import PASSWORD, World
from django.contrib.auth.models import User
from django.test import Client

from rightresponse.accounts.models import Agency, AuditEvent
from rightresponse.accounts.services import user_create
from rightresponse.ecosystem import services as eco

pytestmark = pytest.mark.django_db


def test_the_responder_screen_audits_once_per_view_not_per_refresh(
    world: World, as_page: Any
) -> None:
    client = as_page(world.owner_user)
    page = client.get("/dispatch/responder/")
    assert page.status_code == 200 and "Oskar" in page.content.decode()
    for _ in range(5):
        assert client.get("/dispatch/responder/live/").status_code == 200
    reads = AuditEvent.objects.filter(actor=world.owner_user, object_type="incident_person")
    assert sorted(reads.values_list("person_id", flat=True)) == sorted(
        [world.subject.pk, world.victim.pk]
    )
    client.get("/dispatch/responder/")  # a new view of the page is a new read
    assert reads.count() == 4


def test_incident_reads_carry_the_people_they_are_about(world: World, as_api: Any) -> None:
    assert (
        as_api(world.owner_user).get(f"/api/dispatch/incidents/{world.incident.pk}").status_code
        == 200
    )
    rows = AuditEvent.objects.filter(object_type="incident", object_id=str(world.incident.pk))
    assert set(rows.values_list("person_id", flat=True)) == {world.victim.pk, world.subject.pk}


def test_family_referrals_are_audited(world: World, as_page: Any) -> None:
    ref = eco.referral_create(
        user=world.owner_user, source="navigator", service=world.service,
        family_name="Household of the north", family_size=3, reason="Rent",
    )  # fmt: skip
    assert as_page(world.owner_user).get(f"/services/referrals/{ref.pk}/").status_code == 200
    assert AuditEvent.objects.filter(
        object_type="referral", object_id=str(ref.pk), purpose="referral (family)"
    ).exists()


def test_admin_views_of_people_calls_and_consents_are_audited_and_logged(world: World) -> None:
    city = Agency.objects.create(slug="w-city", name="City", kind="city")
    admin = user_create(username="root", password=PASSWORD, agency=city, roles=["administrator"],
                        is_staff=True)  # fmt: skip
    User.objects.filter(pk=admin.pk).update(is_superuser=True)
    client = Client()
    client.force_login(User.objects.get(pk=admin.pk))
    for url in (
        "/admin/people/person/",
        f"/admin/people/person/{world.victim.pk}/change/",
        f"/admin/triage/call/{world.call.pk}/change/",
        f"/admin/ecosystem/consent/{world.consent.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
    admin_reads = AuditEvent.objects.filter(actor=admin, object_type__startswith="admin:")
    assert admin_reads.filter(person_id=world.victim.pk, purpose="admin view").count() == 2
    assert admin_reads.filter(person_id=world.subject.pk, purpose="admin list").exists()
    assert admin_reads.filter(object_type="admin:triage.call").exists()
    # The person's own agency sees those reads in the access log page.
    log = Client()
    log.force_login(world.owner_user)
    html = log.get(f"/services/people/{world.victim.pk}/").content.decode()
    assert "admin:people.person" in html and "root" in html and "admin:ecosystem.consent" in html


def test_admin_lists_only_what_a_staff_member_may_see(world: World) -> None:
    """A staff login that is not an administrator sees its own agency's people only."""
    other = Agency.objects.create(slug="w-other", name="Other", kind="county")
    staff = user_create(username="staffer", password=PASSWORD, agency=other,
                        roles=["supervisor"], is_staff=True)  # fmt: skip
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_person", "view_incident", "view_referral"])
    )
    client = Client()
    client.force_login(User.objects.get(pk=staff.pk))
    listing = client.get("/admin/people/person/")
    assert listing.status_code == 200 and "Vesna" not in listing.content.decode()
    assert client.get(f"/admin/people/person/{world.victim.pk}/change/").status_code in (302, 404)
    incidents = client.get("/admin/dispatch/incident/")
    assert (
        incidents.status_code == 200 and f">{world.incident.pk}<" not in incidents.content.decode()
    )
    assert client.get(f"/admin/dispatch/incident/{world.incident.pk}/change/").status_code in (
        302,
        404,
    )
    referrals = client.get("/admin/ecosystem/referral/")
    assert referrals.status_code == 200
    assert client.get(f"/admin/ecosystem/referral/{world.referral.pk}/change/").status_code in (
        302,
        404,
    )
