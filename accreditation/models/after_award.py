"""After the award: annual reviews, half-day workshops and re-accreditation.

An award is reviewed on each anniversary before its expiry (``AnnualReview``, one
row per award and year, created by ``ensure_annual_reviews``). In the award's third
year the setting is re-accredited (``Reaccreditation``): seven requirements, each
with evidence, linked records and a met / not met judgement, a visit, and a decision
that renews the award (a new ``Award`` whose ``previous_award`` is the old one) or
lets it lapse. One requirement is attending a half-day ``Workshop``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords


class ReviewStatus(models.TextChoices):
    DUE = "due", "Not submitted"
    SUBMITTED = "submitted", "Submitted"
    MORE_REQUESTED = "more_requested", "More information asked for"
    SIGNED_OFF = "signed_off", "Signed off"


REVIEW_STATUS_COLOURS = {
    ReviewStatus.DUE: "grey",
    ReviewStatus.SUBMITTED: "purple",
    ReviewStatus.MORE_REQUESTED: "orange",
    ReviewStatus.SIGNED_OFF: "green",
}

# A review counts as done for reminders once the setting has sent it in.
SENT_REVIEW_STATUSES = frozenset({ReviewStatus.SUBMITTED, ReviewStatus.SIGNED_OFF})


class AnnualReview(models.Model):
    """The setting's short review on one anniversary of its award."""

    award = models.ForeignKey(
        "accreditation.Award", on_delete=models.CASCADE, related_name="annual_reviews"
    )
    year = models.PositiveSmallIntegerField(help_text="1 for the first anniversary, 2 the second.")
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DUE)
    plan_progress = models.TextField("progress on the improvement plan", blank=True)
    manager_changed = models.BooleanField("the setting has a new manager", default=False)
    staff_changes = models.TextField("changes of manager or staff", blank=True)
    latest_inspection = models.ForeignKey(
        "settings.Inspection",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The latest Ofsted inspection when the review was sent.",
    )
    ofsted_comment = models.TextField("what the latest inspection said", blank=True)
    leuven_summary = models.TextField("well-being and involvement summary", blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    feedback = models.TextField(blank=True, help_text="Why more is needed, or a sign-off note.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["award", "year"], name="one_review_per_award_year")
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"Annual review {self.year} of {self.award}"

    def get_absolute_url(self) -> str:
        return reverse("accreditation:annual-review-detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return REVIEW_STATUS_COLOURS[ReviewStatus(self.status)]

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status not in SENT_REVIEW_STATUSES and today > self.due_date


class Workshop(models.Model):
    """A half-day re-accreditation workshop that settings book places on."""

    title = models.CharField(max_length=200, default="Re-accreditation workshop")
    date = models.DateField()
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    venue = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    capacity = models.PositiveSmallIntegerField(
        "places", validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    notes = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="workshop_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}, {self.date:%-d %B %Y} ({self.venue})"

    def get_absolute_url(self) -> str:
        return reverse("accreditation:workshop-detail", args=[self.pk])

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class WorkshopBooking(models.Model):
    """A setting's place on a workshop; attendance is recorded afterwards."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="bookings")
    setting = models.ForeignKey(
        "settings.Setting", on_delete=models.PROTECT, related_name="workshop_bookings"
    )
    attendee_name = models.CharField("who will attend", max_length=150)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attended = models.BooleanField(null=True, blank=True, help_text="Blank until recorded.")
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["workshop__date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "setting"],
                condition=models.Q(cancelled_at__isnull=True),
                name="one_live_booking_per_setting_and_workshop",
            )
        ]

    def __str__(self) -> str:
        return f"{self.setting} at {self.workshop}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class ReaccreditationStatus(models.TextChoices):
    OPEN = "open", "In progress"
    SUBMITTED = "submitted", "Submitted"
    REACCREDITED = "reaccredited", "Re-accredited"
    LAPSED = "lapsed", "Lapsed"


REACCREDITATION_STATUS_COLOURS = {
    ReaccreditationStatus.OPEN: "light-blue",
    ReaccreditationStatus.SUBMITTED: "purple",
    ReaccreditationStatus.REACCREDITED: "green",
    ReaccreditationStatus.LAPSED: "red",
}


class Reaccreditation(models.Model):
    """Renewing one award in its third year."""

    award = models.OneToOneField(
        "accreditation.Award",
        on_delete=models.PROTECT,
        related_name="reaccreditation",
        help_text="The award being renewed.",
    )
    accreditation = models.ForeignKey(
        "accreditation.Accreditation", on_delete=models.PROTECT, related_name="reaccreditations"
    )
    setting = models.ForeignKey(
        "settings.Setting", on_delete=models.PROTECT, related_name="reaccreditations"
    )
    status = models.CharField(
        max_length=20, choices=ReaccreditationStatus.choices, default=ReaccreditationStatus.OPEN
    )
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    visit = models.ForeignKey(
        "accreditation.Visit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The re-accreditation visit.",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(blank=True)
    new_award = models.OneToOneField(
        "accreditation.Award",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewal_of",
        help_text="The award granted by re-accreditation.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return f"Re-accreditation of {self.award}"

    def get_absolute_url(self) -> str:
        return reverse("accreditation:reaccreditation-detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return REACCREDITATION_STATUS_COLOURS[ReaccreditationStatus(self.status)]

    @property
    def is_open(self) -> bool:
        return self.status in (ReaccreditationStatus.OPEN, ReaccreditationStatus.SUBMITTED)


class RequirementKind(models.TextChoices):
    """The seven re-accreditation requirements, in the order the task list shows them."""

    ENTRY_CRITERIA = "entry_criteria", "Entry criteria still met"
    ECERS_AUDIT = "ecers_audit", "A new ECERS audit"
    LEADERSHIP_AUDIT = "leadership_audit", "A new leadership audit"
    IMPROVEMENT_PLAN = "improvement_plan", "An up-to-date improvement plan"
    SELF_EVALUATION = "self_evaluation", "Ongoing self-evaluation evidence"
    WELLBEING_ACCOUNT = (
        "wellbeing_account",
        ("A reflective account of children's well-being and involvement, with progress data"),
    )
    WORKSHOP = "workshop", "Attendance at a half-day workshop"


class Judgement(models.TextChoices):
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"


def requirement_upload_path(instance: Requirement, filename: str) -> str:
    return f"reaccreditation/{instance.reaccreditation_id}/{instance.kind}/{filename}"


class Requirement(models.Model):
    """One of the seven requirements of a re-accreditation."""

    reaccreditation = models.ForeignKey(
        Reaccreditation, on_delete=models.CASCADE, related_name="requirements"
    )
    kind = models.CharField(max_length=30, choices=RequirementKind.choices)
    evidence = models.TextField("the setting's evidence", blank=True)
    evidence_file = models.FileField(upload_to=requirement_upload_path, max_length=300, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    audit = models.ForeignKey(
        "audits.Audit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The new ECERS or leadership audit.",
    )
    booking = models.ForeignKey(
        WorkshopBooking, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    judgement = models.CharField(max_length=10, choices=Judgement.choices, blank=True)
    judgement_note = models.TextField(blank=True)
    judged_at = models.DateTimeField(null=True, blank=True)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reaccreditation", "kind"], name="one_requirement_of_each_kind"
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_met(self) -> bool:
        return self.judgement == Judgement.MET
