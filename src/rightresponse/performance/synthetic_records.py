"""Synthetic fact rows (core/metrics/synthetic.py) written as operational records, with
bulk inserts: what the metrics benchmark and the metrics tests read back through the
engine (performance.engine), the same way as records written through the services."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rightresponse.core.metrics.facts import FACT_FIELDS

BIRTH_AGE = {"0-11": 8, "12-21": 16, "21-26": 23, "26+": 40}  # synthetic band -> an age


def seed_facts(incidents: list[dict[str, Any]], referrals: list[dict[str, Any]]) -> None:
    """The synthetic incidents and referrals as rows, with bulk inserts: calls, incidents,
    dispositions, primary units' assignments, force reports, not-served records, a linked
    subject with demographics for every fifth incident, and referrals to services."""
    from rightresponse.accounts.models import Agency
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

    agency, _ = Agency.objects.get_or_create(
        slug="facts", defaults={"name": "Synthetic facts", "kind": "emergency_communications"}
    )
    batch = 5000
    fields = ("call_type", "initial_call_type", "category", "initial_category", "channel",
              "area", "initial_tier", "escalated", "deescalated", "lead_switches",
              *(name for name in FACT_FIELDS["incidents"] if name.endswith("_at")))  # fmt: skip
    # (bulk_create gives the new ids on PostgreSQL and on SQLite 3.35 and later)
    calls = Call.objects.bulk_create(
        (Call(agency=agency, received_at=r["received_at"], call_type=r["call_type"],
              caller_phone="555" + r["caller_key"].removeprefix("caller-")) for r in incidents),
        batch_size=batch,
    )  # fmt: skip
    call_ids = [call.pk for call in calls]
    created = Incident.objects.bulk_create(
        (Incident(agency=agency, tier=r["final_tier"], lead=r["final_lead"] or "",
                  initial_lead=r["initial_lead"] or "", address=r["location_key"], call_id=call_id,
                  **{f: r[f] for f in fields})
         for r, call_id in zip(incidents, call_ids, strict=True)),
        batch_size=batch,
    )  # fmt: skip
    ids = [incident.pk for incident in created]
    pairs = list(zip(ids, incidents, strict=True))
    units = {
        program: Unit.objects.get_or_create(
            call_sign=f"S-{program}"[:20],
            defaults={"agency": agency, "program": program, "kind": "civilian"},
        )[0]
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
