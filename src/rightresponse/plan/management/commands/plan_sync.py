"""``rightresponse plan_sync``: mirror the plan file into the database after an edit."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rightresponse.core.plan import PlanFileError

from ...services import plan_sync


class Command(BaseCommand):
    help = "Load the action-plan file (plan/catalog/plan.yaml) into the database."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = plan_sync()
        except PlanFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{counts['steps']} steps; {counts['created']} new; {counts['hidden']} no longer in the file"
        )
