"""Visits: booking, rescheduling with history, who sees them, and the evaluator's calendar feed."""

# Fixtures are imported from year_factories, so test arguments share their names.
# ruff: noqa: F811

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from accreditation.calendar import escape_text, fold
from accreditation.models import CalendarFeed, Visit, VisitType
from kqm.models import Role
from tests.access import assert_access, assert_field_error, assert_not_found
from tests.factories import EvaluatorFactory

from .year_factories import (  # noqa: F401
    VisitFactory,
    _media_in_tmp,
    accreditation,
    cohort,
    elsewhere,
    evaluator,
    other_visit,
    visit,
)

pytestmark = pytest.mark.django_db

READERS = [Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER, Role.PRACTITIONER]
BOOKERS = [Role.MANAGER, Role.EVALUATOR]


def booking(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "visit_type": VisitType.MENTORING_1,
        "date_0": "14",
        "date_1": "10",
        "date_2": "2026",
        "start_time": "09:30",
        "end_time": "12:30",
    }
    data.update(extra)
    return data


# --- Access ------------------------------------------------------------------------------------


def test_visit_pages_access(client, users, accreditation, visit):
    assert_access(
        client, reverse("accreditation:visit-list", args=[accreditation.pk]), users, READERS
    )
    assert_access(client, visit.get_absolute_url(), users, READERS)
    assert_access(
        client, reverse("accreditation:visit-new", args=[accreditation.pk]), users, BOOKERS
    )
    assert_access(
        client, reverse("accreditation:visit-reschedule", args=[visit.pk]), users, BOOKERS
    )


def test_another_settings_visits_are_not_found(client, users, elsewhere, other_visit):
    others = [users[Role.EVALUATOR], users[Role.SETTING_MANAGER], users[Role.PRACTITIONER]]
    assert_not_found(client, reverse("accreditation:visit-list", args=[elsewhere.pk]), others)
    assert_not_found(client, other_visit.get_absolute_url(), others)
    bookers = [users[Role.EVALUATOR]]
    assert_not_found(client, reverse("accreditation:visit-new", args=[elsewhere.pk]), bookers)
    assert_not_found(
        client, reverse("accreditation:visit-reschedule", args=[other_visit.pk]), bookers
    )
    assert_not_found(
        client, reverse("accreditation:visit-new", args=[elsewhere.pk]), bookers, method="POST"
    )


# --- Booking -----------------------------------------------------------------------------------


def test_the_evaluator_books_a_visit_and_the_setting_manager_is_emailed(
    client, users, accreditation, evaluator, django_capture_on_commit_callbacks
):
    client.force_login(evaluator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accreditation:visit-new", args=[accreditation.pk]), booking()
        )
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == visit.get_absolute_url()
    assert (visit.visit_type, visit.date, visit.start_time, visit.end_time) == (
        VisitType.MENTORING_1,
        datetime.date(2026, 10, 14),
        datetime.time(9, 30),
        datetime.time(12, 30),
    )
    assert visit.scheduled_by == evaluator
    [email] = mail.outbox
    assert email.to == [users[Role.SETTING_MANAGER].email]
    assert "Mentoring visit 1 booked for 14 October 2026" in email.subject
    client.force_login(users[Role.PRACTITIONER])
    html = client.get(reverse("accreditation:visit-list", args=[accreditation.pk])).content.decode()
    assert "Mentoring visit 1" in html and "Wednesday 14 October 2026" in html
    assert "Book a visit" not in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"visit_type": ""}, "visit_type", "Choose the type of visit"),
        ({"date_0": "", "date_1": "", "date_2": ""}, "date", "Enter the date of the visit"),
        ({"date_0": "31", "date_1": "2"}, "date", "The date of the visit must be a real date"),
        ({"start_time": ""}, "start_time", "Enter the start time"),
        (
            {"start_time": "half nine"},
            "start_time",
            "Enter the start time as hours and minutes on the 24-hour clock, like 09:30",
        ),
        ({"end_time": "09:00"}, "end_time", "The end time must be after the start time"),
    ],
)
def test_bad_bookings_are_refused_beside_the_field(
    client, evaluator, accreditation, data, field, message
):
    client.force_login(evaluator)
    response = client.post(
        reverse("accreditation:visit-new", args=[accreditation.pk]), booking(**data)
    )
    assert_field_error(response, field, message)
    assert not Visit.objects.exists()
    if field != "start_time":
        assert 'value="09:30"' in response.content.decode()  # what was typed is kept


def test_a_visit_type_already_booked_is_not_offered_or_accepted(client, evaluator, visit):
    client.force_login(evaluator)
    url = reverse("accreditation:visit-new", args=[visit.accreditation_id])
    html = client.get(url).content.decode()
    assert 'value="mentoring_1"' not in html and 'value="mentoring_2"' in html
    response = client.post(url, booking())
    assert_field_error(response, "visit_type", "Choose one of the visits not booked yet")
    assert Visit.objects.count() == 1


