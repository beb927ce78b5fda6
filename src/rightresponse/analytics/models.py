"""Imported calls-for-service datasets, their import runs and their analyses.

The calls themselves live in Parquet under VAR_DIR/analytics/<dataset>/ (queried with
Ibis); the database keeps what was imported, when, by whom, and each analysis summary.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Dataset(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    profile = models.CharField(max_length=100, help_text="Import profile name or file")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.title


class ImportRun(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="imports")
    file_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64, db_index=True)
    profile = models.CharField(max_length=100)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    rows_read = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_already_stored = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    # Rows imported with a problem reported (a negative interval, a time left empty).
    rows_flagged = models.PositiveIntegerField(default=0)
    rejects_path = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.file_name} -> {self.dataset.slug}"


class Analysis(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="analyses")
    created_at = models.DateTimeField(auto_now_add=True)
    protocol_version = models.CharField(max_length=50, blank=True)
    total_calls = models.PositiveIntegerField(default=0)
    out_dir = models.CharField(max_length=500, blank=True)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "analyses"

    def __str__(self) -> str:
        return f"{self.dataset.slug} at {self.created_at:%Y-%m-%d %H:%M}"
