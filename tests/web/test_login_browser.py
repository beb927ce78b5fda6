"""The real login form in a real Chromium."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_shows_the_pages_of_my_role(login_page) -> None:
    page = login_page("administrator")
    assert page.locator("h1").inner_text() == "Every call meets the right response"
    page.keyboard.press("Tab")  # the skip link is the first stop for keyboard users
    assert page.evaluate("document.activeElement.className") == "skip-link"


def test_wrong_password_is_explained(page, users) -> None:
    page.goto("/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert "didn't match" in page.locator("[role=alert]").inner_text()
