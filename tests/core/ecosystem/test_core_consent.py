"""Consent and the sharing rules, including the stricter federal victim rules."""

from datetime import UTC, datetime, timedelta

import pytest

from rightresponse.core.ecosystem.consent import (
    ConsentError,
    ConsentGrant,
    SharingRequest,
    decide_sharing,
    validate_grant,
)

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
OWNER, PROVIDER, OTHER = 1, 2, 3
WANTED = frozenset({"identity", "contact", "needs", "safety"})


def grant(**overrides) -> ConsentGrant:
    values = {
        "consent_id": 7,
        "organisation_ids": frozenset({PROVIDER}),
        "purposes": frozenset({"referral"}),
        "data_categories": frozenset({"identity", "contact", "needs"}),
        "valid_from": NOW - timedelta(days=1),
        "valid_until": NOW + timedelta(days=30),
        "revoked_at": None,
        "informed": True,
        "written": True,
    }
    values.update(overrides)
    return ConsentGrant(**values)


def request(**overrides) -> SharingRequest:
    values = {
        "owner_agency_id": OWNER,
        "recipient_agency_id": PROVIDER,
        "purpose": "referral",
        "data_categories": WANTED,
        "at": NOW,
    }
    values.update(overrides)
    return SharingRequest(**values)


def test_consent_shares_exactly_the_named_data_with_the_named_organisation() -> None:
    decision = decide_sharing(request(), [grant()])
    assert decision.basis == "consent" and decision.consent_id == 7
    assert decision.categories == {"identity", "contact", "needs"}  # not safety
    assert not decide_sharing(request(recipient_agency_id=OTHER), [grant()]).allowed
    assert not decide_sharing(request(purpose="care_coordination"), [grant()]).allowed


def test_revoked_or_expired_consent_shares_nothing() -> None:
    assert not decide_sharing(request(), [grant(revoked_at=NOW - timedelta(seconds=1))]).allowed
    assert not decide_sharing(request(), [grant(valid_until=NOW)]).allowed
    assert not decide_sharing(request(), [grant(valid_from=NOW + timedelta(hours=1))]).allowed


def test_own_agency_reads_its_record() -> None:
    decision = decide_sharing(request(recipient_agency_id=OWNER), [])
    assert decision.basis == "own_agency" and decision.categories == WANTED


def test_without_consent_an_emergency_shares_only_identity_and_safety() -> None:
    decision = decide_sharing(request(emergency=True), [])
    assert decision.basis == "emergency"
    assert decision.categories == {"identity", "safety"}
    assert "emergency" in decision.explanation
    assert decide_sharing(request(), []).basis == "none"


def test_victims_need_informed_written_time_limited_consent() -> None:
    victim = request(protected_victim=True)
    assert decide_sharing(victim, [grant()]).allowed
    assert not decide_sharing(victim, [grant(written=False)]).allowed
    assert not decide_sharing(victim, [grant(informed=False)]).allowed
    assert not decide_sharing(victim, [grant(valid_until=None)]).allowed


def test_victims_get_no_emergency_exception() -> None:
    decision = decide_sharing(request(protected_victim=True, emergency=True), [])
    assert not decision.allowed
    assert "VAWA" in decision.explanation


def test_funders_and_dashboards_get_aggregates_only_even_with_consent() -> None:
    broad = grant(purposes=frozenset({"referral", "funder_report", "dashboard"}))
    for purpose in ("funder_report", "dashboard"):
        decision = decide_sharing(request(purpose=purpose), [broad])
        assert decision.basis == "aggregate_only" and not decision.allowed


def test_validate_grant_names_the_field() -> None:
    base = {
        "purposes": ["referral"],
        "data_categories": ["identity"],
        "organisation_ids": [PROVIDER],
        "valid_from": NOW,
        "valid_until": NOW + timedelta(days=1),
        "protected_victim": False,
        "informed": False,
        "written": False,
    }
    validate_grant(**base)
    with pytest.raises(ConsentError, match="purposes: gossip"):
        validate_grant(**{**base, "purposes": ["gossip"]})
    with pytest.raises(ConsentError, match="data_categories"):
        validate_grant(**{**base, "data_categories": []})
    with pytest.raises(ConsentError, match="organisations"):
        validate_grant(**{**base, "organisation_ids": []})
    with pytest.raises(ConsentError, match="valid_until: must be after"):
        validate_grant(**{**base, "valid_until": NOW})
    with pytest.raises(ConsentError, match="time-limited"):
        validate_grant(**{**base, "protected_victim": True, "valid_until": None})
    with pytest.raises(ConsentError, match="informed and written"):
        validate_grant(**{**base, "protected_victim": True})
