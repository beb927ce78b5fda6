"""Shared fixtures: agencies, one user per role, API clients with real tokens, and a
real Chromium page (Playwright) for browser tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from rightresponse.accounts import roles as r
from rightresponse.accounts.models import Agency
from rightresponse.accounts.services import token_create, user_create

PASSWORD = "correct-horse-battery-9"
CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """The ``users`` fixture hashes seven passwords per test; a fast hasher keeps the suite
    quick (test-only, as Django's testing docs advise). Logins still use the real hasher API."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def agencies(db: Any) -> dict[str, Agency]:
    specs = {
        "center": ("Test 911 Center", "emergency_communications"),
        "police": ("Test Police", "police"),
        "care": ("Test Care Team", "civilian_response"),
        "county": ("Test County Health", "county"),
        "org": ("Test Family Services", "community_org"),
        "city": ("Test City Office", "city"),
    }
    return {
        key: Agency.objects.create(slug=f"test-{key}", name=name, kind=kind)
        for key, (name, kind) in specs.items()
    }


ROLE_AGENCY = {
    r.CALL_TAKER: "center",
    r.DISPATCHER: "center",
    r.SUPERVISOR: "center",
    r.RESPONDER: "care",
    r.ANALYST: "city",
    r.SERVICE_PROVIDER: "org",
    r.ADMINISTRATOR: "city",
}


@pytest.fixture
def users(agencies: dict[str, Agency]) -> dict[str, Any]:
    """One user per role, named after the role."""
    return {
        role: user_create(username=role, password=PASSWORD, agency=agencies[agency], roles=[role])
        for role, agency in ROLE_AGENCY.items()
    }


@pytest.fixture
def api_client(users: dict[str, Any]) -> Any:
    """``api_client(role)`` gives a Django test client sending that role's bearer token."""

    def make(role: str) -> Client:
        return Client(headers={"Authorization": f"Bearer {token_create(users[role])}"})

    return make


@pytest.fixture
def logged_in(users: dict[str, Any]) -> Any:
    """``logged_in(role)`` gives a Django test client with a session for that role."""

    def make(role: str) -> Client:
        client = Client()
        client.force_login(users[role])
        return client

    return make


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium): browser test not run")
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any, live_server: Any) -> Iterator[Any]:
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    # Behaviour, not speed (benchmarks/ measure that): a cold first page on a loaded 2-core
    # machine (imports, catalog, templates) took 11-25 s here, over a 10 s limit.
    context.set_default_timeout(30_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def login_page(page: Any, users: dict[str, Any]) -> Any:
    """``login_page(role)`` signs that role's user in through the real login form."""

    def sign_in(role: str) -> Any:
        page.goto("/login/")
        page.fill("#id_username", role)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/")
        return page

    return sign_in
