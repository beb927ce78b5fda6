from django.contrib import admin

from .models import Analysis, Dataset, ImportRun


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ("slug", "title", "profile", "created_at")


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = (
        "file_name",
        "dataset",
        "started_at",
        "rows_read",
        "rows_imported",
        "rows_rejected",
    )
    list_filter = ("dataset",)
    readonly_fields = [f.name for f in ImportRun._meta.fields]


@admin.register(Analysis)
class AnalysisAdmin(admin.ModelAdmin):
    list_display = ("dataset", "created_at", "total_calls", "protocol_version")
    exclude = ("summary",)
