"""Demo data: the Seattle public-domain sample shipped in samples/, imported and analysed
(idempotent: a second run imports nothing new and reuses the analysis)."""

from __future__ import annotations

from typing import Any

from .models import Dataset
from .selectors import SAMPLES_DIR
from .services import calls_import, dataset_analyze

SAMPLES = [
    ("seattle_east_c3_2018-2023.csv", "seattle-call-data", "seattle-east-c3"),
    ("seattle_madrona_2010-2023.csv", "seattle-call-data-study", "seattle-madrona"),
]


def seed(stdout: Any) -> None:
    for file_name, profile, slug in SAMPLES:
        run = calls_import(SAMPLES_DIR / file_name, profile, dataset_slug=slug)
        dataset = Dataset.objects.get(slug=slug)
        if run.rows_imported or not dataset.analyses.exists():
            dataset_analyze(dataset)
        stdout.write(f"  analytics: {slug}: {run.rows_imported} calls imported")
