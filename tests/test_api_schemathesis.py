"""Every operation in the app's OpenAPI document, fuzzed by schemathesis: no 5xx.

The schema is read from the running app, so endpoints other pillars add are covered
without editing this file. A real administrator token (administrators may call every
operation) gets the requests past authentication, so handlers and validation are
exercised. Examples per operation are few and bounded so the whole run stays fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import Group, User
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from rightresponse.accounts.models import Agency, Profile
from rightresponse.accounts.roles import ADMINISTRATOR
from rightresponse.accounts.services import token_create
from rightresponse.config.wsgi import application

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def keep_db_connection() -> Iterator[None]:
    """Called through WSGI, Django would close the test's connection at the end of each
    request (it is inside the test transaction); Django's own test client does this too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(db: Any, keep_db_connection: None) -> str:
    """An administrator without a password (no slow hashing per operation)."""
    agency = Agency.objects.create(slug="fuzz-city", name="Fuzz City", kind="city")
    user = User.objects.create(username="fuzz-admin")
    Profile.objects.create(user=user, agency=agency)
    user.groups.add(Group.objects.get_or_create(name=ADMINISTRATOR)[0])
    return token_create(user, "schemathesis")


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case: Any, admin_token: str) -> None:
    response = case.call(headers={"Authorization": f"Bearer {admin_token}"})
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}"
    )
