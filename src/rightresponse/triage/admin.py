from django.contrib import admin

from .models import Call


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
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
