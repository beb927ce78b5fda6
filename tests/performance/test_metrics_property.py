"""Property: every computed metric on the internal dashboard (value and default breakdown,
and the monthly trend) equals a straightforward reference computation (metrics_reference:
the plain per-row selectors, each spec interpreted row by row) on random data, with writes
interleaved: a write is in the next request's figures, with no stamp, no signal and no
cache anywhere (the engine computes the facts from the operational tables on request).
Runs on the suite's database: SQLite, and PostgreSQL under ``make test``."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import metrics_reference as ref
import pytest
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from rightresponse.core.metrics import synthetic
from rightresponse.dispatch.models import Incident
from rightresponse.dispatch.selectors import incident_facts
from rightresponse.ecosystem.models import Referral
from rightresponse.ecosystem.selectors import referral_facts
from rightresponse.performance import selectors
from rightresponse.performance.synthetic_records import seed_facts

# The engine reads what is committed (performance.engine): transactional.
pytestmark = pytest.mark.django_db(transaction=True)


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def _reference_rows() -> ref.Rows:
    return {"incidents": incident_facts(), "referrals": referral_facts()}


def assert_dashboard_equals_reference() -> int:
    """The dashboard's figures, computed as a request does, against the reference; the
    number of figures compared."""
    catalog = selectors.metrics_catalog()
    period = selectors.default_period()
    trend = selectors.months_back(period.end, 12)
    frames = selectors.fact_frames(
        min(trend[0].start_at, period.start_at), period.end_at, selectors.DASHBOARD_DIMENSIONS
    )
    views = selectors.metric_views(period, frames=frames, metrics=catalog.computed())
    rows = _reference_rows()
    current = ref.in_period(rows, period.start_at, period.end_at)
    compared = 0
    for metric in catalog.computed():
        view = views[metric.id]
        spec = dict(metric.compute or {})
        if not view.measured:  # only when no record of that kind exists at all
            assert not rows[spec["facts"]] or not rows[spec.get("per_facts", spec["facts"])]
            continue
        expected = ref.value(spec, current)
        got = view.value.value if view.value else None
        assert _close(got, expected), (metric.id, got, expected)
        compared += 1
        if metric.default_breakdown:
            groups = ref.groups(spec, current, metric.default_breakdown)
            assert set(view.groups) == set(groups), (metric.id, set(view.groups), set(groups))
            for group, value in groups.items():
                assert _close(view.groups[group].value, value), (metric.id, group)
                compared += 1
    volume = dict(catalog.metrics["call_volume"].compute or {})
    for month in trend:
        got = selectors.metric_trend(catalog.metrics["call_volume"], [month], frames)[0]
        expected = ref.value(volume, ref.in_period(rows, month.start_at, month.end_at))
        assert got == (expected if rows["incidents"] else None)  # none recorded: no value
        compared += 1
    return compared


def _clear() -> None:
    from django.apps import apps

    for label in ("ecosystem", "dispatch", "triage", "people"):
        for model in reversed(list(apps.get_app_config(label).get_models())):
            model.objects.all().delete()


@settings(max_examples=3, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])  # fmt: skip
@given(
    size=st.integers(min_value=0, max_value=160),
    seed=st.integers(min_value=0, max_value=10_000),
    changed=st.integers(min_value=1, max_value=20),
)
def test_every_dashboard_metric_equals_the_reference_with_writes_interleaved(
    logged_in: Any, size: int, seed: int, changed: int
) -> None:
    _clear()
    period = selectors.default_period()
    start = period.start_at - timedelta(days=400)
    incidents = synthetic.incidents(size, start, period.end_at - timedelta(minutes=1), seed=seed)
    referrals = synthetic.referrals(incidents, seed=seed + 1)
    seed_facts(incidents, referrals)
    assert_dashboard_equals_reference()

    # Writes with no model save and no signal (bulk updates, a delete, a new record): the
    # next computation has them.
    ids = list(Incident.objects.order_by("id").values_list("id", flat=True))
    Incident.objects.filter(pk__in=ids[:changed]).update(category="property_test_category")
    Referral.objects.filter(pk__in=list(Referral.objects.values_list("id", flat=True)[:changed])
                            ).update(status="completed", outcome_reason="got_help")  # fmt: skip
    if len(ids) > changed:
        Incident.objects.filter(pk=ids[-1]).delete()
    more = synthetic.incidents(3, period.end_at - timedelta(days=2),
                               period.end_at - timedelta(minutes=1), seed=seed + 2)  # fmt: skip
    seed_facts(more, [])
    assert assert_dashboard_equals_reference() > 0

    # The page itself shows the reclassified incidents on the next request.
    page = logged_in("analyst").get(reverse("performance:dashboard")).content.decode()
    recent = [i for i in ids[:changed] if Incident.objects.filter(pk=i,
              received_at__gte=period.start_at).exists()]  # fmt: skip
    assert ("property_test_category" in page) == bool(recent)


def test_a_new_incident_is_in_the_next_request(logged_in: Any) -> None:
    """One request, one write, the next request: the count moves by one."""
    now = datetime.now().astimezone()
    seed_facts(synthetic.incidents(5, now - timedelta(days=3), now - timedelta(days=1), seed=3), [])
    client = logged_in("analyst")
    catalog = selectors.metrics_catalog()
    period = selectors.default_period()

    def calls() -> float | None:
        views = selectors.metric_views(period, metrics=[catalog.metrics["call_volume"]])
        return views["call_volume"].value.value if views["call_volume"].value else None

    assert client.get(reverse("performance:dashboard")).status_code == 200
    before = calls()
    seed_facts(synthetic.incidents(1, now - timedelta(hours=3), now - timedelta(hours=2),
                                   seed=4), [])  # fmt: skip
    assert client.get(reverse("performance:dashboard")).status_code == 200
    assert calls() == (before or 0) + 1
