"""Admin for dispatch records. Events, dispositions and force reports are read-only here:
they are the record of what happened, changed only through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import (
    Assignment,
    EligibleNotServed,
    Incident,
    IncidentEvent,
    LocationHazard,
    Unit,
    UnitMember,
    UseOfForceReport,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class MemberInline(admin.TabularInline):
    model = UnitMember
    extra = 0
    fields = ("employee_id", "name", "user", "capabilities", "shift", "active")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("call_sign", "agency", "program", "kind", "status", "service_hours")
    list_filter = ("program", "kind", "status", "agency")
    search_fields = ("call_sign",)
    inlines = [MemberInline]


@admin.register(UnitMember)
class UnitMemberAdmin(admin.ModelAdmin):
    list_display = ("name", "employee_id", "agency", "unit", "shift", "active")
    list_filter = ("agency", "active")
    search_fields = ("name", "employee_id")


class EventInline(admin.TabularInline):
    model = IncidentEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "kind", "unit", "from_value", "to_value", "reason")

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnly):
    list_display = ("id", "call_type", "tier", "lead", "status", "priority", "received_at")
    list_filter = ("status", "tier", "lead", "escalated", "area")
    inlines = [EventInline]

    def get_queryset(self, request: Any) -> Any:
        # The incidents the user's agency may see (core.visibility); administrators: all.
        from .access import incidents_visible

        return incidents_visible(request.user, super().get_queryset(request))


@admin.register(Assignment)
class AssignmentAdmin(ReadOnly):
    list_display = ("incident", "unit", "active", "primary", "recommended", "assigned_at")
    list_filter = ("active", "recommended")


@admin.register(UseOfForceReport)
class UseOfForceAdmin(ReadOnly):
    list_display = ("incident", "force_type", "unit", "subject_injured", "reported_at")


@admin.register(EligibleNotServed)
class EligibleNotServedAdmin(ReadOnly):
    list_display = ("incident", "program", "reason", "area", "recorded_at")
    list_filter = ("reason", "program", "area")


@admin.register(LocationHazard)
class LocationHazardAdmin(admin.ModelAdmin):
    list_display = ("flag", "address", "agency", "radius_m", "active")
    list_filter = ("active", "agency")
