"""Drafts, approval with the two-person rule, the live switch at the effective time, rollback.

These decide live calls: each test goes through the real services and the real
``call_intake`` and checks which protocol version the stored call records.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from studio_helpers import VIOLENT_TRESPASS, lower_care_violence_rule

from rightresponse.accounts.models import AuditEvent
from rightresponse.core.triage import load_protocol
from rightresponse.intake.services import call_intake
from rightresponse.studio import live
from rightresponse.studio import services as s
from rightresponse.studio.models import ProtocolVersion
from rightresponse.triage.models import Call
from rightresponse.triage.protocols import active_protocol
from rightresponse.triage.services import CallDetails

pytestmark = pytest.mark.django_db


def call_create(**kwargs: Any) -> Call:
    """A call taken through the intake action (call, decision, incident or case)."""
    return call_intake(**kwargs).call


def _call(agency: Any) -> Any:
    return call_create(user=None, agency=agency, details=CallDetails(), **VIOLENT_TRESPASS)


def _submitted_edit(users: dict[str, Any]) -> ProtocolVersion:
    draft = s.draft_create(user=users["author"])
    draft = s.draft_save(
        user=users["author"], version=draft, yaml_text=lower_care_violence_rule(draft.yaml_text)
    )
    assert draft.valid and draft.examples_passed == len(draft.example_results) > 0
    return s.draft_submit(user=users["author"], version=draft)


def test_a_draft_never_decides_a_live_call(studio_users: dict[str, Any], settings: Any) -> None:
    file_version = load_protocol(settings.RIGHTRESPONSE_PROTOCOL).version
    agency = studio_users["author"].profile.agency
    before = _call(agency)
    submitted = _submitted_edit(studio_users)
    another = s.draft_create(user=studio_users["author2"])
    assert another.version_label != file_version  # a copy gets its own version string
    after = _call(agency)
    assert before.protocol_version == after.protocol_version == file_version
    assert before.tier == after.tier == 3
    assert active_protocol().version == file_version
    assert submitted.status == ProtocolVersion.SUBMITTED


def test_an_invalid_draft_is_saved_but_never_submitted_or_approved(
    studio_users: dict[str, Any],
) -> None:
    author, approver = studio_users["author"], studio_users["approver"]
    draft = s.draft_create(user=author)
    broken = draft.yaml_text.replace("tier: 4\n", "tier: 9\n", 1)
    draft = s.draft_save(user=author, version=draft, yaml_text=broken)
    draft.refresh_from_db()
    assert draft.yaml_text == broken and not draft.valid
    assert any("9" in p["reason"] or "maximum" in p["reason"] for p in draft.problems)
    with pytest.raises(s.StudioError, match="problem"):
        s.draft_submit(user=author, version=draft)
    # Even forced into "submitted" behind the service's back, approval re-validates.
    ProtocolVersion.objects.filter(pk=draft.pk).update(status=ProtocolVersion.SUBMITTED)
    with pytest.raises(s.StudioError, match="problem"):
        s.version_approve(user=approver, version=draft)
    assert not ProtocolVersion.objects.filter(status__in=ProtocolVersion.SCHEDULED).exists()
    # Text that is not even YAML is kept as a draft too, with the line named.
    garbled = s.draft_save(user=author, version=draft.__class__.objects.create(
        yaml_text="x", author=author), yaml_text="rules: [\n")  # fmt: skip
    assert not garbled.valid and garbled.problems[0]["path"].startswith("line ")


def test_two_person_rule(studio_users: dict[str, Any]) -> None:
    version = _submitted_edit(studio_users)
    with pytest.raises(s.StudioError, match="Two-person rule"):
        s.version_approve(user=studio_users["author"], version=version)
    # Someone else who edited the text is an author too.
    draft = s.draft_create(user=studio_users["author"])
    s.draft_save(user=studio_users["author2"], version=draft, yaml_text=draft.yaml_text)
    s.draft_submit(user=studio_users["author"], version=draft)
    with pytest.raises(s.StudioError, match="Two-person rule"):
        s.version_approve(user=studio_users["author2"], version=draft)
    approved = s.version_approve(user=studio_users["approver"], version=version)
    assert approved.status == ProtocolVersion.PUBLISHED
    assert approved.approver == studio_users["approver"]


def test_the_switch_happens_at_the_effective_time_and_rollback_restores(
    studio_users: dict[str, Any], settings: Any
) -> None:
    file_version = load_protocol(settings.RIGHTRESPONSE_PROTOCOL).version
    agency = studio_users["author"].profile.agency
    version = _submitted_edit(studio_users)
    effective = timezone.now() + timedelta(seconds=5)
    version = s.version_approve(
        user=studio_users["approver"], version=version, effective_at=effective
    )
    assert version.status == ProtocolVersion.APPROVED
    old = _call(agency)
    assert (old.protocol_version, old.tier) == (file_version, 3)
    time.sleep(max(0.0, (effective - timezone.now()).total_seconds()) + 0.05)
    new = _call(agency)
    assert (new.protocol_version, new.tier) == (version.version_label, 2)
    assert new.decision["protocol_version"] == version.version_label
    # The protocol file was recorded as the version live before the studio.
    baseline = ProtocolVersion.objects.get(version_label=file_version)
    assert baseline.status == ProtocolVersion.PUBLISHED and baseline.effective_at < effective
    restored = s.version_rollback(user=studio_users["approver"], target=baseline)
    back = _call(agency)
    assert (back.protocol_version, back.tier) == (file_version, 3)
    assert restored.rollback_of == baseline
    purposes = list(
        AuditEvent.objects.filter(object_type="protocol_version").values_list("purpose", flat=True)
    )
    for purpose in ("protocol draft created", "protocol draft saved", "protocol submitted for "
                    "approval", "protocol approved", "protocol rolled back"):  # fmt: skip
        assert purpose in purposes


def test_rollback_retires_versions_scheduled_later(studio_users: dict[str, Any]) -> None:
    first = s.version_approve(user=studio_users["approver"], version=_submitted_edit(studio_users))
    later = _submitted_edit(studio_users)
    later = s.version_approve(
        user=studio_users["approver"],
        version=later,
        effective_at=timezone.now() + timedelta(days=1),
    )
    s.version_rollback(user=studio_users["approver"], target=first)
    later.refresh_from_db()
    assert later.status == ProtocolVersion.RETIRED
    assert active_protocol(at=timezone.now() + timedelta(days=2)).version == first.version_label


def test_a_version_string_is_never_reused_for_another_text(studio_users: dict[str, Any]) -> None:
    draft = s.draft_create(user=studio_users["author"])
    # The author puts the file's own version string back on a changed text.
    text = lower_care_violence_rule(draft.yaml_text).replace(
        f'version: "{draft.version_label}"', 'version: "2026.12-default-3"'
    )
    draft = s.draft_save(user=studio_users["author"], version=draft, yaml_text=text)
    s.draft_submit(user=studio_users["author"], version=draft)
    with pytest.raises(s.StudioError, match="already used"):
        s.version_approve(user=studio_users["approver"], version=draft)


def test_effective_time_in_the_past_is_refused(studio_users: dict[str, Any]) -> None:
    version = _submitted_edit(studio_users)
    with pytest.raises(s.StudioError, match="past"):
        s.version_approve(
            user=studio_users["approver"],
            version=version,
            effective_at=timezone.now() - timedelta(hours=1),
        )


def test_a_live_call_costs_at_most_one_query_a_second(
    studio_users: dict[str, Any], django_assert_num_queries: Any, monkeypatch: Any
) -> None:
    version = s.version_approve(
        user=studio_users["approver"], version=_submitted_edit(studio_users)
    )
    active_protocol()  # loads the schedule and compiles the live version
    with django_assert_num_queries(0):
        assert active_protocol().version == version.version_label
    later = time.monotonic() + live.CHECK_SECONDS
    monkeypatch.setattr(live.time, "monotonic", lambda: later)
    with django_assert_num_queries(1):  # the revision counter, unchanged
        assert active_protocol().version == version.version_label


def test_api_and_cli_switch_together(
    studio_users: dict[str, Any], api_client: Any, monkeypatch: Any
) -> None:
    """Live triage everywhere reads the same schedule (triage.protocols.active_protocol):
    the API's protocol and decision preview and the console command."""
    import io
    import json

    from django.core.management import call_command

    version = s.version_approve(
        user=studio_users["approver"], version=_submitted_edit(studio_users)
    )
    protocol = api_client("call_taker").get("/api/triage/protocol").json()
    assert protocol["version"] == version.version_label
    preview = (
        api_client("call_taker")
        .post("/api/triage/decision", json.dumps(VIOLENT_TRESPASS), content_type="application/json")
        .json()
    )
    assert (preview["protocol_version"], preview["tier"]) == (version.version_label, 2)
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(VIOLENT_TRESPASS)))
    out = io.StringIO()
    call_command("triage", stdout=out)
    assert json.loads(out.getvalue())["protocol_version"] == version.version_label


def test_a_published_version_does_not_need_the_file(
    studio_users: dict[str, Any], settings: Any, tmp_path: Any, api_client: Any
) -> None:
    first = s.version_approve(user=studio_users["approver"], version=_submitted_edit(studio_users))
    settings.RIGHTRESPONSE_PROTOCOL = str(tmp_path / "gone.yaml")
    assert active_protocol().version == first.version_label
    draft = s.draft_create(user=studio_users["author"], parent=first)
    s.draft_submit(user=studio_users["author"], version=draft)
    second = s.version_approve(user=studio_users["approver"], version=draft)
    assert active_protocol().version == second.version_label


def test_no_live_version_and_no_file_is_503_with_the_reason(
    studio_users: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    import json

    from django.test import Client

    from rightresponse.accounts.services import token_create

    settings.RIGHTRESPONSE_PROTOCOL = str(tmp_path / "gone.yaml")
    client = Client(headers={"Authorization": f"Bearer {token_create(studio_users['author'])}"})
    response = client.post("/api/studio/versions", json.dumps({}), content_type="application/json")
    assert response.status_code == 503 and "gone.yaml" in response.json()["detail"]
