"""Who may see and do what on an incident, beyond the role check at the endpoint."""

from __future__ import annotations

from typing import Any

from rightresponse.accounts import roles as r
from rightresponse.accounts.selectors import user_has_role

from .models import Incident, Unit

# Hazard details (not just the flag) and person details: report ~1674-1680, least information.
HAZARD_DETAIL_ROLES = (r.SUPERVISOR,)
PERSON_DETAIL_ROLES = (r.DISPATCHER, r.SUPERVISOR, r.CALL_TAKER)


def is_field_only(user: Any) -> bool:
    """A responder without a dispatching role acts only on their own unit's incidents."""
    return not user_has_role(user, r.DISPATCHER, r.SUPERVISOR, r.CALL_TAKER)


def user_units(user: Any) -> list[int]:
    return list(
        Unit.objects.filter(members__user=user, members__active=True).values_list("pk", flat=True)
    )


def may_act_on_incident(user: Any, incident: Incident) -> bool:
    if not is_field_only(user):
        return True
    return incident.assignments.filter(unit_id__in=user_units(user)).exists()


def may_act_on_unit(user: Any, unit: Unit) -> bool:
    return not is_field_only(user) or unit.pk in user_units(user)
