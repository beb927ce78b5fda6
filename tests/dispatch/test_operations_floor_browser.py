"""Issue 16, the whole operations floor in a real Chromium, each role on its own screen
(field roles on a 390x844 phone): a domestic-violence call with a knife at an address typed
without any area -> the nearest police unit picked and assigned -> the officer sees the
knife and the narrative -> en route, on scene, a referral by name and phone, cleared,
closed out -> the provider accepts and completes -> the incident page shows it all.

Every page visited is scanned with axe-core (0 serious or critical violations) and, on
the phone, every control is at least 24x24 px. ``RIGHTRESPONSE_SCREENSHOTS=docs/images``
writes the README's screenshots from this run."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from rightresponse.accounts.models import AuditEvent
from rightresponse.dispatch.models import Incident, Unit, UnitMember
from rightresponse.ecosystem.models import Organization, Referral, Service
from rightresponse.geo import demo as geo_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1440, "height": 900}
SCREENSHOTS = os.environ.get("RIGHTRESPONSE_SCREENSHOTS", "")


class Quiet:
    def write(self, text: str) -> None:
        pass


def axe_clean(page: Any, where: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    assert len(result.response["passes"]) > 10, where  # axe really ran
    serious = [
        (v["id"], v["nodes"][0]["target"], v["help"])
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{where}: {serious}"


def touch_targets_ok(page: Any, where: str) -> None:
    """WCAG 2.5.8: controls at least 24x24 CSS px (links inside running text excepted)."""
    small = page.evaluate(
        """() => [...document.querySelectorAll(
              'button, select, input:not([type=hidden]), textarea, summary, a.button, nav a')]
            .filter(el => el.offsetParent !== null)
            .map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect()])
            .filter(([_, r]) => r.width < 24 || r.height < 24)
            .map(([html, r]) => `${html} ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )
    assert small == [], f"{where}: {small}"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], where


def shot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / name), full_page=name.endswith("phone.png"))


@pytest.fixture
def city(agencies: dict, users: dict) -> dict[str, Unit]:
    """The demo city's precincts and address points, police in precincts 3 and 1, a crisis
    team, and the officer (the ``responder`` user) on PD-3A."""
    geo_demo.seed(Quiet())
    police, county = agencies["police"], agencies["county"]
    specs = [
        # call sign, program, kind, areas, lat, lon
        ("PD-3A", "police", "police", ["Precinct 3"], 44.9440, -93.2400),  # ~1 km away
        ("PD-3B", "police", "police", ["Precinct 3"], 44.9100, -93.2100),
        ("PD-1A", "police", "police", ["Precinct 1"], 44.9760, -93.2720),
        ("BCT-1", "behavioral_crisis_team", "civilian", [], 44.9700, -93.2600),
        ("CARE-1", "community_responder", "civilian", [], 44.9500, -93.2500),
    ]
    units = {
        sign: Unit.objects.create(
            agency=police if kind == "police" else county,
            program=program,
            kind=kind,
            call_sign=sign,
            areas=areas,
            latitude=lat,
            longitude=lon,
        )  # fmt: skip
        for sign, program, kind, areas, lat, lon in specs
    }
    UnitMember.objects.create(agency=police, unit=units["PD-3A"], user=users["responder"],
                              employee_id="P-301", name="Officer Ray")  # fmt: skip
    family = Organization.objects.create(name="Safe Harbor", agency=agencies["org"])
    Service.objects.create(organization=family, name="DV advocacy", category="responsive",
                           subcategory="domestic_violence", needs=["safety_planning"],
                           languages=["en", "es"], areas=["Precinct 3"])  # fmt: skip
    return units


def sign_in(page: Any, login_page: Any, role: str, viewport: dict[str, int]) -> Any:
    if page.url.startswith("http") and page.locator("button:text('Sign out')").count():
        page.click("button:text('Sign out')")
    page.set_viewport_size(viewport)
    return login_page(role)


def test_knife_call_from_address_to_closed_out_referral(
    login_page: Any, page: Any, city: dict[str, Unit]
) -> None:
    # 1. The call taker: location and callback first, then the protocol's questions.
    sign_in(page, login_page, "call_taker", {"width": 1366, "height": 768})
    page.goto("/triage/")
    page.fill("#id_address", "2700 East Lake Street")  # no area anywhere on the page
    page.wait_for_selector("#location-result:has-text('Precinct 3')")
    page.fill("#id_caller_phone", "612-555-0147")
    page.fill("#id_narrative", "Man has a knife, shouting at his partner in the kitchen.")
    page.select_option("#call_type", "domestic_violence")
    page.wait_for_selector("#answer-weapon-yes")
    page.check("#answer-weapon-yes")
    page.wait_for_function("() => document.querySelector('#answer-weapon-yes').checked")
    page.check("#answer-violence-yes")
    page.wait_for_function(
        "() => document.querySelector('#tier-badge').innerText.includes('Tier 4')"
    )
    page.wait_for_load_state("networkidle")
    # The decision and "Create call" are on screen without scrolling at 1366x768.
    page.evaluate("window.scrollTo(0, 0)")
    for selector in ("#tier-badge", "#create-call"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768, selector
    assert page.locator("#call-timer").inner_text() != ""
    assert "Alt+C" in page.locator("#shortcuts").inner_text()
    axe_clean(page, "call taking")
    shot(page, "call-taking.png")
    page.click("#create-call")
    page.wait_for_selector("#created a")
    incident = Incident.objects.get()
    assert (incident.area, incident.tier) == ("Precinct 3", 4)
    assert incident.latitude == pytest.approx(44.9483)
    assert page.locator("#created a").inner_text() == f"#{incident.pk}"

    # 2. The dispatcher: a unit picker with the nearest police unit recommended.
    sign_in(page, login_page, "dispatcher", DESK)
    page.goto("/dispatch/")
    card = page.locator(f"#incident-{incident.pk}")
    options = card.locator(f"#unit-{incident.pk} option").all_inner_texts()
    assert options[0].startswith("PD-3A") and "(recommended)" in options[0]
    assert any(o.startswith("PD-3B") for o in options) and any("BCT-1" in o for o in options)
    assert "PD-1A · Police · " in next(o for o in options if o.startswith("PD-1A"))
    assert "outside the program's area" in next(o for o in options if o.startswith("PD-1A"))
    assert "age-" in (card.locator(".timer").get_attribute("class") or "")
    axe_clean(page, "dispatch board")
    shot(page, "dispatch-board.png")
    card.get_by_role("button", name="Assign").click()
    page.locator(f"tr[data-incident='{incident.pk}']").wait_for()
    incident.refresh_from_db()
    assert incident.status == "dispatched"

    # 3. The officer's phone: the knife, the narrative, the callback, a map, navigation.
    sign_in(page, login_page, "responder", PHONE)
    page.goto("/dispatch/responder/")
    assert page.locator("dd[data-question='weapon']").inner_text() == "Yes"
    assert "knife" in page.get_by_test_id("narrative").inner_text()
    assert page.locator("a.callback").get_attribute("href") == "tel:612-555-0147"
    assert page.locator(".incident-map svg polygon").count() == 5  # the precincts as base
    assert (
        page.get_by_role("link", name="Navigate (maps app)").get_attribute("href") or ""
    ).startswith("geo:44.9483")
    axe_clean(page, "responder, dispatched")
    touch_targets_ok(page, "responder, dispatched")
    shot(page, "responder-phone.png")
    page.get_by_role("button", name="En route").click()
    page.get_by_role("button", name="On scene").click()
    assert page.get_by_test_id("incident-status").inner_text() == "On scene"
    assert page.get_by_role("button", name="En route").count() == 0  # only what is allowed now
    axe_clean(page, "responder, on scene")
    touch_targets_ok(page, "responder, on scene")

    # A referral by name and phone, from the incident.
    page.get_by_role("link", name="Find a service and refer from this incident").click()
    page.wait_for_selector("a[aria-label='Refer to DV advocacy']")
    axe_clean(page, "directory from the incident")
    touch_targets_ok(page, "directory from the incident")
    page.click("a[aria-label='Refer to DV advocacy']")
    assert page.input_value("#id_incident_id") == str(incident.pk)
    page.fill("#id_person_name", "Dana Whitfield")
    page.fill("#id_person_phone", "612-555-0199")
    page.fill("#id_reason", "Safety planning; wants an advocate to call tomorrow.")
    axe_clean(page, "refer form")
    touch_targets_ok(page, "refer form")
    page.click("button:text('Send referral')")
    page.wait_for_selector("#referral-status")
    referral = Referral.objects.get(incident_id=incident.pk)
    assert referral.person is not None and referral.person.phone == "612-555-0199"
    axe_clean(page, "referral sent")

    # Cleared opens the close-out; it stays until sent.
    page.goto("/dispatch/responder/")
    page.get_by_role("button", name="Cleared").click()
    page.wait_for_selector("#close-h")
    page.goto("/dispatch/responder/")  # come back later: the close-out is still there
    assert page.get_by_test_id("referral-count").inner_text() == "1"
    axe_clean(page, "close-out")
    touch_targets_ok(page, "close-out")
    page.select_option("#outcome", "referred")
    page.fill("#disposition", "Suspect arrested; partner referred to DV advocacy")
    page.get_by_role("button", name="Send close-out").click()
    page.get_by_text(f"Incident #{incident.pk} closed out.").wait_for()
    incident.refresh_from_db()
    assert incident.status == "closed" and incident.disposition.referrals_made == 1

    # 4. The provider accepts and completes.
    sign_in(page, login_page, "service_provider", DESK)
    page.goto("/services/inbox/")
    row = page.locator(f"#ref-{referral.pk}")
    assert "Safety planning" in row.locator(".need").inner_text()
    assert "old" in row.inner_text()
    axe_clean(page, "provider inbox")
    row.get_by_role("button", name=f"Accept referral {referral.pk}").click()
    page.wait_for_selector("[role=status] >> text=is now accepted")
    page.locator(f"#ref-{referral.pk}").get_by_role(
        "button", name=f"Complete referral {referral.pk}"
    ).click()
    page.wait_for_selector("[role=status] >> text=is now completed")
    referral.refresh_from_db()
    assert referral.status == "completed"

    # 5. The incident page: the whole timeline, with who and when.
    sign_in(page, login_page, "dispatcher", DESK)
    page.goto("/dispatch/")
    page.goto(f"/dispatch/incidents/{incident.pk}/")
    timeline = page.get_by_test_id("timeline").inner_text()
    for expected in ("Created", "Unit assigned", "PD-3A", "Dispatched → En route",
                     "En route → On scene", "On scene → Cleared", "Cleared → Closed",
                     "Referral requested", "Referral accepted", "Referral completed",
                     "responder", "dispatcher", "service_provider"):  # fmt: skip
        assert expected in timeline, expected
    assert incident.pk not in Incident.objects.filter(status="cleared").values_list("pk", flat=True)
    axe_clean(page, "incident page")
    shot(page, "incident-timeline.png")


def test_override_and_reclassification_are_in_the_timeline_and_the_audit(
    login_page: Any, page: Any, city: dict[str, Unit], users: dict
) -> None:
    sign_in(page, login_page, "call_taker", {"width": 1366, "height": 768})
    page.goto("/triage/")
    page.fill("#id_address", "3100 Penn Ave N")
    page.wait_for_selector("#location-result:has-text('Precinct 4')")
    page.select_option("#call_type", "behavioral_crisis")
    page.wait_for_selector("#answer-weapon-no")
    for q in ("threat_to_life", "weapon", "violence"):
        page.check(f"#answer-{q}-no")
        page.wait_for_function(f"() => document.querySelector('#answer-{q}-no').checked")
    page.wait_for_load_state("networkidle")
    page.click("#create-call")
    page.wait_for_selector("#created a")
    incident = Incident.objects.get()

    sign_in(page, login_page, "dispatcher", DESK)
    page.goto("/dispatch/")
    card = page.locator(f"#incident-{incident.pk}")
    options = card.locator(f"#unit-{incident.pk} option").all_inner_texts()
    assert "(recommended)" in options[0] and not options[0].startswith("BCT-1")
    # The dispatcher sends the crisis team instead: refused without a reason...
    card.locator(f"#unit-{incident.pk}").select_option(
        label=next(o for o in options if o.startswith("BCT-1"))
    )
    card.get_by_role("button", name="Assign").click()
    page.get_by_text("overriding the recommendation needs a reason").wait_for()
    # ...and accepted with one.
    card = page.locator(f"#incident-{incident.pk}")
    options = card.locator(f"#unit-{incident.pk} option").all_inner_texts()
    card.locator(f"#unit-{incident.pk}").select_option(
        label=next(o for o in options if o.startswith("BCT-1"))
    )
    card.locator(f"#override-{incident.pk}").fill("caller's son knows the BCT clinician")
    card.get_by_role("button", name="Assign").click()
    page.locator(f"tr[data-incident='{incident.pk}'] a").click()  # the number opens the page
    page.wait_for_selector("#timeline-h")
    # Reclassify and raise the tier from the incident page, with the reason.
    page.select_option(f"#ct-{incident.pk}", "welfare_check")
    page.select_option(f"#tier-{incident.pk}", "2")
    page.fill(f"#why-{incident.pk}", "on arrival: an elderly man confused, not in crisis")
    page.get_by_role("button", name="Reclassify").click()
    page.get_by_text(f"Incident #{incident.pk} reclassified.").wait_for()
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "Recommendation overridden" in timeline
    assert "caller's son knows the BCT clinician" in timeline
    assert "Reclassified" in timeline and "behavioral_crisis → welfare_check" in timeline
    assert "Escalated" in timeline and "tier 1 → tier 2" in timeline
    axe_clean(page, "incident page after override")
    audit = AuditEvent.objects.filter(object_type="incident", object_id=str(incident.pk))
    purposes = list(audit.values_list("purpose", flat=True))
    assert "dispatch override of the recommendation" in purposes and "reclassification" in purposes
    override = audit.get(purpose="dispatch override of the recommendation")
    assert override.actor == users["dispatcher"]
    assert override.detail["reason"] == "caller's son knows the BCT clinician"
