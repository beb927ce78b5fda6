"""The real default protocol, loaded once for the core tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rightresponse.core.triage import Protocol, load_protocol, read_yaml

DEFAULT = Path(__file__).resolve().parents[3] / "protocols" / "default.yaml"


@pytest.fixture(scope="session")
def protocol() -> Protocol:
    return load_protocol(DEFAULT)


@pytest.fixture
def raw() -> dict[str, Any]:
    """A fresh copy of the default protocol as data, for tests that break it on purpose."""
    data: dict[str, Any] = read_yaml(DEFAULT)
    return data
