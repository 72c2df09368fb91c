"""A setting's application to join a cohort, judged against the entry criteria."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords


class EntryCriterion(models.Model):
    """An entry criterion (strong practice, reflective practitioners, autonomy) and its question."""

    code = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=100)
    question = models.TextField(help_text="What the setting manager is asked to show.")
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "title"]
        verbose_name_plural = "entry criteria"

    def __str__(self) -> str:
        return self.title


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WAITLISTED = "waitlisted", "Waiting list"


OPEN_APPLICATION_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.WAITLISTED)


class Application(models.Model):
    setting = models.ForeignKey(
        "settings.Setting", on_delete=models.CASCADE, related_name="applications"
    )
    cohort = models.ForeignKey(
        "accreditation.Cohort", on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(
        max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["setting", "cohort"], name="one_application_per_cohort")
        ]

    def __str__(self) -> str:
        return f"{self.setting} → {self.cohort}"

    def get_absolute_url(self) -> str:
        return reverse("accreditation:application-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPLICATION_STATUSES


class CriterionJudgement(models.TextChoices):
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"


class ApplicationAnswer(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(EntryCriterion, on_delete=models.PROTECT, related_name="+")
    answer = models.TextField()
    judgement = models.CharField(max_length=10, choices=CriterionJudgement.choices, blank=True)
    judgement_note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["criterion__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion"], name="one_answer_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.get_judgement_display() or 'not judged'}"


def evidence_path(instance: ApplicationEvidence, filename: str) -> str:
    return f"evidence/applications/{instance.application_id}/{filename}"


class ApplicationEvidence(models.Model):
    """An evidence file; served only through a permission-checked view."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=evidence_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.title


class ConcurrentApplicationAllowance(models.Model):
    """The KQM manager lets a setting apply to a cohort while another journey is live.

    A setting has one live accreditation at a time; this records the exception, who made
    it and why, so the audit trail explains two live accreditations.
    """

    setting = models.ForeignKey("settings.Setting", on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey("accreditation.Cohort", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    allowed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    allowed_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["setting", "cohort"], name="one_allowance_per_cohort")
        ]

    def __str__(self) -> str:
        return f"{self.setting} may apply to {self.cohort}"
