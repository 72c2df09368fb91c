"""The end of the year: the evaluator's recommendation on a submitted accreditation.

The setting manager submits (in progress -> submitted); the evaluator then writes one
``Recommendation`` for that submission; the KQM manager decides (accredited, or not yet
met and back to in progress). The decision itself is the status change, with the
manager's feedback as its reason; the award holds the award date.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Outcome(models.TextChoices):
    ACCREDIT = "accredit", "Accredit"
    NOT_YET_MET = "not_yet_met", "Not yet met"


OUTCOME_COLOURS: dict[str, str] = {Outcome.ACCREDIT: "green", Outcome.NOT_YET_MET: "orange"}


class Recommendation(models.Model):
    """The evaluator's recommendation on one submission of an accreditation."""

    accreditation = models.ForeignKey(
        "accreditation.Accreditation", on_delete=models.CASCADE, related_name="recommendations"
    )
    submission = models.OneToOneField(
        "accreditation.AccreditationStatusChange",
        on_delete=models.CASCADE,
        related_name="recommendation",
        help_text="The move to “submitted” this recommendation answers.",
    )
    outcome = models.CharField("recommendation", max_length=20, choices=Outcome.choices)
    summary = models.TextField("summary of the evidence")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-written_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.accreditation})"

    @property
    def outcome_colour(self) -> str:
        return OUTCOME_COLOURS.get(self.outcome, "grey")
