"""The accreditation page as a task list: every requirement of the year with its status."""

# Fixtures are imported from year_factories, so test arguments share their names.
# ruff: noqa: F811

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accreditation.models import (
    ActionStatus,
    CaseStudyStatus,
    ImprovementAction,
    NoteStatus,
    SelfEvaluationEntry,
    Status,
    VisitType,
)
from accreditation.models.unit_b import SEF_SECTIONS
from accreditation.selectors_tasks import accreditation_tasks
from audits.models import (
    AuditReview,
    AuditStatus,
    Group,
    InstrumentKind,
    Occasion,
    Term,
)
from kqm.models import Role
from tests.factories import AccreditationFactory

from .award_factories import AwardFactory
from .task_list_helpers import audit, plan_action, screen, staff_round
from .year_factories import (  # noqa: F401
    VisitFactory,
    accreditation,
    cohort,
    evaluator,
    make_case_study,
    start_note,
)

pytestmark = pytest.mark.django_db


def statuses(accreditation, user) -> dict[str, str]:
    return {
        task.key: task.status
        for group in accreditation_tasks(accreditation, user)
        for task in group.tasks
    }


def test_a_new_accreditation_lists_every_requirement_not_started(users, accreditation):
    assert statuses(accreditation, users[Role.SETTING_MANAGER]) == {
        "initial-audit": "Not yet booked",
        "mentoring_1": "Not yet booked",
        "mentoring_2": "Not yet booked",
        "mentoring_3": "Not yet booked",
        "case-study-1": "Not started",
        "case-study-2": "Not started",
        "screening-autumn": "Not started",
        "screening-spring": "Not started",
        "screening-summer": "Not started",
        "leadership-audit": "Not started",
        "staff-questionnaire": "Not started",
        "sef": "Not started",
        "improvement-plan": "Not started",
        "ppel-initial": "Not started",
        "ppel-end-of-year": "Not started",
        "end-of-year-audit": "Not yet booked",
    }


def test_statuses_follow_the_year(users, accreditation):
    sm, ev = users[Role.SETTING_MANAGER], users[Role.EVALUATOR]
    VisitFactory(accreditation=accreditation, visit_type=VisitType.INITIAL_AUDIT)
    audit(accreditation, Occasion.INITIAL)
    end = audit(accreditation, Occasion.END_OF_YEAR, AuditStatus.IN_PROGRESS)
    # Notes are shared and agreed after their visits, so these visits have taken place.
    today = timezone.localdate()
    agreed = VisitFactory(
        accreditation=accreditation,
        visit_type=VisitType.MENTORING_1,
        date=today - datetime.timedelta(days=30),
    )
    start_note(agreed, status=NoteStatus.AGREED)
    shared = VisitFactory(
        accreditation=accreditation,
        visit_type=VisitType.MENTORING_2,
        date=today - datetime.timedelta(days=10),
    )
    start_note(shared, status=NoteStatus.SHARED)
    drafted = VisitFactory(
        accreditation=accreditation,
        visit_type=VisitType.MENTORING_3,
        date=today - datetime.timedelta(days=1),
    )
    start_note(drafted)
    make_case_study(accreditation, number=1, status=CaseStudyStatus.SUBMITTED)
    make_case_study(accreditation, number=2, status=CaseStudyStatus.RETURNED)
    rooms = [
        Group.objects.create(setting=accreditation.setting, programme_year=2026, name=name)
        for name in ("Babies", "Toddlers")
    ]
    screen(accreditation, rooms[0], Term.AUTUMN)
    screen(accreditation, rooms[1], Term.AUTUMN)
    screen(accreditation, rooms[0], Term.SPRING)
    setting_view = statuses(accreditation, sm)
    assert setting_view == {
        "initial-audit": "Completed",
        "mentoring_1": "Completed",
        "mentoring_2": "Note to agree",
        "mentoring_3": "Booked",  # the setting does not see the draft
        "case-study-1": "Submitted",
        "case-study-2": "Returned for more work",
        "screening-autumn": "Completed",
        "screening-spring": "In progress",
        "screening-summer": "Not started",
        "leadership-audit": "Not started",
        "staff-questionnaire": "Not started",
        "sef": "Not started",
        "improvement-plan": "Not started",
        "ppel-initial": "Not started",
        "ppel-end-of-year": "Not started",
        "end-of-year-audit": "In progress",
    }
    evaluator_view = statuses(accreditation, ev)
    assert evaluator_view["mentoring_2"] == "Note with the setting"
    assert evaluator_view["mentoring_3"] == "Note being written"
    assert evaluator_view["case-study-1"] == "To review"
    end.status = AuditStatus.COMPLETED
    end.save()
    assert statuses(accreditation, ev)["end-of-year-audit"] == "Completed"


