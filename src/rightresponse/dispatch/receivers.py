"""Dispatch listens to triage: a triaged call that needs a field response becomes an
incident on the board, without triage importing dispatch."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from rightresponse.triage.models import Call

log = logging.getLogger(__name__)


@receiver(post_save, sender=Call, dispatch_uid="dispatch_call_triaged")
def call_saved(
    sender: Any, instance: Call, raw: bool = False, created: bool = False, **kwargs: Any
) -> None:
    if raw:  # fixtures and loaddata
        return
    from .services import call_triaged

    try:
        with transaction.atomic():
            call_triaged(instance, created=created)
    except Exception:  # dispatch must never make saving a call fail; the board shows it later
        log.exception("dispatch: could not create the incident for call %s", instance.pk)
