"""Load the demo data set: each pillar's ``demo.seed()`` in dependency order."""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

# Order matters: agencies and users first, then what refers to them.
PILLARS = [
    "accounts",
    "geo",
    "triage",
    "dispatch",
    "intake",
    "ecosystem",
    "analytics",
    "performance",
    "plan",
]


class Command(BaseCommand):
    help = "Load realistic demo data (idempotent: running it twice adds nothing)."

    def handle(self, *args: Any, **options: Any) -> None:
        for pillar in PILLARS:
            try:
                module = importlib.import_module(f"rightresponse.{pillar}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"rightresponse.{pillar}.demo":
                    raise
                continue
            self.stdout.write(f"Seeding {pillar}…")
            with transaction.atomic():
                module.seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
