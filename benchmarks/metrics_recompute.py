"""Recompute every computed metric for a year of a large city's incidents.

Times the internal dashboard's default view (issue 17, target under 1 s) the way a request
builds it, database included: a scratch database (SQLite, or BENCH_DATABASE_URL=<a scratch
PostgreSQL database you create and drop>) is seeded with bulk inserts with all the synthetic
incidents (calls, dispositions, units' assignments, force reports, not-served records, a
subject with demographics for every fifth) and their referrals (to services), nothing
scaled (PostgreSQL then gathers its planner statistics, as autovacuum does). Then, each in
a fresh Python process (a new web worker, no cache of any kind: there is none), a
signed-in analyst GETs the dashboard through Django three times; the engine
(performance.engine: DuckDB attaching the database) computes the facts on every request:
- cold: the first request of a fresh process;
- cold again after --changes incidents (and a quarter as many referrals) were changed with
  bulk updates (no stamp, no signal): the page must show them;
- warm: the next requests of that process.
Last, the computation alone on the same synthetic rows in memory, against a naive
pure-Python baseline (one pass per metric and per group), whose values must agree.

    python benchmarks/metrics_recompute.py            # 400,000 incidents (seeding ~3 min)
    python benchmarks/metrics_recompute.py --quick    # 40,000 incidents
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
TARGET_SECONDS = 1.0
# The columns the internal dashboard converts (performance.selectors.DASHBOARD_DIMENSIONS).
DASHBOARD_DIMENSIONS = ("incident_type", "area", "responder_type", "outcome")
CHANGED_CATEGORY = "bench_changed"  # the changed incidents' category: the page must show it


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


def setup_django(tmp: str) -> None:
    """Django on a scratch database: SQLite in ``tmp``, or BENCH_DATABASE_URL (a scratch
    PostgreSQL database the caller creates and drops; the benchmark fills it)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rightresponse.config.settings")
    os.environ["RIGHTRESPONSE_VAR"] = tmp
    os.environ["RIGHTRESPONSE_SQLITE"] = str(Path(tmp) / "bench.sqlite3")
    os.environ.pop("DATABASE_URL", None)  # never a shared database
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    os.environ.setdefault("RIGHTRESPONSE_SECRET_KEY", "bench-only-secret-key-0123456789-abcdef")
    import django

    django.setup()


def seed_database(incidents: list[dict[str, Any]], referrals: list[dict[str, Any]]) -> None:
    """The schema, the analyst, then the synthetic rows as operational records."""
    from django.core.management import call_command

    from rightresponse.accounts import roles
    from rightresponse.accounts.models import Agency
    from rightresponse.accounts.services import user_create
    from rightresponse.performance.synthetic_records import seed_facts

    call_command("migrate", verbosity=0)
    agency = Agency.objects.create(slug="bench", name="Bench", kind="emergency_communications")
    user_create(username="analyst", password="bench-only-password-0123", agency=agency,
                roles=[roles.ANALYST])  # fmt: skip
    seed_facts(incidents, referrals)


