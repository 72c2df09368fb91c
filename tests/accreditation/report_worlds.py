"""Worlds for the programme report's tests: cohorts, evaluators and their settings' work."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accreditation.models import (
    AccreditationStatusChange,
    CaseStudy,
    Cohort,
    EvaluatorProfile,
    ImprovementAction,
    Relevance,
    SelfEvaluationEntry,
    Status,
)
from accreditation.models.unit_b import SEF_SECTIONS
from audits.models import LeuvenScore, Occasion, Term
from kqm.models import User
from tests.audits.leuven_factories import ChildFactory, GroupFactory, ScreeningFactory
from tests.audits.ratings_factories import library, make_audit
from tests.factories import AccreditationFactory, CohortFactory, EvaluatorFactory

from .award_factories import AwardFactory
from .programme_factories import TimeEntryFactory


def taking_part(cohort: Cohort, count: int, status: str = Status.IN_PROGRESS):
    return [AccreditationFactory(cohort=cohort, status=status) for _ in range(count)]


def audit(acc, version, by, *, occasion=Occasion.INITIAL, score=3, completed=True, **extra):
    return make_audit(
        setting=acc.setting,
        accreditation=acc,
        version=version,
        created_by=by,
        occasion=occasion,
        score=score,
        completed=completed,
        **extra,
    )


def case_study(acc, number, status, by) -> None:
    CaseStudy.objects.create(
        accreditation=acc, number=number, status=status, saved_at=timezone.now(), saved_by=by
    )


def sef(acc, by, sections=SEF_SECTIONS) -> None:
    for section in sections:
        SelfEvaluationEntry.objects.create(
            accreditation=acc,
            section=section.code,
            judgement="secure",
            evidence="Evidence.",
            updated_by=by,
        )


def action(acc, by, status) -> None:
    ImprovementAction.objects.create(
        accreditation=acc,
        description="Re-plan group times.",
        success_measure="Involvement 4 or more.",
        owner="Deputy",
        relevance=Relevance.SEF_SECTION,
        sef_section=SEF_SECTIONS[0].code,
        due_date=datetime.date(2027, 3, 1),
        status=status,
        created_by=by,
    )


def scores(group, term, pairs, *, date=None, children=None):
    screening = ScreeningFactory(group=group, term=term, **({"date": date} if date else {}))
    made = []
    for index, (wellbeing, involvement) in enumerate(pairs):
        child = children[index] if children else ChildFactory(group=group)
        made.append(
            LeuvenScore.objects.create(
                screening=screening, child=child, wellbeing=wellbeing, involvement=involvement
            )
        )
    return made


def cohort_world(cohort: Cohort, evaluator: User, count: int, lib=None) -> list:
    """``count`` settings with every kind of data the cohort sections read."""
    lib = lib or library()
    made = []
    for index, acc in enumerate(taking_part(cohort, count)):
        acc.evaluator = evaluator
        acc.save(update_fields=["evaluator"])
        audit(acc, lib["ecers-r"], evaluator, score=3)
        audit(acc, lib["ecers-r"], evaluator, occasion=Occasion.END_OF_YEAR, score=5)
        audit(acc, lib["kqm-ppel"], evaluator, score=2)
        audit(
            acc,
            lib["kqm-ppel"],
            evaluator,
            occasion=Occasion.END_OF_YEAR,
            score=3 if index % 4 else 2,  # three in four increase
        )
        case_study(acc, 1, "accepted", evaluator)
        room = GroupFactory(setting=acc.setting, programme_year=cohort.programme_year)
        scores(room, Term.AUTUMN, [(2, 4), (4, 4)])
        made.append(acc)
    return made


def programme_world(evaluators: int = 2):
    cohort = CohortFactory(name="2009 cohort")
    people = [EvaluatorFactory(full_name=f"Evaluator {i}") for i in range(evaluators)]
    EvaluatorProfile.objects.filter(user__in=people).update(day_rate=Decimal("105.00"))
    for i, person in enumerate(people):
        accepted = AccreditationFactory(
            cohort=cohort, evaluator=person, status=Status.ACCREDITED, days_budget=Decimal("8.0")
        )
        AccreditationStatusChange.objects.create(
            accreditation=accepted,
            from_status=Status.APPLIED,
            to_status=Status.ACCEPTED,
            changed_at=datetime.datetime(2009, 9, 1, 12, tzinfo=datetime.UTC),
        )
        AwardFactory(
            accreditation=accepted,
            award_date=datetime.date(2010, 7, 1) + datetime.timedelta(days=10 * i),
        )
        AccreditationFactory(cohort=cohort, evaluator=person, status=Status.IN_PROGRESS)
        TimeEntryFactory(
            accreditation=accepted, evaluator=person, days=Decimal("4.0"), expenses=Decimal("10.00")
        )
    return cohort, people
