"""Paths to the real calls-for-service files (shared/data/real) and the shipped profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rightresponse.core.analytics.profile import Profile, load_profile

REPO = Path(__file__).resolve().parents[3]


def _find_real() -> Path:
    """RIGHTRESPONSE_SHARED_DATA, else shared/data/real beside the clone (CI) or above it."""
    if os.environ.get("RIGHTRESPONSE_SHARED_DATA"):
        return Path(os.environ["RIGHTRESPONSE_SHARED_DATA"])
    for folder in REPO.parents:
        if (folder / "shared" / "data" / "real").is_dir():
            return folder / "shared" / "data" / "real"
    return REPO.parent / "shared" / "data" / "real"


REAL = _find_real()
APP = REPO / "src" / "rightresponse" / "analytics"
PROFILES = APP / "profiles"
MAPPINGS = APP / "mappings"
SAMPLES = APP / "samples"


def real_file(relative: str) -> Path:
    path = REAL / relative
    if not path.is_file():
        pytest.skip(
            f"real data not present ({path}); set RIGHTRESPONSE_SHARED_DATA to shared/data/real"
        )
    return path


def profile(name: str) -> Profile:
    return load_profile(PROFILES / f"{name}.yaml")
