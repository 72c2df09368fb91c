"""Half-day workshops: scheduling, places booked under a lock, cancellations with emails,
attendance, the selector re-accreditation uses, and the pages' access."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accreditation.models import Workshop, WorkshopBooking
from accreditation.selectors_workshops import workshop_attended
from accreditation.services import workshops as services
from kqm.models import Role
from tests.access import assert_access, assert_field_error, assert_not_found
from tests.factories import SettingFactory, UserFactory

pytestmark = pytest.mark.django_db

WORKSHOP_ROLES = [Role.MANAGER, Role.SETTING_MANAGER]


def _details(**changes) -> services.WorkshopDetails:
    fields = {
        "title": "Re-accreditation workshop",
        "date": timezone.localdate() + datetime.timedelta(days=14),
        "starts_at": datetime.time(9, 30),
        "ends_at": datetime.time(12, 30),
        "venue": "Kent Education Centre",
        "address": "Maidstone",
        "capacity": 3,
        "notes": "",
        **changes,
    }
    return services.WorkshopDetails(**fields)


def _past_workshop(manager, days_ago: int = 7, **fields) -> Workshop:
    return Workshop.objects.create(
        date=timezone.localdate() - datetime.timedelta(days=days_ago),
        starts_at=datetime.time(9, 30),
        ends_at=datetime.time(12, 30),
        venue="Kent Education Centre",
        capacity=10,
        created_by=manager,
        **fields,
    )


def _booking(workshop, setting, user, **fields) -> WorkshopBooking:
    return WorkshopBooking.objects.create(
        workshop=workshop, setting=setting, attendee_name="Asha Khan", booked_by=user, **fields
    )


@pytest.fixture
def workshop(manager) -> Workshop:
    return services.do_schedule_workshop(details=_details(), by=manager)


@pytest.fixture
def other_manager(other_setting):
    return UserFactory(role=Role.SETTING_MANAGER, settings=[other_setting], email="o@other.test")


@pytest.fixture
def booking(workshop, setting, users) -> WorkshopBooking:
    return services.do_book_workshop(
        workshop=workshop,
        setting=setting,
        attendee_name="Asha Khan",
        by=users[Role.SETTING_MANAGER],
    )


@pytest.fixture
def other_booking(workshop, other_setting, other_manager) -> WorkshopBooking:
    return services.do_book_workshop(
        workshop=workshop, setting=other_setting, attendee_name="Olu", by=other_manager
    )


WORKSHOP_POST = {
    "title": "Re-accreditation workshop",
    "date_0": "",
    "date_1": "",
    "date_2": "",
    "starts_at": "09:30",
    "ends_at": "12:30",
    "venue": "Kent Education Centre",
    "address": "",
    "capacity": "20",
    "notes": "",
}


def _post_date(day: datetime.date) -> dict[str, str]:
    return {"date_0": str(day.day), "date_1": str(day.month), "date_2": str(day.year)}


# --- The selector re-accreditation uses --------------------------------------------------


def test_workshop_attended_is_the_latest_attended_booking(setting, manager, users):
    assert workshop_attended(setting.pk) is None
    older = _booking(_past_workshop(manager, 300), setting, manager, attended=True)
    assert workshop_attended(setting.pk) == older
    newer = _booking(_past_workshop(manager, 30), setting, manager, attended=True)
    _booking(_past_workshop(manager, 10), setting, manager, attended=False)
    _booking(_past_workshop(manager, 5), SettingFactory(), manager, attended=True)
    assert workshop_attended(setting.pk) == newer


# --- Scheduling ----------------------------------------------------------------------------


def test_the_manager_schedules_a_workshop(client, manager):
    client.force_login(manager)
    day = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(
        reverse("accreditation:workshop-new"), {**WORKSHOP_POST, **_post_date(day)}
    )
    workshop = Workshop.objects.get()
    assert response["Location"] == workshop.get_absolute_url()
    assert (workshop.date, workshop.capacity, workshop.created_by) == (day, 20, manager)
    assert workshop.history.get().history_user == manager


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("ends_at", "09:00", "The end time must be after the start time"),
        ("ends_at", "14:00", "A half-day workshop lasts at most 4 hours"),
        ("capacity", "0", "The workshop needs at least 1 place"),
        ("capacity", "lots", "Enter the number of places as a whole number"),
        ("venue", "", "Enter the venue"),
        ("date", "past", "The workshop date must be within the last year"),
    ],
)
def test_bad_workshops_are_not_saved(client, manager, field, value, message):
    client.force_login(manager)
    day = timezone.localdate() + datetime.timedelta(days=30)
    data = {**WORKSHOP_POST, **_post_date(day)}
    if field == "date":
        data.update(_post_date(timezone.localdate() - datetime.timedelta(days=400)))
    else:
        data[field] = value
    response = client.post(reverse("accreditation:workshop-new"), data)
    assert_field_error(response, field, message)
    assert not Workshop.objects.exists()


def test_changing_the_date_emails_the_booked_settings(
    client, manager, workshop, booking, users, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    day = workshop.date + datetime.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accreditation:workshop-edit", args=[workshop.pk]),
            {**WORKSHOP_POST, **_post_date(day), "capacity": "3"},
        )
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.date == day
    [email] = [m for m in mail.outbox if m.subject.startswith("Workshop changed")]
    assert email.to == [users[Role.SETTING_MANAGER].email]
    assert workshop.get_absolute_url() in email.body


def test_the_places_cannot_drop_below_the_bookings(
    client, manager, workshop, booking, other_booking
):
    client.force_login(manager)
    response = client.post(
        reverse("accreditation:workshop-edit", args=[workshop.pk]),
        {**WORKSHOP_POST, **_post_date(workshop.date), "capacity": "1"},
    )
    assert_field_error(response, "capacity", "2 places are booked")
    workshop.refresh_from_db()
    assert workshop.capacity == 3


def test_cancelling_a_workshop_cancels_its_bookings_and_emails_the_settings(
    client, manager, workshop, booking, other_booking, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    url = reverse("accreditation:workshop-cancel", args=[workshop.pk])
    assert "2 settings booked a place" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response["Location"] == reverse("accreditation:workshop-list")
    workshop.refresh_from_db()
    assert workshop.is_cancelled and workshop.cancelled_by == manager
    assert not WorkshopBooking.objects.filter(cancelled_at__isnull=True).exists()
    cancelled = [m for m in mail.outbox if m.subject.startswith("Workshop cancelled")]
    assert sorted(m.to[0] for m in cancelled) == sorted(
        [booking.booked_by.email, other_booking.booked_by.email]
    )
    # Cancelling again is refused.
    assert client.post(url).status_code == 400


# --- Booking -------------------------------------------------------------------------------


def test_a_setting_manager_books_a_place(
    client, users, workshop, setting, django_capture_on_commit_callbacks
):
    client.force_login(users[Role.SETTING_MANAGER])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accreditation:workshop-book", args=[workshop.pk]),
            {"attendee_name": "Asha Khan"},
        )
    assert response["Location"] == workshop.get_absolute_url()
    booking = WorkshopBooking.objects.get()
    assert (booking.setting, booking.attendee_name) == (setting, "Asha Khan")
    [email] = mail.outbox
    assert email.subject.startswith("Place booked: Re-accreditation workshop")
    page = client.get(workshop.get_absolute_url()).content.decode()
    assert "2 of 3 left" in page and "Asha Khan" in page
    listing = client.get(reverse("accreditation:workshop-list")).content.decode()
    assert "Your setting's bookings" in listing and "Asha Khan" in listing


def test_booking_needs_a_name(client, users, workshop):
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(
        reverse("accreditation:workshop-book", args=[workshop.pk]), {"attendee_name": " "}
    )
    assert_field_error(response, "attendee_name", "Enter the name of the person who will attend")
    assert not WorkshopBooking.objects.exists()


def test_a_full_workshop_refuses_with_a_clear_message(client, manager, users, setting):
    workshop = services.do_schedule_workshop(details=_details(capacity=1), by=manager)
    services.do_book_workshop(
        workshop=workshop, setting=SettingFactory(), attendee_name="First", by=manager
    )
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(
        reverse("accreditation:workshop-book", args=[workshop.pk]), {"attendee_name": "Asha"}
    )
    assert response.status_code == 200
    assert "This workshop is full" in response.content.decode()
    assert not WorkshopBooking.objects.filter(setting=setting).exists()
    page = client.get(workshop.get_absolute_url()).content.decode()
    assert "This workshop is full" in page
    assert reverse("accreditation:workshop-book", args=[workshop.pk]) not in page


def test_one_live_booking_per_setting(users, workshop, setting, booking):
    with pytest.raises(ValidationError, match="already has a place"):
        services.do_book_workshop(
            workshop=workshop, setting=setting, attendee_name="Again", by=booking.booked_by
        )
    services.do_cancel_booking(booking=booking, by=booking.booked_by)
    again = services.do_book_workshop(
        workshop=workshop, setting=setting, attendee_name="Again", by=booking.booked_by
    )
    assert again.pk != booking.pk


def test_cancelled_and_past_workshops_cannot_be_booked(manager, setting):
    past = _past_workshop(manager)
    with pytest.raises(ValidationError, match="has taken place"):
        services.do_book_workshop(workshop=past, setting=setting, attendee_name="A", by=manager)
    cancelled = services.do_schedule_workshop(details=_details(), by=manager)
    services.do_cancel_workshop(workshop=cancelled, by=manager)
    with pytest.raises(ValidationError, match="cancelled"):
        services.do_book_workshop(
            workshop=cancelled, setting=setting, attendee_name="A", by=manager
        )


@pytest.mark.django_db(transaction=True)
def test_two_settings_racing_for_the_last_place_get_one(manager):
    """Real concurrent transactions: the workshop row lock serialises the bookings."""
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL; SQLite serialises every write anyway.")
    workshop = services.do_schedule_workshop(details=_details(capacity=1), by=manager)
    settings = [SettingFactory(), SettingFactory()]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def book(setting) -> None:
        from django.db import connections

        try:
            barrier.wait()
            services.do_book_workshop(
                workshop=workshop, setting=setting, attendee_name="Racer", by=manager
            )
            outcomes.append("booked")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(s,)) for s in settings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[0] == "This workshop is full: all its places are booked. " + (
        "Choose another workshop."
    )
    assert outcomes.count("booked") == 1
    assert WorkshopBooking.objects.filter(workshop=workshop).count() == 1


def test_a_setting_manager_cancels_their_booking(
    client, users, workshop, booking, django_capture_on_commit_callbacks
):
    client.force_login(users[Role.SETTING_MANAGER])
    url = reverse("accreditation:workshop-booking-cancel", args=[booking.pk])
    assert "Cancel the place of Asha Khan" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response["Location"] == workshop.get_absolute_url()
    booking.refresh_from_db()
    assert booking.is_cancelled and booking.cancelled_by == users[Role.SETTING_MANAGER]
    assert any(m.subject.startswith("Booking cancelled") for m in mail.outbox)
    assert client.post(url).status_code == 400  # already cancelled


# --- Attendance ----------------------------------------------------------------------------


def test_the_manager_records_attendance_after_the_workshop(client, manager, setting, users):
    past = _past_workshop(manager)
    came = _booking(past, setting, users[Role.SETTING_MANAGER])
    missed = _booking(past, SettingFactory(), manager)
    client.force_login(manager)
    url = reverse("accreditation:workshop-attendance", args=[past.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {f"booking_{came.pk}": "yes", f"booking_{missed.pk}": "no"})
    assert response["Location"] == past.get_absolute_url()
    came.refresh_from_db()
    missed.refresh_from_db()
    assert (came.attended, missed.attended) == (True, False)
    assert came.attendance_recorded_by == manager
    assert came.history.first().history_user == manager
    assert workshop_attended(setting.pk) == came


def test_attendance_needs_an_answer_for_every_booking(client, manager, setting, users):
    past = _past_workshop(manager)
    came = _booking(past, setting, users[Role.SETTING_MANAGER])
    other = _booking(past, SettingFactory(), manager)
    client.force_login(manager)
    response = client.post(
        reverse("accreditation:workshop-attendance", args=[past.pk]),
        {f"booking_{came.pk}": "yes"},
    )
    assert_field_error(response, f"booking_{other.pk}", "attended")
    came.refresh_from_db()
    assert came.attended is None


def test_attendance_waits_for_the_day(client, manager, workshop, booking):
    client.force_login(manager)
    url = reverse("accreditation:workshop-attendance", args=[workshop.pk])
    assert client.get(url)["Location"] == workshop.get_absolute_url()
    client.post(url, {f"booking_{booking.pk}": "yes"})
    booking.refresh_from_db()
    assert booking.attended is None
    with pytest.raises(ValidationError, match="from the day of the workshop"):
        services.do_record_attendance(workshop=workshop, attended={booking.pk: True}, by=manager)


# --- Access --------------------------------------------------------------------------------


def test_list_and_detail_access(client, users, workshop):
    assert_access(client, reverse("accreditation:workshop-list"), users, allowed=WORKSHOP_ROLES)
    assert_access(client, workshop.get_absolute_url(), users, allowed=WORKSHOP_ROLES)
    missing = reverse("accreditation:workshop-detail", args=[workshop.pk + 999])
    assert_not_found(client, missing, [users[Role.MANAGER], users[Role.SETTING_MANAGER]])


def test_manager_pages_access(client, users, workshop, manager):
    past = _past_workshop(manager)
    _booking(past, SettingFactory(), manager)
    for url in (
        reverse("accreditation:workshop-new"),
        reverse("accreditation:workshop-edit", args=[workshop.pk]),
        reverse("accreditation:workshop-cancel", args=[workshop.pk]),
        reverse("accreditation:workshop-attendance", args=[past.pk]),
    ):
        assert_access(client, url, users, allowed=[Role.MANAGER])


def test_booking_pages_access(client, users, workshop, booking, other_booking):
    book = reverse("accreditation:workshop-book", args=[workshop.pk])
    booking.delete()  # so the setting manager sees the booking form
    assert_access(client, book, users, allowed=[Role.SETTING_MANAGER])
    url = reverse("accreditation:workshop-booking-cancel", args=[other_booking.pk])
    # Another setting's booking: 404 for this setting's manager, fine for the KQM manager.
    assert_access(client, url, users, allowed=WORKSHOP_ROLES, not_found=[Role.SETTING_MANAGER])


def test_a_setting_manager_cannot_cancel_another_settings_booking(client, users, other_booking):
    client.force_login(users[Role.SETTING_MANAGER])
    url = reverse("accreditation:workshop-booking-cancel", args=[other_booking.pk])
    assert client.post(url).status_code == 404
    other_booking.refresh_from_db()
    assert not other_booking.is_cancelled


@pytest.mark.parametrize("count", [3, 12])
def test_the_workshop_list_runs_constant_queries(count, client, manager, django_assert_num_queries):
    for index in range(count):
        workshop = services.do_schedule_workshop(
            details=_details(date=timezone.localdate() + datetime.timedelta(days=index)), by=manager
        )
        _booking(workshop, SettingFactory(), manager)
        _booking(_past_workshop(manager, index + 1), SettingFactory(), manager, attended=True)
    client.force_login(manager)
    # Session, user, upcoming workshops, past workshops (places counted in each).
    with django_assert_num_queries(4):
        response = client.get(reverse("accreditation:workshop-list"))
    assert response.status_code == 200


def test_the_manager_sees_one_settings_bookings(client, manager, setting, booking):
    client.force_login(manager)
    html = client.get(
        reverse("accreditation:workshop-list"), {"setting": setting.pk}
    ).content.decode()
    assert f"Bookings of {setting.display_name}" in html
    assert "Asha Khan" in html
