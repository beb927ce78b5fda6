"""Authentication hardening (issue 10, item 8): sign-in lock-out on /login/ and the token
endpoint, X-Forwarded-For not trusted unless a proxy is declared, expiring API tokens, a
Content-Security-Policy on every page, and sessions that end when idle or too old."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from rightresponse.accounts.middleware import SEEN, STARTED
from rightresponse.accounts.models import ApiToken
from rightresponse.accounts.network import client_address
from rightresponse.accounts.services import token_create

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"  # the users fixture's (tests/conftest.py)
SRC = Path(__file__).resolve().parents[2] / "src" / "rightresponse"


def _sign_in(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post("/login/", {"username": username, "password": password}, **extra)


def _token(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post(
        "/api/auth/token",
        json.dumps({"username": username, "password": password}),
        content_type="application/json",
        **extra,
    )


def test_login_locks_the_pair_after_the_failure_limit(users: dict, settings: Any) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "dispatcher", "guess").status_code == 200  # form error
    locked = _sign_in(client, "dispatcher", "guess")
    assert locked.status_code == 429
    # Locked: even the right password is refused, with a message saying what to do.
    right = _sign_in(client, "dispatcher", PASSWORD)
    assert right.status_code == 429
    page = right.content.decode()
    assert "Too many failed sign-in attempts" in page and "15 minutes" in page
    assert right["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session
    # Another user at the same address, and the same user elsewhere, are not locked out.
    assert _sign_in(Client(), "analyst", PASSWORD).status_code == 302
    elsewhere = _sign_in(Client(REMOTE_ADDR="10.9.9.9"), "dispatcher", PASSWORD)
    assert elsewhere.status_code == 302


def test_a_success_before_the_limit_resets_the_count(users: dict, settings: Any) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "analyst", "guess")
    assert _sign_in(client, "analyst", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "analyst", "guess").status_code == 200


def test_token_endpoint_locks_out_with_a_problem_response(users: dict, settings: Any) -> None:
    client = Client()
    statuses = [
        _token(client, "supervisor", "guess").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [401] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    right = _token(client, "supervisor", PASSWORD)
    assert right.status_code == 429
    assert right["Content-Type"] == "application/problem+json"
    body = right.json()
    assert body["status"] == 429 and "Try again in 15 minutes" in body["detail"]
    assert "token" not in body
    # The page sign-in shares the count: the pair is locked there too.
    assert _sign_in(client, "supervisor", PASSWORD).status_code == 429


def test_a_forged_x_forwarded_for_does_not_reset_the_count(users: dict, settings: Any) -> None:
    """Without a declared proxy, each guess claiming a new address is still the same
    client (REMOTE_ADDR)."""
    assert settings.TRUSTED_PROXY_COUNT == 0
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "responder", "guess", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    fresh = _sign_in(client, "responder", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert fresh.status_code == 429
    token = _token(client, "responder", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert token.status_code == 429


def test_with_a_declared_proxy_the_client_is_what_the_proxy_saw(users: dict, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    factory = RequestFactory()
    # The proxy (REMOTE_ADDR) appends the address it saw; what the client wrote is left of it.
    request = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert client_address(request) == "203.0.113.9"
    assert client_address(factory.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.2"
    # Behind one proxy, a client forging the header is still counted at its real address.
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="10.0.0.2")
    for i in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "responder", "guess", HTTP_X_FORWARDED_FOR=f"9.9.9.{i}, 203.0.113.9")
    locked = _sign_in(client, "responder", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert locked.status_code == 429
    other = _sign_in(client, "responder", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert other.status_code == 302


def test_tokens_expire(users: dict, settings: Any) -> None:
    response = _token(Client(), "analyst", PASSWORD)
    assert response.status_code == 200
    data = response.json()
    expires = timezone.datetime.fromisoformat(data["expires_at"])
    assert abs(expires - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    client = Client(headers={"Authorization": f"Bearer {data['token']}"})
    assert client.get("/api/auth/me").status_code == 200
    ApiToken.objects.filter(user=users["analyst"]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    refused = client.get("/api/auth/me")
    assert refused.status_code == 401


def test_token_lifetime_is_configurable(users: dict, settings: Any) -> None:
    settings.API_TOKEN_LIFETIME = timedelta(hours=1)
    token_create(users["analyst"])
    token = ApiToken.objects.get(user=users["analyst"])
    assert token.expires_at - token.created_at < timedelta(hours=1, seconds=5)


@pytest.mark.parametrize("path", ["/login/", "/public/", "/", "/dispatch/", "/admin/"])
def test_every_page_carries_a_strict_content_security_policy(logged_in: Any, path: str) -> None:
    response = logged_in("supervisor").get(path, follow=True)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_templates_have_no_inline_script_or_style() -> None:
    """What the policy would block: <script> without src, <style>, style="…", on…="…", and
    htmx's evaluated strings (trigger filters ``[…]``, ``hx-on``, ``js:`` values)."""
    offenders = []
    for path in SRC.rglob("templates/**/*.html"):
        text = path.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",
            r"<style\b",
            r"\sstyle=",
            r"\son[a-z]+=",
            r"hx-on",
            r'hx-trigger="[^"]*\[',
            r"js:",
        ):
            offenders += [f"{path.relative_to(SRC)}: {m}" for m in re.findall(pattern, text)]
    assert offenders == []


