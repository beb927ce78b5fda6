"""Ecosystem figures: directory search, HSDS export and validation, referral facts.

Builds a synthetic city directory and referral history in a throw-away SQLite database,
then times the operations a navigator and the metrics pipeline run. ``--quick`` uses a
small directory for a short run.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

QUICK = "--quick" in sys.argv
N_SERVICES = 300 if QUICK else 2_000
N_REFERRALS = 2_000 if QUICK else 30_000

workdir = tempfile.mkdtemp(prefix="rr-bench-eco-")
os.environ["RIGHTRESPONSE_VAR"] = workdir
os.environ["RIGHTRESPONSE_SQLITE"] = str(Path(workdir) / "bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rightresponse.config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from rightresponse.accounts.models import Agency  # noqa: E402
from rightresponse.core.ecosystem.hsds import validate_document  # noqa: E402
from rightresponse.ecosystem import config, hsds_io  # noqa: E402
from rightresponse.ecosystem.models import (  # noqa: E402
    Location,
    Organization,
    Referral,
    Schedule,
    Service,
)
from rightresponse.ecosystem.selectors import (  # noqa: E402
    SearchCriteria,
    referral_facts,
    services_search,
)


def timed(label: str, fn, repeat: int = 5) -> object:
    best = float("inf")
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    print(f"{label:<48} {best * 1000:9.1f} ms")
    return result


def build() -> None:
    rng = random.Random(6)
    tax = config.taxonomy()
    subs = list(tax.subcategories.items())
    needs = list(tax.needs)
    areas = ["North", "South", "East", "West", "Downtown", "Citywide"]
    agencies = [
        Agency.objects.create(slug=f"org-{i}", name=f"Organisation {i}", kind="community_org")
        for i in range(N_SERVICES // 4)
    ]
    orgs = [
        Organization.objects.create(name=a.name, description="Synthetic", agency=a)
        for a in agencies
    ]
    locations = [
        Location.objects.create(
            organization=o,
            name=f"{o.name} office",
            address_1=f"{i} Main St",
            city="Metro",
            confidential=rng.random() < 0.05,
        )
        for i, o in enumerate(orgs)
    ]
    services = []
    for i in range(N_SERVICES):
        sub, (_, category) = rng.choice(subs)
        services.append(
            Service(
                organization=orgs[i % len(orgs)],
                name=f"Service {i}",
                category=category,
                subcategory=sub,
                needs=rng.sample(needs, 3),
                languages=rng.sample(["en", "es", "so", "hmn", "vi"], 2),
                areas=[rng.choice(areas)],
                capacity_available=rng.randint(0, 10),
                capacity_maximum=10,
                capacity_updated_at=timezone.now(),
            )
        )
    Service.objects.bulk_create(services)
    through = Service.locations.through
    through.objects.bulk_create(
        through(service_id=s.id, location_id=locations[i % len(locations)].id)
        for i, s in enumerate(services)
    )
    Schedule.objects.bulk_create(
        Schedule(service=s, byday="MO,TU,WE,TH,FR", opens_at="09:00", closes_at="17:00")
        for s in services
    )
    now = timezone.now()
    states = ["requested", "accepted", "in-progress", "completed", "rejected", "failed"]
    Referral.objects.bulk_create(
        Referral(
            source=rng.choice(["incident", "hotline", "navigator", "second_response"]),
            incident_id=rng.randint(1, 10**6),
            incident_category="behavioral_health",
            service=services[i % len(services)],
            to_agency=agencies[i % len(agencies)],
            from_agency=agencies[0],
            status=rng.choice(states),
            created_at=now - timedelta(minutes=i),
            accepted_at=now - timedelta(minutes=i - 30),
        )
        for i in range(N_REFERRALS)
    )


def main() -> int:
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build()
    print(
        f"directory: {N_SERVICES} services, {N_REFERRALS} referrals (built in {time.perf_counter() - started:.1f} s)"
    )
    timed("search: need", lambda: services_search(SearchCriteria(need="housing")))
    timed(
        "search: need + language + open now + capacity",
        lambda: services_search(
            SearchCriteria(need="housing", language="es", open_now=True, has_capacity=True)
        ),
    )
    doc = timed("HSDS export (JSON document)", hsds_io.directory_document, repeat=2)
    errors = timed(
        "HSDS validate (schemas + references)",
        lambda: validate_document(doc, config.HSDS_SCHEMA_DIR),
        repeat=2,
    )
    print(f"  validation errors: {len(errors)}")
    timed("HSDS CSV zip export", hsds_io.directory_csv_zip, repeat=2)
    rows = timed("referral_facts (all)", referral_facts, repeat=2)
    print(f"  facts rows: {len(rows)}")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
