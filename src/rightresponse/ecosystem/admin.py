"""Admin for the directory and healing plans; referrals and consents are read-only here
(they change only through the services, which enforce who may act and audit it)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from rightresponse.accounts.admin import AuditedAdmin

from .models import (
    Consent,
    HealingAction,
    HealingPlan,
    Location,
    Organization,
    Referral,
    ReferralEvent,
    Schedule,
    Service,
)


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "agency")
    search_fields = ("name",)
    inlines = [LocationInline]


class ScheduleInline(admin.TabularInline):
    model = Schedule
    extra = 0


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "organization",
        "category",
        "subcategory",
        "status",
        "capacity_available",
    )
    list_filter = ("category", "status", "is_victim_service")
    search_fields = ("name", "organization__name")
    filter_horizontal = ("locations",)
    inlines = [ScheduleInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = (
        "pk",
        "source",
        "service",
        "to_agency",
        "status",
        "created_at",
        "is_second_response",
    )
    list_filter = ("status", "source", "is_second_response")
    inlines = [ReferralEventInline]
    exclude = ("person", "reason", "family_name")  # personal data stays behind consent

    def get_queryset(self, request: HttpRequest) -> Any:
        """Referrals the user's agency sent or received; administrators: all."""
        from django.db.models import Q

        from rightresponse.accounts.roles import ADMINISTRATOR
        from rightresponse.accounts.selectors import user_agency, user_has_role

        qs = super().get_queryset(request)
        if user_has_role(request.user, ADMINISTRATOR):
            return qs
        agency = user_agency(request.user)
        if agency is None:
            return qs.none()
        return qs.filter(Q(to_agency=agency) | Q(from_agency=agency))


@admin.register(Consent)
class ConsentAdmin(AuditedAdmin):
    """Consents of people the user may open; each view audited in the person's log."""

    list_display = ("pk", "person_id", "valid_from", "valid_until", "revoked_at", "captured_by")
    exclude = ("person",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def visible_queryset(self, request: HttpRequest, queryset: Any) -> Any:
        from .sharing import people_visible

        return queryset.filter(person__in=people_visible(request.user))

    def audited_person_id(self, obj: Any) -> int | None:
        return int(obj.person_id)


class HealingActionInline(admin.TabularInline):
    model = HealingAction
    extra = 1


@admin.register(HealingPlan)
class HealingPlanAdmin(admin.ModelAdmin):
    list_display = ("title", "level", "lead_agency", "created_at")
    inlines = [HealingActionInline]
