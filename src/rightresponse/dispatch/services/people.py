"""People on an incident: link a known person in a role."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from rightresponse.people.models import Person

from ..errors import Invalid, NotFound
from ..models import PersonLink
from ._base import _actor, _event, _locked_incident


@transaction.atomic
def incident_link_person(incident_id: int, person_id: int, role: str, actor: Any) -> PersonLink:
    incident = _locked_incident(incident_id)
    if role not in dict(PersonLink.ROLES):
        raise Invalid(f"role {role!r} is not one of {', '.join(dict(PersonLink.ROLES))}")
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound(f"person {person_id} does not exist")
    link, created = PersonLink.objects.get_or_create(
        incident=incident, person=person, role=role,
        defaults={"linked_by": _actor(actor), "linked_at": timezone.now()},
    )  # fmt: skip
    if created:
        _event(incident, actor, "person_link", to_value=f"{role}:{person.pk}")
    return link
