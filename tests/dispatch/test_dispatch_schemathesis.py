"""Schemathesis against the OpenAPI spec of the dispatch endpoints: generated requests
(valid and invalid) never make the server answer 5xx."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from rightresponse.config.api import api
from rightresponse.config.wsgi import application

schema = schemathesis.openapi.from_dict(api.get_openapi_schema()).include(
    path_regex="^/api/dispatch/"
)
schema.app = application  # type: ignore[attr-defined]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_test_connection() -> Any:
    """Calling the WSGI app directly fires request_started/finished, which would close the
    test's database connection mid-transaction; Django's test client disconnects the same
    handler for the same reason."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def supervisor_token(users: dict, units: dict, make_incident: Any) -> str:
    from rightresponse.accounts.services import token_create

    make_incident()  # something for the generated ids to hit
    return token_create(users["supervisor"])


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: Any, supervisor_token: str) -> None:
    response = case.call(app=application, headers={"Authorization": f"Bearer {supervisor_token}"})
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
