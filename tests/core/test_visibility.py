"""The one visibility rule (core.visibility), without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rightresponse.accounts import roles as r
from rightresponse.core import visibility as vis
from rightresponse.core.ecosystem.consent import ConsentGrant

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
CENTER, POLICE, CARE, COUNTY, ORG, CITY = 1, 2, 3, 4, 5, 6
KINDS = {
    CENTER: "emergency_communications",
    POLICE: "police",
    CARE: "civilian_response",
    COUNTY: "county",
    ORG: "community_org",
    CITY: "city",
}


def viewer(agency: int, *roles: str, units: frozenset[int] = frozenset()) -> vis.Viewer:
    return vis.Viewer(
        user_id=1,
        agency_id=agency,
        agency_kind=KINDS[agency],
        roles=frozenset(roles),
        unit_ids=units,
    )


def incident(tier: int = 1, units: dict[int, int] | None = None, **kw: object) -> vis.IncidentFacts:
    """``units``: unit id -> agency id, all active."""
    units = units or {}
    return vis.IncidentFacts(
        incident_id=7,
        owner_agency_id=CENTER,
        tier=tier,
        category=str(kw.get("category", "wellness_check")),
        open=bool(kw.get("open", True)),
        assigned_agency_ids=frozenset(units.values()),
        assigned_unit_ids=frozenset(units),
        active_unit_ids=frozenset(units),
    )


def test_role_and_kind_names_agree_with_accounts() -> None:
    assert {vis.ADMINISTRATOR, vis.CALL_TAKER, vis.DISPATCHER, vis.SUPERVISOR, vis.RESPONDER,
            vis.ANALYST, vis.SERVICE_PROVIDER} <= set(r.ROLES)  # fmt: skip
    assert {vis.KIND_911, vis.KIND_POLICE, vis.KIND_COMMUNITY_ORG} <= set(r.AGENCY_KINDS)


def test_incidents_by_agency_kind() -> None:
    plain = incident(tier=1)
    co_response = incident(tier=2)
    care_on_it = incident(tier=1, units={10: CARE})
    assert vis.incident_access(viewer(CENTER, r.DISPATCHER), plain).level == vis.FULL
    # Police: its co-responses and police responses, not a civilian-only call.
    assert vis.incident_access(viewer(POLICE, r.DISPATCHER), plain).level == vis.NONE
    assert vis.incident_access(viewer(POLICE, r.DISPATCHER), co_response).level == vis.FULL
    # Civilian programs: what they are assigned to.
    assert vis.incident_access(viewer(CARE, r.DISPATCHER), plain).level == vis.NONE
    assert vis.incident_access(viewer(CARE, r.DISPATCHER), care_on_it).level == vis.FULL
    assert vis.incident_access(viewer(COUNTY, r.SUPERVISOR), care_on_it).level == vis.NONE
    # Community organisations: referrals only, unless one of their own rides on the unit
    # sent (found by the property test: a supervisor on a unit saw it on their screen).
    assert vis.incident_access(viewer(ORG, r.DISPATCHER), co_response).level == vis.NONE
    riding = viewer(ORG, r.SUPERVISOR, units=frozenset({30}))
    assert vis.incident_access(riding, incident(units={30: ORG})).level == vis.FULL
    assert vis.incident_access(riding, co_response).level == vis.NONE
    # Field responders: their unit's incidents; analysts: de-identified; admins: all.
    assert (
        vis.incident_access(viewer(CARE, r.RESPONDER, units=frozenset({11})), care_on_it).level
        == vis.NONE
    )
    assert vis.incident_access(viewer(CARE, r.RESPONDER, units=frozenset({10})), care_on_it).may_act
    assert vis.incident_access(viewer(CITY, r.ANALYST), plain).level == vis.DEIDENTIFIED
    assert not vis.incident_access(viewer(CITY, r.ANALYST), plain).may_act
    assert vis.incident_access(viewer(CITY, r.ADMINISTRATOR), plain).may_dispatch
    # Only board roles dispatch; responders act but do not dispatch or link people.
    on_it = vis.incident_access(viewer(CARE, r.RESPONDER, units=frozenset({10})), care_on_it)
    assert not on_it.may_dispatch and not on_it.may_link_people


def person(victim: bool = False, *grants: ConsentGrant) -> vis.PersonFacts:
    return vis.PersonFacts(
        person_id=3, owner_agency_id=CARE, protected_victim=victim, grants=grants
    )


def grant(org: int, purpose: str = "referral", **kw: object) -> ConsentGrant:
    return ConsentGrant(
        consent_id=9, organisation_ids=frozenset({org}), purposes=frozenset({purpose}),
        data_categories=frozenset({"identity", "contact"}), valid_from=NOW - timedelta(days=1),
        valid_until=kw.get("until", NOW + timedelta(days=30)),  # type: ignore[arg-type]
        revoked_at=kw.get("revoked"),  # type: ignore[arg-type]
        informed=True, written=True,
    )  # fmt: skip


def test_people_owner_consent_and_nothing_else() -> None:
    own = vis.person_access(viewer(CARE, r.RESPONDER), person(), purpose="referral", at=NOW)
    assert own.basis == vis.BASIS_OWN and "phone" in own.fields
    other = vis.person_access(viewer(COUNTY, r.RESPONDER), person(), purpose="referral", at=NOW)
    assert other.fields == frozenset() and other.basis == vis.BASIS_NONE
    consented = vis.person_access(
        viewer(COUNTY, r.RESPONDER), person(False, grant(COUNTY)), purpose="referral", at=NOW
    )
    assert consented.fields == {"given_name", "family_name", "date_of_birth", "phone"}
    revoked = person(False, grant(COUNTY, revoked=NOW - timedelta(minutes=1)))
    assert not vis.person_access(
        viewer(COUNTY, r.RESPONDER), revoked, purpose="referral", at=NOW
    ).allowed
    # Administrators open the record page but see no details without consent.
    admin = vis.person_access(viewer(CITY, r.ADMINISTRATOR), person(), purpose="referral", at=NOW)
    assert admin.fields == frozenset() and vis.may_open_person_record(
        viewer(CITY, r.ADMINISTRATOR), person(), NOW
    )
    assert not vis.may_open_person_record(viewer(COUNTY, r.RESPONDER), person(), NOW)


def test_emergency_needs_an_open_incident_the_viewer_is_on() -> None:
    officer = viewer(POLICE, r.RESPONDER, units=frozenset({20}))
    on_it = incident(tier=3, units={20: POLICE})
    ask = {"purpose": vis.EMERGENCY_PURPOSE, "at": NOW}
    assert not vis.person_access(officer, person(), **ask).allowed  # no incident
    assert not vis.person_access(officer, person(), incident=on_it, linked=False, **ask).allowed
    closed = incident(tier=3, units={20: POLICE}, open=False)
    assert not vis.person_access(officer, person(), incident=closed, linked=True, **ask).allowed
    other = incident(tier=3, units={21: POLICE})
    assert not vis.person_access(officer, person(), incident=other, linked=True, **ask).allowed
    seen = vis.person_access(officer, person(), incident=on_it, linked=True, **ask)
    assert seen.basis == vis.BASIS_EMERGENCY and seen.fields == vis.RESPONDER_FIELDS
    victim = vis.person_access(officer, person(True), incident=on_it, linked=True, **ask)
    assert not victim.allowed and "VAWA" in victim.explanation
    limited = vis.person_access(
        officer, person(), incident=on_it, linked=True,
        emergency_looks=vis.EMERGENCY_LOOKS_PER_HOUR, **ask,
    )  # fmt: skip
    assert limited.basis == vis.BASIS_RATE_LIMITED and not limited.allowed
    # The 911 center dispatching an open incident may look too.
    assert vis.person_access(
        viewer(CENTER, r.DISPATCHER), person(), incident=incident(), linked=True, **ask
    ).allowed


def test_consent_is_recorded_by_the_owner_with_the_person_present() -> None:
    assert vis.may_record_consent(viewer(CARE, r.RESPONDER), person(), person_present=True)
    assert not vis.may_record_consent(viewer(CARE, r.RESPONDER), person(), person_present=False)
    assert not vis.may_record_consent(
        viewer(ORG, r.SERVICE_PROVIDER), person(), person_present=True
    )
    assert not vis.may_record_consent(viewer(CITY, r.ADMINISTRATOR), person(), person_present=True)
    g = grant(ORG)
    assert vis.may_revoke_consent(viewer(CARE, r.RESPONDER), person(), g, at_persons_request=False)
    assert not vis.may_revoke_consent(
        viewer(ORG, r.SERVICE_PROVIDER), person(), g, at_persons_request=False
    )
    assert vis.may_revoke_consent(
        viewer(ORG, r.SERVICE_PROVIDER), person(), g, at_persons_request=True
    )
    assert not vis.may_revoke_consent(
        viewer(COUNTY, r.RESPONDER), person(), g, at_persons_request=True
    )


def test_analysts_get_no_address_and_no_point_for_sensitive_incidents() -> None:
    record = {"category": "domestic_violence", "address": "12 Secret Lane", "latitude": 47.61234,
              "longitude": -122.33456, "area": "north",
              "events": [{"kind": "person_link", "to": "victim:5", "reason": "Ana", "actor": "dana"}],
              "disposition": {"disposition": "Ana safe at sister's", "outcome": "referred"}}  # fmt: skip
    out = vis.deidentified_incident(record)
    assert out["address"] == "" and out["latitude"] is None and out["area"] == "north"
    assert "Ana" not in repr(out) and "victim:5" not in repr(out) and "dana" not in repr(out)
    plain = vis.deidentified_incident({**record, "category": "wellness_check"})
    assert plain["latitude"] == 47.612 and plain["address"] == ""
