"""The accreditation: one setting's journey in one cohort, and its status pipeline.

The status changes only through :meth:`Accreditation.transition`, which checks the
move against the pipeline's table (``accreditation.pipeline``) and writes an
``AccreditationStatusChange`` row (who, when, from, to, why). Saving a changed status
any other way raises. Services move the status with ``accreditation.pipeline.move``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Status(models.TextChoices):
    APPLIED = "applied", "Applied"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WAITLISTED = "waitlisted", "Waiting list"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    ACCREDITED = "accredited", "Accredited"
    NOT_YET_MET = "not_yet_met", "Not yet met"
    WITHDRAWN = "withdrawn", "Withdrawn"
    REVIEW_DUE = "review_due", "Annual review due"
    REVIEWED = "reviewed", "Reviewed"
    REACCREDITATION_DUE = "reaccreditation_due", "Re-accreditation due"
    REACCREDITED = "reaccredited", "Re-accredited"
    LAPSED = "lapsed", "Lapsed"


OPEN_STATUSES = frozenset(
    {
        Status.APPLIED,
        Status.ACCEPTED,
        Status.WAITLISTED,
        Status.IN_PROGRESS,
        Status.SUBMITTED,
        Status.NOT_YET_MET,
    }
)

# Journeys that have ended without an award still running: their records are read-only
# for every role, and the page says why.
CLOSED_STATUSES = frozenset({Status.DECLINED, Status.WITHDRAWN, Status.LAPSED})

# Journeys that have had an award: the accreditation page links to it and its certificate.
AWARDED_STATUSES = frozenset(
    {
        Status.ACCREDITED,
        Status.REVIEW_DUE,
        Status.REVIEWED,
        Status.REACCREDITATION_DUE,
        Status.REACCREDITED,
        Status.LAPSED,
    }
)

STATUS_COLOURS: dict[str, str] = {
    Status.APPLIED: "blue",
    Status.ACCEPTED: "turquoise",
    Status.WAITLISTED: "yellow",
    Status.IN_PROGRESS: "light-blue",
    Status.SUBMITTED: "purple",
    Status.ACCREDITED: "green",
    Status.NOT_YET_MET: "orange",
    Status.REVIEW_DUE: "yellow",
    Status.REVIEWED: "green",
    Status.REACCREDITATION_DUE: "yellow",
    Status.REACCREDITED: "green",
    Status.DECLINED: "red",
    Status.LAPSED: "red",
    Status.WITHDRAWN: "grey",
}


class IllegalTransition(Exception):
    """A status move the pipeline does not allow; the message says why."""


class Accreditation(models.Model):
    setting = models.ForeignKey(
        "settings.Setting", on_delete=models.PROTECT, related_name="accreditations"
    )
    cohort = models.ForeignKey(
        "accreditation.Cohort", on_delete=models.PROTECT, related_name="accreditations"
    )
    application = models.OneToOneField(
        "accreditation.Application",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accreditation",
    )
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.APPLIED)
    status_changed_at = models.DateTimeField(default=timezone.now)
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_accreditations",
        limit_choices_to={"role": "evaluator"},
    )
    days_budget = models.DecimalField(
        "evaluator days budgeted",
        max_digits=5,
        decimal_places=1,
        default=Decimal("8.0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["setting", "cohort"], name="one_accreditation_per_cohort"
            )
        ]
        indexes = [models.Index(fields=["setting", "-created_at"])]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._saved_status = self.status if self.pk else None
        self._in_transition = False

    def __str__(self) -> str:
        return f"{self.setting} in {self.cohort}"

    def get_absolute_url(self) -> str:
        return reverse("accreditation:accreditation-detail", args=[self.pk])

    def save(self, *args: Any, **kwargs: Any) -> None:
        if (
            self._saved_status is not None
            and self.status != self._saved_status
            and not self._in_transition
        ):
            raise IllegalTransition(
                "An accreditation's status changes only through Accreditation.transition()."
            )
        super().save(*args, **kwargs)
        self._saved_status = self.status

    @property
    def status_colour(self) -> str:
        """GOV.UK tag colour for the status."""
        return STATUS_COLOURS.get(self.status, "grey")

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def closed_reason(self) -> str:
        """Why the record is read-only ('' while it is not): the status and its reason."""
        if not self.is_closed:
            return ""
        change = (
            AccreditationStatusChange.objects.filter(accreditation=self, to_status=self.status)
            .order_by("-changed_at", "-pk")
            .first()
        )
        why = f" Reason: {change.reason}" if change is not None and change.reason else ""
        return (
            f"This accreditation is “{self.get_status_display()}”, so its records are "
            f"read-only.{why}"
        )

    def allowed_moves(self) -> frozenset[str]:
        """Every status the pipeline (``accreditation.pipeline.MOVES``) allows from here."""
        from ..pipeline import TRANSITIONS

        return TRANSITIONS.get(self.status, frozenset())

    def transition(self, to: str, *, by: Any, reason: str = "") -> AccreditationStatusChange:
        """Move to ``to`` if the pipeline allows it, recording who, when and why."""
        if to not in Status.values:
            raise IllegalTransition(f"“{to}” is not an accreditation status.")
        if to not in self.allowed_moves():
            raise IllegalTransition(
                f"An accreditation cannot move from “{self.get_status_display()}” "
                f"to “{Status(to).label}”."
            )
        with transaction.atomic():
            locked = Accreditation.objects.select_for_update().get(pk=self.pk)
            if locked.status != self.status:
                raise IllegalTransition("The status changed meanwhile; reload and try again.")
            previous = self.status
            self.status = to
            self.status_changed_at = timezone.now()
            self._in_transition = True
            self._history_user = by
            self._change_reason = reason
            try:
                self.save(update_fields=["status", "status_changed_at"])
            finally:
                self._in_transition = False
            return AccreditationStatusChange.objects.create(
                accreditation=self,
                from_status=previous,
                to_status=to,
                changed_by=by,
                reason=reason,
            )


class AccreditationStatusChange(models.Model):
    accreditation = models.ForeignKey(
        Accreditation, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=30, choices=Status.choices)
    to_status = models.CharField(max_length=30, choices=Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"
