"""Notes after the visit, send-back confirmation, past workshops, money, judgement notes."""

# Fixtures are imported from year_factories, so test arguments share their names.
# ruff: noqa: F811

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accreditation.forms.evaluators import EvaluatorProfileForm
from accreditation.forms.time import TimeEntryForm
from accreditation.models import (
    Judgement,
    NoteStatus,
    Requirement,
    RequirementKind,
    Status,
    VisitType,
    Workshop,
    WorkshopBooking,
)
from accreditation.models.awards import add_years
from accreditation.selectors_tasks import accreditation_tasks
from accreditation.services import visits as visit_services
from accreditation.services.reaccreditation import (
    do_judge_requirement,
    do_open_reaccreditation,
)
from kqm.models import Role
from tests.access import assert_access
from tests.factories import AccreditationFactory

from .award_factories import AwardFactory
from .year_factories import VisitFactory, accreditation, cohort, evaluator, start_note  # noqa: F401

pytestmark = pytest.mark.django_db


def _tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


# --- Notes of visit ----------------------------------------------------------------------------


def test_a_note_cannot_be_shared_or_agreed_before_its_visit(users, accreditation):
    visit = VisitFactory(
        accreditation=accreditation, visit_type=VisitType.MENTORING_1, date=_tomorrow()
    )
    note = start_note(visit)
    with pytest.raises(ValidationError, match="can be shared from that day"):
        visit_services.do_share_note(actor=users[Role.EVALUATOR], note=note, revision=note.revision)
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT
    shared = start_note(
        VisitFactory(
            accreditation=accreditation, visit_type=VisitType.MENTORING_2, date=_tomorrow()
        ),
        status=NoteStatus.SHARED,
    )
    with pytest.raises(ValidationError, match="can be agreed from that day"):
        visit_services.do_respond_to_note(
            actor=users[Role.SETTING_MANAGER], note=shared, agree=True, comment=""
        )


def test_a_note_agreed_for_a_visit_still_to_come_does_not_complete_the_task(users, accreditation):
    visit = VisitFactory(
        accreditation=accreditation, visit_type=VisitType.MENTORING_1, date=_tomorrow()
    )
    start_note(visit, status=NoteStatus.AGREED)  # as the old rules allowed
    tasks = {
        t.key: t
        for g in accreditation_tasks(accreditation, users[Role.SETTING_MANAGER])
        for t in g.tasks
    }
    assert tasks[VisitType.MENTORING_1].status == "Booked"


def test_sending_a_note_back_confirms_on_a_page_the_setting_manager_can_open(
    client, users, accreditation
):
    visit = VisitFactory(
        accreditation=accreditation,
        visit_type=VisitType.MENTORING_1,
        date=timezone.localdate() - datetime.timedelta(days=2),
    )
    start_note(visit, status=NoteStatus.SHARED)
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(
        reverse("accreditation:note-respond", args=[visit.pk]),
        {"decision": "comment", "comment": "The date of the review is wrong."},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == visit.get_absolute_url()
    page = response.content.decode()
    assert "Your comment has been sent to" in page
    assert "back with them to change" in page


# --- Workshops recorded after they happened ------------------------------------------------


def test_a_past_workshop_is_recorded_with_its_attendance(client, users, setting):
    manager = users[Role.MANAGER]
    AwardFactory(accreditation=AccreditationFactory(setting=setting))
    client.force_login(manager)
    day = timezone.localdate() - datetime.timedelta(days=20)
    response = client.post(
        reverse("accreditation:workshop-new"),
        {
            "title": "Re-accreditation workshop",
            "date_0": str(day.day),
            "date_1": str(day.month),
            "date_2": str(day.year),
            "starts_at": "09:30",
            "ends_at": "12:30",
            "venue": "Kent Education Centre",
            "address": "",
            "capacity": "20",
            "notes": "",
        },
    )
    assert response.status_code == 302
    workshop = Workshop.objects.get()
    assert workshop.date == day
    add = reverse("accreditation:workshop-add-attendee", args=[workshop.pk])
    assert_access(client, add, users, allowed=[Role.MANAGER])
    client.force_login(manager)
    assert (
        add
        in client.get(
            reverse("accreditation:workshop-attendance", args=[workshop.pk])
        ).content.decode()
    )
    missing = client.post(add, {"setting": setting.pk, "attendee_name": " "})
    assert "Enter the name of the person who attended" in missing.content.decode()
    client.post(add, {"setting": setting.pk, "attendee_name": "Asha Khan"})
    booking = WorkshopBooking.objects.get()
    assert (booking.setting, booking.attended, booking.attendee_name) == (
        setting,
        True,
        "Asha Khan",
    )
    assert booking.attendance_recorded_by == manager


# --- Money as people type it ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("£14.40", "14.40"), ("1,234.50", "1234.50"), ("£ 1,234", "1234"), ("12", "12")],
)
def test_money_fields_accept_pounds_signs_and_thousands_separators(typed, amount):
    today = timezone.localdate()
    form = TimeEntryForm(
        {
            "date_0": today.day,
            "date_1": today.month,
            "date_2": today.year,
            "days": "0.5",
            "expenses": typed,
            "description": "Mentoring visit",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["expenses"] == Decimal(amount)
    rate = EvaluatorProfileForm({"day_rate": typed}).fields["day_rate"].clean(typed)
    assert rate == Decimal(amount)


def test_money_fields_still_refuse_nonsense():
    field = TimeEntryForm().fields["expenses"]
    with pytest.raises(ValidationError):
        field.clean("fourteen pounds")


# --- Judgement notes ----------------------------------------------------------------------


def test_a_changed_judgement_asks_whether_its_note_still_stands(users, setting):
    manager = users[Role.MANAGER]
    award = AwardFactory(
        accreditation=AccreditationFactory(
            setting=setting, evaluator=users[Role.EVALUATOR], status=Status.ACCREDITED
        ),
        award_date=add_years(timezone.localdate(), -2) - datetime.timedelta(days=90),
    )
    reaccreditation = do_open_reaccreditation(award=award, opened_by=manager)
    requirement = Requirement.objects.get(
        reaccreditation=reaccreditation, kind=RequirementKind.ENTRY_CRITERIA
    )
    Requirement.objects.filter(pk=requirement.pk).update(evidence="Ofsted good, March.")
    requirement.refresh_from_db()
    reason = "The Ofsted report is missing."
    do_judge_requirement(
        actor=manager, requirement=requirement, judgement=Judgement.NOT_MET, note=reason
    )
    requirement.refresh_from_db()
    with pytest.raises(ValidationError) as asked:
        do_judge_requirement(
            actor=manager, requirement=requirement, judgement=Judgement.MET, note=reason
        )
    assert "choose whether to keep it or clear it" in str(asked.value.message_dict)
    requirement.refresh_from_db()
    assert requirement.judgement == Judgement.NOT_MET
    do_judge_requirement(
        actor=manager,
        requirement=requirement,
        judgement=Judgement.MET,
        note=reason,
        keep_previous_note=False,
    )
    requirement.refresh_from_db()
    assert (requirement.judgement, requirement.judgement_note) == (Judgement.MET, "")
    # An edited note is a deliberate one: kept as written, no question asked.
    do_judge_requirement(
        actor=manager, requirement=requirement, judgement=Judgement.NOT_MET, note="Still missing."
    )
    requirement.refresh_from_db()
    assert requirement.judgement_note == "Still missing."
