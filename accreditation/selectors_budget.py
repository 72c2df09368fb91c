"""Reads for the programme budget in pounds: each cohort's lines, budget against actual.

Five queries whatever the size of the cohort: the days budgeted, the time logged with
its cost, the day rate in force at the cohort's start, the budget lines and the
spending recorded per kind.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum

from kqm.money import format_pounds

from .models import BudgetLine, Cohort, CostKind, DayRate, ProgrammeExpense
from .selectors_time import CohortBudget, cohort_budget

ZERO = Decimal("0.00")
EVALUATOR_DAYS = "evaluator_days"


@dataclass
class MoneyLine:
    key: str
    label: str
    budget: Decimal | None  # None while nothing is budgeted for it
    actual: Decimal
    how: str = ""

    @property
    def variance(self) -> Decimal | None:
        """Budget left (negative when overspent)."""
        return None if self.budget is None else self.budget - self.actual


@dataclass
class CohortMoney:
    day_rate: DayRate | None
    days_budgeted: Decimal
    days_logged: Decimal
    lines: list[MoneyLine]

    @property
    def total_budget(self) -> Decimal:
        return sum((line.budget or ZERO for line in self.lines), ZERO)

    @property
    def total_actual(self) -> Decimal:
        return sum((line.actual for line in self.lines), ZERO)

    @property
    def variance(self) -> Decimal:
        return self.total_budget - self.total_actual


def day_rate_on(date: datetime.date) -> DayRate | None:
    """The programme day rate in force on ``date`` (the latest set from it or before)."""
    return DayRate.objects.filter(effective_from__lte=date).order_by("-effective_from").first()


def day_rates() -> QuerySet[DayRate]:
    return DayRate.objects.select_related("set_by").order_by("-effective_from")


def budget_amounts(cohort: Cohort) -> dict[str, Decimal]:
    return dict(BudgetLine.objects.filter(cohort=cohort).values_list("kind", "amount"))


def cohort_money(cohort: Cohort, days: CohortBudget | None = None) -> CohortMoney:
    """``days``: the cohort's evaluator days, when the caller has read them already."""
    days = days or cohort_budget(cohort)
    rate = day_rate_on(cohort.start_date)
    budgeted = budget_amounts(cohort)
    spent = dict(
        ProgrammeExpense.objects.filter(cohort=cohort)
        .order_by()
        .values("kind")
        .annotate(total=Sum("amount"))
        .values_list("kind", "total")
    )
    if rate is not None:
        how = (
            f"{days.budgeted:f} days budgeted at {format_pounds(rate.rate)} a day (the rate in "
            f"force on {cohort.start_date:%-d %B %Y}); {days.totals.days:f} days logged, each at "
            "its evaluator's day rate"
        )
    else:
        how = "No day rate is set for the cohort's start, so its days are not priced"
    lines = [
        MoneyLine(
            EVALUATOR_DAYS,
            "Evaluator days",
            days.budgeted * rate.rate if rate is not None else None,
            days.totals.day_cost,
            how,
        ),
        MoneyLine(
            CostKind.EVALUATOR_EXPENSES,
            CostKind.EVALUATOR_EXPENSES.label,
            budgeted.get(CostKind.EVALUATOR_EXPENSES),
            days.totals.expenses,
            "Logged by evaluators with their time",
        ),
        *(
            MoneyLine(
                kind,
                CostKind(kind).label,
                budgeted.get(kind),
                spent.get(kind, ZERO),
                "Spending recorded below",
            )
            for kind in (CostKind.MATERIALS, CostKind.TRAINING, CostKind.VENUE, CostKind.OTHER)
        ),
    ]
    return CohortMoney(rate, days.budgeted, days.totals.days, lines)


def cohort_expenses(cohort: Cohort) -> QuerySet[ProgrammeExpense]:
    return (
        ProgrammeExpense.objects.filter(cohort=cohort)
        .select_related("recorded_by")
        .order_by("-date", "-pk")
    )
