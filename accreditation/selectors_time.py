"""Reads for evaluators' time and cost: per accreditation, per cohort, and across cohorts.

Days are costed at each evaluator's own day rate (``EvaluatorProfile.day_rate``);
expenses are added as logged. Every list is one query per page however many time
entries there are: the figures are correlated subqueries or one aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from kqm.models import Role, User

from .models import Accreditation, Cohort, TimeEntry
from .selectors import (
    DAYS,
    MONEY,
    NOT_IN_WORKLOAD,
    _total,
    access_accreditation_by_id,
)

ZERO_MONEY = Value(Decimal("0"), output_field=MONEY)
# The cost of an entry's days at its evaluator's day rate (nothing while no rate is recorded).
DAY_COST = ExpressionWrapper(
    F("days") * Coalesce(F("evaluator__evaluator_profile__day_rate"), ZERO_MONEY),
    output_field=MONEY,
)


@dataclass
class Totals:
    days: Decimal
    expenses: Decimal
    day_cost: Decimal
    entries: int

    @property
    def cost(self) -> Decimal:
        return self.day_cost + self.expenses


def _totals(entries: QuerySet[TimeEntry]) -> Totals:
    row = entries.aggregate(
        total_days=Coalesce(Sum("days"), Value(Decimal("0"), output_field=DAYS)),
        total_expenses=Coalesce(Sum("expenses"), ZERO_MONEY),
        total_day_cost=Coalesce(Sum(DAY_COST), ZERO_MONEY),
        count=Count("pk"),
    )
    return Totals(
        days=row["total_days"],
        expenses=row["total_expenses"],
        day_cost=row["total_day_cost"],
        entries=row["count"],
    )


def time_entries_of(accreditation: Accreditation, user: User) -> QuerySet[TimeEntry]:
    """The accreditation's entries, newest first: every evaluator's for the KQM manager,
    the evaluator's own for an evaluator."""
    entries = (
        TimeEntry.objects.filter(accreditation=accreditation)
        .select_related("evaluator__evaluator_profile")
        .annotate(day_cost=DAY_COST)
        .order_by("-date", "-pk")
    )
    if user.role != Role.MANAGER:
        entries = entries.filter(evaluator=user)
    return entries


def time_totals(entries: QuerySet[TimeEntry]) -> Totals:
    return _totals(entries.order_by())


def access_time_entry_by_id(user: User, entry_id: int) -> TimeEntry:
    """An evaluator's own entry on an accreditation they can see; anything else is 404."""
    if user.role != Role.EVALUATOR:
        raise PermissionDenied("Evaluators log their own time.")
    try:
        entry = TimeEntry.objects.select_related("accreditation").get(pk=entry_id, evaluator=user)
    except TimeEntry.DoesNotExist:
        raise Http404("No such time entry.") from None
    entry.accreditation = access_accreditation_by_id(user, entry.accreditation_id)
    return entry


def cohort_evaluators(cohort: Cohort) -> QuerySet[User]:
    """Evaluators with work or time in the cohort: settings, days budgeted and logged, cost."""
    work = Accreditation.objects.filter(evaluator=OuterRef("pk"), cohort=cohort).exclude(
        status__in=NOT_IN_WORKLOAD
    )
    entries = TimeEntry.objects.filter(evaluator=OuterRef("pk"), accreditation__cohort=cohort)
    involved = Q(pk__in=Accreditation.objects.filter(cohort=cohort).values("evaluator_id")) | Q(
        pk__in=TimeEntry.objects.filter(accreditation__cohort=cohort).values("evaluator_id")
    )
    return (
        User.objects.filter(involved, role=Role.EVALUATOR)
        .select_related("evaluator_profile")
        .annotate(
            settings_count=_total(work, "evaluator", Count("pk"), IntegerField()),
            days_budgeted=_total(work, "evaluator", Sum("days_budget"), DAYS),
            days_logged=_total(entries, "evaluator", Sum("days"), DAYS),
            expenses_total=_total(entries, "evaluator", Sum("expenses"), MONEY),
        )
        .annotate(
            day_cost=ExpressionWrapper(
                F("days_logged") * Coalesce(F("evaluator_profile__day_rate"), ZERO_MONEY),
                output_field=MONEY,
            ),
            days_remaining=ExpressionWrapper(
                F("days_budgeted") - F("days_logged"), output_field=DAYS
            ),
        )
        .order_by("full_name", "email", "pk")
    )


@dataclass
class CohortBudget:
    budgeted: Decimal
    unassigned: Decimal  # budgeted on accreditations with no evaluator yet
    totals: Totals

    @property
    def remaining(self) -> Decimal:
        return self.budgeted - self.totals.days


def cohort_budget(cohort: Cohort) -> CohortBudget:
    """The whole cohort: days budgeted (and how many not assigned), logged, and cost."""
    budget = (
        Accreditation.objects.filter(cohort=cohort)
        .exclude(status__in=NOT_IN_WORKLOAD)
        .aggregate(
            budgeted=Coalesce(Sum("days_budget"), Value(Decimal("0"), output_field=DAYS)),
            unassigned=Coalesce(
                Sum("days_budget", filter=Q(evaluator__isnull=True)),
                Value(Decimal("0"), output_field=DAYS),
            ),
        )
    )
    return CohortBudget(
        budgeted=budget["budgeted"],
        unassigned=budget["unassigned"],
        totals=_totals(TimeEntry.objects.filter(accreditation__cohort=cohort)),
    )


def budget_by_cohort() -> QuerySet[Cohort]:
    """Every cohort with days budgeted, logged, expenses and the cost of the days logged."""
    work = Accreditation.objects.filter(cohort=OuterRef("pk")).exclude(status__in=NOT_IN_WORKLOAD)
    entries = TimeEntry.objects.filter(accreditation__cohort=OuterRef("pk"))
    costed = entries.annotate(cost=DAY_COST)
    return Cohort.objects.annotate(
        days_budgeted=_total(work, "cohort", Sum("days_budget"), DAYS),
        days_logged=_total(entries, "accreditation__cohort", Sum("days"), DAYS),
        expenses_total=_total(entries, "accreditation__cohort", Sum("expenses"), MONEY),
        day_cost=_total(costed, "accreditation__cohort", Sum("cost"), MONEY),
    ).order_by("-programme_year", "name", "pk")


def access_cohort_for_budget(user: User, cohort_id: int) -> Cohort:
    if user.role != Role.MANAGER:
        raise PermissionDenied("Only the KQM manager sees the programme's budget.")
    try:
        return Cohort.objects.get(pk=cohort_id)
    except Cohort.DoesNotExist:
        raise Http404("No such cohort.") from None
