from __future__ import annotations

from typing import Any

import pytest

from rightresponse.plan.services import plan_sync


@pytest.fixture
def plan(db: Any) -> dict[str, int]:
    """The plan file mirrored into the database (a transactional test flushes the rows
    the migration loaded)."""
    return plan_sync()
