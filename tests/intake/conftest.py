"""Fixtures of the intake tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection


@pytest.fixture
def incidents_refused() -> Iterator[None]:
    """The database refuses every new incident (as a full disk, a lost connection or a
    broken migration would): a real failure inside the intake transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION rr_refuse_incident() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'incident store refused'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER rr_refuse_incident BEFORE INSERT ON dispatch_incident "
                "FOR EACH ROW EXECUTE FUNCTION rr_refuse_incident()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER rr_refuse_incident BEFORE INSERT ON dispatch_incident "
                "BEGIN SELECT RAISE(ABORT, 'incident store refused'); END"
            )
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER rr_refuse_incident ON dispatch_incident")
            cursor.execute("DROP FUNCTION rr_refuse_incident()")
        else:
            cursor.execute("DROP TRIGGER rr_refuse_incident")
