from django.contrib import admin

from rightresponse.accounts.admin import AuditedAdmin

from .models import Call


@admin.register(Call)
class CallAdmin(AuditedAdmin):
    """Calls of the user's agency (administrators: all), read-only, each view audited
    with the caller's person record when there is one."""

    list_display = (
        "id",
        "received_at",
        "call_type",
        "tier",
        "lead",
        "risk_band",
        "screened_out",
        "agency",
    )
    list_filter = ("tier", "lead", "risk_band", "screened_out", "channel", "agency")
    search_fields = ("call_type", "address", "area")
    readonly_fields = (
        "decision",
        "protocol_version",
        "tier",
        "lead",
        "risk_score",
        "risk_band",
        "screened_out",
        "triaged_at",
    )
    date_hierarchy = "received_at"

    def visible_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        from .selectors import calls_visible_to

        return queryset.filter(pk__in=calls_visible_to(request.user).values("pk"))

    def audited_person_id(self, obj):  # type: ignore[no-untyped-def]
        return obj.person_id
