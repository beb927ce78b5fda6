"""The studio's pages through Django's client: section form, YAML, diff, impact, approval."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from studio_helpers import VIOLENT_TRESPASS

from rightresponse.intake.services import call_intake
from rightresponse.studio.models import ProtocolVersion
from rightresponse.triage.models import Call
from rightresponse.triage.services import CallDetails

pytestmark = pytest.mark.django_db


def call_create(**kwargs: Any) -> Call:
    """A call taken through the intake action (call, decision, incident or case)."""
    return call_intake(**kwargs).call


def _as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# The preview reads the outcome history in a second thread (its own connection): the
# data must be committed, as it is in production.
@pytest.mark.django_db(transaction=True)
def test_author_edits_a_rule_in_the_form_and_sees_diff_impact_examples(
    studio_users: dict[str, Any],
) -> None:
    agency = studio_users["author"].profile.agency
    for _ in range(3):
        call_create(user=None, agency=agency, details=CallDetails(), **VIOLENT_TRESPASS)
    author = _as(studio_users["author"])
    response = author.post("/studio/new/", {"note": "care calls with violence: civilians lead"})
    version = ProtocolVersion.objects.get()
    assert response["Location"] == f"/studio/{version.pk}/rules/"
    page = author.get(f"/studio/{version.pk}/rules/").content.decode()
    assert 'name="rules:violence_in_care_call"' in page
    saved = author.post(f"/studio/{version.pk}/rules/", {"rules:violence_in_care_call": "2"},
                        follow=True).content.decode()  # fmt: skip
    assert "Saved: violence_in_care_call → tier 2. valid;" in saved
    diff = author.get(f"/studio/{version.pk}/diff/").content.decode()
    assert "violence_in_care_call" in diff and "From the protocol file" in diff
    impact = author.get(f"/studio/{version.pk}/impact/result/").content.decode()
    assert 'id="moved-total">3<' in impact and 'data-call-type="trespass"' in impact
    overview = author.get(f"/studio/{version.pk}/").content.decode()
    assert "✔ pass" in overview and "✘ fail" not in overview
    # A field error is shown at the field: an impossible tier put in through the YAML view.
    text = version.__class__.objects.get().yaml_text.replace("tier: 2\n", "tier: 7\n", 1)
    author.post(f"/studio/{version.pk}/yaml/", {"yaml": text, "note": "oops"})
    page = author.get(f"/studio/{version.pk}/rules/").content.decode()
    assert 'aria-invalid="true"' in page and "7 is greater than the maximum of 4" in page
    # The impossible value stays selected, so saving the form does not change it silently.
    assert '<option value="7" selected>7 (invalid)</option>' in page


def test_approver_approves_with_a_time_and_rolls_back(studio_users: dict[str, Any]) -> None:
    author, approver = _as(studio_users["author"]), _as(studio_users["approver"])
    author.post("/studio/new/", {"note": "x"})
    version = ProtocolVersion.objects.get()
    author.post(f"/studio/{version.pk}/rules/", {"rules:violence_in_care_call": "2"})
    author.post(f"/studio/{version.pk}/submit/")
    # The author holds no approver role: the approve page action is refused outright.
    assert author.post(f"/studio/{version.pk}/approve/").status_code == 403
    when = timezone.localtime(timezone.now() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    page = approver.post(f"/studio/{version.pk}/approve/", {"effective_at": when},
                         follow=True).content.decode()  # fmt: skip
    assert "Approved: live from" in page and ">scheduled<" in page
    baseline = ProtocolVersion.objects.get(note__startswith="The protocol file")
    page = approver.post(f"/studio/{baseline.pk}/rollback/", follow=True).content.decode()
    assert "is live again" in page
    version.refresh_from_db()
    assert version.status == ProtocolVersion.RETIRED


def test_pages_need_a_studio_role(studio_users: dict[str, Any], logged_in: Any) -> None:
    assert logged_in("call_taker").get("/studio/").status_code == 403
    assert _as(studio_users["approver"]).post("/studio/new/").status_code == 403
    assert _as(studio_users["author"]).get("/studio/").status_code == 200