def test_unit_b_statuses_follow_the_work(users, accreditation):
    sm = users[Role.SETTING_MANAGER]
    leadership = audit(accreditation, Occasion.OTHER, AuditStatus.IN_PROGRESS, "leadership")
    audit(accreditation, Occasion.INITIAL, kind=InstrumentKind.PARTNERSHIP)
    audit(accreditation, Occasion.END_OF_YEAR, AuditStatus.IN_PROGRESS, "partnership")
    staff = staff_round(accreditation, closes_in=7)
    SelfEvaluationEntry.objects.create(
        accreditation=accreditation,
        section=SEF_SECTIONS[0].code,
        judgement="good",
        evidence="Seen in practice.",
        updated_by=sm,
    )
    plan_action(accreditation, ActionStatus.DONE)
    plan_action(accreditation, ActionStatus.IN_PROGRESS)
    tasks = {t.key: t for g in accreditation_tasks(accreditation, sm) for t in g.tasks}
    assert tasks["leadership-audit"].status == "In progress"
    assert tasks["ppel-initial"].status == "Completed"
    assert tasks["ppel-end-of-year"].status == "In progress"
    # The ECERS/ITERS tasks ignore the Unit B tools' audits.
    assert tasks["initial-audit"].status == "Not yet booked"
    assert tasks["end-of-year-audit"].status == "Not yet booked"
    assert tasks["staff-questionnaire"].status == "Open for answers"
    assert tasks["staff-questionnaire"].url == staff.get_absolute_url()
    assert tasks["sef"].status == "In progress"
    assert tasks["sef"].hint == f"1 of {len(SEF_SECTIONS)} sections judged"
    assert tasks["improvement-plan"].status == "In progress"
    assert tasks["improvement-plan"].hint == "1 of 2 actions finished"

    leadership.status = AuditStatus.COMPLETED
    leadership.save()
    # Completed by the setting, the leadership audit waits for the evaluator's review.
    assert statuses(accreditation, sm)["leadership-audit"] == "Waiting for review"
    assert statuses(accreditation, users[Role.EVALUATOR])["leadership-audit"] == "To review"
    AuditReview.objects.create(
        audit=leadership, completed_at=timezone.now(), completed_by=users[Role.EVALUATOR]
    )
    staff.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    staff.save()
    for section in SEF_SECTIONS[1:]:
        SelfEvaluationEntry.objects.create(
            accreditation=accreditation,
            section=section.code,
            judgement="good",
            evidence="Seen.",
            updated_by=sm,
        )
    ImprovementAction.objects.update(status=ActionStatus.DROPPED)
    done = statuses(accreditation, sm)
    for key in ("leadership-audit", "staff-questionnaire", "sef", "improvement-plan"):
        assert done[key] == "Completed", key
    # Practitioners cannot open the Unit B pages: the tasks carry no link for them.
    tasks = {
        t.key: t
        for g in accreditation_tasks(accreditation, users[Role.PRACTITIONER])
        for t in g.tasks
    }
    assert tasks["sef"].url == tasks["improvement-plan"].url == ""
    assert tasks["staff-questionnaire"].url == ""


def test_the_setting_manager_starts_a_unit_b_self_audit_from_its_task(users, accreditation):
    new_audit = (
        reverse("audits:audit-new")
        + f"?setting={accreditation.setting_id}&accreditation={accreditation.pk}"
    )
    tasks = {
        t.key: t
        for g in accreditation_tasks(accreditation, users[Role.SETTING_MANAGER])
        for t in g.tasks
    }
    assert tasks["leadership-audit"].url == f"{new_audit}&occasion=initial&kind=leadership"
    assert tasks["ppel-initial"].url == f"{new_audit}&occasion=initial&kind=partnership"
    assert tasks["ppel-end-of-year"].url == f"{new_audit}&occasion=end_of_year&kind=partnership"
    tasks = {
        t.key: t for g in accreditation_tasks(accreditation, users[Role.EVALUATOR]) for t in g.tasks
    }
    assert tasks["leadership-audit"].url == tasks["ppel-initial"].url == ""


