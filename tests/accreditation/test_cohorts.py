"""Cohorts and network meetings: the KQM manager's pages, attendance, and their rules."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accreditation.models import Attendance, Cohort, MeetingAttendance, NetworkMeeting, Status
from accreditation.services.cohorts import do_record_attendance
from kqm.models import Role
from tests.access import assert_access, assert_field_error
from tests.factories import AccreditationFactory, CohortFactory, EvaluatorFactory, SettingFactory

from .programme_factories import NetworkMeetingFactory, TimeEntryFactory

pytestmark = pytest.mark.django_db


def date_fields(name: str, day: int | str, month: int | str, year: int | str) -> dict[str, str]:
    return {f"{name}_0": str(day), f"{name}_1": str(month), f"{name}_2": str(year)}


def cohort_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "2027 cohort",
        "programme_year": "2027",
        **date_fields("start_date", 1, 9, 2027),
        **date_fields("end_date", 31, 7, 2028),
        "capacity": "40",
        "days_per_setting": "8",
    }
    data.update(changes)
    return data


@pytest.fixture
def cohort(db) -> Cohort:
    return CohortFactory(name="2026 cohort", programme_year=2026, capacity=3)


@pytest.fixture
def meeting(cohort) -> NetworkMeeting:
    return NetworkMeetingFactory(cohort=cohort, topic="Leuven screening: action points")


# --- Access ------------------------------------------------------------------------------------


def test_cohort_and_meeting_pages_are_for_the_manager_only(client, users, cohort, meeting):
    for url in [
        reverse("accreditation:cohort-list"),
        reverse("accreditation:cohort-new"),
        reverse("accreditation:cohort-detail", args=[cohort.pk]),
        reverse("accreditation:cohort-edit", args=[cohort.pk]),
        reverse("accreditation:meeting-new", args=[cohort.pk]),
        reverse("accreditation:meeting-edit", args=[meeting.pk]),
        reverse("accreditation:meeting-attendance", args=[meeting.pk]),
    ]:
        assert_access(client, url, users, allowed=[Role.MANAGER])


def test_the_applications_switch_takes_only_a_post_from_the_manager(client, users, cohort):
    url = reverse("accreditation:cohort-applications-open", args=[cohort.pk])
    assert_access(
        client,
        url,
        users,
        allowed=[Role.MANAGER],
        method="POST",
        data={"applications_open": "no"},
        ok_status=302,
        wrong_method="GET",
    )


def test_unknown_cohorts_and_meetings_are_not_found(client, manager):
    client.force_login(manager)
    for name in ["cohort-detail", "cohort-edit", "meeting-new"]:
        assert client.get(reverse(f"accreditation:{name}", args=[987654])).status_code == 404
    for name in ["meeting-edit", "meeting-attendance"]:
        assert client.get(reverse(f"accreditation:{name}", args=[987654])).status_code == 404
    url = reverse("accreditation:cohort-applications-open", args=[987654])
    assert client.post(url, {"applications_open": "yes"}).status_code == 404


# --- List --------------------------------------------------------------------------------------


def test_list_shows_places_and_accreditations_and_filters_sorts_and_paginates(client, manager):
    pilot = CohortFactory(name="Pilot cohort", programme_year=2008, capacity=20)
    for status in [Status.ACCEPTED, Status.IN_PROGRESS, Status.DECLINED, Status.WITHDRAWN]:
        AccreditationFactory(cohort=pilot, status=status)
    for n in range(30):
        CohortFactory(name=f"Cohort {n:02d}", programme_year=2030 + n % 3)
    client.force_login(manager)
    response = client.get(reverse("accreditation:cohort-list"), {"q": "pilot"})
    row = response.context["page_obj"].object_list[0]
    assert (row.accreditation_count, row.places_used) == (4, 2)
    html = response.content.decode()
    assert "Pilot cohort" in html and "Cohort 01" not in html
    by_year = client.get(reverse("accreditation:cohort-list"), {"year": "2008"})
    assert [c.name for c in by_year.context["page_obj"]] == ["Pilot cohort"]
    by_name = client.get(reverse("accreditation:cohort-list"), {"sort": "name"})
    assert by_name.context["page_obj"].object_list[0].name == "Cohort 00"
    newest_first = client.get(reverse("accreditation:cohort-list"))
    assert newest_first.context["page_obj"].object_list[0].programme_year == 2032
    page2 = client.get(reverse("accreditation:cohort-list"), {"page": 2, "sort": "name"})
    assert len(page2.context["page_obj"].object_list) == 6
    assert "sort=name" in page2.content.decode()  # pagination keeps the sort
    empty = client.get(reverse("accreditation:cohort-list"), {"q": "no such cohort"})
    assert "No cohorts match these filters" in empty.content.decode()


def test_list_has_an_empty_state(client, manager):
    client.force_login(manager)
    html = client.get(reverse("accreditation:cohort-list")).content.decode()
    assert "There are no cohorts yet" in html


@pytest.mark.parametrize("rows", [3, 12])
def test_cohort_list_runs_a_constant_number_of_queries(
    client, manager, rows, django_assert_num_queries
):
    for _ in range(rows):
        AccreditationFactory(cohort=CohortFactory())
    client.force_login(manager)
    # session, user, count, page of cohorts (counts annotated), programme years
    with django_assert_num_queries(5):
        assert client.get(reverse("accreditation:cohort-list")).status_code == 200


# --- Create and change -------------------------------------------------------------------------


def test_manager_creates_a_cohort_closed_to_applications(client, manager):
    client.force_login(manager)
    response = client.post(reverse("accreditation:cohort-new"), cohort_data())
    cohort = Cohort.objects.get(name="2027 cohort")
    assert response["Location"] == reverse("accreditation:cohort-detail", args=[cohort.pk])
    assert cohort.start_date == datetime.date(2027, 9, 1)
    assert cohort.end_date == datetime.date(2028, 7, 31)
    assert (cohort.capacity, cohort.days_per_setting) == (40, Decimal("8.0"))
    assert not cohort.applications_open
    assert cohort.history.first().history_user == manager


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (date_fields("end_date", 1, 9, 2027), "end_date", "The end date must be after the start"),
        (date_fields("end_date", 1, 8, 2027), "end_date", "The end date must be after the start"),
        ({"capacity": "0"}, "capacity", "Capacity must be at least 1 setting"),
        ({"capacity": "-3"}, "capacity", "Capacity must be at least 1 setting"),
        ({"capacity": "lots"}, "capacity", "Capacity must be a whole number, like 40"),
        ({"name": "  2026 COHORT "}, "name", "A cohort with this name already exists"),
        ({"name": ""}, "name", "Enter the cohort’s name"),
        ({"programme_year": "27"}, "programme_year", "between 2000 and 2100"),
        (date_fields("start_date", "", "", ""), "start_date", "Enter the start date"),
        (
            date_fields("start_date", 31, 2, 2027),
            "start_date",
            "The start date must be a real date",
        ),
        (date_fields("start_date", 1, "", 2027), "start_date", "must include a month"),
        (date_fields("start_date", 1, 9, 27), "start_date", "The year must include 4 numbers"),
        ({"days_per_setting": "8.3"}, "days_per_setting", "must be whole or half days"),
        ({"days_per_setting": "-1"}, "days_per_setting", "cannot be negative"),
    ],
)
def test_bad_cohort_details_are_explained_and_nothing_is_saved(
    client, manager, cohort, changes, field, message
):
    client.force_login(manager)
    before = Cohort.objects.count()
    data = cohort_data(**changes)
    response = client.post(reverse("accreditation:cohort-new"), data)
    assert_field_error(response, field, message)
    assert Cohort.objects.count() == before
    # What the user typed comes back.
    html = response.content.decode()
    assert f'value="{data["capacity"]}"' in html


def test_manager_changes_a_cohort_and_the_page_shows_the_history(client, manager, cohort):
    client.force_login(manager)
    url = reverse("accreditation:cohort-edit", args=[cohort.pk])
    assert 'value="2026 cohort"' in client.get(url).content.decode()
    data = cohort_data(name="2026 cohort (Kent)", programme_year="2026", capacity="45")
    data.update(date_fields("start_date", 1, 9, 2026) | date_fields("end_date", 31, 7, 2027))
    response = client.post(url, data)
    assert response["Location"] == reverse("accreditation:cohort-detail", args=[cohort.pk])
    cohort.refresh_from_db()
    assert (cohort.name, cohort.capacity) == ("2026 cohort (Kent)", 45)
    detail = client.get(response["Location"]).content.decode()
    assert "Capacity</strong>: 3 &rarr; 45" in detail


def test_capacity_cannot_drop_below_the_places_taken(client, manager, cohort):
    for status in [Status.ACCEPTED, Status.IN_PROGRESS, Status.ACCREDITED]:
        AccreditationFactory(cohort=cohort, status=status)
    AccreditationFactory(cohort=cohort, status=Status.WAITLISTED)  # holds no place
    client.force_login(manager)
    data = cohort_data(name="2026 cohort", capacity="2")
    response = client.post(reverse("accreditation:cohort-edit", args=[cohort.pk]), data)
    assert_field_error(response, "capacity", "less than the 3 places already taken")
    assert "<h1" in response.content.decode() and "2026 cohort" in response.content.decode()
    cohort.refresh_from_db()
    assert cohort.capacity == 3
    ok = client.post(
        reverse("accreditation:cohort-edit", args=[cohort.pk]), cohort_data(capacity="3")
    )
    assert ok.status_code == 302


# --- Detail ------------------------------------------------------------------------------------


def test_detail_shows_settings_status_evaluator_days_places_and_meetings(client, manager, cohort):
    evaluator = EvaluatorFactory(full_name="Ruth Adeyemi")
    busy = AccreditationFactory(
        cohort=cohort,
        setting=SettingFactory(name="Bluebells Pre-school"),
        status=Status.IN_PROGRESS,
        evaluator=evaluator,
        days_budget=Decimal("8"),
    )
    TimeEntryFactory(accreditation=busy, days=Decimal("1.0"))
    TimeEntryFactory(accreditation=busy, days=Decimal("0.5"))
    AccreditationFactory(cohort=cohort, setting=SettingFactory(name="Robins Day Nursery"))
    AccreditationFactory(
        cohort=cohort, setting=SettingFactory(name="Gone Nursery"), status=Status.WITHDRAWN
    )
    meeting = NetworkMeetingFactory(cohort=cohort, topic="Sharing case studies")
    MeetingAttendance.objects.create(
        meeting=meeting, setting=busy.setting, status=Attendance.ATTENDED
    )
    client.force_login(manager)
    url = reverse("accreditation:cohort-detail", args=[cohort.pk])
    response = client.get(url)
    html = response.content.decode()
    assert "Bluebells Pre-school" in html and "Robins Day Nursery" in html
    assert "Ruth Adeyemi" in html and "Not yet assigned" in html
    assert "1.5 of 8" in html
    assert "2 of 3" in html  # the withdrawn setting holds no place
    assert "Sharing case studies" in html
    assert f'data-testid="attended-{meeting.pk}">1<' in html
    assign = reverse("accreditation:accreditation-assign-evaluator", args=[busy.pk])
    assert assign in html
    unassigned = client.get(url, {"evaluator": "none"})
    names = [a.setting.name for a in unassigned.context["page_obj"]]
    assert names == ["Gone Nursery", "Robins Day Nursery"]
    in_progress = client.get(url, {"status": Status.IN_PROGRESS})
    assert [a.pk for a in in_progress.context["page_obj"]] == [busy.pk]


def test_detail_has_empty_states(client, manager, cohort):
    client.force_login(manager)
    html = client.get(reverse("accreditation:cohort-detail", args=[cohort.pk])).content.decode()
    assert "No settings have joined this cohort yet" in html
    assert "No network meetings are planned" in html


@pytest.mark.parametrize("rows", [3, 12])
def test_cohort_page_runs_a_constant_number_of_queries(
    client, manager, cohort, rows, django_assert_num_queries
):
    evaluator = EvaluatorFactory()
    for _ in range(rows):
        accreditation = AccreditationFactory(cohort=cohort, evaluator=evaluator)
        TimeEntryFactory(accreditation=accreditation)
        NetworkMeetingFactory(cohort=cohort)
    client.force_login(manager)
    # session, user, cohort (places counted), count, meetings (attendance counted),
    # page of settings (days logged in a subquery), history
    with django_assert_num_queries(7):
        response = client.get(reverse("accreditation:cohort-detail", args=[cohort.pk]))
    assert response.status_code == 200


def test_manager_opens_and_closes_applications(client, manager, cohort):
    cohort.applications_open = False
    cohort.save()
    client.force_login(manager)
    url = reverse("accreditation:cohort-applications-open", args=[cohort.pk])
    response = client.post(url, {"applications_open": "yes"})
    assert response["Location"] == reverse("accreditation:cohort-detail", args=[cohort.pk])
    cohort.refresh_from_db()
    assert cohort.applications_open
    assert cohort.history.first().history_user == manager
    page = client.get(response["Location"]).content.decode()
    assert "setting managers can apply" in page and "Close applications" in page
    client.post(url, {"applications_open": "no"})
    cohort.refresh_from_db()
    assert not cohort.applications_open


def test_a_bad_applications_switch_changes_nothing(client, manager, cohort):
    client.force_login(manager)
    url = reverse("accreditation:cohort-applications-open", args=[cohort.pk])
    response = client.post(url, {"applications_open": "maybe"}, follow=True)
    assert "Choose whether applications are open or closed" in response.content.decode()
    cohort.refresh_from_db()
    assert cohort.applications_open  # as the factory made it


# --- Network meetings --------------------------------------------------------------------------


def test_manager_adds_and_changes_a_network_meeting(client, manager, cohort):
    client.force_login(manager)
    data = {
        **date_fields("date", 14, 10, 2026),
        "topic": "Leuven scales",
        "venue": "Canterbury",
        "notes": "",
    }
    response = client.post(reverse("accreditation:meeting-new", args=[cohort.pk]), data)
    assert response["Location"] == reverse("accreditation:cohort-detail", args=[cohort.pk])
    meeting = cohort.meetings.get()
    assert (meeting.date, meeting.topic) == (datetime.date(2026, 10, 14), "Leuven scales")
    assert meeting.history.first().history_user == manager
    data["topic"] = "Leuven scales and action points"
    client.post(reverse("accreditation:meeting-edit", args=[meeting.pk]), data)
    meeting.refresh_from_db()
    assert meeting.topic == "Leuven scales and action points"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"topic": ""}, "topic", "Enter the meeting’s topic"),
        (date_fields("date", "", "", ""), "date", "Enter the date of the meeting"),
        (date_fields("date", 30, 2, 2026), "date", "must be a real date"),
        (date_fields("date", "x", 2, 2026), "date", "must be a real date"),
    ],
)
def test_bad_meeting_details_are_explained_and_nothing_is_saved(
    client, manager, cohort, meeting, changes, field, message
):
    client.force_login(manager)
    data = {**date_fields("date", 14, 10, 2026), "topic": "Typed topic", "venue": "Typed venue"}
    data.update(changes)
    response = client.post(reverse("accreditation:meeting-new", args=[cohort.pk]), data)
    assert_field_error(response, field, message)
    assert 'value="Typed venue"' in response.content.decode()
    assert cohort.meetings.count() == 1
    edit = client.post(reverse("accreditation:meeting-edit", args=[meeting.pk]), data)
    assert_field_error(edit, field, message)
    meeting.refresh_from_db()
    assert meeting.topic == "Leuven screening: action points"


# --- Attendance --------------------------------------------------------------------------------


@pytest.fixture
def register(cohort, meeting):
    """Three settings holding places; one applied and one declined setting that do not."""
    placed = [
        AccreditationFactory(cohort=cohort, setting=SettingFactory(name=name), status=status)
        for name, status in [
            ("Acorns Day Nursery", Status.ACCEPTED),
            ("Bluebells Pre-school", Status.IN_PROGRESS),
            ("Caterpillars Nursery", Status.ACCREDITED),
        ]
    ]
    AccreditationFactory(
        cohort=cohort, setting=SettingFactory(name="Applied Only"), status=Status.APPLIED
    )
    AccreditationFactory(
        cohort=cohort, setting=SettingFactory(name="Declined Nursery"), status=Status.DECLINED
    )
    return [a.setting for a in placed]


def attendance_data(settings, statuses) -> dict[str, str]:
    return {f"setting_{s.pk}": status for s, status in zip(settings, statuses, strict=True)}


def test_attendance_lists_the_cohorts_settings_and_saves_every_answer(
    client, manager, cohort, meeting, register
):
    client.force_login(manager)
    url = reverse("accreditation:meeting-attendance", args=[meeting.pk])
    html = client.get(url).content.decode()
    for setting in register:
        assert setting.name in html
    assert "Applied Only" not in html and "Declined Nursery" not in html
    answers = [Attendance.ATTENDED, Attendance.APOLOGIES, Attendance.ABSENT]
    response = client.post(url, attendance_data(register, answers))
    assert response["Location"] == reverse("accreditation:cohort-detail", args=[cohort.pk])
    saved = dict(meeting.attendance.values_list("setting_id", "status"))
    assert saved == {s.pk: a for s, a in zip(register, answers, strict=True)}
    assert {row.history.first().history_user for row in meeting.attendance.all()} == {manager}
    page = client.get(response["Location"])
    counts = page.context["meetings"][0]
    assert (counts.attended, counts.apologies, counts.absent) == (1, 1, 1)
    # The form shows what was recorded, and a change updates it.
    again = client.get(url).content.decode()
    assert again.count('checked="checked"') == 3
    client.post(url, attendance_data(register, [Attendance.ATTENDED] * 3))
    assert set(meeting.attendance.values_list("status", flat=True)) == {Attendance.ATTENDED}
    assert meeting.attendance.count() == 3


def test_a_withdrawn_setting_already_recorded_stays_on_the_register(
    client, manager, meeting, register
):
    MeetingAttendance.objects.create(
        meeting=meeting, setting=register[0], status=Attendance.ATTENDED
    )
    accreditation = register[0].accreditations.get()
    accreditation.transition(Status.IN_PROGRESS, by=manager)
    accreditation.transition(Status.WITHDRAWN, by=manager, reason="Closed")
    client.force_login(manager)
    url = reverse("accreditation:meeting-attendance", args=[meeting.pk])
    assert register[0].name in client.get(url).content.decode()
    other_meeting = NetworkMeetingFactory(cohort=meeting.cohort)
    other_url = reverse("accreditation:meeting-attendance", args=[other_meeting.pk])
    assert register[0].name not in client.get(other_url).content.decode()


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([Attendance.ATTENDED, "", Attendance.ABSENT], "Choose whether Bluebells Pre-school"),
        ([Attendance.ATTENDED, "late", Attendance.ABSENT], "Choose attended, sent apologies"),
    ],
)
def test_a_missing_or_unknown_answer_saves_nothing(
    client, manager, meeting, register, answers, message
):
    client.force_login(manager)
    url = reverse("accreditation:meeting-attendance", args=[meeting.pk])
    response = client.post(url, attendance_data(register, answers))
    assert_field_error(response, f"setting_{register[1].pk}", message)
    assert not meeting.attendance.exists()
    # The answers given are kept.
    assert response.content.decode().count('checked="checked"') == 2


def test_recording_attendance_is_all_or_nothing(manager, meeting, register):
    statuses = {register[0].pk: Attendance.ATTENDED, register[1].pk: "late"}
    with pytest.raises(ValidationError):
        do_record_attendance(actor=manager, meeting=meeting, statuses=statuses)
    assert not MeetingAttendance.objects.exists()
    stranger = SettingFactory()
    with pytest.raises(ValidationError):
        do_record_attendance(
            actor=manager,
            meeting=meeting,
            statuses={register[0].pk: Attendance.ATTENDED, stranger.pk: Attendance.ATTENDED},
        )
    assert not MeetingAttendance.objects.exists()


def test_a_cohort_with_no_settings_has_no_register_to_take(client, manager, meeting):
    client.force_login(manager)
    url = reverse("accreditation:meeting-attendance", args=[meeting.pk])
    assert "there is no register to take" in client.get(url).content.decode()
    assert client.post(url, {}).status_code == 200
    assert not meeting.attendance.exists()


@pytest.mark.parametrize("rows", [3, 12])
def test_attendance_page_runs_a_constant_number_of_queries(
    client, manager, meeting, rows, django_assert_num_queries
):
    for _ in range(rows):
        AccreditationFactory(cohort=meeting.cohort)
    client.force_login(manager)
    # session, user, meeting with its cohort, settings on the register, attendance recorded
    with django_assert_num_queries(5):
        response = client.get(reverse("accreditation:meeting-attendance", args=[meeting.pk]))
    assert response.status_code == 200
