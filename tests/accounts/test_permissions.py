"""Tenancy, roles, tokens and the rule that every endpoint declares who may call it."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from rightresponse.accounts.models import ApiToken, AuditEvent
from rightresponse.accounts.roles import ROLES
from rightresponse.accounts.services import audit_record
from rightresponse.config.api import api

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_after_migrate() -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)


def test_token_endpoint_issues_a_token_that_authenticates(users: dict) -> None:
    client = Client()
    response = client.post(
        "/api/auth/token",
        json.dumps({"username": "analyst", "password": "correct-horse-battery-9"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["roles"] == ["analyst"] and body["agency"] == "test-city"
    # Only the digest is stored.
    assert not ApiToken.objects.filter(digest=body["token"]).exists()
    authed = Client(headers={"Authorization": f"Bearer {body['token']}"})
    assert authed.get("/api/health").status_code == 200


def test_wrong_password_is_401_not_500(users: dict) -> None:
    response = Client().post(
        "/api/auth/token",
        json.dumps({"username": "analyst", "password": "nope"}),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert "password" in response.json()["detail"]


def test_undeclared_operations_fall_back_to_administrators_only() -> None:
    """Every operation either declares its roles or is explicitly public; a forgotten
    declaration inherits the API default, which is administrators only."""
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                callbacks = operation.auth_callbacks
                assert all(hasattr(cb, "roles") for cb in callbacks), (path, operation)


def test_revoked_token_is_refused(users: dict) -> None:
    from rightresponse.accounts.services import token_create

    key = token_create(users["administrator"])
    client = Client(headers={"Authorization": f"Bearer {key}"})
    assert client.get("/api/auth/me").json()["username"] == "administrator"
    ApiToken.objects.update(revoked=True)
    assert client.get("/api/auth/me").status_code == 401


def test_session_writes_need_csrf(users: dict) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["administrator"])
    assert client.get("/api/auth/me").status_code == 200
    response = client.post("/api/auth/token", "{}", content_type="application/json")
    # Public token endpoint validates the payload (422), never a 500.
    assert response.status_code == 422


def test_pages_require_login_and_role(logged_in) -> None:
    anonymous = Client().get("/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert logged_in("analyst").get("/").status_code == 200


def test_audit_record_names_actor_and_agency(users: dict) -> None:
    event = audit_record(users["dispatcher"], "read", "person", 7, person_id=7, purpose="dispatch")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == users["dispatcher"]
    assert stored.actor_agency.slug == "test-center"
    assert stored.person_id == 7


def test_token_endpoint_slows_password_guessing(users: dict) -> None:
    from django.core.cache import cache

    cache.clear()
    client = Client()
    # A different username each time: the per-username lock-out (test_authentication.py)
    # never triggers, so this is the per-address flood brake.
    statuses = [
        client.post(
            "/api/auth/token",
            json.dumps({"username": f"user{i}", "password": "guess"}),
            content_type="application/json",
        ).status_code
        for i in range(31)
    ]
    assert statuses[:30] == [401] * 30
    assert statuses[30] == 429
    cache.clear()
