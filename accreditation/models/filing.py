"""Records whose accreditation could not be determined when ownership became explicit.

Audits and questionnaire rounds used to be filed under a setting's most recently
created accreditation. The data migration re-filed every one whose owner its date
decides; the rest are listed here for the KQM manager, who files each by hand.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class FilingKind(models.TextChoices):
    AUDIT = "audit", "Audit"
    QUESTIONNAIRE_ROUND = "questionnaire_round", "Questionnaire round"


class UnfiledRecord(models.Model):
    kind = models.CharField(max_length=30, choices=FilingKind.choices)
    record_id = models.PositiveIntegerField()
    setting = models.ForeignKey("settings.Setting", on_delete=models.CASCADE, related_name="+")
    summary = models.CharField(max_length=300)
    reason = models.TextField(help_text="Why the migration could not decide.")
    created_at = models.DateTimeField(auto_now_add=True)
    filed_at = models.DateTimeField(null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["setting__name", "kind", "record_id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "record_id"], name="one_filing_per_record")
        ]

    def __str__(self) -> str:
        return self.summary
