"""The call-taker page shows why a program is not offered (its hours), in a real
Chromium at 1440x900. The page decides at the moment it is used, so the test gives the
crisis team hours that start two hours from now (never the present minute)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
BCT_HOURS = '      - {days: [mon, tue, wed, thu, fri, sat, sun], from: "08:00", to: "22:00"}'


def test_the_call_taker_reads_why_a_program_is_not_offered(
    login_page: Any, settings: Any, tmp_path: Path
) -> None:
    later = timezone.localtime(timezone.now()) + timedelta(hours=2)
    span = f'"{later:%H}:00", to: "{(later + timedelta(hours=1)):%H}:00"'
    text = (ROOT / "protocols" / "default.yaml").read_text()
    assert text.count(BCT_HOURS) == 1
    protocol = tmp_path / "city.yaml"
    protocol.write_text(text.replace(BCT_HOURS, BCT_HOURS.replace('"08:00", to: "22:00"', span)))
    settings.RIGHTRESPONSE_PROTOCOL = str(protocol)
    page = login_page("call_taker")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/triage/")
    page.select_option("#call_type", "behavioral_crisis")
    page.wait_for_selector("#tier-badge")
    for q in ("threat_to_life", "weapon", "violence", "medical_emergency", "substance_escalating"):
        page.check(f"#answer-{q}-no")
        page.wait_for_function(f"() => document.querySelector('#answer-{q}-no').checked")
    page.wait_for_selector("#reasons li:has-text('Not offered')")
    reason = page.locator("#reasons li", has_text="Not offered").inner_text()
    assert reason.startswith("Not offered: Behavioral Crisis Response team works Mon-Sun")
    assert "outside its hours" in reason
    assert "Community responders" in page.locator("#recommendation").inner_text()
    page.locator("#reasons").scroll_into_view_if_needed()
    folder = Path(os.environ.get("STUDIO_SCREENSHOTS") or tmp_path)
    page.screenshot(path=str(folder / "triage-not-offered.png"))