def test_an_evaluator_not_assigned_cannot_book(client, accreditation):
    client.force_login(EvaluatorFactory())
    response = client.post(reverse("accreditation:visit-new", args=[accreditation.pk]), booking())
    assert response.status_code == 404 and not Visit.objects.exists()


# --- Rescheduling --------------------------------------------------------------------------------


def reschedule(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "date_0": "21",
        "date_1": "10",
        "date_2": "2026",
        "start_time": "13:00",
        "end_time": "16:00",
        "reason": "The manager is on a course that week.",
    }
    data.update(extra)
    return data


def test_rescheduling_keeps_the_earlier_date_and_raises_the_sequence(
    client, users, visit, evaluator, django_capture_on_commit_callbacks
):
    client.force_login(evaluator)
    url = reverse("accreditation:visit-reschedule", args=[visit.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, reschedule())
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.date, visit.start_time, visit.sequence) == (
        datetime.date(2026, 10, 21),
        datetime.time(13, 0),
        1,
    )
    assert "moved to 21 October 2026" in mail.outbox[0].subject
    client.force_login(users[Role.SETTING_MANAGER])
    html = client.get(visit.get_absolute_url()).content.decode()
    assert "Earlier dates" in html
    assert "14 Oct 2026, 09:30 to 12:30" in html and "21 Oct 2026, 13:00 to 16:00" in html
    assert "The manager is on a course that week." in html


def test_rescheduling_needs_a_reason_and_a_change(client, evaluator, visit):
    client.force_login(evaluator)
    url = reverse("accreditation:visit-reschedule", args=[visit.pk])
    assert_field_error(
        client.post(url, reschedule(reason="")), "reason", "Enter why the visit is moving"
    )
    same = reschedule(date_0="14", start_time="09:30", end_time="12:30")
    response = client.post(url, same)
    assert "The new date and times are the same as the ones booked." in response.content.decode()
    visit.refresh_from_db()
    assert visit.sequence == 0 and visit.history.count() == 1


# --- Calendar feed -----------------------------------------------------------------------------


def test_calendar_pages_are_for_evaluators(client, users):
    assert_access(client, reverse("accreditation:calendar"), users, [Role.EVALUATOR])
    assert_access(client, reverse("accreditation:calendar-regenerate"), users, [Role.EVALUATOR])


def test_the_feed_lists_the_evaluators_visits_to_anyone_with_the_token(
    client, evaluator, visit, other_visit
):
    client.force_login(evaluator)
    client.post(reverse("accreditation:calendar-regenerate"))
    feed = CalendarFeed.objects.get(user=evaluator)
    assert len(feed.token) >= 40
    page = client.get(reverse("accreditation:calendar")).content.decode()
    url = reverse("accreditation:calendar-feed", args=[feed.token])
    assert url in page
    client.logout()
    response = client.get(url)  # a calendar app: no session
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert body.count("BEGIN:VEVENT") == 1  # not the other evaluator's visit
    assert f"UID:visit-{visit.pk}@" in body
    assert "DTSTART:20261014T083000Z" in body  # 09:30 British Summer Time
    assert "SUMMARY:Mentoring visit 1: Little Acorns Day Nursery" in body
    assert "SEQUENCE:0" in body


def test_a_new_address_stops_the_old_one(client, evaluator, visit):
    client.force_login(evaluator)
    client.post(reverse("accreditation:calendar-regenerate"))
    old = CalendarFeed.objects.get(user=evaluator).token
    confirm = client.get(reverse("accreditation:calendar-regenerate")).content.decode()
    assert "will stop working" in confirm
    client.post(reverse("accreditation:calendar-regenerate"))
    new = CalendarFeed.objects.get(user=evaluator).token
    assert new != old
    client.logout()
    assert client.get(reverse("accreditation:calendar-feed", args=[old])).status_code == 404
    assert client.get(reverse("accreditation:calendar-feed", args=[new])).status_code == 200


def test_unknown_tokens_and_deactivated_evaluators_get_nothing(client, evaluator):
    assert client.get(reverse("accreditation:calendar-feed", args=["guess"])).status_code == 404
    feed = CalendarFeed.objects.create(user=evaluator)
    evaluator.is_active = False
    evaluator.save()
    assert client.get(reverse("accreditation:calendar-feed", args=[feed.token])).status_code == 404
    assert client.post(reverse("accreditation:calendar-feed", args=[feed.token])).status_code == 405


def test_calendar_text_is_escaped_and_folded():
    assert escape_text("Oak, Ash; Elm\nRoom") == "Oak\\, Ash\\; Elm\\nRoom"
    line = "SUMMARY:" + "é" * 60
    folded = fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
