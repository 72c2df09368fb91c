"""An audit: one instrument version applied to one room/group of a setting on one occasion."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords


class Occasion(models.TextChoices):
    INITIAL = "initial", "Initial"
    END_OF_YEAR = "end_of_year", "End of year"
    REACCREDITATION = "reaccreditation", "Re-accreditation"
    OTHER = "other", "Other"


class AuditStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class Audit(models.Model):
    setting = models.ForeignKey("settings.Setting", on_delete=models.PROTECT, related_name="audits")
    accreditation = models.ForeignKey(
        "accreditation.Accreditation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audits",
    )
    version = models.ForeignKey(
        "audits.InstrumentVersion", on_delete=models.PROTECT, related_name="audits"
    )
    room = models.CharField("room or group", max_length=100)
    age_group = models.CharField(max_length=100, blank=True)
    occasion = models.CharField(max_length=20, choices=Occasion.choices)
    date = models.DateField()
    is_self_audit = models.BooleanField(
        default=False, help_text="Carried out by the setting rather than its evaluator."
    )
    observers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="audits_observed")
    status = models.CharField(
        max_length=20, choices=AuditStatus.choices, default=AuditStatus.IN_PROGRESS
    )
    # Inter-rater reliability: an independent second scoring points at the primary audit;
    # the agreed result is a consensus copy pointing at it too.
    paired_with = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="paired_copies"
    )
    is_consensus = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revision = models.PositiveIntegerField(
        default=0, help_text="Increases with every saved change; stale writes are refused."
    )

    history = HistoricalRecords(m2m_fields=[observers])

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["setting", "occasion", "-date"])]
        constraints = [
            # At most one independent second scoring and one consensus per audit.
            models.UniqueConstraint(
                fields=["paired_with", "is_consensus"],
                condition=models.Q(paired_with__isnull=False),
                name="one_copy_of_each_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} – {self.room}, {self.get_occasion_display()} {self.date:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("audits:audit-detail", args=[self.pk])

    @property
    def is_completed(self) -> bool:
        return self.status == AuditStatus.COMPLETED

    @property
    def is_second_observation(self) -> bool:
        """An independent scoring of the same room by a second observer."""
        return self.paired_with_id is not None and not self.is_consensus

    @property
    def is_primary(self) -> bool:
        return self.paired_with_id is None

    @property
    def kind_label(self) -> str:
        if self.is_consensus:
            return "Consensus"
        if self.is_second_observation:
            return "Second observation"
        return "Self-audit" if self.is_self_audit else "Evaluator audit"


class AuditStatusChange(models.Model):
    """Completing or reopening an audit: who, when, from, to and why."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=AuditStatus.choices)
    to_status = models.CharField(max_length=20, choices=AuditStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class ItemScore(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey("audits.Item", on_delete=models.PROTECT, related_name="+")
    score = models.SmallIntegerField(null=True, blank=True)
    not_applicable = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["audit", "item"], name="one_score_per_item"),
            models.CheckConstraint(
                condition=models.Q(not_applicable=False) | models.Q(score__isnull=True),
                name="na_has_no_score",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {'N/A' if self.not_applicable else self.score}"


class ReviewVerdict(models.TextChoices):
    AGREE = "agree", "Agree"
    ADJUST = "adjust", "Adjust"


class ItemReview(models.Model):
    """The evaluator's review of one self-rated item (the leadership audit).

    The setting's own rating stays in its ``ItemScore``; the agreed rating is the
    self rating when the evaluator agrees, or the evaluator's adjusted rating with
    a comment saying why.
    """

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="item_reviews")
    item = models.ForeignKey("audits.Item", on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(max_length=10, choices=ReviewVerdict.choices)
    agreed_score = models.SmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["audit", "item"], name="one_review_per_item"),
            models.CheckConstraint(
                condition=models.Q(verdict="agree") | ~models.Q(comment=""),
                name="adjusted_rating_has_a_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_verdict_display()}"


class AuditReview(models.Model):
    """The evaluator's review of a self-audit as a whole, and when it was finished."""

    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="review")
    staff_round = models.ForeignKey(
        "audits.QuestionnaireRound",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The staff questionnaire round the review drew on.",
    )
    summary = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Review of {self.audit}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None
