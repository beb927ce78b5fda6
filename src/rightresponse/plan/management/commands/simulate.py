"""``rightresponse simulate --protocol FILE --dataset NAME --staffing FILE``: a year of
field calls through a staffing plan, with a progress bar; ``--compare FILE`` runs a second
plan on the same demand and prints the two side by side (e.g. 24/7 against peak hours)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from rightresponse.core.staffing import SimulationError, compare

from ...staffing import SYNTHETIC, dataset_demand, plan_load, staffing_run


class Command(BaseCommand):
    help = "Simulate field staffing for a year of calls (see docs/staffing.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--staffing", required=True, help="staffing plan YAML (or a name in staffing/)"
        )
        parser.add_argument(
            "--dataset", default=SYNTHETIC, help=f"imported dataset slug, or {SYNTHETIC!r}"
        )
        parser.add_argument(
            "--protocol", default=None, help="protocol file (default: the configured one)"
        )
        parser.add_argument(
            "--compare", default=None, help="a second staffing plan to compare with"
        )
        parser.add_argument(
            "--compare-protocol",
            default=None,
            help="a second protocol: the same calls and staffing, tiers decided by it",
        )
        parser.add_argument("--weeks", type=int, default=52)
        parser.add_argument("--scale", type=float, default=1.0, help="multiply the demand (growth)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", action="store_true", help="print the full results as JSON")

    def handle(self, *args: Any, **o: Any) -> None:
        if o["compare"] and o["compare_protocol"]:
            raise CommandError("--compare and --compare-protocol: one comparison at a time")
        try:
            demand = dataset_demand(o["dataset"], o["protocol"])
            plan = plan_load(o["staffing"])
            runs = [(plan.staffing.name, plan, demand)]
            if o["compare"]:
                other = plan_load(o["compare"])
                runs.append((other.staffing.name, other, demand))
            if o["compare_protocol"]:
                if o["dataset"] == SYNTHETIC:
                    raise SimulationError(
                        "--compare-protocol: needs a dataset (the synthetic year has no call types)"
                    )
                runs[0] = (f"{plan.staffing.name} / {demand.source}", plan, demand)
                second = dataset_demand(o["dataset"], o["compare_protocol"])
                runs.append((f"{plan.staffing.name} / {second.source}", plan, second))
            results = []
            warnings: list[str] = []
            for label, run_plan, run_demand in runs:
                with tqdm(total=None, unit=" calls", desc=label, disable=o["json"]) as bar:
                    result, warned = staffing_run(
                        run_plan,
                        run_demand,
                        weeks=o["weeks"],
                        scale=o["scale"],
                        seed=o["seed"],
                        progress=bar.update,
                        started=lambda n, bar=bar: bar.reset(total=n),
                    )
                result.staffing = label
                results.append(result)
                warnings += [f"{label}: {w}" for w in warned]
        except SimulationError as exc:
            raise CommandError(str(exc)) from exc
        if o["json"]:
            out: dict[str, Any] = {
                "demand": demand.source,
                "warnings": warnings,
                "runs": [r.summary() for r in results],
            }
            if len(results) == 2:
                out["compare"] = compare(results[0], results[1])
            self.stdout.write(json.dumps(out, indent=1, default=float))
            return
        self.stdout.write(f"Demand: {demand.source}")
        for w in warnings:
            self.stderr.write(f"Warning: {w}")
        for r in results:
            self.stdout.write(f"\n{r.staffing}: {r.calls:,} field calls in {r.weeks} weeks")
            for row in r.by_program.values():
                share = row["share_eligible_served"]
                wait = row["mean_wait_minutes"]
                util = row["utilisation"]
                self.stdout.write(
                    f"  {row['label']:<38} served {row['served']:>8,}  first choice served "
                    f"{'-' if share is None else f'{share:.1%}':>6}  fell back {row['fell_back']:>7,}  "
                    f"not served {row['eligible_not_served']:>6,}  wait {'-' if wait is None else f'{wait:.1f}':>5} min  "
                    f"utilisation {'-' if util is None else f'{util:.0%}'}"
                )
            over = [f for f in r.fte if f["over_icma_60"] and f["program"] == "police"]
            if over:
                self.stdout.write(
                    "  Patrol over the ICMA 60% saturation: "
                    + ", ".join(f"{f['area']} {f['shift']} ({f['utilisation']:.0%})" for f in over)
                )
        if len(results) == 2:
            self.stdout.write(f"\nChange from {results[0].staffing} to {results[1].staffing}:")
            for row in compare(results[0], results[1]):
                shown = {
                    "served": "{:+,.0f} calls",
                    "share_eligible_served": "{:+.1%} (points) of its first-choice calls served",
                    "mean_wait_minutes": "{:+.1f} min mean wait",
                }
                if row["difference"] is not None and row["measure"] in shown:
                    self.stdout.write(
                        f"  {row['program']:<12} " + shown[row["measure"]].format(row["difference"])
                    )
