"""The facts snapshot (performance.facts_snapshot): after any mix of writes through the
real services, snapshot + delta gives exactly the frames of a direct read of the database,
every column; a missing or damaged file is rebuilt; the dashboard shows the same numbers."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from rightresponse.accounts.models import Agency
from rightresponse.core.metrics import Frame
from rightresponse.core.metrics.facts import FACT_FIELDS
from rightresponse.dispatch import services
from rightresponse.dispatch.models import Incident, Unit, UseOfForceReport
from rightresponse.dispatch.selectors import incident_facts_columns
from rightresponse.ecosystem import services as ecosystem
from rightresponse.ecosystem.models import Organization, Service
from rightresponse.ecosystem.selectors import referral_facts
from rightresponse.people.models import Person
from rightresponse.performance import facts_snapshot
from rightresponse.triage.models import Call

pytestmark = pytest.mark.django_db

TIERS = {
    "welfare_check": (1, "civilian", ["community_responder"], "welfare"),
    "behavioral_crisis": (1, "civilian", ["behavioral_crisis_team"], "behavioral_health"),
    "assault": (4, "police", ["police"], "violent_crime"),
}


@pytest.fixture
def snapshot_on(settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The snapshot on, in a folder of this test, with no overlap: only the stamps can
    bring a change into the delta, so a write that forgets to stamp fails the test."""
    settings.RIGHTRESPONSE_FACTS_SNAPSHOT = True
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(facts_snapshot, "OVERLAP", timedelta(0))
    facts_snapshot.forget()
    yield tmp_path
    facts_snapshot.forget()


@pytest.fixture
def units(agencies: dict[str, Agency]) -> dict[str, Unit]:
    specs = [("CARE-1", "care", "community_responder", "civilian"),
             ("CRISIS-1", "care", "behavioral_crisis_team", "civilian"),
             ("PD-1", "police", "police", "police")]  # fmt: skip
    return {
        sign: Unit.objects.create(
            agency=agencies[agency],
            program=program,
            kind=kind,
            call_sign=sign,
            latitude=47.61,
            longitude=-122.33,
        )  # fmt: skip
        for sign, agency, program, kind in specs
    }


@pytest.fixture
def make_incident(agencies: dict[str, Agency], users: dict[str, Any]) -> Any:
    """A triaged call through the real path (its incident follows from the call)."""

    def make(
        call_type: str = "welfare_check", ago: timedelta = timedelta(0), **fields: Any
    ) -> Incident:
        tier, lead, programs, category = TIERS[call_type]
        received = fields.pop("received_at", timezone.now() - ago - timedelta(seconds=90))
        values: dict[str, Any] = {
            "agency": agencies["center"], "received_at": received,
            "answered_at": received + timedelta(seconds=10),
            "triaged_at": received + timedelta(seconds=60), "created_by": users["call_taker"],
            "channel": "911", "caller_phone": "(206) 555-0100", "address": "100 Pine St",
            "latitude": 47.6105, "longitude": -122.3305, "area": "north", "call_type": call_type,
            "tier": tier, "lead": lead, "risk_score": 4, "risk_band": "moderate",
            "decision": {"tier": tier, "lead": lead, "programs": programs, "category": category,
                         "risk": {"likelihood": 2, "consequence": 2, "score": 4, "band": "moderate"},
                         "screened_out": False, "reasons": ["test"], "ask_next": [],
                         "protocol_version": "test", "call_type": call_type},
            "protocol_version": "test",
        }  # fmt: skip
        values.update(fields)
        return services.incident_create_from_call(Call.objects.create(**values), new_call=True)

    return make


@pytest.fixture
def service(agencies: dict[str, Agency]) -> Service:
    org = Organization.objects.create(name="Test Org", description="", agency=agencies["org"])
    return Service.objects.create(organization=org, name="Counselling", category="restorative",
                                  subcategory="trauma_healing", capacity_available=5)  # fmt: skip


def direct(facts: str, start: Any = None, end: Any = None) -> Frame:
    """The frame of a direct read of the database, every field."""
    if facts == "incidents":
        columns = incident_facts_columns(start, end)
        return Frame.from_columns(facts, columns, len(columns["incident_id"]))
    return Frame.from_rows(facts, referral_facts(start, end))


def assert_same(got: Frame, expected: Frame) -> None:
    assert got.size == expected.size
    assert sorted(got.kinds_loaded()) == sorted(expected.kinds_loaded())
    for store in ("times", "numbers", "flags", "codes"):
        for name, column in getattr(expected, store).items():
            np.testing.assert_array_equal(getattr(got, store)[name], column, err_msg=name)
    assert got.labels == expected.labels


def assert_current(start: Any = None, end: Any = None) -> None:
    for facts in ("incidents", "referrals"):
        fields = list(FACT_FIELDS[facts])
        assert_same(facts_snapshot.fact_frame(facts, start, end, fields), direct(facts, start, end))


