"""The Content-Security-Policy in a real Chromium: every page in the navigation loads with
no violation (no inline script or style is blocked), and HTMX still swaps content."""

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_load_with_no_policy_violation(login_page: Any) -> None:
    page = login_page("administrator")
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" or "Content Security Policy" in msg.text
            else None
        ),
    )
    page.evaluate(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('Content Security Policy: ' + e.violatedDirective))"
    )
    links = page.eval_on_selector_all("nav a", "links => links.map(a => a.getAttribute('href'))")
    assert len(links) >= 5
    for href in [*links, "/public/"]:
        page.goto(href)
        page.evaluate(
            "document.addEventListener('securitypolicyviolation',"
            " e => console.error('Content Security Policy: ' + e.violatedDirective"
            " + ' ' + e.blockedURI))"
        )
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").count() >= 1, href
    assert problems == []
    # The header the browser saw.
    response = page.goto("/public/")
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_htmx_works_under_the_policy(login_page: Any) -> None:
    """The triage page's live recommendation is an HTMX request: it still updates."""
    page = login_page("call_taker")
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto("/triage/")
    with page.expect_response(lambda r: "/triage/recommend/" in r.url) as info:
        page.locator("[hx-post] select, [hx-post] input[type=checkbox]").first.dispatch_event(
            "change"
        )
    assert info.value.status < 500
    assert violations == []
