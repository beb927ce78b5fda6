"""Idempotent API writes: a retried request returns the first response."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction

from ..errors import Invalid
from ..models import IdempotencyKey


def request_fingerprint(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def idempotent(
    user: Any, key: str | None, scope: str, write: Callable[[], tuple[int, Any]]
) -> tuple[int, Any]:
    """Run ``write`` once per (user, key): its response is stored in the same transaction
    as the write, so a retry returns the first result and does nothing twice. A key used
    for another request is refused (422)."""
    if not key:
        with transaction.atomic():
            return write()
    key = key.strip()[:100]
    stored = IdempotencyKey.objects.filter(user=user, key=key).first()
    if stored is not None:
        return _replay(stored, scope)
    try:
        with transaction.atomic():
            status, body = write()
            if status >= 400:  # a refused request can be corrected and retried
                return status, body
            IdempotencyKey.objects.create(
                user=user, key=key, scope=scope[:120], status_code=status,
                response=json.loads(json.dumps(body, default=str)),
            )  # fmt: skip
            return status, body
    except IntegrityError:
        stored = IdempotencyKey.objects.filter(user=user, key=key).first()
        if stored is None:
            raise
        return _replay(stored, scope)


def _replay(stored: IdempotencyKey, scope: str) -> tuple[int, Any]:
    if stored.scope != scope[:120]:
        raise Invalid(
            f"Idempotency-Key {stored.key!r} was used for another request ({stored.scope})"
        )
    return stored.status_code, stored.response