def analyze() -> None:
    """PostgreSQL: statistics for the planner, as autovacuum gathers them after a bulk load
    in production (SQLite: none, as Django never gathers them)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def change_rows(count: int) -> None:
    """``count`` incidents reclassified to a category none had before, and a quarter as
    many referrals completed, in bulk updates (no model save, no signal, no stamp)."""
    import random

    from rightresponse.dispatch.models import Incident
    from rightresponse.ecosystem.models import Referral

    rng = random.Random(3)
    ids = list(Incident.objects.values_list("id", flat=True))
    chosen = rng.sample(ids, min(count, len(ids)))
    for i in range(0, len(chosen), 1000):
        Incident.objects.filter(pk__in=chosen[i : i + 1000]).update(
            call_type="assault", category=CHANGED_CATEGORY
        )
    referral_ids = list(Referral.objects.values_list("id", flat=True))
    chosen = rng.sample(referral_ids, min(count // 4, len(referral_ids)))
    Referral.objects.filter(pk__in=chosen).update(status="completed", outcome_reason="got_help")


def child() -> int:
    """One fresh process, as a new web worker: sign the analyst in, then GET the internal
    dashboard's default view three times; prints the figures as one JSON line."""
    import hashlib
    import json
    import re

    setup_django(os.environ["RIGHTRESPONSE_VAR"])
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    from rightresponse.performance import engine

    url = reverse("performance:dashboard")  # the URLconf is imported, as by a health check
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="analyst"))
    facts_seconds: list[float] = []
    real_frame = engine.fact_frame

    def timed_frame(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return real_frame(*args, **kwargs)
        finally:
            facts_seconds.append(time.perf_counter() - t0)

    engine.fact_frame = timed_frame  # type: ignore[assignment]
    requests, reads, digest, shows = [], [], "", False
    for i in range(3):
        facts_seconds.clear()
        t0 = time.perf_counter()
        response = client.get(url)
        requests.append(time.perf_counter() - t0)
        reads.append(sum(facts_seconds))
        if response.status_code != 200 or b"Calls for service" not in response.content:
            print(json.dumps({"error": f"status {response.status_code}"}))
            return 1
        if i == 0:  # the page without its per-request tokens
            page = re.sub(rb"[A-Za-z0-9]{32,}", b"", response.content)
            digest = hashlib.sha256(page).hexdigest()
            shows = CHANGED_CATEGORY.encode() in response.content
    print(json.dumps({"requests": requests, "facts": reads, "page": digest, "shows": shows}))
    return 0


def run_child() -> dict[str, Any]:
    import json
    import subprocess

    done = subprocess.run([sys.executable, __file__, "--child"], capture_output=True,
                          text=True, check=False)  # fmt: skip
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        raise SystemExit(f"dashboard process failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


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
    parser.add_argument("--changes", type=int, default=None,
                        help="incidents changed before the second cold request (default 2,000; quick 500)")  # fmt: skip
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child()
    n = 40_000 if args.quick else 400_000
    changes = args.changes if args.changes is not None else (500 if args.quick else 2_000)
    end = datetime.now(UTC) - timedelta(minutes=5)
    start = end - timedelta(days=365)
    t0 = time.perf_counter()
    incidents = synthetic.incidents(n, start, end, seed=1)
    referrals = synthetic.referrals(incidents, seed=2)
    print(f"generated {len(incidents):,} incidents and {len(referrals):,} referrals "
          f"in {time.perf_counter() - t0:.1f} s")  # fmt: skip
    computed = CATALOG.computed()
    engine = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    tmp = tempfile.mkdtemp(prefix="rr-bench-metrics-")
    try:
        setup_django(tmp)
        t0 = time.perf_counter()
        seed_database(incidents, referrals)
        analyze()
        print(f"seeded {engine} with bulk inserts in {time.perf_counter() - t0:.1f} s")
        load = os.getloadavg()
        fresh = run_child()
        change_rows(changes)
        changed = run_child()
        load_after = os.getloadavg()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def figure(label: str, seconds: float, note: str, target: bool = True) -> None:
        verdict = (
            f"; target < {TARGET_SECONDS:.0f} s: {'met' if seconds < TARGET_SECONDS else 'NOT met'}"
        )
        print(f"  {label:<34} {seconds:7.3f} s   ({note}{verdict if target else ''})")

    print(f"internal dashboard, default view, {n:,} incidents and {len(referrals):,} referrals "
          f"in {engine}; each request a real GET through Django, database included:")  # fmt: skip
    figure("cold", fresh["requests"][0],
           f"first request of a fresh process; facts computed in {fresh['facts'][0]:.3f} s")  # fmt: skip
    figure(f"cold, after {changes:,} changed incidents", changed["requests"][0],
           f"a new fresh process after {changes:,} incidents and {changes // 4:,} referrals "
           f"changed; facts {changed['facts'][0]:.3f} s")  # fmt: skip
    figure("warm", min(fresh["requests"][1:]),
           f"next requests of that process, facts computed again each time; "
           f"{min(fresh['facts'][1:]):.3f} s")  # fmt: skip
    print(f"  the changed incidents are on the page: {'yes' if changed['shows'] else 'NO'} "
          f"(before the change: {'yes' if fresh['shows'] else 'no'})")  # fmt: skip
    print(f"  machine load (1, 5, 15 min) before {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, "
          f"after {load_after[0]:.1f} {load_after[1]:.1f} {load_after[2]:.1f} "
          f"on {os.cpu_count()} cores")  # fmt: skip

    # ---- the computation alone, on the same synthetic rows in memory, against a naive baseline
    incident_fields = fields_used(CATALOG, "incidents", DASHBOARD_DIMENSIONS)
    frames = {
        "incidents": Frame.from_columns("incidents", as_selected(incidents, incident_fields), n,
                                        incident_fields),
        "referrals": Frame.from_rows("referrals", referrals,
                                     fields_used(CATALOG, "referrals", DASHBOARD_DIMENSIONS)),
    }  # fmt: skip
    t0 = time.perf_counter()
    evaluator = Evaluator(frames, start, end)
    results = {m.id: evaluator.compute(m.compute or {}, m.default_breakdown) for m in computed}
    month = start
    for _ in range(12):
        following = month + timedelta(days=31)
        monthly = Evaluator(frames, month, following)
        for metric_id in ("call_volume", "diverted_share"):
            monthly.compute(CATALOG.metrics[metric_id].compute or {})
        month = following
    t_compute = time.perf_counter() - t0
    print(f"computation alone: {len(computed)} metrics with default breakdowns and 12-month trends")
    print(f"  vectorised                         {t_compute:7.3f} s")

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
    print(f"  naive baseline                     {t_naive:7.3f} s   (pure Python, one pass per "
          f"metric and per breakdown group; {groups} groups; {t_naive / t_compute:.0f}x slower)")  # fmt: skip
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
    return 1 if mismatches or not changed["shows"] or fresh["shows"] else 0


if __name__ == "__main__":
    sys.exit(main())
