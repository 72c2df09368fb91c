"""Demo data for the programme budget: the seed's day rate and materials line.

The Kent practice example costs evaluator days at about £105 a day, and stationery and
materials at £5,232 for the year; every demo cohort gets that materials line, and the
day rate is in force from before the first cohort. Safe to run again.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from kqm.models import User

from .models import BudgetLine, Cohort, CostKind, DayRate

SEED_DAY_RATE = Decimal("105.00")
SEED_MATERIALS = Decimal("5232.00")


def seed_budget(manager: User) -> None:
    first = Cohort.objects.order_by("start_date").values_list("start_date", flat=True).first()
    if first is None:
        return
    start = min(first, datetime.date(2009, 9, 1))
    DayRate.objects.get_or_create(
        effective_from=start, defaults={"rate": SEED_DAY_RATE, "set_by": manager}
    )
    for cohort in Cohort.objects.all():
        BudgetLine.objects.get_or_create(
            cohort=cohort,
            kind=CostKind.MATERIALS,
            defaults={"amount": SEED_MATERIALS, "updated_by": manager},
        )
