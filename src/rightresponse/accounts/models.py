"""Tenancy (agencies), role membership, API tokens and the audit log."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models

from .roles import AGENCY_KINDS


class Agency(models.Model):
    """A tenant: a police department, the 911 center, a civilian program, a county
    department or a community organisation. Records belong to an agency; sharing
    across agencies follows explicit rules and consent."""

    slug = models.SlugField(unique=True, max_length=60)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, choices=list(AGENCY_KINDS.items()))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """Which agency a user works for. Roles are the user's auth groups."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="members")
    title = models.CharField(max_length=120, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.agency})"


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A per-user API token. Only its SHA-256 digest is stored; the key is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, default="api")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="First characters, to recognise a token.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Set at creation from settings.API_TOKEN_LIFETIME; a token past it is refused (401).
    expires_at = models.DateTimeField(db_index=True)
    revoked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class AuditEvent(models.Model):
    """Every read or share of personal data, and every sensitive write.

    A person's record can list who looked at it, when and why (report "System
    Integration", ~1668-1690; issue 6: consent and sharing)."""

    READ = "read"
    SHARE = "share"
    WRITE = "write"
    EXPORT = "export"
    ACTIONS = [(READ, "read"), (SHARE, "share"), (WRITE, "write"), (EXPORT, "export")]

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_agency = models.ForeignKey(Agency, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=10, choices=ACTIONS)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    purpose = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    # Supervisors are told of this read (an emergency look without consent: issue 10).
    alert = models.BooleanField(default=False, db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type}:{self.object_id}"