def test_an_idle_session_ends(logged_in: Any, settings: Any) -> None:
    client = logged_in("analyst")
    assert client.get("/").status_code == 200
    session = client.session
    assert session[SEEN] <= time.time()
    session[SEEN] = time.time() - settings.SESSION_IDLE_TIMEOUT.total_seconds() - 5
    session.save()
    response = client.get("/performance/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session
    # signed out for good: the next request is anonymous too
    assert client.get("/performance/").status_code == 302


def test_an_active_session_ends_at_its_absolute_limit(logged_in: Any, settings: Any) -> None:
    client = logged_in("analyst")
    assert client.get("/").status_code == 200
    session = client.session
    session[STARTED] = time.time() - settings.SESSION_COOKIE_AGE - 5
    session[SEEN] = time.time()  # busy until now
    session.save()
    assert client.get("/performance/").status_code == 302


def test_an_active_session_stays(logged_in: Any, settings: Any) -> None:
    client = logged_in("analyst")
    client.get("/")
    session = client.session
    session[SEEN] = time.time() - settings.SESSION_IDLE_TIMEOUT.total_seconds() + 60
    session.save()
    assert client.get("/performance/").status_code == 200
    assert timedelta(minutes=30) == settings.SESSION_IDLE_TIMEOUT
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


def test_https_settings_in_production() -> None:
    """RIGHTRESPONSE_HTTPS=1: secure cookies, redirect, HSTS; the forwarded-proto header is
    trusted only when a proxy is declared."""
    code = (
        "from rightresponse.config import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS, getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    env = {**os.environ, "RIGHTRESPONSE_HTTPS": "1", "RIGHTRESPONSE_SECRET_KEY": "x" * 50}
    env.pop("RIGHTRESPONSE_TRUSTED_PROXIES", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["True", "True", "True", "31536000", "None"], out.stderr
    env["RIGHTRESPONSE_TRUSTED_PROXIES"] = "1"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert "('HTTP_X_FORWARDED_PROTO', 'https')" in out.stdout, out.stderr


def test_the_token_flood_brake_is_not_reset_by_a_forged_header(users: dict) -> None:
    """The per-address brake (30 a minute) counts REMOTE_ADDR whatever X-Forwarded-For says
    (django-ninja reads NINJA_NUM_PROXIES, set from the same trusted-proxy count)."""
    from django.core.cache import cache

    cache.clear()
    client = Client()
    statuses = [
        _token(client, f"user{i}", "guess", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
        for i in range(31)
    ]
    assert statuses[:30] == [401] * 30 and statuses[30] == 429
    cache.clear()
