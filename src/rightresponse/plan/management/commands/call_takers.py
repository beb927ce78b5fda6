"""``rightresponse call-takers --dataset NAME``: 911 call takers per half-hour of the week
to the NENA standard (Erlang A, or Erlang C with ``--patience 0``), and people a year."""

from __future__ import annotations

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rightresponse.core.staffing import SimulationError

from ...staffing import SYNTHETIC, call_taker_week, call_volume


class Command(BaseCommand):
    help = "Call takers per half-hour to the NENA standard (see docs/staffing.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dataset", default=SYNTHETIC, help="imported dataset, live or synthetic"
        )
        parser.add_argument("--handle-seconds", type=float, default=120.0)
        parser.add_argument("--shrinkage", type=float, default=0.3)
        parser.add_argument(
            "--patience",
            type=float,
            default=60.0,
            help="mean seconds before a caller hangs up; 0: Erlang C",
        )
        parser.add_argument("--hours-per-fte", type=float, default=1750.0)
        parser.add_argument("--csv", action="store_true", help="every half-hour as CSV")

    def handle(self, *args: Any, **o: Any) -> None:
        if o["handle_seconds"] <= 0:
            raise CommandError("--handle-seconds: must be > 0")
        if not 0 <= o["shrinkage"] < 1:
            raise CommandError("--shrinkage: a share in [0, 1)")
        try:
            volume, source = call_volume(o["dataset"])
            plan = call_taker_week(
                volume,
                o["handle_seconds"],
                o["shrinkage"],
                o["patience"] or None,
                o["hours_per_fte"],
            )
        except (SimulationError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if o["csv"]:
            rows = plan["intervals"]
            writer = csv.DictWriter(self.stdout, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
            return
        self.stdout.write(f"Calls: {source}; {sum(volume):,.0f} a week")
        self.stdout.write(
            f"On the floor: {plan['least_on_floor']} to {plan['peak_on_floor']} call takers; "
            f"{plan['fte']:.1f} people a year at {o['hours_per_fte']:,.0f} working hours each"
        )