def test_snapshot_and_delta_equal_a_direct_read_after_writes_through_the_services(
    snapshot_on: Any,
    make_incident: Any,
    units: dict[str, Unit],
    users: dict[str, Any],
    agencies: dict[str, Agency],
    service: Service,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dispatcher, responder = users["dispatcher"], users["responder"]
    first = make_incident("welfare_check", ago=timedelta(days=3))
    second = make_incident("behavioral_crisis", ago=timedelta(days=2), caller_phone="555 0199")
    doomed = make_incident("assault", ago=timedelta(days=1), address="", latitude=None)
    person = Person.objects.create(owner_agency=agencies["care"], gender="female",
                                   date_of_birth=date(2010, 6, 1))  # fmt: skip
    services.incident_link_person(first.pk, person.pk, "subject", dispatcher)
    referral = ecosystem.referral_create(user=users["dispatcher"], source="incident", service=service,
                                         incident_id=first.pk, incident_category="welfare", family_name="Doe")  # fmt: skip
    assert_current()  # builds the snapshot
    assert facts_snapshot.snapshot_path("incidents").exists()

    # From now on only deltas may bring changes in: a full rebuild fails the test.
    def no_rebuild(facts: str) -> None:
        raise AssertionError(f"{facts} rebuilt instead of refreshed")

    monkeypatch.setattr(facts_snapshot, "rebuild", no_rebuild)
    # Each kind of write on its own, then compared: one that forgets to stamp fails here.
    services.incident_assign(first.pk, units["CARE-1"].pk, dispatcher)  # responder type
    assert_current()
    services.incident_set_status(first.pk, "on_scene", responder)
    assert_current()
    services.incident_close(first.pk, responder, disposition="resolved", outcome="resolved_on_scene",
                            referrals_made=1, use_of_force={"force_type": "hold"})  # fmt: skip
    assert_current()
    services.incident_assign(second.pk, units["CRISIS-1"].pk, dispatcher, "closest")
    services.incident_change_tier(second.pk, 4, responder, "weapon seen")  # escalation
    assert_current()
    services.incident_reclassify(second.pk, "assault", dispatcher, "it was an assault")
    assert_current()
    person.gender, person.race_ethnicity = "nonbinary", "Asian"
    person.date_of_birth = date(1980, 1, 2)
    person.save()  # demographics edited, as the admin does
    assert_current()
    call = Call.objects.get(pk=second.call_id)
    call.caller_phone = "555 0123"  # the repeat-caller key
    call.save()
    assert_current()
    ecosystem.referral_transition(referral, users["service_provider"], "accepted")
    assert_current()
    service.category, service.subcategory = "responsive", "crisis"
    service.save()
    assert_current()
    units["CARE-1"].program = "behavioral_crisis_team"  # re-programmed in the admin
    units["CARE-1"].save()
    assert_current()
    UseOfForceReport.objects.create(incident=second, reported_at=timezone.now(),
                                    force_type="hold")  # reported later, in the admin  # fmt: skip
    assert_current()
    newcomer = make_incident("assault")
    assert_current()
    assert_current(timezone.now() - timedelta(days=2, hours=1), timezone.now())
    forced = facts_snapshot.fact_frame("incidents", None, None, ["use_of_force", "responder_type"])
    assert forced.flags["use_of_force"].tolist() == [1, 1, 0, 0]  # the writes really landed
    assert newcomer.pk in facts_snapshot.current("incidents").ids

    # A deletion stamps nothing: the count check finds it and the ids put it right.
    doomed.delete()
    assert_current()
    assert doomed.pk not in facts_snapshot.current("incidents").ids
    # A row committed long after it was stamped (or inserted with an old stamp): the same.
    late = make_incident("welfare_check")
    Incident.objects.filter(pk=late.pk).update(facts_changed_at=timezone.now() - timedelta(days=1))
    assert_current()
    assert late.pk in facts_snapshot.current("incidents").ids


def test_a_fresh_process_reads_the_file_and_only_the_changes(
    snapshot_on: Any, make_incident: Any, users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    incidents = [make_incident("welfare_check", ago=timedelta(hours=h)) for h in range(5)]
    assert_current()
    facts_snapshot.forget()  # a new worker: nothing in memory
    services.incident_reclassify(incidents[2].pk, "assault", users["dispatcher"], "assault")
    read: list[Any] = []
    real_read = facts_snapshot._read
    monkeypatch.setattr(
        facts_snapshot, "_read", lambda f, since: read.append(since) or real_read(f, since)
    )
    assert_current()
    assert read and all(since is not None for since in read)  # deltas only, no full read
    delta = facts_snapshot._read("incidents", facts_snapshot.current("incidents").watermark)
    assert delta.ids.tolist() == []  # nothing changed since


def test_periods_are_cut_exactly_as_the_database_cuts_them(
    snapshot_on: Any, make_incident: Any
) -> None:
    boundary = timezone.now().replace(microsecond=0) - timedelta(days=1)
    for shift in (timedelta(microseconds=-1), timedelta(0), timedelta(microseconds=1),
                  timedelta(microseconds=123457)):  # fmt: skip
        make_incident("welfare_check", received_at=boundary + shift)
    for start, end in (
        (boundary, None),
        (None, boundary),
        (boundary, boundary + timedelta(seconds=1)),
    ):
        assert_current(start, end)
    assert facts_snapshot.fact_frame("incidents", boundary, None, ["area"]).size == 3


def test_a_missing_or_damaged_file_is_rebuilt(
    snapshot_on: Any, make_incident: Any, caplog: pytest.LogCaptureFixture
) -> None:
    make_incident("welfare_check")
    path = facts_snapshot.snapshot_path("incidents")
    assert not path.exists()
    assert_current()
    assert path.exists()
    for damage in (b"not a snapshot", path.read_bytes()[: path.stat().st_size // 2]):
        path.write_bytes(damage)
        facts_snapshot.forget()
        with caplog.at_level(logging.WARNING, logger="rightresponse.performance.facts_snapshot"):
            assert_current()
        assert str(path) in caplog.text
        caplog.clear()
        facts_snapshot.load("incidents")  # rewritten whole


def test_age_bands_match_the_person_record() -> None:
    today = date(2024, 2, 29)
    births = [date(2019, 3, 1), date(2018, 2, 28), date(2018, 3, 1), date(2012, 2, 29),
              date(2011, 2, 28), date(2006, 3, 1), date(2006, 2, 28), date(1999, 3, 1),
              date(1999, 2, 28), date(1950, 1, 1), date(2025, 1, 1)]  # fmt: skip
    ymd = np.array([b.year * 10000 + b.month * 100 + b.day for b in births] + [-1])
    codes = facts_snapshot.age_band_codes(ymd, today)
    got = [facts_snapshot.AGE_LABELS[c] for c in codes]

    class Today(date):
        @classmethod
        def today(cls) -> date:
            return today

    import datetime as datetime_module

    real = datetime_module.date
    datetime_module.date = Today  # type: ignore[misc]
    try:
        expected = [Person(date_of_birth=b).age_band for b in births] + ["unknown"]
    finally:
        datetime_module.date = real  # type: ignore[misc]
    assert got == expected
    assert set(expected) == {"0-5", "6-12", "13-17", "18-24", "25+", "unknown"}


def test_the_dashboard_shows_the_same_numbers_with_and_without_the_snapshot(
    settings: Any, snapshot_on: Any, make_incident: Any, units: dict, users: dict, logged_in: Any
) -> None:
    for days, call_type in ((40, "welfare_check"), (10, "assault"), (2, "behavioral_crisis")):
        make_incident(call_type, ago=timedelta(days=days))
    incident = make_incident("welfare_check")
    services.incident_assign(incident.pk, units["CARE-1"].pk, users["dispatcher"])
    client = logged_in("analyst")

    def figures() -> list[tuple[str, str]]:
        response = client.get(reverse("performance:dashboard"))
        assert response.status_code == 200
        views = [v for _, group in response.context["groups"] for v in group]
        return [(v.metric.id, v.display) for v in views] + [
            (label, v.display) for label, v in response.context["headline"]
        ]

    with_snapshot = figures()
    path = facts_snapshot.snapshot_path("incidents")
    assert path.exists()
    path.write_bytes(b"PK\x03\x04 damaged")  # a new worker finds a damaged file
    facts_snapshot.forget()
    assert figures() == with_snapshot
    settings.RIGHTRESPONSE_FACTS_SNAPSHOT = False
    assert figures() == with_snapshot
    assert ("call_volume", "4") in with_snapshot


def test_the_refresh_command_writes_the_snapshot(snapshot_on: Any, make_incident: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    make_incident("welfare_check")
    out = StringIO()
    call_command("refresh_facts", stdout=out)
    assert "incidents: 1 rows" in out.getvalue() and "referrals: 0 rows" in out.getvalue()
    make_incident("assault")
    call_command("refresh_facts", "--full", stdout=out)
    assert "incidents: 2 rows" in out.getvalue()
    assert facts_snapshot.load("incidents").ids.size == 2


def test_a_row_added_between_the_delta_and_the_count_is_read_again_not_rebuilt(
    snapshot_on: Any, make_incident: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_incident("welfare_check")
    assert_current()
    real_totals = facts_snapshot._totals
    raced: list[str] = []

    def totals_after_a_race(facts: str) -> tuple[int, int]:
        if facts == "incidents" and not raced:  # another worker's call lands in between
            raced.append(facts)
            make_incident("assault")
        return real_totals(facts)

    def no_rebuild(facts: str) -> None:
        raise AssertionError(f"{facts} rebuilt instead of read again")

    monkeypatch.setattr(facts_snapshot, "_totals", totals_after_a_race)
    monkeypatch.setattr(facts_snapshot, "rebuild", no_rebuild)
    assert_current()
    assert raced and facts_snapshot.current("incidents").ids.size == 2


def test_a_folder_that_cannot_be_written_still_gives_the_figures(
    snapshot_on: Any, settings: Any, make_incident: Any, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = snapshot_on / "not-a-folder"
    blocker.write_text("a file where the snapshot folder would go")
    settings.VAR_DIR = blocker
    make_incident("welfare_check")
    with caplog.at_level(logging.WARNING, logger="rightresponse.performance.facts_snapshot"):
        assert_current()
    assert "not written" in caplog.text
