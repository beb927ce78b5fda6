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


class AuditedAdmin(admin.ModelAdmin):
    """An admin of personal data: the list shows only what the user's visibility allows
    (``visible_queryset``), every view is audited (one row per record shown, with the
    person it is about, so it appears in that person's access log), and records are
    read-only here: they change through the services, which enforce who may act."""

    def visible_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        return queryset

    def audited_person_id(self, obj) -> int | None:  # type: ignore[no-untyped-def]
        return None

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return self.visible_queryset(request, super().get_queryset(request))

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def _audit(self, request, obj, purpose: str) -> None:  # type: ignore[no-untyped-def]
        from .services import audit_record

        audit_record(
            request.user,
            "read",
            f"admin:{self.model._meta.label_lower}",
            obj.pk,
            person_id=self.audited_person_id(obj),
            purpose=purpose,
        )

    def changelist_view(self, request, extra_context=None):  # type: ignore[no-untyped-def]
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            for obj in changelist.result_list:
                self._audit(request, obj, "admin list")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):  # type: ignore[no-untyped-def]
        response = super().change_view(request, object_id, form_url, extra_context)
        original = getattr(response, "context_data", {}).get("original")
        if original is not None:
            self._audit(request, original, "admin view")
        return response
