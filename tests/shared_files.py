"""Where the project's shared folder is: the report and the real calls-for-service files.

They live outside the repository (``shared/`` beside or above the clone; the data carry
no licence that lets us redistribute them), so a test that needs one skips, saying
which file and how to point at it, when the folder is not on the machine.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _find_real() -> Path:
    """RIGHTRESPONSE_SHARED_DATA, else shared/data/real beside the clone (CI) or above it."""
    if os.environ.get("RIGHTRESPONSE_SHARED_DATA"):
        return Path(os.environ["RIGHTRESPONSE_SHARED_DATA"])
    for folder in REPO.parents:
        if (folder / "shared" / "data" / "real").is_dir():
            return folder / "shared" / "data" / "real"
    return REPO.parent / "shared" / "data" / "real"


REAL = _find_real()
SHARED = REAL.parents[1]


def real_file(relative: str) -> Path:
    """A file of shared/data/real, or skip the test that needs it."""
    path = REAL / relative
    if not path.is_file():
        pytest.skip(
            f"real data not present ({path}); set RIGHTRESPONSE_SHARED_DATA to shared/data/real"
        )
    return path


def shared_file(relative: str) -> Path:
    """A file of the shared folder (e.g. the report), or skip the test that needs it."""
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(f"{relative} not present ({path}): it lives outside the repository")
    return path
