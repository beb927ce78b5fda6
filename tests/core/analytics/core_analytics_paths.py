"""Paths to the real calls-for-service files (shared/data/real) and the shipped profiles."""

from __future__ import annotations

from pathlib import Path

from shared_files import REAL, real_file  # noqa: F401 - the real files, for these tests

from rightresponse.core.analytics.profile import Profile, load_profile

REPO = Path(__file__).resolve().parents[3]
APP = REPO / "src" / "rightresponse" / "analytics"
PROFILES = APP / "profiles"
MAPPINGS = APP / "mappings"
SAMPLES = APP / "samples"


def profile(name: str) -> Profile:
    return load_profile(PROFILES / f"{name}.yaml")
