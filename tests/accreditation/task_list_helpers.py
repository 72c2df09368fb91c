"""Records the task list counts: audits, staff rounds, plan actions, Leuven screenings."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accreditation.models import (
    ImprovementAction,
    Relevance,
)
from accreditation.models.unit_b import SEF_SECTIONS
from audits.models import (
    Audit,
    AuditStatus,
    Child,
    Group,
    Instrument,
    InstrumentKind,
    InstrumentVersion,
    LeuvenScore,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireRound,
    Screening,
)


def audit(
    accreditation,
    occasion: str,
    status: str = AuditStatus.COMPLETED,
    kind: str = InstrumentKind.RATING_SCALE,
) -> Audit:
    instrument = Instrument.objects.get_or_create(
        code=f"{kind}-test", defaults={"name": f"Tool {kind}", "kind": kind}
    )[0]
    version = InstrumentVersion.objects.get_or_create(instrument=instrument, label="2015")[0]
    return Audit.objects.create(
        setting=accreditation.setting,
        accreditation=accreditation,
        version=version,
        room="Pre-school room",
        occasion=occasion,
        date=datetime.date(2026, 9, 20),
        status=status,
        created_by=accreditation.evaluator,
        is_self_audit=kind != InstrumentKind.RATING_SCALE,
    )


def staff_round(accreditation, *, closes_in: int) -> QuestionnaireRound:
    questionnaire = Questionnaire.objects.filter(
        kind=QuestionnaireKind.STAFF, is_current=True
    ).first() or Questionnaire.objects.create(
        code="staff-test",
        kind=QuestionnaireKind.STAFF,
        title="Staff questionnaire",
        version="1",
        comment_prompt="Anything else?",
    )
    return QuestionnaireRound.objects.create(
        setting=accreditation.setting,
        accreditation=accreditation,
        questionnaire=questionnaire,
        title="Autumn staff survey",
        closes_on=timezone.localdate() + datetime.timedelta(days=closes_in),
        created_by=accreditation.evaluator,
    )


def plan_action(accreditation, status: str) -> ImprovementAction:
    return ImprovementAction.objects.create(
        accreditation=accreditation,
        description="Share learning journals with parents weekly",
        success_measure="Every family reads one",
        owner="Room leader",
        relevance=Relevance.SEF_SECTION,
        sef_section=SEF_SECTIONS[0].code,
        due_date=datetime.date(2027, 3, 1),
        status=status,
        created_by=accreditation.evaluator,
    )


def screen(accreditation, group: Group, term: str) -> None:
    screening = Screening.objects.create(group=group, term=term, date=datetime.date(2026, 10, 1))
    child = Child.objects.create(setting=accreditation.setting, group=group)
    LeuvenScore.objects.create(screening=screening, child=child, wellbeing=4, involvement=4)
