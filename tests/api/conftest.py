"""Fixtures for the contract tests: the demo served live (tests/api/live_api.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from live_api import LiveServer, seeded_database, working_copy


@pytest.fixture(scope="session")
def demo_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return seeded_database(tmp_path_factory.mktemp("live-demo"))


@pytest.fixture(scope="module")
def live(
    demo_database_url: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[LiveServer]:
    workdir: Path = tmp_path_factory.mktemp("live")
    server = LiveServer(working_copy(demo_database_url, workdir, request.module.__name__))
    yield server
    log = server.stop()
    # The last-resort handler logs every 500; none may have happened.
    assert "Traceback" not in log, log[-3000:]
