"""Recompute every computed metric for a year of a large city's incidents.

Times the internal dashboard's default view (issue 5, target under 2 s) the way a request
builds it, database included: a scratch database (SQLite, or BENCH_DATABASE_URL=<a scratch
PostgreSQL database you create and drop>) is seeded with bulk inserts with all the synthetic
incidents (calls, dispositions, units' assignments, force reports, not-served records, a
subject with demographics for every fifth) and their referrals (to services), nothing
scaled (PostgreSQL then gathers its planner statistics, as autovacuum does). Then, each in a fresh Python process (a new web worker), a signed-in analyst GETs
the dashboard through Django three times (every request reads its facts: the 30 s frames
cache is off):
- cold, with the facts snapshot present (performance.facts_snapshot);
- cold again after --changes incidents (and a quarter as many referrals) were changed
  through bulk updates that stamp them as the services do;
- before: the same without the snapshot (every fact read from the database).
It also times the snapshot's rebuild, checks that the page is the same with and without
the snapshot and that the snapshot's frames equal a direct read, field by field.
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
from rightresponse.core.status_times import interval_seconds  # noqa: E402

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
        seconds = [interval_seconds(spec["interval"], r) for r in population]
        minutes = [s / 60 for s in seconds if s is not None]
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


BIRTH_AGE = {"0-11": 8, "12-21": 16, "21-26": 23, "26+": 40}  # synthetic band -> an age


def seed_database(incidents: list[dict[str, Any]], referrals: list[dict[str, Any]]) -> None:
    """The synthetic incidents and referrals as rows, with bulk inserts: calls, incidents,
    dispositions, primary units' assignments, force reports, not-served records, a linked
    subject with demographics for every fifth incident, and referrals to services."""
    from django.core.management import call_command

    from rightresponse.accounts import roles
    from rightresponse.accounts.models import Agency
    from rightresponse.accounts.services import user_create
    from rightresponse.dispatch.models import (
        Assignment,
        Disposition,
        EligibleNotServed,
        Incident,
        PersonLink,
        Unit,
        UseOfForceReport,
    )
    from rightresponse.ecosystem.models import Organization, Referral, Service
    from rightresponse.people.models import Person
    from rightresponse.triage.models import Call  # fmt: skip

    call_command("migrate", verbosity=0)
    agency = Agency.objects.create(slug="bench", name="Bench", kind="emergency_communications")
    user_create(username="analyst", password="bench-only-password-0123", agency=agency,
                roles=[roles.ANALYST])  # fmt: skip
    batch = 5000
    fields = ("call_type", "initial_call_type", "category", "initial_category", "channel",
              "area", "initial_tier", "escalated", "deescalated", "lead_switches",
              *(name for name in FACT_FIELDS["incidents"] if name.endswith("_at")))  # fmt: skip
    Call.objects.bulk_create(
        (Call(agency=agency, received_at=r["received_at"], call_type=r["call_type"],
              caller_phone="555" + r["caller_key"].removeprefix("caller-")) for r in incidents),
        batch_size=batch,
    )  # fmt: skip
    call_ids = list(Call.objects.order_by("id").values_list("id", flat=True))
    Incident.objects.bulk_create(
        (Incident(agency=agency, tier=r["final_tier"], lead=r["final_lead"] or "",
                  initial_lead=r["initial_lead"] or "", address=r["location_key"], call_id=call_id,
                  **{f: r[f] for f in fields})
         for r, call_id in zip(incidents, call_ids, strict=True)),
        batch_size=batch,
    )  # fmt: skip
    ids = list(Incident.objects.order_by("id").values_list("id", flat=True))
    pairs = list(zip(ids, incidents, strict=True))
    units = {
        program: Unit.objects.create(
            agency=agency, program=program, kind="civilian", call_sign=f"B-{program}"[:20]
        )  # fmt: skip
        for program in {r["responder_type"] for r in incidents if r["responder_type"]}
    }
    Disposition.objects.bulk_create(
        (Disposition(incident_id=i, disposition=r["disposition"], outcome=r["outcome"],
                     referrals_made=r["referrals_made"]) for i, r in pairs if r["outcome"]),
        batch_size=batch,
    )  # fmt: skip
    Assignment.objects.bulk_create(
        (Assignment(incident_id=i, unit=units[r["responder_type"]], active=False, primary=True,
                    assigned_at=r["dispatched_at"] or r["received_at"])
         for i, r in pairs if r["responder_type"]),
        batch_size=batch,
    )  # fmt: skip
    UseOfForceReport.objects.bulk_create(
        (UseOfForceReport(incident_id=i, reported_at=r["received_at"], force_type="bench")
         for i, r in pairs if r["use_of_force"]),
        batch_size=batch,
    )  # fmt: skip
    EligibleNotServed.objects.bulk_create(
        (EligibleNotServed(incident_id=i, program="community_responder", recorded_at=r["received_at"],
                           reason=r["eligible_not_served_reason"])
         for i, r in pairs if r["eligible_not_served"]),
        batch_size=batch,
    )  # fmt: skip
    subjects = [(i, r) for i, r in pairs if i % 5 == 0]
    today = datetime.now(UTC).date()
    people = Person.objects.bulk_create(
        (Person(owner_agency=agency, gender="" if r["gender"] == "unknown" else r["gender"],
                race_ethnicity="" if r["race_ethnicity"] == "unknown" else r["race_ethnicity"],
                date_of_birth=today.replace(year=today.year - BIRTH_AGE[r["age_band"]], day=1)
                if r["age_band"] in BIRTH_AGE else None)
         for _, r in subjects),
        batch_size=batch,
    )  # fmt: skip
    if people[0].pk is None:  # SQLite before 3.35 returns no ids
        people = list(Person.objects.order_by("id"))
    PersonLink.objects.bulk_create(
        (PersonLink(incident_id=i, person_id=p.pk, role="subject", linked_at=r["received_at"])
         for (i, r), p in zip(subjects, people, strict=True)),
        batch_size=batch,
    )  # fmt: skip
    organization = Organization.objects.create(name="Bench services", agency=agency)
    services = {}
    for r in referrals:
        key = (r["service_id"], r["service_category"])
        if key not in services:
            services[key] = Service.objects.create(organization=organization, name=str(key),
                                                   category=key[1], subcategory="bench")  # fmt: skip
    incident_id = dict(zip((r["incident_id"] for r in incidents), ids, strict=True))
    Referral.objects.bulk_create(
        (Referral(source=r["source"], incident_id=incident_id[r["incident_id"]],
                  incident_category=r["incident_category"] or "",
                  service=services[(r["service_id"], r["service_category"])], to_agency=agency,
                  status=r["status"], outcome_reason=r["outcome_reason"] or "",
                  created_at=r["created_at"], is_second_response=r["is_second_response"],
                  reached=r["reached"], connected=r["connected"])
         for r in referrals),
        batch_size=batch,
    )  # fmt: skip


def age_stamps() -> None:
    """Each row's facts as last changed when it closed (or was created; an hour ago at the
    latest), as for a year of rows written over the year: seeded now, they would all count
    as changed in the last minutes."""
    from django.db.models import F, Value
    from django.db.models.functions import Coalesce, Least

    from rightresponse.dispatch.models import Incident
    from rightresponse.ecosystem.models import Referral

    past = Value(datetime.now(UTC) - timedelta(hours=1))
    Incident.objects.update(facts_changed_at=Least(Coalesce("closed_at", "received_at"), past))
    Referral.objects.update(facts_changed_at=Least(F("created_at"), past))


def analyze() -> None:
    """PostgreSQL: statistics for the planner, as autovacuum gathers them after a bulk load
    in production (SQLite: none, as Django never gathers them)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def change_rows(count: int) -> None:
    """``count`` incidents reclassified, and a quarter as many referrals completed, in
    bulk updates that stamp the rows as the services' writes do."""
    import random

    from django.utils import timezone

    from rightresponse.dispatch.models import Incident
    from rightresponse.ecosystem.models import Referral

    rng = random.Random(3)
    ids = list(Incident.objects.values_list("id", flat=True))
    chosen = rng.sample(ids, min(count, len(ids)))
    for i in range(0, len(chosen), 1000):
        Incident.objects.filter(pk__in=chosen[i : i + 1000]).update(
            call_type="assault", category="violent", facts_changed_at=timezone.now()
        )
    referral_ids = list(Referral.objects.values_list("id", flat=True))
    chosen = rng.sample(referral_ids, min(count // 4, len(referral_ids)))
    Referral.objects.filter(pk__in=chosen).update(
        status="completed", outcome_reason="got_help", facts_changed_at=timezone.now()
    )


def child() -> int:
    """One fresh process, as a new web worker: sign the analyst in, then GET the internal
    dashboard's default view three times; prints the figures as one JSON line."""
    import hashlib
    import json
    import re

    setup_django(os.environ["RIGHTRESPONSE_VAR"])
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    from rightresponse.performance import selectors

    # Every request reads its facts (no 30 s frames cache): the refresh path is measured.
    settings.RIGHTRESPONSE_METRICS_CACHE_SECONDS = 0
    url = reverse("performance:dashboard")  # the URLconf is imported, as by a health check
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="analyst"))
    facts_seconds: list[float] = []
    real_frame = selectors._frame

    def timed_frame(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return real_frame(*args, **kwargs)
        finally:
            facts_seconds.append(time.perf_counter() - t0)

    selectors._frame = timed_frame  # type: ignore[assignment]
    requests, reads, digest = [], [], ""
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
    print(json.dumps({"requests": requests, "facts": reads, "page": digest}))
    return 0


def run_child(snapshot: bool) -> dict[str, Any]:
    import json
    import subprocess

    env = {**os.environ, "RIGHTRESPONSE_FACTS_SNAPSHOT": "1" if snapshot else "0"}
    done = subprocess.run([sys.executable, __file__, "--child"], env=env, capture_output=True,
                          text=True, check=False)  # fmt: skip
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        raise SystemExit(f"dashboard process failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def frames_identical() -> bool:
    """The snapshot's frames (every field) equal those of a direct read of the database."""
    import numpy as np

    from rightresponse.dispatch.selectors import incident_facts_columns
    from rightresponse.ecosystem.selectors import referral_facts
    from rightresponse.performance import facts_snapshot

    columns = incident_facts_columns()
    direct = {
        "incidents": Frame.from_columns("incidents", columns, len(columns["incident_id"])),
        "referrals": Frame.from_rows("referrals", referral_facts()),
    }
    for facts, expected in direct.items():
        got = facts_snapshot.fact_frame(facts, None, None, FACT_FIELDS[facts])
        if got.size != expected.size or got.labels != expected.labels:
            return False
        for store in ("times", "numbers", "flags", "codes"):
            for name, column in getattr(expected, store).items():
                nan = store in ("times", "numbers")
                if not np.array_equal(getattr(got, store)[name], column, equal_nan=nan):
                    return False
    return True


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
        from rightresponse.performance import facts_snapshot

        t0 = time.perf_counter()
        seed_database(incidents, referrals)
        age_stamps()
        analyze()
        print(f"seeded {engine} with bulk inserts in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        for facts in facts_snapshot.SNAPSHOT_FIELDS:
            facts_snapshot.rebuild(facts)
        t_rebuild = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in Path(tmp, "facts").glob("*.npz"))
        fresh = run_child(snapshot=True)
        change_rows(changes)
        changed = run_child(snapshot=True)
        before = run_child(snapshot=False)
        same_page = changed["page"] == before["page"]
        identical = frames_identical()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def figure(label: str, seconds: float, note: str, target: bool = True) -> None:
        verdict = (
            f"; target < {TARGET_SECONDS:.0f} s: {'met' if seconds < TARGET_SECONDS else 'NOT met'}"
        )
        print(f"  {label:<34} {seconds:7.3f} s   ({note}{verdict if target else ''})")

    print(f"internal dashboard, default view, {n:,} incidents and {len(referrals):,} referrals "
          f"in {engine}; each request a real GET through Django, database included:")  # fmt: skip
    figure("cold, snapshot present", fresh["requests"][0],
           f"first request of a fresh process; reading the facts {fresh['facts'][0]:.3f} s")  # fmt: skip
    figure(f"cold, after {changes:,} changed incidents", changed["requests"][0],
           f"the same with {changes:,} incidents and {changes // 4:,} referrals changed since the "
           f"snapshot; reading {changed['facts'][0]:.3f} s")  # fmt: skip
    figure("warm", min(fresh["requests"][1:]),
           f"next requests of that process, facts re-checked against the database each time; "
           f"reading {min(fresh['facts'][1:]):.3f} s")  # fmt: skip
    figure("before: direct read", before["requests"][0],
           f"first request of a fresh process without the snapshot; reading {before['facts'][0]:.3f} s")  # fmt: skip
    figure("snapshot rebuild (both facts)", t_rebuild,
           f"read every row and write the files ({size / 1e6:.0f} MB); once, then by "
           f"delta; `rightresponse refresh-facts --full`", target=False)  # fmt: skip
    print(f"  same page with and without the snapshot: {'yes' if same_page else 'NO'}")
    print(
        f"  snapshot frames identical to a direct read (every field): {'yes' if identical else 'NO'}"
    )

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
    return 1 if mismatches or not (identical and same_page) else 0


if __name__ == "__main__":
    sys.exit(main())
