"""Fixtures for the contract tests: the demo served live (tests/api/live_api.py)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_api import LiveServer, seeded_database, working_copy

# Our own temporary directories: pytest's base temp is pruned by concurrent pytest runs of
# the same user, which would remove a database under a running server.


@pytest.fixture(scope="session")
def demo_database_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="rr-live-demo-") as workdir:
        yield seeded_database(Path(workdir))


@pytest.fixture(scope="module")
def live(demo_database_url: str, request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    with tempfile.TemporaryDirectory(prefix="rr-live-") as workdir:
        server = LiveServer(working_copy(demo_database_url, Path(workdir), request.module.__name__))
        try:
            yield server
        finally:
            log = server.stop()
    # The last-resort handler logs every 500; none may have happened.
    assert "Traceback" not in log, log[-3000:]
