"""Reads of the ecosystem pillar: directory search, referral lists, overdue flags and the
referral facts that feed the metrics (contract 4)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from rightresponse.accounts.selectors import user_agency
from rightresponse.core.ecosystem.referrals import OPEN, OverdueRules, ReferralClock, overdue_reason
from rightresponse.core.ecosystem.schedule import ScheduleError, WeeklyHours, open_now

from .models import Referral, Service

User = AbstractBaseUser | AnonymousUser
OVERDUE_RULES = OverdueRules()


@dataclass(frozen=True)
class SearchCriteria:
    need: str = ""
    area: str = ""
    language: str = ""
    open_now: bool = False
    age: int | None = None
    category: str = ""
    has_capacity: bool = False
    text: str = ""


@dataclass
class ServiceHit:
    service: Service
    open_now: bool | None  # None: no schedule published

    @property
    def capacity_label(self) -> str:
        s = self.service
        if s.capacity_available is None:
            return "capacity not published"
        of = f" of {s.capacity_maximum}" if s.capacity_maximum is not None else ""
        unit = s.capacity_unit or "places"
        return f"{s.capacity_available}{of} {unit} free"


def service_is_open(service: Service, at: datetime) -> bool | None:
    rows = list(service.schedules.all())
    if not rows:
        return None
    hours = []
    for row in rows:
        try:
            hours.append(
                WeeklyHours.parse(row.byday, row.opens_at.isoformat(), row.closes_at.isoformat())
            )
        except ScheduleError:
            continue
    return open_now(hours, at)


def services_search(criteria: SearchCriteria, at: datetime | None = None) -> list[ServiceHit]:
    """Active services matching need, area, language, age and category; open now on request.

    Services with free capacity come first, then the rest by name."""
    qs = Service.objects.filter(status="active")
    if criteria.category:
        qs = qs.filter(category=criteria.category)
    if criteria.age is not None:
        qs = qs.filter(Q(minimum_age__isnull=True) | Q(minimum_age__lte=criteria.age))
        qs = qs.filter(Q(maximum_age__isnull=True) | Q(maximum_age__gte=criteria.age))
    if criteria.has_capacity:
        qs = qs.filter(capacity_available__gt=0)
    if criteria.text:
        qs = qs.filter(
            Q(name__icontains=criteria.text)
            | Q(description__icontains=criteria.text)
            | Q(organization__name__icontains=criteria.text)
        )
    # The JSON list filters run in Python over a light first pass (portable across SQLite
    # and PostgreSQL); only the matches are loaded whole with their schedules.
    wanted = [
        pk
        for pk, needs, subcategory, areas, languages in qs.values_list(
            "pk", "needs", "subcategory", "areas", "languages"
        )
        if (not criteria.need or criteria.need in needs or criteria.need == subcategory)
        and (not criteria.area or not areas or _area_matches(criteria.area, areas))
        and (not criteria.language or criteria.language in languages)
    ]
    local = timezone.localtime(at or timezone.now())
    hits = []
    for service in (
        Service.objects.filter(pk__in=wanted)
        .select_related("organization")
        .prefetch_related("schedules", "locations")
        .order_by("name")
    ):
        is_open = service_is_open(service, local)
        if criteria.open_now and not is_open:
            continue
        hits.append(ServiceHit(service, is_open))
    hits.sort(key=lambda h: 0 if (h.service.capacity_available or 0) > 0 else 1)
    return hits


def _area_matches(area: str, areas: list[str]) -> bool:
    wanted = area.strip().lower()
    return any(a.lower() in (wanted, "citywide") for a in areas)


def known_areas() -> list[str]:
    areas: set[str] = set()
    for values in Service.objects.values_list("areas", flat=True):
        areas.update(values or [])
    return sorted(areas)


def language_name(code: str) -> str:
    """ "so" -> "Somali", "hmn" -> "Hmong" (ISO 639); an unknown code is shown as given."""
    import pycountry

    code = (code or "").strip().lower()
    found = (
        pycountry.languages.get(alpha_2=code)
        if len(code) == 2
        else pycountry.languages.get(alpha_3=code)
        if len(code) == 3
        else None
    )
    return str(found.name) if found is not None else code


def known_languages() -> list[str]:
    codes: set[str] = set()
    for values in Service.objects.values_list("languages", flat=True):
        codes.update(values or [])
    return sorted(codes)


# ------------------------------------------------------------------ referrals


def _referrals() -> QuerySet[Referral]:
    return Referral.objects.select_related(
        "service", "service__organization", "to_agency", "from_agency", "person", "created_by"
    )


def referrals_sent_by(user: User) -> QuerySet[Referral]:
    """The referrer's view: referrals its agency sent, with their status."""
    agency = user_agency(user)
    if agency is None:
        return Referral.objects.none()
    return _referrals().filter(from_agency=agency).exclude(to_agency=agency)


