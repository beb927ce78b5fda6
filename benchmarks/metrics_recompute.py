"""Recompute every computed metric for a year of a large city's incidents.

Times the internal dashboard's default view the way a request builds it (issue 5, target
under 2 s): read the incident facts as columns from the database
(``dispatch.selectors.incident_facts_columns``), turn them into the metrics' frames,
compute all computed metrics of the catalog with their default breakdowns and the
12-month trend lines.

Seeding 400,000 incidents into a database takes minutes, so the run has two parts:
1. Database: a scratch SQLite database with --db-incidents incidents (default 40,000, with
   dispositions, units' assignments and force reports) times the real selectors, the
   column one and the row one (``incident_facts``, the path before), each followed by
   its frame conversion, and scales the per-incident time linearly to the full count
   (both are one pass over the rows). BENCH_DATABASE_URL=<a scratch PostgreSQL database>
   runs this part on PostgreSQL instead.
2. In process: the synthetic incidents (and their referrals) in the contract shapes; the
   columns exactly as the column selector returns them (times as POSIX seconds, as the
   database computes them) go into frames, then the metrics. The row path
   (``Frame.from_rows``, before) is timed on the same data for comparison. A naive
   baseline (one pure-Python pass per metric) checks that the values agree.
The cold total adds part 1 (which already includes the incidents' frame) to part 2.

    python benchmarks/metrics_recompute.py            # 400,000 incidents
    python benchmarks/metrics_recompute.py --quick    # 40,000 incidents, 5,000 in the database
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rightresponse.core.metrics import (  # noqa: E402
    Evaluator,
    Frame,
    load_catalog,
    synthetic,  # noqa: E402
)
from rightresponse.core.metrics.catalog import fields_used  # noqa: E402
from rightresponse.core.metrics.facts import FACT_FIELDS  # noqa: E402

CATALOG = load_catalog(ROOT / "src/rightresponse/performance/catalog/metrics.yaml")
TARGET_SECONDS = 2.0
# The columns the internal dashboard converts (performance.selectors.DASHBOARD_DIMENSIONS).
DASHBOARD_DIMENSIONS = ("incident_type", "area", "responder_type", "outcome")


# ---- the naive baseline: interpret each metric's spec row by row
def matches(row: dict[str, Any], where: dict[str, Any]) -> bool:
    for name, cond in where.items():
        if name == "any":
            if not any(matches(row, sub) for sub in cond):
                return False
            continue
        value = row.get(name)
        if isinstance(cond, dict):
            op, operand = next(iter(cond.items()))
            if op == "null":
                ok = (value is None) == operand
            elif op == "not":
                ok = value is not None and value not in operand
            elif op == "gte":
                ok = value is not None and value >= operand
            else:  # ne_field
                other = row.get(operand)
                ok = value is not None and other is not None and value != other
        elif isinstance(cond, list):
            ok = value in cond
        elif isinstance(cond, bool):
            ok = value is cond
        else:
            ok = value == cond
        if not ok:
            return False
    return True


def naive_value(spec: dict[str, Any], rows: dict[str, list[dict[str, Any]]]) -> float | None:
    facts = rows[spec["facts"]]
    population = [r for r in facts if matches(r, spec.get("where") or {})]
    kind = spec["kind"]
    if kind == "count":
        return float(len(population))
    if kind == "share":
        hits = sum(1 for r in population if matches(r, spec["numerator_where"]))
        return 100.0 * hits / len(population) if population else None
    if kind == "duration":
        minutes = [
            (r[spec["end"]] - r[spec["start"]]).total_seconds() / 60
            for r in population
            if r[spec["end"]] is not None and r[spec["start"]] is not None
        ]
        minutes = [m for m in minutes if m >= 0]
        return statistics.fmean(minutes) if minutes else None
    if kind in ("distinct_repeat", "repeat_share"):
        counts = Counter(r[spec["key"]] for r in population if r[spec["key"]])
        repeated = {k for k, n in counts.items() if n >= spec.get("min_count", 2)}
        if kind == "distinct_repeat":
            return float(len(repeated))
        total = sum(counts.values())
        return 100.0 * sum(counts[k] for k in repeated) / total if total else None
    per = [r for r in rows[spec["per_facts"]] if matches(r, spec.get("per_where") or {})]
    return len(population) / len(per) if per else None


def naive_breakdown(spec: dict[str, Any], rows: dict[str, list[dict[str, Any]]], field: str) -> int:
    """The naive way to break down: one more pass per group."""
    groups = {r.get(field) for r in rows[spec["facts"]]}
    for group in groups:
        subset = dict(rows)
        subset[spec["facts"]] = [r for r in rows[spec["facts"]] if r.get(field) == group]
        naive_value(spec, subset)
    return len(groups)


def database_seconds_per_incident(
    count: int, incidents: list[dict[str, Any]], start: datetime, end: datetime
) -> tuple[float, float]:
    """Seconds per incident of the column selector and of the row selector (each with its
    frame), on a scratch SQLite database seeded with ``count`` of the synthetic incidents."""
    tmp = tempfile.mkdtemp(prefix="rr-bench-metrics-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rightresponse.config.settings")
    os.environ["RIGHTRESPONSE_VAR"] = tmp
    os.environ["RIGHTRESPONSE_SQLITE"] = str(Path(tmp) / "bench.sqlite3")
    # Never a shared database: PostgreSQL only through BENCH_DATABASE_URL, a scratch
    # database the caller creates and drops (the benchmark adds rows and leaves them).
    os.environ.pop("DATABASE_URL", None)
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    os.environ.setdefault("RIGHTRESPONSE_SECRET_KEY", "bench-only-secret-key-0123456789-abcdef")
    import django

    django.setup()
    from django.core.management import call_command

    from rightresponse.accounts.models import Agency
    from rightresponse.dispatch.models import (
        Assignment,
        Disposition,
        Incident,
        Unit,
        UseOfForceReport,
    )
    from rightresponse.dispatch.selectors import incident_facts, incident_facts_columns
    from rightresponse.triage.models import Call

    try:
        call_command("migrate", verbosity=0)
        agency = Agency.objects.create(slug="bench", name="Bench", kind="emergency_communications")
        sample = incidents[:count]
        fields = ("call_type", "initial_call_type", "category", "initial_category", "channel",
                  "area", "initial_tier", "escalated", "deescalated", "lead_switches",
                  *(name for name in FACT_FIELDS["incidents"] if name.endswith("_at")))  # fmt: skip
        Call.objects.bulk_create(
            [Call(agency=agency, received_at=r["received_at"], call_type=r["call_type"],
                  caller_phone="555" + r["caller_key"].removeprefix("caller-"))
             for r in sample],
            batch_size=2000,
        )  # fmt: skip
        call_ids = list(Call.objects.order_by("id").values_list("id", flat=True))
        Incident.objects.bulk_create(
            [
                Incident(
                    agency=agency,
                    tier=r["final_tier"],
                    lead=r["final_lead"] or "",
                    initial_lead=r["initial_lead"] or "",
                    address=r["location_key"],
                    call_id=call_id,
                    **{f: r[f] for f in fields},
                )  # fmt: skip
                for r, call_id in zip(sample, call_ids, strict=True)
            ],
            batch_size=2000,
        )
        ids = list(Incident.objects.order_by("id").values_list("id", flat=True))
        units = {
            program: Unit.objects.create(
                agency=agency, program=program, kind="civilian", call_sign=f"B-{program}"[:20]
            )  # fmt: skip
            for program in {r["responder_type"] for r in sample if r["responder_type"]}
        }
        Disposition.objects.bulk_create(
            [Disposition(incident_id=i, disposition=r["disposition"], outcome=r["outcome"],
                         referrals_made=r["referrals_made"])  # fmt: skip
             for i, r in zip(ids, sample, strict=True) if r["outcome"]],
            batch_size=2000,
        )  # fmt: skip
        Assignment.objects.bulk_create(
            [Assignment(incident_id=i, unit=units[r["responder_type"]], active=False,
                        primary=True, assigned_at=r["dispatched_at"] or r["received_at"])  # fmt: skip
             for i, r in zip(ids, sample, strict=True) if r["responder_type"]],
            batch_size=2000,
        )  # fmt: skip
        UseOfForceReport.objects.bulk_create(
            [UseOfForceReport(incident_id=i, reported_at=r["received_at"], force_type="bench")
             for i, r in zip(ids, sample, strict=True) if r["use_of_force"]],
            batch_size=2000,
        )  # fmt: skip
        wanted = fields_used(CATALOG, "incidents", DASHBOARD_DIMENSIONS)
        t0 = time.perf_counter()
        columns = incident_facts_columns(start, end, wanted)
        Frame.from_columns("incidents", columns, len(columns["incident_id"]), wanted)
        t_columns = time.perf_counter() - t0
        t0 = time.perf_counter()
        Frame.from_rows("incidents", incident_facts(start, end), wanted)
        t_rows = time.perf_counter() - t0
        return t_columns / len(ids), t_rows / len(ids)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def as_selected(rows: list[dict[str, Any]], fields: Iterable[str]) -> dict[str, list[Any]]:
    """The columns as ``incident_facts_columns`` returns them: a list per key, times as
    POSIX seconds (the database computes them)."""
    kinds = FACT_FIELDS["incidents"]
    columns: dict[str, list[Any]] = {}
    for name in fields:
        values = [row.get(name) for row in rows]
        if kinds[name] == "time":
            values = [None if v is None else v.timestamp() for v in values]
        columns[name] = values
    return columns


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40,000 incidents instead of 400,000")
    parser.add_argument("--db-incidents", type=int, default=None,
                        help="incidents seeded into the scratch database (default 40,000; quick 5,000)")  # fmt: skip
    args = parser.parse_args()
    n = 40_000 if args.quick else 400_000
    in_db = min(n, args.db_incidents or (5_000 if args.quick else 40_000))
    end = datetime(2026, 1, 1, tzinfo=UTC)
    start = end - timedelta(days=365)
    t0 = time.perf_counter()
    incidents = synthetic.incidents(n, start, end, seed=1)
    referrals = synthetic.referrals(incidents, seed=2)
    print(
        f"generated {len(incidents):,} incidents and {len(referrals):,} referrals in {time.perf_counter() - t0:.1f} s"
    )
    computed = CATALOG.computed()

    per_columns, per_rows = database_seconds_per_incident(in_db, incidents, start, end)
    t_db = per_columns * n
    engine = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    print(f"database ({in_db:,} incidents seeded in {engine}, scaled to {n:,}):")
    print(f"  incident_facts_columns + frame   {t_db:7.3f} s   (now)")
    print(f"  incident_facts + Frame.from_rows {per_rows * n:7.3f} s   (before)")

    # ---- the dashboard's default view, vectorised
    incident_fields = fields_used(CATALOG, "incidents", DASHBOARD_DIMENSIONS)
    selected = as_selected(incidents, incident_fields)
    t0 = time.perf_counter()
    Frame.from_rows("incidents", incidents, incident_fields)
    t_rows_before = time.perf_counter() - t0
    t0 = time.perf_counter()
    frames = {
        "incidents": Frame.from_columns("incidents", selected, n, incident_fields),
        "referrals": Frame.from_rows(
            "referrals", referrals, fields_used(CATALOG, "referrals", DASHBOARD_DIMENSIONS)
        ),
    }
    t_convert = time.perf_counter() - t0
    t0 = time.perf_counter()
    evaluator = Evaluator(frames, start, end)
    results = {m.id: evaluator.compute(m.compute or {}, m.default_breakdown) for m in computed}
    t_compute = time.perf_counter() - t0
    t0 = time.perf_counter()
    month = start
    for _ in range(12):
        following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        monthly = Evaluator(frames, month, following)
        for metric_id in ("call_volume", "diverted_share"):
            monthly.compute(CATALOG.metrics[metric_id].compute or {})
        month = following
    t_trend = time.perf_counter() - t0
    total = t_db + t_convert + t_compute + t_trend
    print(f"metrics computed: {len(computed)} (with default breakdowns) over {n:,} incidents")
    print(f"  database -> frame    {t_db:7.3f} s   (incidents, scaled from the database part)")
    print(
        f"  columns -> frames    {t_convert:7.3f} s   (rows -> frame before: {t_rows_before:.3f} s)"
    )
    print(f"  all metrics          {t_compute:7.3f} s")
    print(f"  12-month trends      {t_trend:7.3f} s")
    warm = t_compute + t_trend
    print(
        f"  default view, cold   {total:7.3f} s   (read and converted in this request; target < {TARGET_SECONDS:.0f} s: {'met' if total < TARGET_SECONDS else 'NOT met'})"
    )
    print(
        f"  default view, warm   {warm:7.3f} s   (columns reused from the dashboard's 30 s cache; target < {TARGET_SECONDS:.0f} s: {'met' if warm < TARGET_SECONDS else 'NOT met'})"
    )

    # ---- naive baseline, same data, same run
    t0 = time.perf_counter()
    rows = {
        "incidents": [r for r in incidents if start <= r["received_at"] < end],
        "referrals": [r for r in referrals if start <= r["created_at"] < end],
    }
    naive = {m.id: naive_value(dict(m.compute or {}), rows) for m in computed}
    groups = 0
    for m in computed:
        if m.default_breakdown:
            field = {
                "incident_type": "category",
                "responder_type": "responder_type",
                "outcome": "outcome",
            }[m.default_breakdown]
            if (m.compute or {})["facts"] == "referrals":
                field = "incident_category"
            groups += naive_breakdown(dict(m.compute or {}), rows, field)
    t_naive = time.perf_counter() - t0
    print(
        f"  naive baseline       {t_naive:7.3f} s   (pure Python, one pass per metric and per breakdown group; {groups} groups)"
    )
    print(
        f"  speed-up             {t_naive / (t_compute + t_trend):7.1f}x on the computation, {t_naive / total:.1f}x including conversion"
    )

    mismatches = [
        m.id
        for m in computed
        if not (
            (naive[m.id] is None and results[m.id].total.value is None)
            or (
                naive[m.id] is not None
                and results[m.id].total.value is not None
                and abs(naive[m.id] - results[m.id].total.value)
                <= 1e-6 * max(1.0, abs(naive[m.id]))
            )
        )
    ]
    print(
        f"  values agree with the baseline: {'yes' if not mismatches else 'NO: ' + ', '.join(mismatches)}"
    )
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
