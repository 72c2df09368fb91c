"""Fixtures and factories for the accreditation-year tests (visits, notes, case studies, time).

``accreditation`` belongs to the conftest's ``setting`` with the conftest's evaluator
assigned; ``elsewhere`` is another setting's accreditation with another evaluator, so
every role reaching it gets 404.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import factory
import pytest
from django.utils import timezone
from factory.django import DjangoModelFactory

from accreditation.models import (
    Accreditation,
    CaseStudy,
    NoteOfVisit,
    NoteStatus,
    Status,
    Visit,
    VisitType,
)
from accreditation.services import visits as visit_services
from audits.models import Child, Group, LeuvenScore, Screening, Term
from kqm.models import Role, User
from tests.factories import AccreditationFactory, CohortFactory, EvaluatorFactory

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


class VisitFactory(DjangoModelFactory[Visit]):
    class Meta:
        model = Visit

    accreditation = factory.SubFactory(AccreditationFactory)
    visit_type = VisitType.MENTORING_1
    date = datetime.date(2026, 10, 14)
    start_time = datetime.time(9, 30)
    end_time = datetime.time(12, 30)
    scheduled_by = factory.LazyAttribute(lambda o: o.accreditation.evaluator)


@pytest.fixture
def cohort(db):
    return CohortFactory(name="2026 cohort", programme_year=2026)


@pytest.fixture
def evaluator(users) -> User:
    return users[Role.EVALUATOR]


@pytest.fixture
def accreditation(setting, cohort, evaluator) -> Accreditation:
    return AccreditationFactory(
        setting=setting,
        cohort=cohort,
        evaluator=evaluator,
        status=Status.IN_PROGRESS,
        days_budget=Decimal("8.0"),
    )


@pytest.fixture
def elsewhere(other_setting, cohort) -> Accreditation:
    """Another setting's accreditation, with another evaluator."""
    return AccreditationFactory(
        setting=other_setting,
        cohort=cohort,
        evaluator=EvaluatorFactory(full_name="Olu Other"),
        status=Status.IN_PROGRESS,
    )


@pytest.fixture
def visit(accreditation) -> Visit:
    return VisitFactory(accreditation=accreditation)


@pytest.fixture
def other_visit(elsewhere) -> Visit:
    return VisitFactory(accreditation=elsewhere)


def start_note(visit: Visit, *, text: str = "Written.", status: str = NoteStatus.DRAFT):
    """A note of visit with every section written and one agreed action."""
    note = visit_services.do_start_note(actor=visit.accreditation.evaluator, visit=visit)
    note.sections.update(text=text)
    note.actions.create(
        accreditation=visit.accreditation,
        order=1,
        action="Review the outdoor area plan",
        owner="Deputy manager",
        due_on=datetime.date(2026, 11, 30),
    )
    if status != NoteStatus.DRAFT:
        NoteOfVisit.objects.filter(pk=note.pk).update(
            status=status,
            shared_at=timezone.now(),
            agreed_at=timezone.now() if status == NoteStatus.AGREED else None,
            agreed_by=visit.accreditation.setting.members.filter(role=Role.SETTING_MANAGER).first()
            if status == NoteStatus.AGREED
            else None,
        )
        note.refresh_from_db()
    return note


def leuven_child(setting, *, scores=((2, 3), (4, 4)), year: int = 2026):
    """A child screened in autumn and spring with the given (well-being, involvement)."""
    group = Group.objects.get_or_create(setting=setting, programme_year=year, name="Rainbow room")[
        0
    ]
    child = Child.objects.create(setting=setting, group=group)
    made = []
    for (wellbeing, involvement), (term, month) in zip(
        scores, [(Term.AUTUMN, 10), (Term.SPRING, 2), (Term.SUMMER, 6)], strict=False
    ):
        screening = Screening.objects.get_or_create(
            group=group,
            term=term,
            defaults={"date": datetime.date(year + (month < 9), month, 15)},
        )[0]
        made.append(
            LeuvenScore.objects.create(
                screening=screening, child=child, wellbeing=wellbeing, involvement=involvement
            )
        )
    return child, made


def case_study_post(revision: int = 0, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "revision": revision,
        "title": "Outdoor play for our two-year-old boys",
        "focus_child": "",
        "baseline_score": "",
        "follow_up_score": "",
        "context": "We are a 40-place nursery. Our ECERS audit showed little gross-motor play.",
        "baseline": "Well-being was low in the garden.",
        "change": "We opened the garden all day and added loose parts.",
        "observations": "Week 2: boys built ramps. Week 5: longer play.",
        "outcome": "Involvement rose from 3 to 4.",
        "reflection": "Next we will look at mark-making outdoors.",
    }
    data.update(extra)
    return data


def make_case_study(accreditation, *, number: int = 1, status: str = "draft", **fields):
    values = {
        "title": "Outdoor play",
        "context": "<p>Context.</p>",
        "baseline": "<p>Baseline.</p>",
        "change": "<p>Change.</p>",
        "observations": "<p>Observations.</p>",
        "outcome": "<p>Outcome.</p>",
        "reflection": "<p>Reflection.</p>",
    }
    values.update(fields)
    manager = (
        accreditation.setting.members.filter(role=Role.SETTING_MANAGER).first()
        or accreditation.evaluator
    )
    return CaseStudy.objects.create(
        accreditation=accreditation,
        number=number,
        status=status,
        saved_at=timezone.now(),
        saved_by=manager,
        **values,
    )


def pdf_upload(name: str = "observations.pdf", content: bytes = PDF):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def pdf_bytes() -> io.BytesIO:
    return io.BytesIO(PDF)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
