"""Cohorts: the settings working towards the mark in one programme year."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords


class Cohort(models.Model):
    name = models.CharField(max_length=100, unique=True, help_text="For example “2026 cohort”.")
    programme_year = models.PositiveIntegerField(
        help_text="The year the programme starts, for example 2026."
    )
    start_date = models.DateField()
    end_date = models.DateField()
    capacity = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="How many settings it can take."
    )
    applications_open = models.BooleanField(
        default=False, help_text="Setting managers can apply while this is on."
    )
    days_per_setting = models.DecimalField(
        "evaluator days per setting",
        max_digits=5,
        decimal_places=1,
        default=Decimal("8.0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="The evaluator-time budget for each accreditation in this cohort.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-programme_year", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValidationError({"end_date": "The end date must be after the start date."})

    def get_absolute_url(self) -> str:
        return reverse("accreditation:cohort-detail", args=[self.pk])


class NetworkMeeting(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField()
    topic = models.CharField(max_length=200)
    venue = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.topic} ({self.date:%d %b %Y})"


class Attendance(models.TextChoices):
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Did not attend"


class MeetingAttendance(models.Model):
    meeting = models.ForeignKey(NetworkMeeting, on_delete=models.CASCADE, related_name="attendance")
    setting = models.ForeignKey("settings.Setting", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Attendance.choices)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "setting"], name="one_attendance_per_setting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.setting} – {self.get_status_display()}"
