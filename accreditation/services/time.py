"""Writes for evaluators' time: days (or half days) and expenses logged against an accreditation."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kqm.models import Role, User

from ..models import Accreditation, TimeEntry
from .common import check_open


def _check(
    evaluator: User, accreditation: Accreditation, date: datetime.date, days: Decimal
) -> None:
    if evaluator.role != Role.EVALUATOR or accreditation.evaluator_id != evaluator.pk:
        raise ValidationError("You can log time only on settings assigned to you.")
    check_open(accreditation)
    if date > timezone.localdate():
        raise ValidationError({"date": "The date must be today or in the past"})
    if days not in (Decimal("0.5"), Decimal("1.0"), Decimal("1")):
        raise ValidationError({"days": "Choose a half day or a full day"})


@transaction.atomic
def do_log_time(
    *,
    evaluator: User,
    accreditation: Accreditation,
    date: datetime.date,
    days: Decimal,
    expenses: Decimal,
    description: str,
) -> TimeEntry:
    _check(evaluator, accreditation, date, days)
    entry = TimeEntry(
        accreditation=accreditation,
        evaluator=evaluator,
        date=date,
        days=days,
        expenses=expenses,
        description=" ".join(description.split()),
    )
    entry.full_clean()
    entry._history_user = evaluator  # type: ignore[attr-defined]
    entry.save()
    return entry


@transaction.atomic
def do_change_time_entry(
    *,
    evaluator: User,
    entry: TimeEntry,
    date: datetime.date,
    days: Decimal,
    expenses: Decimal,
    description: str,
) -> TimeEntry:
    locked = TimeEntry.objects.select_for_update().select_related("accreditation").get(pk=entry.pk)
    if locked.evaluator_id != evaluator.pk:
        raise ValidationError("You can change only your own time entries.")
    _check(evaluator, locked.accreditation, date, days)
    locked.date, locked.days, locked.expenses = date, days, expenses
    locked.description = " ".join(description.split())
    locked.full_clean()
    locked._history_user = evaluator  # type: ignore[attr-defined]
    locked.save()
    return locked


@transaction.atomic
def do_delete_time_entry(*, evaluator: User, entry: TimeEntry) -> None:
    if entry.evaluator_id != evaluator.pk:
        raise ValidationError("You can delete only your own time entries.")
    entry._history_user = evaluator  # type: ignore[attr-defined]
    entry.delete()