def test_the_page_shows_the_task_list_with_links_and_unit_b(client, users, accreditation):
    VisitFactory(accreditation=accreditation, visit_type=VisitType.MENTORING_1)
    client.force_login(users[Role.SETTING_MANAGER])
    html = client.get(accreditation.get_absolute_url()).content.decode()
    assert 'class="govuk-task-list"' in html
    assert html.count('class="govuk-task-list__item') == 16
    case_study = reverse("accreditation:case-study-detail", args=[accreditation.pk, 1])
    assert f'href="{case_study}"' in html
    assert "Booked" in html and "14 Oct 2026, 09:30 to 12:30" in html
    assert "Unit B: leadership and partnership with parents" in html
    assert "Leadership audit" in html
    sef = reverse("accreditation:self-evaluation", args=[accreditation.pk])
    assert f'href="{sef}"' in html
    assert reverse("accreditation:message-list", args=[accreditation.pk]) in html
    assert reverse("accreditation:time-list", args=[accreditation.pk]) not in html
    client.force_login(users[Role.PRACTITIONER])
    html = client.get(accreditation.get_absolute_url()).content.decode()
    assert reverse("accreditation:message-list", args=[accreditation.pk]) not in html
    # Practitioners see Unit B's progress but cannot open its pages.
    assert "Self-evaluation (SEF)" in html and f'href="{sef}"' not in html


@pytest.mark.parametrize("rows", [3, 12])
def test_the_task_list_runs_a_constant_number_of_queries(
    client, users, accreditation, rows, django_assert_num_queries
):
    for n in range(rows):
        group = Group.objects.create(
            setting=accreditation.setting, programme_year=2026, name=f"Room {n}"
        )
        screen(accreditation, group, Term.AUTUMN)
        audit(accreditation, Occasion.INITIAL)
        audit(accreditation, Occasion.INITIAL, kind=InstrumentKind.PARTNERSHIP)
        audit(accreditation, Occasion.OTHER, kind=InstrumentKind.LEADERSHIP)
        plan_action(accreditation, ActionStatus.IN_PROGRESS)
    staff_round(accreditation, closes_in=3)
    for visit_type in VisitType.values:
        start_note(VisitFactory(accreditation=accreditation, visit_type=visit_type))
    make_case_study(accreditation, number=1)
    client.force_login(users[Role.SETTING_MANAGER])
    # session, user, accreditation, status history, visits+notes, audits, case studies, rooms,
    # SEF and plan counts, staff questionnaire rounds
    with django_assert_num_queries(10):
        response = client.get(accreditation.get_absolute_url())
    assert response.status_code == 200
    assert len(re.findall(r'data-task="', response.content.decode())) == 16


def test_the_manager_assigns_an_evaluator_from_the_accreditation_page(client, users, cohort):
    unassigned = AccreditationFactory(cohort=cohort, status=Status.ACCEPTED)
    assign = reverse("accreditation:accreditation-assign-evaluator", args=[unassigned.pk])
    client.force_login(users[Role.MANAGER])
    html = client.get(unassigned.get_absolute_url()).content.decode()
    assert f'href="{assign}"' in html and "Assign an evaluator" in html
    unassigned.evaluator = users[Role.EVALUATOR]
    unassigned.save(update_fields=["evaluator"])
    html = client.get(unassigned.get_absolute_url()).content.decode()
    assert f'href="{assign}"' in html and "Assign an evaluator" not in html
    client.force_login(users[Role.EVALUATOR])
    assert assign not in client.get(unassigned.get_absolute_url()).content.decode()


def test_after_the_decision_the_page_links_to_the_award_and_certificate(
    client, users, setting, cohort
):
    accredited = AccreditationFactory(setting=setting, cohort=cohort, status=Status.ACCREDITED)
    award = AwardFactory(accreditation=accredited)
    client.force_login(users[Role.SETTING_MANAGER])
    html = client.get(accredited.get_absolute_url()).content.decode()
    assert f'href="{award.get_absolute_url()}"' in html
    assert "The certificate is being prepared" in html
    award.certificate.save("c.pdf", ContentFile(b"%PDF-1.7"), save=True)
    html = client.get(accredited.get_absolute_url()).content.decode()
    assert reverse("accreditation:award-certificate", args=[award.pk]) in html
    # The evaluator does not download certificates: no award section for them.
    client.force_login(users[Role.EVALUATOR])
    assert 'data-testid="awards"' not in client.get(accredited.get_absolute_url()).content.decode()
