"""Programme reports: cohorts (settings by status, time from acceptance to award),
evaluators (caseload, days and cost against budget) and the cost per accredited setting.

Cost is each time entry's days at its evaluator's day rate plus its expenses, as on the
time pages (``selectors_time.DAY_COST``). Each function runs a fixed number of queries.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from kqm.models import Role, User

from ..models import Accreditation, AccreditationStatusChange, Award, Cohort, Status, TimeEntry
from ..selectors_time import DAY_COST, ZERO_MONEY, Totals, _totals

ZERO = Decimal("0")


@dataclass
class CohortSummary:
    cohort: Cohort
    by_status: list[tuple[str, int]]  # (status label, settings), statuses with any setting
    total: int
    awarded: int
    days_to_award: list[int]

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days_to_award) if self.days_to_award else None

    @property
    def mean_days(self) -> float | None:
        return round(statistics.mean(self.days_to_award), 1) if self.days_to_award else None


def cohort_summaries() -> list[CohortSummary]:
    """Three queries: cohorts with conditional counts, acceptance dates, award dates."""
    counts = {
        f"n_{status}": Count("accreditations", filter=Q(accreditations__status=status))
        for status in Status.values
    }
    cohorts = list(
        Cohort.objects.annotate(total=Count("accreditations"), **counts).order_by(
            "-programme_year", "name"
        )
    )
    accepted: dict[int, datetime.datetime] = {}
    for acc_id, changed_at in (
        AccreditationStatusChange.objects.filter(to_status=Status.ACCEPTED)
        .order_by("changed_at")
        .values_list("accreditation_id", "changed_at")
    ):
        accepted.setdefault(acc_id, changed_at)
    days: dict[int, list[int]] = {}
    awarded: dict[int, int] = {}
    for acc_id, cohort_id, award_date in Award.objects.order_by().values_list(
        "accreditation_id", "accreditation__cohort_id", "award_date"
    ):
        awarded[cohort_id] = awarded.get(cohort_id, 0) + 1
        when = accepted.get(acc_id)
        if when is not None:
            days.setdefault(cohort_id, []).append((award_date - when.date()).days)
    return [
        CohortSummary(
            cohort=cohort,
            by_status=[
                (label, getattr(cohort, f"n_{value}"))
                for value, label in Status.choices
                if getattr(cohort, f"n_{value}")
            ],
            total=cohort.total,  # type: ignore[attr-defined]
            awarded=awarded.get(cohort.pk, 0),
            days_to_award=days.get(cohort.pk, []),
        )
        for cohort in cohorts
    ]


@dataclass
class EvaluatorSummary:
    evaluator: User
    caseload: int
    budget_days: Decimal
    days: Decimal
    expenses: Decimal
    day_cost: Decimal

    @property
    def cost(self) -> Decimal:
        return self.day_cost + self.expenses

    @property
    def days_left(self) -> Decimal:
        return self.budget_days - self.days


def evaluator_summaries() -> list[EvaluatorSummary]:
    """One query: each evaluator with their caseload, budget and time (subqueries, no fan-out)."""
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=12, decimal_places=2)
    days_field: DecimalField[Decimal, Decimal] = DecimalField(max_digits=9, decimal_places=1)

    def _entries(expression: Any, field: DecimalField[Decimal, Decimal]) -> Coalesce:
        sub = (
            TimeEntry.objects.filter(evaluator=OuterRef("pk"))
            .order_by()
            .values("evaluator")
            .annotate(total=Sum(expression))
            .values("total")
        )
        return Coalesce(Subquery(sub, output_field=field), Value(ZERO, output_field=field))

    budget = (
        Accreditation.objects.filter(evaluator=OuterRef("pk"))
        .order_by()
        .values("evaluator")
        .annotate(total=Sum("days_budget"))
        .values("total")
    )
    caseload = (
        Accreditation.objects.filter(evaluator=OuterRef("pk"))
        .order_by()
        .values("evaluator")
        .annotate(total=Count("pk"))
        .values("total")
    )
    evaluators = (
        User.objects.filter(role=Role.EVALUATOR)
        .annotate(
            caseload=Coalesce(Subquery(caseload), 0),
            budget_days=Coalesce(
                Subquery(budget, output_field=days_field), Value(ZERO, output_field=days_field)
            ),
            worked_days=_entries("days", days_field),
            expenses_total=_entries("expenses", money),
            day_cost_total=_entries(DAY_COST, money),
        )
        .order_by("full_name", "email")
    )
    return [
        EvaluatorSummary(
            evaluator=e,
            caseload=e.caseload,
            budget_days=e.budget_days,
            days=e.worked_days,
            expenses=e.expenses_total,
            day_cost=e.day_cost_total,
        )
        for e in evaluators
    ]


@dataclass
class ProgrammeCost:
    totals: Totals
    accredited_settings: int  # settings ever awarded the mark: a renewal is not a second one

    @property
    def per_accredited_setting(self) -> Decimal | None:
        if not self.accredited_settings:
            return None
        return (self.totals.cost / self.accredited_settings).quantize(Decimal("0.01"))


def programme_cost() -> ProgrammeCost:
    """Two queries: every time entry's days at its rate plus expenses, and the settings
    awarded the mark (counted once however many times they were re-accredited)."""
    assert ZERO_MONEY is not None
    return ProgrammeCost(
        totals=_totals(TimeEntry.objects.all()),
        accredited_settings=Award.objects.values("setting").distinct().count(),
    )
