"""Demo data for the outcomes report: inspections while settings were in the programme.

Called by ``manage.py seed_demo`` after the programme exists. Every setting that took part
in the 2024 or 2025 cohort is inspected under the education inspection framework during
its programme year or after its award (before the renewed framework began on
10 November 2025), and most other settings are inspected in the same months, so the
before-and-after figures have KQM settings and a comparison group with the same previous
grades (the 2022 inspection). KQM settings improve more often than the others. Some
inspections have a same-day Childcare Register inspection, met or not met. Settings whose
2026 inspection is under the renewed framework show the move from a grade to the renewed
framework as not comparable.

Random choices use a fixed seed; nothing is added once these inspections exist.
"""

from __future__ import annotations

import datetime
import logging
import random

from django.db import transaction

from settings.models import Inspection, Register, Source
from settings.ofsted import FRAMEWORKS, Framework, Grade

from .models import Accreditation
from .reports.outcomes import NEVER_TOOK_PART

logger = logging.getLogger(__name__)

SEED = 2025
FIRST = datetime.date(2024, 10, 1)
LAST = datetime.date(2025, 11, 7)  # before the renewed framework
COHORT_YEARS = (2024, 2025)
BETTER: dict[str, str] = {
    Grade.GOOD: Grade.OUTSTANDING,
    Grade.REQUIRES_IMPROVEMENT: Grade.GOOD,
    Grade.INADEQUATE: Grade.REQUIRES_IMPROVEMENT,
}
WORSE: dict[str, str] = {Grade.OUTSTANDING: Grade.GOOD, Grade.GOOD: Grade.REQUIRES_IMPROVEMENT}


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def _grade(rng: random.Random, previous: str, improve: float) -> str:
    roll = rng.random()
    if roll < improve and previous in BETTER:
        return BETTER[previous]
    if roll > 0.92 and previous in WORSE:
        return WORSE[previous]
    return previous


@transaction.atomic
def seed_outcomes_demo() -> None:
    if Inspection.objects.filter(
        framework=Framework.EIF_2019, inspection_date__range=(FIRST, LAST)
    ).exists():
        return
    rng = random.Random(SEED)
    taking_part = {
        a.setting_id: a.cohort
        for a in Accreditation.objects.filter(cohort__programme_year__in=COHORT_YEARS)
        .exclude(status__in=NEVER_TOOK_PART)
        .select_related("cohort")
        .order_by("cohort__programme_year")
    }
    latest: dict[int, Inspection] = {}
    for inspection in Inspection.objects.filter(
        register=Register.EYR, framework=Framework.EIF_2019
    ).order_by("inspection_date"):
        latest[inspection.setting_id] = inspection
    spec = FRAMEWORKS[Framework.EIF_2019]
    new: list[Inspection] = []
    for setting_id, previous in sorted(latest.items()):
        cohort = taking_part.get(setting_id)
        if cohort is not None:
            day = _day(
                rng,
                max(cohort.start_date, FIRST),
                min(LAST, cohort.end_date + datetime.timedelta(days=90)),
            )
            grade = _grade(rng, previous.overall_effectiveness, 0.7)
        elif rng.random() < 0.8:
            day = _day(rng, FIRST, LAST)
            grade = _grade(rng, previous.overall_effectiveness, 0.25)
        else:
            continue
        judgements = {key: _grade(rng, grade, 0.1) for key, _label in spec.areas}
        new.append(
            Inspection(
                setting_id=setting_id,
                framework=Framework.EIF_2019,
                inspection_date=day,
                overall_effectiveness=grade,
                judgements=judgements,
                source=Source.IMPORT,
            )
        )
        if rng.random() < 0.4:
            new.append(
                Inspection(
                    setting_id=setting_id,
                    framework=Framework.EIF_2019,
                    register=Register.CR,
                    inspection_date=day,
                    overall_effectiveness=Grade.NOT_MET if rng.random() < 0.1 else Grade.MET,
                    source=Source.IMPORT,
                )
            )
    for inspection in new:
        inspection.save()
    logger.info("Outcomes demo: %s inspections added", len(new))
