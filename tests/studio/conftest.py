"""Studio fixtures: an author, a second author and an approver, and a tier-rule edit."""

from __future__ import annotations

from typing import Any

import pytest
from studio_helpers import PASSWORD

from rightresponse.accounts import roles as r
from rightresponse.accounts.models import Agency
from rightresponse.accounts.services import user_create
from rightresponse.studio.live import schedule_changed


@pytest.fixture
def studio_users(db: Any) -> dict[str, Any]:
    city = Agency.objects.create(slug="studio-city", name="Studio City", kind="city")
    return {
        "author": user_create(
            username="author", password=PASSWORD, agency=city, roles=[r.PROTOCOL_AUTHOR]
        ),
        "author2": user_create(
            username="author2", password=PASSWORD, agency=city, roles=[r.PROTOCOL_AUTHOR]
        ),
        "approver": user_create(
            username="approver", password=PASSWORD, agency=city, roles=[r.PROTOCOL_APPROVER]
        ),
    }


@pytest.fixture(autouse=True)
def forget_schedule() -> Any:
    """Each test's database is rolled back; the process's cached schedule must go too, or
    the next test (in any app) would see a version that no longer exists."""
    yield
    schedule_changed()
