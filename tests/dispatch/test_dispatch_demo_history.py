"""The demo's year of history: calibrated on the committed Seattle samples, written in bulk
but keeping every invariant the services keep, and enough of it that the public dashboard
(cells under 11 suppressed) shows real numbers."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from rightresponse.accounts.demo import seed as seed_accounts
from rightresponse.dispatch import calibration, demo, demo_history
from rightresponse.dispatch.models import (
    Assignment,
    Disposition,
    EligibleNotServed,
    Incident,
    IncidentEvent,
    PersonLink,
    UseOfForceReport,
)
from rightresponse.dispatch.selectors import incident_facts


def test_calibration_file_is_what_the_committed_samples_give() -> None:
    derived = calibration.derive()
    assert calibration.load() == derived, "re-derive: python -m rightresponse.dispatch.calibration"
    assert derived["calls_used"] > 500 and derived["calls_typed"] > 500
    assert abs(sum(derived["call_type_mix"].values()) - 1) < 0.01
    assert len(derived["hour_of_week"]) == 168
    # Real calls: the small hours are quieter than the early evening.
    hours = derived["hour_of_day"]
    assert sum(hours[2:5]) < sum(hours[17:20]) / 2
    # The demo draws exactly from it.
    assert derived["call_type_mix"] == demo.CALL_MIX


@pytest.fixture
def seeded(db: Any) -> None:
    seed_accounts(io.StringIO())
    demo.seed(io.StringIO())


def test_history_keeps_the_services_invariants(seeded: None) -> None:
    now = timezone.now()
    history = Incident.objects.filter(call__narrative__startswith=demo_history.MARKER)
    # The ids once: a subquery with a LIKE per joined row made PostgreSQL (before its
    # statistics exist) pick a nested loop that ran for minutes.
    history_ids = list(history.values_list("pk", flat=True))
    assert 3000 <= history.count() <= 6000
    assert not history.filter(received_at__lt=now - timedelta(days=366)).exists()
    assert history.filter(received_at__lt=now - timedelta(days=300)).exists()  # a whole year
    assert set(history.values_list("area", flat=True)) == set(demo.AREAS)
    # A unit is on one incident at a time: never two active, and no overlapping spans.
    assert not Assignment.objects.filter(incident_id__in=history_ids, active=True).exists()
    spans: dict[int, list[tuple[Any, Any]]] = defaultdict(list)
    for a in Assignment.objects.filter(incident_id__in=history_ids).order_by("assigned_at"):
        spans[a.unit_id].append((a.assigned_at, a.released_at))
    for unit_spans in spans.values():
        for (_, end), (start, _) in zip(unit_spans, unit_spans[1:], strict=False):
            assert end <= start
    counts = Counter(
        Assignment.objects.filter(incident_id__in=history_ids).values_list("incident", flat=True)
    )
    assert set(counts.values()) == {1} and len(counts) == history.count()
    # Closed incidents have an outcome, and their timestamps are in status order.
    assert (
        Disposition.objects.filter(incident_id__in=history_ids).exclude(outcome="").count()
        == history.count()
    )
    for inc in history:
        stamps = [inc.received_at, inc.answered_at, inc.triaged_at, inc.dispatched_at,
                  inc.en_route_at, inc.on_scene_at, inc.cleared_at, inc.closed_at]  # fmt: skip
        assert None not in stamps and stamps == sorted(stamps), (inc.pk, stamps)
        assert inc.closed_at <= now and inc.status == "closed"
        assert inc.escalated == (inc.initial_tier <= 2 < inc.tier)
        assert inc.deescalated == (inc.tier <= 2 < inc.initial_tier)
        assert inc.lead_switches == int(inc.lead != inc.initial_lead)
    events = Counter(
        IncidentEvent.objects.filter(incident_id__in=history_ids).values_list("kind", flat=True)
    )
    assert events["escalation"] == history.filter(tier__gt=2, initial_tier__lte=2).count() > 0
    assert events["lead_switch"] == history.filter(lead_switches=1).count() > 0
    assert events["status"] == 5 * history.count()
    # The rest of the story the metrics need.
    assert history.filter(deescalated=True).exists()
    assert UseOfForceReport.objects.filter(incident_id__in=history_ids).exists()
    not_served = EligibleNotServed.objects.filter(incident_id__in=history_ids)
    assert set(not_served.values_list("reason", flat=True)) == {
        "off_hours",
        "out_of_area",
        "none_available",
    }
    assert PersonLink.objects.filter(incident_id__in=history_ids).count() > history.count() / 4
    facts = incident_facts(now - timedelta(days=365))
    assert len({r["race_ethnicity"] for r in facts}) >= 5
    assert Counter(r["outcome"] for r in facts)["referred"] > 100


def test_public_dashboard_of_the_demo_shows_the_main_categories(seeded: None, client: Any) -> None:
    response = client.get(reverse("public:csv"))  # the latest published quarter
    rows = [r for r in csv.DictReader(io.StringIO(response.content.decode()))
            if r["table"] == "volume_by_category_and_area"]  # fmt: skip
    totals: Counter[str] = Counter()
    shown: dict[str, int] = Counter()
    for r in rows:
        if r["row"] != "Other" and r["column"] in demo.AREAS:
            totals[r["row"]] += int(r["value"] or 0)
            shown[r["row"]] += int(bool(r["value"]))
    largest = [category for category, _ in totals.most_common(3)]
    assert len(largest) == 3
    for category in largest:
        assert shown[category] == len(demo.AREAS), category  # every area's cell unsuppressed
    page = client.get(reverse("public:dashboard")).content.decode()
    assert "Low-acuity crime and disorder complaints" in page  # labels, not ids
    assert ">low_acuity_disorder<" not in page
    # The internal dashboard's chart too.
    client.force_login(User.objects.get(username="analyst"))
    internal = client.get(reverse("performance:dashboard")).content.decode()
    assert "Low-acuity crime and disorder complaints" in internal
