"""Writes for the programme budget: day rates, a cohort's budget lines, spending.

Each write is atomic, validated with ``full_clean`` and leaves a history row naming
who made it (django-simple-history), old and new values included.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from kqm.models import Role, User

from ..models import BudgetLine, Cohort, DayRate, ProgrammeExpense
from ..models.budget import RECORDED_KINDS, CostKind


def _check_manager(by: User) -> None:
    if by.role != Role.MANAGER:
        raise ValidationError("Only the KQM manager sets the programme's budget.")


@transaction.atomic
def do_set_day_rate(*, by: User, effective_from: datetime.date, rate: Decimal) -> DayRate:
    """The day rate from ``effective_from`` on; setting the same date again changes it."""
    _check_manager(by)
    day_rate = DayRate.objects.select_for_update().filter(effective_from=effective_from).first()
    day_rate = day_rate or DayRate(effective_from=effective_from)
    day_rate.rate = rate
    day_rate.set_by = by
    day_rate.full_clean()
    day_rate._history_user = by  # type: ignore[attr-defined]
    day_rate.save()
    return day_rate


@transaction.atomic
def do_set_budget_lines(
    *, by: User, cohort: Cohort, amounts: Mapping[str, Decimal | None]
) -> list[BudgetLine]:
    """The cohort's budget for each kind of cost; a blank amount removes the line."""
    _check_manager(by)
    existing = {
        line.kind: line for line in BudgetLine.objects.select_for_update().filter(cohort=cohort)
    }
    saved = []
    for kind, amount in amounts.items():
        if kind not in CostKind.values:
            raise ValidationError(f"“{kind}” is not a kind of cost.")
        line = existing.get(kind)
        if amount is None:
            if line is not None:
                line._history_user = by  # type: ignore[attr-defined]
                line.delete()
            continue
        if line is not None and line.amount == amount:
            saved.append(line)
            continue
        line = line or BudgetLine(cohort=cohort, kind=kind)
        line.amount = amount
        line.updated_by = by
        line.full_clean()
        line._history_user = by  # type: ignore[attr-defined]
        line.save()
        saved.append(line)
    return saved


@transaction.atomic
def do_record_expense(
    *,
    by: User,
    cohort: Cohort,
    kind: str,
    date: datetime.date,
    amount: Decimal,
    description: str,
) -> ProgrammeExpense:
    _check_manager(by)
    if kind not in RECORDED_KINDS:
        raise ValidationError({"kind": "Choose what the money was spent on"})
    expense = ProgrammeExpense(
        cohort=cohort,
        kind=kind,
        date=date,
        amount=amount,
        description=" ".join(description.split()),
        recorded_by=by,
    )
    expense.full_clean()
    expense._history_user = by  # type: ignore[attr-defined]
    expense.save()
    return expense