def referrals_inbox(user: User, *, open_only: bool = False) -> QuerySet[Referral]:
    """The provider's inbox: only referrals sent to the user's own agency."""
    agency = user_agency(user)
    if agency is None:
        return Referral.objects.none()
    qs = _referrals().filter(to_agency=agency).exclude(status="draft")
    if open_only:
        qs = qs.filter(status__in=OPEN)
    return qs


def referral_for(user: User, referral_id: int) -> Referral | None:
    """A referral the user's agency sent or received; None for anyone else."""
    agency = user_agency(user)
    if agency is None:
        return None
    return (
        _referrals()
        .filter(pk=referral_id)
        .filter(Q(to_agency=agency) | Q(from_agency=agency))
        .first()
    )


def referral_overdue(referral: Referral, now: datetime | None = None) -> str | None:
    clock = ReferralClock(
        status=referral.status,
        requested_at=referral.requested_at,
        accepted_at=referral.accepted_at,
        first_contact_at=referral.first_contact_at,
        due_at=referral.due_at,
    )
    return overdue_reason(clock, now or timezone.now(), OVERDUE_RULES)


def referrals_for_incident(incident_id: int) -> QuerySet[Referral]:
    return _referrals().filter(incident_id=incident_id)


# ------------------------------------------------------------------ facts (contract 4)


FACT_FIELDS = (
    "pk",
    "incident_id",
    "source",
    "incident_category",
    "service_id",
    "service__category",
    "service__subcategory",
    "created_at",
    "accepted_at",
    "first_contact_at",
    "completed_at",
    "status",
    "outcome_reason",
    "is_second_response",
    "reached",
    "connected",
)


def referral_facts(
    start: datetime | None = None, end: datetime | None = None
) -> list[dict[str, Any]]:
    """One row per referral created in [start, end): no personal data, so the metrics,
    funders and dashboards get facts to aggregate, never a person (VAWA/FVPSA/VOCA)."""
    qs = Referral.objects.all()
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lt=end)
    return _fact_rows(qs)


def referral_facts_changed(
    since: datetime | None = None, ids: Iterable[int] | None = None
) -> list[dict[str, Any]]:
    """The rows of ``referral_facts`` for the referrals whose facts changed at or after
    ``since`` (``Referral.facts_changed_at``; all when None), or with these ``ids``, for
    the metrics' facts snapshot (performance.facts_snapshot)."""
    if ids is not None:
        return _fact_rows(Referral.objects.filter(pk__in=list(ids)), ordered=False)
    if since is None:
        return _fact_rows(Referral.objects.all())
    # Unordered (the snapshot sorts): the database reads the few rows by the stamp's index.
    return _fact_rows(Referral.objects.filter(facts_changed_at__gte=since), ordered=False)


def referral_ids() -> list[int]:
    return list(Referral.objects.order_by().values_list("pk", flat=True))


def referral_facts_totals() -> tuple[int, int]:
    """How many referrals there are and the sum of their ids (a deletion changes them)."""
    totals = Referral.objects.aggregate(count=Count("pk"), ids=Sum("pk"))
    return int(totals["count"] or 0), int(totals["ids"] or 0)


def _fact_rows(qs: QuerySet[Referral], *, ordered: bool = True) -> list[dict[str, Any]]:
    qs = qs.order_by("created_at", "pk") if ordered else qs.order_by()
    rows = []
    for (
        pk,
        incident_id,
        source,
        incident_category,
        service_id,
        category,
        subcategory,
        created_at,
        accepted_at,
        first_contact_at,
        completed_at,
        status,
        outcome_reason,
        is_second_response,
        reached,
        connected,
    ) in qs.values_list(*FACT_FIELDS).iterator(chunk_size=5000):
        rows.append(
            {
                "referral_id": pk,
                "incident_id": incident_id,
                "source": source,
                "incident_category": incident_category or None,
                "service_id": str(service_id) if service_id else None,
                "service_category": category or None,
                "subcategory": subcategory or None,
                "created_at": created_at,
                "accepted_at": accepted_at,
                "first_contact_at": first_contact_at,
                "completed_at": completed_at,
                "status": status,
                "outcome_reason": outcome_reason or None,
                "is_second_response": is_second_response,
                "reached": reached if is_second_response else None,
                "connected": connected if is_second_response else None,
            }
        )
    return rows
