"""The programme budget in pounds: each cohort's budget lines, the spending recorded
against them, and the evaluator day rate, which can change over time.

Evaluator days are budgeted per accreditation (``Accreditation.days_budget``) and
priced at the day rate in force when the cohort starts; what they actually cost is
the days logged at each evaluator's own day rate. The other lines (stationery and
materials, training, venue, evaluators' expenses, other) are amounts the KQM manager
budgets, spent by recorded spending (and, for evaluators' expenses, the expenses
evaluators log with their time).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from kqm.money import format_pounds


class CostKind(models.TextChoices):
    MATERIALS = "materials", "Stationery and materials"
    TRAINING = "training", "Training"
    VENUE = "venue", "Venue"
    EVALUATOR_EXPENSES = "evaluator_expenses", "Evaluators' travel and expenses"
    OTHER = "other", "Other"


# Spending the KQM manager records (evaluators log their own expenses with their time).
RECORDED_KINDS = (CostKind.MATERIALS, CostKind.TRAINING, CostKind.VENUE, CostKind.OTHER)


class DayRate(models.Model):
    """The programme's evaluator day rate from a date on."""

    effective_from = models.DateField("in force from", unique=True)
    rate = models.DecimalField(
        "day rate (£)",
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{format_pounds(self.rate)} a day from {self.effective_from:%-d %b %Y}"


class BudgetLine(models.Model):
    """What a cohort budgets for one kind of cost."""

    cohort = models.ForeignKey(
        "accreditation.Cohort", on_delete=models.CASCADE, related_name="budget_lines"
    )
    kind = models.CharField(max_length=30, choices=CostKind.choices)
    amount = models.DecimalField(
        "budget (£)",
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cohort", "kind"], name="one_budget_line_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {format_pounds(self.amount)}"


class ProgrammeExpense(models.Model):
    """Money spent on a cohort's programme (not evaluator time)."""

    cohort = models.ForeignKey(
        "accreditation.Cohort", on_delete=models.PROTECT, related_name="programme_expenses"
    )
    kind = models.CharField(
        "what it was for", max_length=30, choices=[(k.value, k.label) for k in RECORDED_KINDS]
    )
    date = models.DateField()
    amount = models.DecimalField(
        "amount (£)",
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    description = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.description} ({format_pounds(self.amount)}, {self.date:%-d %b %Y})"
