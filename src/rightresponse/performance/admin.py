from django.contrib import admin

from .models import ActionItem, CitiStatMeeting, EnteredValue, MetricTarget


@admin.register(EnteredValue)
class EnteredValueAdmin(admin.ModelAdmin):
    list_display = (
        "metric_id",
        "period_start",
        "period_end",
        "area",
        "group",
        "value",
        "entered_by",
        "entered_at",
    )
    list_filter = ("metric_id",)
    readonly_fields = ("entered_by", "entered_at", "source")


@admin.register(MetricTarget)
class MetricTargetAdmin(admin.ModelAdmin):
    list_display = ("metric_id", "scope", "scope_name", "baseline", "target", "updated_by")


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    fk_name = "meeting"
    extra = 0


@admin.register(CitiStatMeeting)
class CitiStatMeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "committee", "held_on", "period_start", "period_end")
    inlines = [ActionItemInline]
