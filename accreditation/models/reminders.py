"""Reminders after the award: annual reviews, re-accreditation, visit booking, expiry.

What is due when is computed from each award's dates with the rules in
:class:`ReminderSettings` (one row the KQM manager edits). Each reminder is stored
once, under a unique key (kind, recipient, award, due date, offset), so the daily
job can run twice, or catch up after a day beat was down, without sending twice.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords


class ReminderKind(models.TextChoices):
    ANNUAL_REVIEW_DUE = "annual_review_due", "Annual review due"
    ANNUAL_REVIEW_OVERDUE = "annual_review_overdue", "Annual review overdue"
    REACCREDITATION_ALERT = "reaccreditation_alert", "Re-accreditation begins"
    VISIT_TO_BOOK = "visit_to_book", "Re-accreditation visit to book"
    REQUIREMENTS_INCOMPLETE = "requirements_incomplete", "Re-accreditation requirements due"
    AWARD_EXPIRING = "award_expiring", "Award expiring"


def parse_weeks(text: str) -> list[int]:
    """``"8, 2"`` -> ``[8, 2]``; raises ValueError on anything else."""
    weeks = [int(part) for part in text.replace(" ", "").split(",") if part]
    if not weeks or any(week < 1 or week > 52 for week in weeks):
        raise ValueError(text)
    return sorted(set(weeks), reverse=True)


def validate_weeks(text: str) -> None:
    try:
        parse_weeks(text)
    except ValueError:
        raise ValidationError(
            "Enter whole numbers of weeks from 1 to 52, separated by commas, like 8, 2"
        ) from None


MONTH = [MinValueValidator(1), MaxValueValidator(12)]
DAY = [MinValueValidator(1), MaxValueValidator(31)]


class ReminderSettings(models.Model):
    """The rules the reminder dates follow; a single row (``ReminderSettings.load()``)."""

    review_weeks_before = models.CharField(
        "annual review reminders (weeks before the due date)",
        max_length=40,
        default="8, 2",
        validators=[validate_weeks],
        help_text="Whole weeks before each anniversary of the award, separated by commas.",
    )
    review_overdue_weeks = models.PositiveSmallIntegerField(
        "overdue reminder (weeks after the due date)",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    alert_month = models.PositiveSmallIntegerField(
        "re-accreditation alert month",
        default=1,
        validators=MONTH,
        help_text="Sent on the 1st of this month in the award's third year (1 is January).",
    )
    visit_month = models.PositiveSmallIntegerField(
        "visit booking reminder month",
        default=2,
        validators=MONTH,
        help_text="Sent on the 1st of this month, before the Spring visit.",
    )
    summer_term_end_month = models.PositiveSmallIntegerField(
        "Summer term ends (month)", default=7, validators=MONTH
    )
    summer_term_end_day = models.PositiveSmallIntegerField(
        "Summer term ends (day)", default=20, validators=DAY
    )
    requirements_weeks_before = models.PositiveSmallIntegerField(
        "requirements reminder (weeks before the end of the Summer term)",
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
    )
    expiry_weeks_before = models.PositiveSmallIntegerField(
        "expiry reminder (weeks before the award expires)",
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
    )
    catch_up_days = models.PositiveSmallIntegerField(
        "catch-up window (days)",
        default=28,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="A reminder missed (the job did not run) is still sent this many days late.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "reminder settings"
        verbose_name_plural = "reminder settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="reminder_settings_singleton")
        ]

    def __str__(self) -> str:
        return "Reminder settings"

    def clean(self) -> None:
        import calendar

        month, day = self.summer_term_end_month, self.summer_term_end_day
        if month and day and 1 <= month <= 12 and day <= 31:
            last = calendar.monthrange(2025, month)[1]
            if day > last:
                raise ValidationError(
                    {"summer_term_end_day": f"That month has {last} days; enter a day up to {last}"}
                )

    @classmethod
    def load(cls) -> ReminderSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    @property
    def review_weeks(self) -> list[int]:
        return parse_weeks(self.review_weeks_before)


class Reminder(models.Model):
    """One reminder to one person about one award's due date, sent once."""

    kind = models.CharField(max_length=30, choices=ReminderKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    award = models.ForeignKey(
        "accreditation.Award", on_delete=models.CASCADE, related_name="reminders"
    )
    due_date = models.DateField(help_text="The date the reminder is about.")
    offset = models.CharField(
        max_length=20, help_text="Which of the reminders for that date: 8w-before, 1w-after, on."
    )
    send_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    email_key = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["-send_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "award", "due_date", "offset"],
                name="one_reminder_per_key",
            )
        ]
        indexes = [models.Index(fields=["send_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.due_date:%-d %B %Y})"


class SkipReason(models.TextChoices):
    NO_RECIPIENT = "no_recipient", "The setting has no setting manager's account to send it to"
    ALREADY_SENT = "already_sent", "Already sent by an earlier run"
    REVIEW_SENT = "review_sent", "The setting has already sent in the annual review"


class ReminderRun(models.Model):
    """One run of the daily job: how many reminders it created and what it skipped, and why.

    Its reminders are those queued at ``ran_at``; their emails say how many were sent and
    how many failed.
    """

    ran_at = models.DateTimeField(db_index=True)
    ran_on = models.DateField(help_text="The day the run sent reminders up to.")
    created = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=dict, blank=True, help_text="Reason -> how many.")

    class Meta:
        ordering = ["-ran_at", "-pk"]

    def __str__(self) -> str:
        return f"Reminder run on {self.ran_on:%-d %B %Y}: {self.created} created"

    def skipped_reasons(self) -> list[tuple[str, int]]:
        """Each reason as a sentence, with how many reminders it held back."""
        labels = dict(SkipReason.choices)
        return [(labels.get(key, key), count) for key, count in self.skipped.items() if count]
