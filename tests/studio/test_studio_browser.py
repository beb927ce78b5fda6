"""The whole studio flow in a real Chromium (issue 19's evidence).

An author changes a tier rule in the section form, sees the diff, another section's form
refusing a value at its field, adds a program through that section's form, the example
calls and
the impact (trespass calls with violence moving from tier 3 to 2, with their count, and
the safety check), submits; the same person cannot approve; an approver approves with an
effective time a few seconds ahead; a call taken through the API before that time is
decided by the old version and one after it by the new; a rollback restores the old.

Set STUDIO_SCREENSHOTS=<folder> to keep the screenshots (docs/images uses them).
"""

from __future__ import annotations

import os
import re
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from studio_helpers import PASSWORD, VIOLENT_TRESPASS

from rightresponse.accounts.services import token_create
from rightresponse.dispatch.models import Incident
from rightresponse.intake.services import call_intake
from rightresponse.triage.models import Call
from rightresponse.triage.services import CallDetails

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MOVING = 5


def call_create(**kwargs: Any) -> Call:
    """A call taken through the intake action (call, decision, incident or case)."""
    return call_intake(**kwargs).call


def _shoot(page: Any, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("STUDIO_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"studio-{name}.png"), full_page=False)


def _sign_in(page: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def _take_call(page: Any, token: str) -> dict[str, Any]:
    response = page.request.post(
        "/api/triage/calls",
        data={**VIOLENT_TRESPASS, "channel": "911"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 201, response.text()
    body: dict[str, Any] = response.json()
    return body


def test_author_to_approver_to_live_calls_to_rollback(
    page: Any, studio_users: dict[str, Any], users: dict[str, Any], tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    author = studio_users["author"]
    # The author also holds the approver role: the two-person rule, not the role, stops them.
    author.groups.add(Group.objects.get(name="protocol_approver"))
    agency = author.profile.agency
    history = [
        call_create(user=None, agency=agency, details=CallDetails(), **VIOLENT_TRESPASS)
        for _ in range(MOVING - 1)
    ]
    Incident.objects.filter(call=history[0]).update(backup_requested=True)
    for call in history:  # 45 minutes from dispatch to clear: the workload's unit-hours
        Incident.objects.filter(call=call).update(
            dispatched_at=call.received_at, cleared_at=call.received_at + timedelta(minutes=45)
        )
    call_create(user=None, agency=agency, details=CallDetails(), call_type="noise_complaint",
                answers={"violence": "no", "weapon": "no"})  # fmt: skip
    call_taker = token_create(users["call_taker"])
    before = _take_call(page, call_taker)  # the MOVING-th violent trespass of the history
    file_version = before["protocol_version"]
    assert before["decision"]["tier"] == 3

    # The author starts a draft and lowers the rule in the section form.
    _sign_in(page, "author")
    page.goto("/studio/")
    page.fill("#note", "Care calls with violence: civilians lead, police support")
    page.click("#new-draft")
    page.wait_for_url("**/rules/")
    page.select_option("#rules-violence_in_care_call", "2")
    page.click("#save-rules")
    page.wait_for_selector(".messages li")
    assert "violence_in_care_call → tier 2" in page.inner_text(".messages")
    assert page.inner_text("#examples-summary").endswith("pass")
    passed, total = page.inner_text("#examples-summary").split()[0].split("/")
    assert passed == total and int(total) > 0
    _shoot(page, "rules", tmp_path)

    # The diff names the rule and both tiers.
    page.click("text=Diff")
    page.wait_for_selector("#diff")
    rule = page.locator("#diff li", has_text="violence_in_care_call")
    assert rule.locator("td.before").inner_text() == "3"
    assert rule.locator("td.after").inner_text() == "2"
    _shoot(page, "diff", tmp_path)

    # Every section has a form from the schema; a value that does not read is refused at
    # its field, and nothing is saved.
    page.click("text=All sections")
    page.click("nav.sections >> text=Programs")
    tiers = page.locator('#item-community_responder input[name$=".tiers"]')
    assert tiers.input_value() == "[1, 2]"
    tiers.fill("[1, 2")
    page.click("#save-section")
    page.wait_for_selector(".messages li.error")
    field = page.locator("#item-community_responder .field.invalid")
    assert "tiers" in field.inner_text() and tiers.get_attribute("aria-invalid") == "true"
    tiers.scroll_into_view_if_needed()
    _shoot(page, "sections", tmp_path)

    # A new program through the form at the end of the section, with its hours (past
    # midnight at weekends) and areas; it is saved, validated and shown as an item.
    page.goto(page.url.split("#")[0])
    page.fill('[id="f-new.id"]', "night_outreach")
    page.fill('[id="f-new.label"]', "Night outreach team")
    page.select_option('[id="f-new.kind"]', "civilian")
    page.fill('[id="f-new.tiers"]', "[1, 2]")
    page.fill('[id="f-new.hours"]', '[{days: [fri, sat], from: "22:00", to: "04:00"}]')
    page.fill('[id="f-new.areas"]', "[Precinct 1]")
    page.fill('[id="f-new.fallback"]', "community_responder")
    page.click("#add-item")
    page.wait_for_selector(".messages li")
    assert "Added night_outreach to programs. valid;" in page.inner_text(".messages")
    added = page.locator("#item-night_outreach")
    assert added.locator('input[name$=".hours"]').input_value() == (
        '[{days: [fri, sat], from: "22:00", to: "04:00"}]'
    )
    added.scroll_into_view_if_needed()
    _shoot(page, "add-item", tmp_path)

    # The impact: the trespass calls move, with their count, and the safety check flags them.
    page.click("text=Impact")
    page.wait_for_selector("#movements")
    row = page.locator('#movements tr[data-call-type="trespass"]')
    assert row.locator("td.moved").inner_text() == str(MOVING)
    assert "3 → 2" in row.inner_text().replace("\n", " ").replace("  ", " ")
    flag = page.locator('#safety li[data-call-type="trespass"]').inner_text()
    assert f"{MOVING} call(s) move toward civilian-only" in flag and "backup requested" in flag
    _shoot(page, "impact", tmp_path)
    # Workload per program and shift: the trespass calls' hours move with them.
    workload = page.locator("#workload")
    workload.scroll_into_view_if_needed()
    assert "h ·" in workload.inner_text() and "FTE" in workload.inner_text()
    _shoot(page, "workload", tmp_path)

    # Overview: the example calls, then submit; approving one's own version is refused.
    page.click("text=Overview")
    assert page.locator("#examples tr.fail").count() == 0
    page.click("#submit")
    page.wait_for_selector("#approve")
    assert page.inner_text("#state") == "submitted"
    page.click("#approve")
    page.wait_for_selector(".messages li.error")
    assert "Two-person rule" in page.inner_text(".messages")
    assert page.inner_text("#state") == "submitted"
    version_url = page.url

    # The approver approves it to take effect a few seconds from now.
    _sign_in(page, "approver")
    page.goto(version_url)
    effective = timezone.now() + timedelta(seconds=12)
    page.fill("#effective_at", timezone.localtime(effective).strftime("%Y-%m-%dT%H:%M:%S"))
    _shoot(page, "approve", tmp_path)
    page.click("#approve")
    page.wait_for_selector(".messages li")
    assert "Approved: live from" in page.inner_text(".messages")
    assert page.inner_text("#state") == "scheduled"
    new_version = page.inner_text("h1 code")

    early = _take_call(page, call_taker)
    assert timezone.now() < effective.replace(microsecond=0)
    assert (early["protocol_version"], early["decision"]["tier"]) == (file_version, 3)
    time.sleep(max(0.0, (effective.replace(microsecond=0) - timezone.now()).total_seconds()) + 0.2)
    late = _take_call(page, call_taker)
    assert (late["protocol_version"], late["decision"]["tier"]) == (new_version, 2)
    page.reload()
    assert page.inner_text("#state") == "live"

    # Rollback in one action: the file's version, recorded as the baseline, is live again.
    page.goto("/studio/")
    _shoot(page, "versions", tmp_path)
    exact = page.locator("code", has_text=re.compile(f"^{re.escape(file_version)}$"))
    page.locator("tbody tr", has=exact).locator("a").click()
    page.click("#rollback")
    page.wait_for_selector(".messages li")
    assert "is live again" in page.inner_text(".messages")
    assert page.inner_text("#state") == "live"
    back = _take_call(page, call_taker)
    assert (back["protocol_version"], back["decision"]["tier"]) == (file_version, 3)
