"""Who may see and do what on an incident: the facts the core's visibility rule needs
(core.visibility), and the rule applied to queries, so lists hold only what the viewer
may see and a record they may not see is indistinguishable from a missing one."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from rightresponse.accounts import roles as r
from rightresponse.accounts.visibility import viewer_of
from rightresponse.core import visibility as vis

from .models import Assignment, Incident, Unit

# Hazard details (not just the flag): report ~1674-1680, least information.
HAZARD_DETAIL_ROLES = (r.SUPERVISOR,)
CLOSED_STATUSES = ("closed", "cancelled")


def incident_facts_of(incident: Incident, *, with_units: bool = True) -> vis.IncidentFacts:
    """``with_units=False``: without the assigned units, when the viewer's scope does not
    depend on them (it sees everything): one query fewer on every dispatch call."""
    rows = (
        list(
            Assignment.objects.filter(incident_id=incident.pk).values_list(
                "unit_id", "unit__agency_id", "active"
            )
        )
        if with_units
        else []
    )
    return vis.IncidentFacts(
        incident_id=incident.pk,
        owner_agency_id=incident.agency_id,
        tier=incident.tier,
        category=incident.category,
        open=incident.status not in CLOSED_STATUSES,
        assigned_agency_ids=frozenset(a for _, a, _ in rows),
        assigned_unit_ids=frozenset(u for u, _, _ in rows),
        active_unit_ids=frozenset(u for u, _, active in rows if active),
    )


def scope_filter(scope: vis.IncidentScope) -> Q | None:
    """The scope's full-view part as one filter (None: everything)."""
    if scope.everything:
        return None
    units = Assignment.objects.filter(
        Q(unit__agency_id__in=scope.assigned_agency_ids) | Q(unit_id__in=scope.assigned_unit_ids)
    ).values("incident_id")
    q = Q(agency_id__in=scope.owner_agency_ids) | Q(pk__in=units)
    if scope.min_tier is not None:
        q |= Q(tier__gte=scope.min_tier)
    return q


def incidents_visible(
    user: Any, qs: QuerySet[Incident] | None = None, *, deidentified: bool = False
) -> QuerySet[Incident]:
    """The incidents ``user`` sees in full (with ``deidentified``: also those seen only
    de-identified, for analysts' exports)."""
    qs = Incident.objects.all() if qs is None else qs
    scope = vis.incident_scope(viewer_of(user))
    if deidentified and scope.deidentified_rest:
        return qs
    q = scope_filter(scope)
    if q is None:
        return qs
    if scope.nothing:
        return qs.none()
    return qs.filter(q)


def incident_access_for(user: Any, incident: Incident) -> vis.IncidentAccess:
    viewer = viewer_of(user)
    cached = getattr(incident, "_rr_access", None)  # decided once per request and viewer
    if cached is not None and cached[0] == viewer:
        return cached[1]  # type: ignore[no-any-return]
    everything = vis.incident_scope(viewer).everything and not viewer.unit_ids
    access = vis.incident_access(viewer, incident_facts_of(incident, with_units=not everything))
    incident._rr_access = (viewer, access)  # type: ignore[attr-defined]
    return access


def incident_for(user: Any, incident_id: int, *, deidentified: bool = False) -> Incident | None:
    """The incident if ``user`` may see it, else None, exactly as for a missing one."""
    incident = Incident.objects.select_related("agency").filter(pk=incident_id).first()
    if incident is None:
        return None
    level = incident_access_for(user, incident).level
    if level == vis.FULL or (deidentified and level == vis.DEIDENTIFIED):
        return incident
    return None


def may_act_on_incident(user: Any, incident: Incident) -> bool:
    return incident_access_for(user, incident).may_act


def may_act_on_unit(user: Any, unit: Unit) -> bool:
    return vis.may_set_unit_status(viewer_of(user), unit.pk, unit.agency_id)


def incident_read_audit(user: Any, incident: Incident, purpose: str, action: str = "read") -> None:
    """A read of an incident is a read about the people linked to it: one audit row per
    linked person (so it shows in each person's access log), or one without a person."""
    from rightresponse.accounts.services import audit_record

    person_ids = list(incident.person_links.values_list("person_id", flat=True).distinct())
    for person_id in person_ids or [None]:
        audit_record(user, action, "incident", incident.pk, person_id=person_id, purpose=purpose)
