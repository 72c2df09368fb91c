"""A year of the programme with every task done, for tests of submission and the award."""

from __future__ import annotations

from django.utils import timezone

from accreditation.models import (
    ActionStatus,
    CaseStudyStatus,
    NoteStatus,
    SelfEvaluationEntry,
    VisitType,
)
from accreditation.models.unit_b import SEF_SECTIONS
from audits.models import AuditReview, Group, InstrumentKind, Occasion, Term
from kqm.models import Role

from .task_list_helpers import audit, plan_action, screen, staff_round
from .year_factories import (
    VisitFactory,
    make_case_study,
    start_note,
)


def complete_the_year(
    accreditation, *, unit_b_audits: bool = True, staff_questionnaire: bool = True
) -> None:
    """Every task of the year's list completed.

    ``unit_b_audits=False`` leaves out the leadership and PPEL audits and
    ``staff_questionnaire=False`` the staff round, for a test that does them itself.
    """
    for visit_type in VisitType.values:
        start_note(
            VisitFactory(accreditation=accreditation, visit_type=visit_type),
            status=NoteStatus.AGREED,
        )
    audit(accreditation, Occasion.INITIAL)
    audit(accreditation, Occasion.END_OF_YEAR)
    if unit_b_audits:
        leadership = audit(accreditation, Occasion.OTHER, kind=InstrumentKind.LEADERSHIP)
        # The leadership self-audit counts once its evaluator has completed the review.
        AuditReview.objects.create(
            audit=leadership, completed_at=timezone.now(), completed_by=accreditation.evaluator
        )
        audit(accreditation, Occasion.INITIAL, kind=InstrumentKind.PARTNERSHIP)
        audit(accreditation, Occasion.END_OF_YEAR, kind=InstrumentKind.PARTNERSHIP)
    make_case_study(accreditation, number=1, status=CaseStudyStatus.ACCEPTED)
    make_case_study(accreditation, number=2, status=CaseStudyStatus.ACCEPTED)
    room = Group.objects.create(
        setting=accreditation.setting,
        programme_year=accreditation.cohort.programme_year,
        name="Babies",
    )
    for term in Term.values:
        screen(accreditation, room, term)
    if staff_questionnaire:
        staff = staff_round(accreditation, closes_in=-1)
        assert not staff.is_open()
    manager = accreditation.setting.members.filter(role=Role.SETTING_MANAGER).first()
    for section in SEF_SECTIONS:
        SelfEvaluationEntry.objects.create(
            accreditation=accreditation,
            section=section.code,
            judgement="good",
            evidence="Seen in practice.",
            updated_by=manager,
        )
    plan_action(accreditation, ActionStatus.DONE)
