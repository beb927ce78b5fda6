"""The demo's year behind the virtual channels (issue 13 item 5): the dispatch history's
Tier 0 calls have their virtual cases, online reports were started (some abandoned, some
sent to 911), 988 transfers were closed or handed back, and the dashboards show the
virtual-reporting and hotline figures from them."""

from __future__ import annotations

import io
from typing import Any

import pytest

from rightresponse.accounts.demo import seed as seed_accounts
from rightresponse.dispatch import demo as dispatch_demo
from rightresponse.dispatch.models import Incident
from rightresponse.intake import demo
from rightresponse.intake.models import HotlineTransfer, OnlineReport, VirtualCase
from rightresponse.performance.selectors import default_period, metric_views
from rightresponse.triage.models import Call

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db: Any) -> str:
    seed_accounts(io.StringIO())
    dispatch_demo.seed(io.StringIO())
    out = io.StringIO()
    demo.seed(out)
    return out.getvalue()


def test_the_history_has_virtual_cases_online_reports_and_transfers(seeded: str) -> None:
    assert "virtual cases" in seeded
    tier0 = Call.objects.filter(tier=0, screened_out=False)
    assert VirtualCase.objects.count() == tier0.count() > 500  # every Tier 0 call has one
    online = VirtualCase.objects.filter(channel="online", call__narrative__startswith="[demo")
    assert online.exists() and all(c.online_report is not None for c in online[:50])
    assert OnlineReport.objects.filter(status="elevated").exists()
    assert OnlineReport.objects.filter(status="initiated", case__isnull=True).exists()
    backs = HotlineTransfer.objects.filter(status="handed_back")
    assert backs.exists() and HotlineTransfer.objects.filter(status="closed").exists()
    for transfer in backs:  # each hand-back is a 988 call that became an incident
        assert transfer.hand_back_call.channel == "988"
        assert Incident.objects.filter(call=transfer.hand_back_call).exists()
        assert transfer.call.channel == "911" and transfer.call.received_at < (
            transfer.hand_back_call.received_at
        )
    # Seeding again adds nothing.
    count = HotlineTransfer.objects.count()
    demo.seed(io.StringIO())
    assert HotlineTransfer.objects.count() == count


def test_the_dashboard_figures_have_a_year_behind_them(seeded: str) -> None:
    views = metric_views(default_period())
    for metric_id in ("virtual_reports_initiated", "virtual_reports_completion_rate",
                      "virtual_reports_abandoned_share", "virtual_report_completion_time",
                      "virtual_contact_time", "virtual_share_of_volume", "virtual_routed_from_911",
                      "hotline_calls", "hotline_speed_of_answer", "hotline_elevated_share",
                      "hotline_routed_from_911", "hotline_outcomes", "time_to_answer"):  # fmt: skip
        view = views[metric_id]
        assert view.measured and view.value is not None and view.value.value, metric_id
    assert 0 < views["virtual_reports_abandoned_share"].value.value < 50
    assert 0 < views["hotline_elevated_share"].value.value < 30
    assert 0 < views["hotline_routed_from_911"].value.value < 100  # direct 988 calls too


def test_the_pages_show_them(seeded: str) -> None:
    """The internal metric pages and the public dashboard show the figures from the
    records (the demo has enough of them for the public dashboard's small-cell rule)."""
    from django.contrib.auth.models import User
    from django.test import Client

    from rightresponse.performance.selectors import public_dashboard

    dash = public_dashboard(default_period())
    shown = {f.metric.id: f for f in dash.figures if f.group == "City-wide"}
    for metric_id in ("hotline_elevated_share", "virtual_share_of_volume"):
        assert shown[metric_id].value is not None, shown[metric_id].note
    client = Client()
    client.force_login(User.objects.get(username="analyst"))  # the demo's analyst
    for metric_id in ("hotline_elevated_share", "virtual_reports_abandoned_share"):
        html = client.get(f"/performance/metrics/{metric_id}/").content.decode()
        assert "Not yet measured" not in html and "%" in html
