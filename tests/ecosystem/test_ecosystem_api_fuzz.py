"""Property test of the ecosystem API against its own OpenAPI description (schemathesis):
whatever the input, an operation answers with a documented 2xx or a 4xx, never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from rightresponse.accounts.services import token_create
from rightresponse.config.wsgi import application

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def admin_token(users, directory, person) -> Iterator[str]:
    """Calls go straight to the WSGI app, so keep Django from closing the test's database
    connection at the end of each request (as its own test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield token_create(users["administrator"])
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.include(path_regex="^/api/ecosystem/").parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_ecosystem_operations_never_fail_with_a_server_error(case, admin_token) -> None:
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {admin_token}"}
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
