"""Reactions to other pillars' signals, connected in EcosystemConfig.ready()."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from .models import Referral, Service
from .services import second_response_create

log = logging.getLogger(__name__)


def on_incident_closed(
    sender: Any,
    *,
    incident_id: int,
    call_type: str | None = None,
    category: str | None = None,
    person_ids: list[int] | None = None,
    agency_id: int | None = None,
    closed_at: datetime,
    closed_by: Any = None,
    call_id: int | None = None,
    **_: Any,
) -> None:
    """Second response (report ~1986-1996): follow up after a crisis or a crime.

    A failure here must not undo or break the incident's close, which has already
    committed; it is logged for the operators instead."""
    try:
        second_response_create(
            incident_id=incident_id,
            call_type=call_type,
            category=category,
            person_ids=person_ids,
            agency_id=agency_id,
            closed_at=closed_at,
            closed_by=closed_by,
            call_id=call_id,
        )
    except Exception:
        log.exception("second response for incident %s failed", incident_id)


@receiver(post_save, sender=Service, dispatch_uid="facts_stamp_service")
def service_saved(sender: Any, instance: Service, **kwargs: Any) -> None:
    """A service's category and subcategory are facts of every referral to it: stamp them
    so the metrics' facts snapshot re-reads them."""
    Referral.objects.filter(service_id=instance.pk).update(facts_changed_at=timezone.now())
