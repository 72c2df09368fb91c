"""Report exports built in the background by a Celery task, with progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being built"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ReportExport(models.Model):
    """One requested export: which report, in which format, with which filters."""

    report = models.CharField(max_length=40, help_text="Which report, e.g. outcomes.")
    format = models.CharField(max_length=10, help_text="csv or pdf.")
    params = models.JSONField(default=dict, blank=True, help_text="The report's filters.")
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    # Under MEDIA_ROOT/exports/, never served directly: downloads go through a view.
    file = models.FileField(upload_to="exports/", max_length=300, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_exports"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.report} ({self.format})"

    def get_absolute_url(self) -> str:
        return reverse("accreditation:report-export-detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.READY:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(100 * self.rows_done / self.rows_total))
