"""Evaluators: profile, training, and the days they log against accreditations."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords


class EvaluatorProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evaluator_profile"
    )
    day_rate = models.DecimalField(
        "day rate (£)",
        max_digits=7,
        decimal_places=2,
        default=Decimal("105.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    capacity_days = models.DecimalField(
        "capacity (days a year)",
        max_digits=5,
        decimal_places=1,
        default=Decimal("40.0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["user__full_name"]

    def __str__(self) -> str:
        return str(self.user)


class TrainingSession(models.Model):
    """A KQM training session an evaluator attended (the seed: two half-day sessions)."""

    evaluator = models.ForeignKey(
        EvaluatorProfile, on_delete=models.CASCADE, related_name="training"
    )
    title = models.CharField(max_length=200)
    date = models.DateField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d %b %Y})"


class TimeEntry(models.Model):
    """Days (or half days) and expenses an evaluator logs against an accreditation."""

    accreditation = models.ForeignKey(
        "accreditation.Accreditation", on_delete=models.CASCADE, related_name="time_entries"
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries"
    )
    date = models.DateField()
    days = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("1.0"))],
        help_text="0.5 for a half day, 1.0 for a full day.",
    )
    expenses = models.DecimalField(
        "expenses (£)",
        max_digits=7,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    description = models.CharField(max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.days} days on {self.date:%d %b %Y}"
