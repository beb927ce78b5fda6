"""The demo: the report's kinds of programmes, referrals in several states, idempotent."""

import io

import pytest

from rightresponse.accounts import demo as accounts_demo
from rightresponse.core.ecosystem.hsds import validate_document
from rightresponse.ecosystem import demo, hsds_io
from rightresponse.ecosystem.config import HSDS_SCHEMA_DIR
from rightresponse.ecosystem.models import Consent, HealingPlan, Referral, Service
from rightresponse.ecosystem.selectors import referral_facts, referrals_inbox

pytestmark = pytest.mark.django_db


def test_demo_seeds_a_valid_directory_and_referrals_once() -> None:
    out = io.StringIO()
    accounts_demo.seed(out)
    demo.seed(out)
    counts = (Service.objects.count(), Referral.objects.count(), Consent.objects.count())
    demo.seed(out)
    assert (Service.objects.count(), Referral.objects.count(), Consent.objects.count()) == counts
    categories = set(Service.objects.values_list("category", flat=True))
    assert categories == {"preventive", "responsive", "restorative"}
    subcategories = set(Service.objects.values_list("subcategory", flat=True))
    assert {
        "violence_prevention",
        "behavioral_health",
        "housing",
        "victim_services",
        "reentry",
        "youth",
        "restorative_justice",
    } <= subcategories
    assert len({f["status"] for f in referral_facts()}) >= 3
    assert any(f["is_second_response"] for f in referral_facts())
    assert HealingPlan.objects.get().actions.count() == 3
    assert validate_document(hsds_io.directory_document(), HSDS_SCHEMA_DIR) == []
    from django.contrib.auth.models import User

    provider = User.objects.get(username="provider")
    assert {r.to_agency.slug for r in referrals_inbox(provider)} == {"safe-harbor"}
