"""Recommendation: what an incident needs and which units the core recommends for it
(the rule itself is ``core/dispatch/recommend.py``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.utils import timezone

from rightresponse.core.dispatch import (
    HoursError,
    IncidentNeed,
    Recommendation,
    UnitInfo,
    parse_hours,
    recommend,
    unit_choices,
)
from rightresponse.geo import selectors as geo

from .. import protocol as proto
from ..models import Incident, Unit, UnitMember

_parsed_hours = lru_cache(maxsize=2048)(parse_hours)


def _unit_infos(exclude_ids: set[int] | None = None) -> list[UnitInfo]:
    # A member's capabilities count while their shift is on (report ~1682: HR shift data).
    now = timezone.localtime(timezone.now()).replace(tzinfo=None)
    members: dict[int, set[str]] = {}
    for unit_id, caps, shift in UnitMember.objects.filter(
        active=True, unit__isnull=False
    ).values_list("unit_id", "capabilities", "shift"):
        try:
            on_shift = _parsed_hours(shift).open_at(now)
        except HoursError:
            on_shift = False
        if on_shift:
            members.setdefault(unit_id, set()).update(caps or [])
    infos = []
    for unit in Unit.objects.all():
        if exclude_ids and unit.pk in exclude_ids:
            continue
        infos.append(
            UnitInfo(
                id=unit.pk,
                call_sign=unit.call_sign,
                program=unit.program,
                kind=unit.kind,
                status=unit.status,
                hours=_parsed_hours(unit.service_hours),
                capabilities=frozenset(unit.capabilities or [])
                | frozenset(members.get(unit.pk, ())),
                areas=frozenset(unit.areas or []),
                polygon=tuple((float(p[0]), float(p[1])) for p in unit.polygon or []),
                latitude=unit.latitude,
                longitude=unit.longitude,
            )
        )
    return infos


def incident_need(incident: Incident, people: list[Any] | None = None) -> IncidentNeed:
    """What the incident needs; ``people``: its linked people when already in hand."""
    preferred: set[str] = set()
    if incident.call_type in proto.CRISIS_CALL_TYPES:
        preferred.add("CIT")
    if people is None:
        people = [link.person for link in incident.person_links.select_related("person")[:1]]
    person = people[0] if people else None
    if person is not None and person.preferred_language:
        preferred.add(f"lang:{person.preferred_language.strip().lower()[:3]}")
    zones = geo.program_zones(incident.latitude, incident.longitude)
    return IncidentNeed(
        tier=incident.tier if incident.tier is not None else 4,
        programs=tuple(incident.programs or ["police"]),
        at=timezone.localtime(timezone.now()).replace(tzinfo=None),
        area=incident.area,
        latitude=incident.latitude,
        longitude=incident.longitude,
        preferred_capabilities=frozenset(preferred),
        program_kinds=proto.program_kinds(),
        zoned_programs=zones.zoned,
        in_zones=zones.inside,
    )


def incident_recommend(
    incident: Incident,
    units: list[UnitInfo] | None = None,
    *,
    save: bool = True,
    busy: set[int] | None = None,
    people: list[Any] | None = None,
) -> Recommendation:
    """Recommend units now; by default keep the recommendation on the incident (what the
    dispatcher was shown, and what an override is measured against). ``busy`` (units on
    this incident) and ``people`` (its linked people) skip a read when the caller has them."""
    if busy is None:
        busy = set(incident.assignments.filter(active=True).values_list("unit_id", flat=True))
    infos = [u for u in (units if units is not None else _unit_infos()) if u.id not in busy]
    result = recommend(incident_need(incident, people), infos)
    data = result.to_dict()
    data["at"] = timezone.now().isoformat()
    if save:
        Incident.objects.filter(pk=incident.pk).update(recommendation=data)
    incident.recommendation = data
    return result


def incidents_refresh_recommendations(incidents: list[Incident]) -> None:
    """Fresh recommendations for the board (units load once), in memory only: a unit freed
    or taken a moment ago shows at once. Each incident also gets ``unit_choices``: every
    available unit, recommended first, so the dispatcher can always send someone."""
    units = _unit_infos()
    for incident in incidents:
        busy = {a.unit_id for a in getattr(incident, "active_assignments", [])}
        free = [u for u in units if u.id not in busy]
        need = incident_need(incident)
        result = recommend(need, free)
        data = result.to_dict()
        data["at"] = timezone.now().isoformat()
        incident.recommendation = data
        incident.unit_choices = [  # type: ignore[attr-defined]
            c.to_dict() for c in unit_choices(need, free, result)
        ]
