"""Every write to a record an incident's facts derive from stamps the incident
(``Incident.facts_changed_at``), so the metrics' facts snapshot re-reads exactly the
incidents that changed. (A call becomes its incident in the intake action,
``intake/services.py``, not here: a receiver that swallowed errors could lose one.)"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from rightresponse.people.models import Person
from rightresponse.triage.models import Call

from .models import (
    Assignment,
    Disposition,
    EligibleNotServed,
    Incident,
    PersonLink,
    Unit,
    UseOfForceReport,
)


def _stamp(**filters: Any) -> None:
    Incident.objects.filter(**filters).update(facts_changed_at=timezone.now())


# Records whose every change (a disposition, a reassignment, a force report, a
# not-served record, a person link) can change the incident's facts.
_PARTS = (Assignment, Disposition, EligibleNotServed, PersonLink, UseOfForceReport)


def part_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    _stamp(pk=instance.incident_id)


for _model in _PARTS:
    post_save.connect(part_changed, sender=_model, dispatch_uid=f"facts_stamp_{_model.__name__}")
    post_delete.connect(part_changed, sender=_model, dispatch_uid=f"facts_del_{_model.__name__}")


@receiver(post_save, sender=Person, dispatch_uid="facts_stamp_person")
def person_saved(sender: Any, instance: Person, **kwargs: Any) -> None:
    """Demographics feed the equity breakdowns of every incident the person is linked to."""
    _stamp(person_links__person_id=instance.pk)


@receiver(post_save, sender=Call, dispatch_uid="facts_stamp_call")
def call_changed(sender: Any, instance: Call, created: bool = False, **kwargs: Any) -> None:
    """The caller's phone is the repeat-caller key. A new call's incident, if any, was
    just created with a fresh stamp: no update on the call taker's hot path."""
    if not created:
        _stamp(call_id=instance.pk)


@receiver(post_save, sender=Unit, dispatch_uid="facts_stamp_unit")
def unit_saved(sender: Any, instance: Unit, update_fields: Any = None, **kwargs: Any) -> None:
    """A unit's program is the responder type of the incidents it served first. The
    dispatch services save units with ``update_fields`` (status only): nothing to stamp."""
    if update_fields is None or "program" in update_fields:
        _stamp(assignments__unit_id=instance.pk)
