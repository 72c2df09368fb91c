"""Worlds for the to-do list tests: ``n`` items in every section of one role's list."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accreditation.models import (
    AccreditationStatusChange,
    AnnualReview,
    CaseStudyVersion,
    NoteComment,
    NoteOfVisit,
    NoteStatus,
    Reaccreditation,
    Recommendation,
    Requirement,
    RequirementKind,
    ReviewStatus,
    Status,
    Visit,
    VisitType,
)
from accreditation.models.decisions import Outcome
from audits.models import (
    Audit,
    AuditStatus,
    Group,
    LeuvenScore,
    Occasion,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireRound,
    Screening,
    Term,
)
from kqm.models import Role, User
from settings.models import Setting
from tests.accreditation.award_factories import AwardFactory
from tests.accreditation.year_factories import make_case_study
from tests.audits.leuven_factories import ChildFactory
from tests.audits.ratings_factories import library
from tests.factories import AccreditationFactory, CohortFactory, UserFactory

# A Monday in the autumn term of the 2026 programme year.
TODAY = datetime.date(2026, 10, 12)


def _moment(days_ago: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(9))) - (
        datetime.timedelta(days=days_ago)
    )


def evaluator_world(evaluator: User, n: int) -> None:
    """``n`` items in each of the evaluator's sections, on ``n`` settings."""
    versions = library()
    cohort = CohortFactory()
    manager = UserFactory(role=Role.SETTING_MANAGER)
    for i in range(n):
        accreditation = AccreditationFactory(
            cohort=cohort, evaluator=evaluator, status=Status.ACCREDITED
        )
        setting = accreditation.setting
        case_study = make_case_study(accreditation, status="submitted")
        CaseStudyVersion.objects.create(
            case_study=case_study,
            number=1,
            content={},
            submitted_by=manager,
            submitted_at=_moment(n - i),
        )
        Audit.objects.create(
            setting=setting,
            accreditation=accreditation,
            version=versions["kqm-leadership"],
            room="Whole setting",
            occasion=Occasion.INITIAL,
            date=TODAY - datetime.timedelta(days=n - i),
            is_self_audit=True,
            status=AuditStatus.COMPLETED,
            completed_at=_moment(n - i),
            created_by=manager,
        )
        visit = Visit.objects.create(
            accreditation=accreditation,
            visit_type=VisitType.MENTORING_1,
            date=TODAY + datetime.timedelta(days=i % 14),
            start_time=datetime.time(9, 30),
            end_time=datetime.time(12),
            scheduled_by=evaluator,
        )
        note = NoteOfVisit.objects.create(
            visit=visit,
            status=NoteStatus.SHARED,
            written_by=evaluator,
            saved_at=_moment(3),
            shared_at=_moment(3),
        )
        NoteComment.objects.create(note=note, author=manager, text="We disagree on point 2.")
        award = AwardFactory(accreditation=accreditation)
        AnnualReview.objects.create(
            award=award,
            year=1,
            due_date=TODAY,
            status=ReviewStatus.SUBMITTED,
            submitted_at=_moment(i),
        )
        reaccreditation = Reaccreditation.objects.create(
            award=award, accreditation=accreditation, setting=setting
        )
        Requirement.objects.create(
            reaccreditation=reaccreditation,
            kind=RequirementKind.ENTRY_CRITERIA,
            evidence="Our entry criteria evidence.",
            updated_at=_moment(i),
            updated_by=manager,
        )
        room = {
            "setting": setting,
            "accreditation": accreditation,
            "version": versions["ecers-3"],
            "room": "Pre-school room",
            "occasion": Occasion.INITIAL,
            "date": TODAY,
        }
        primary = Audit.objects.create(**room, created_by=manager)
        second = Audit.objects.create(**room, paired_with=primary, created_by=evaluator)
        second.observers.set([evaluator])


def setting_manager_world(setting: Setting, manager: User, n: int) -> None:
    """``n`` items in each of the setting manager's sections (``setting`` is theirs)."""
    evaluator = UserFactory(role=Role.EVALUATOR)
    questionnaire = Questionnaire.objects.get(kind=QuestionnaireKind.STAFF, is_current=True)
    for i in range(n):
        accreditation = AccreditationFactory(
            setting=setting, cohort=CohortFactory(), evaluator=evaluator, status=Status.IN_PROGRESS
        )
        visit = Visit.objects.create(
            accreditation=accreditation,
            visit_type=VisitType.MENTORING_1,
            date=TODAY - datetime.timedelta(days=5),
            start_time=datetime.time(9, 30),
            end_time=datetime.time(12),
            scheduled_by=evaluator,
        )
        NoteOfVisit.objects.create(
            visit=visit,
            status=NoteStatus.SHARED,
            written_by=evaluator,
            saved_at=_moment(i),
            shared_at=_moment(i),
        )
        make_case_study(accreditation, status="returned")
        QuestionnaireRound.objects.create(
            setting=setting,
            accreditation=accreditation,
            questionnaire=questionnaire,
            title=f"Staff questionnaire {i}",
            closes_on=TODAY + datetime.timedelta(days=i + 1),
            created_by=manager,
        )
        group = Group.objects.create(setting=setting, name=f"Room {i}", programme_year=2026)
        screening = Screening.objects.create(group=group, term=Term.AUTUMN, date=TODAY)
        LeuvenScore.objects.create(
            screening=screening,
            child=ChildFactory(group=group),
            wellbeing=2,
            involvement=3,
        )
        award = AwardFactory(accreditation=AccreditationFactory(setting=setting))
        AnnualReview.objects.create(
            award=award, year=1, due_date=TODAY + datetime.timedelta(days=i)
        )


def practitioner_world(setting: Setting, n: int) -> None:
    """``n`` rooms to screen this term and ``n`` case-study drafts at ``setting``."""
    for i in range(n):
        Group.objects.create(setting=setting, name=f"Room {i}", programme_year=2026)
        accreditation = AccreditationFactory(
            setting=setting, cohort=CohortFactory(), status=Status.IN_PROGRESS
        )
        make_case_study(accreditation, outcome="", reflection="")


def manager_world(manager: User, n: int) -> None:
    """``n`` decisions waiting, settings with no setting manager and awards expiring."""
    evaluator = UserFactory(role=Role.EVALUATOR)
    for i in range(n):
        accreditation = AccreditationFactory(evaluator=evaluator, status=Status.SUBMITTED)
        submission = AccreditationStatusChange.objects.create(
            accreditation=accreditation,
            from_status=Status.IN_PROGRESS,
            to_status=Status.SUBMITTED,
            changed_by=manager,
        )
        Recommendation.objects.create(
            accreditation=accreditation,
            submission=submission,
            outcome=Outcome.ACCREDIT,
            summary="Every requirement met.",
            written_by=evaluator,
            written_at=_moment(i),
        )
        AwardFactory(
            accreditation=AccreditationFactory(
                setting=accreditation.setting, status=Status.ACCREDITED
            ),
            award_date=TODAY - datetime.timedelta(days=3 * 365 - i),
            expiry_date=TODAY + datetime.timedelta(days=i + 1),
        )
