from django.contrib import admin

from .models import Agency, ApiToken, AuditEvent, Profile


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "title"]
    list_filter = ["agency"]
    search_fields = ["user__username", "user__last_name"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "expires_at", "last_used_at", "revoked"]
    readonly_fields = ["digest", "prefix", "created_at", "expires_at", "last_used_at"]
    list_filter = ["revoked"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is evidence and is never edited."""

    list_display = ["at", "actor", "actor_agency", "action", "object_type", "object_id", "purpose"]
    list_filter = ["action", "object_type", "actor_agency"]
    search_fields = ["object_id", "actor__username", "purpose"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
