"""Reminders after the award: which are sent on which days, once each, caught up, batched."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accreditation.models import Award, Reminder, ReminderKind, ReminderSettings
from accreditation.models.awards import add_years
from accreditation.services.reminders import (
    DueReminder,
    do_send_due_reminders,
    due_reminders,
    pending_on,
)
from kqm.models import Role
from tests.access import assert_access, assert_field_error
from tests.factories import SettingFactory, UserFactory

from .award_factories import AwardFactory

pytestmark = pytest.mark.django_db

AWARD_DATE = datetime.date(2026, 7, 20)

# Every reminder of an award of 20 July 2026 (expiring 20 July 2029) with the default rules.
EXPECTED = [
    (datetime.date(2027, 5, 25), ReminderKind.ANNUAL_REVIEW_DUE, "8w-before"),
    (datetime.date(2027, 7, 6), ReminderKind.ANNUAL_REVIEW_DUE, "2w-before"),
    (datetime.date(2027, 7, 27), ReminderKind.ANNUAL_REVIEW_OVERDUE, "1w-after"),
    (datetime.date(2028, 5, 25), ReminderKind.ANNUAL_REVIEW_DUE, "8w-before"),
    (datetime.date(2028, 7, 6), ReminderKind.ANNUAL_REVIEW_DUE, "2w-before"),
    (datetime.date(2028, 7, 27), ReminderKind.ANNUAL_REVIEW_OVERDUE, "1w-after"),
    (datetime.date(2029, 1, 1), ReminderKind.REACCREDITATION_ALERT, "on"),
    (datetime.date(2029, 2, 1), ReminderKind.VISIT_TO_BOOK, "on"),
    (datetime.date(2029, 5, 25), ReminderKind.AWARD_EXPIRING, "8w-before"),
    (datetime.date(2029, 6, 22), ReminderKind.REQUIREMENTS_INCOMPLETE, "4w-before"),
]


def _days(start: datetime.date, end: datetime.date):
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


def _run_on(day: datetime.date) -> int:
    with time_machine.travel(datetime.datetime(day.year, day.month, day.day, 6, 0), tick=False):
        return do_send_due_reminders()


def _schedule(
    award_date: datetime.date, rules: ReminderSettings, run_days
) -> list[tuple[datetime.date, str, str]]:
    """What the daily job sends on each day it runs: its selection rules, all in memory."""
    award = Award(award_date=award_date, expiry_date=add_years(award_date, 3))
    dues = due_reminders(award, rules)
    sent: set[DueReminder] = set()
    schedule = []
    for day in run_days:
        window_start = day - datetime.timedelta(days=rules.catch_up_days)
        for due in pending_on(dues, today=day, window_start=window_start):
            if due not in sent:
                sent.add(due)
                schedule.append((day, due.kind, due.offset))
    return schedule


@pytest.fixture
def award_with_manager():
    setting = SettingFactory(name="Little Acorns Day Nursery")
    manager = UserFactory(role=Role.SETTING_MANAGER, settings=[setting], email="asha@acorns.test")
    # A practitioner and an inactive manager of the same setting get nothing.
    UserFactory(role=Role.PRACTITIONER, settings=[setting])
    UserFactory(role=Role.SETTING_MANAGER, settings=[setting], is_active=False)
    award = AwardFactory(accreditation__setting=setting, award_date=AWARD_DATE)
    return award, manager


def test_three_years_of_daily_runs_send_each_reminder_on_its_day_once():
    every_day = _days(AWARD_DATE, add_years(AWARD_DATE, 3) + datetime.timedelta(days=60))
    assert _schedule(AWARD_DATE, ReminderSettings(), every_day) == EXPECTED


@pytest.mark.parametrize("year", [2025, 2026, 2027, 2028])
def test_every_award_date_of_a_year_gets_each_reminder_once_on_its_day(year):
    """All 365 or 366 award dates of a year (leap days included), every day for 3 years."""
    rules = ReminderSettings()
    for award_date in _days(datetime.date(year, 1, 1), datetime.date(year, 12, 31)):
        award = Award(award_date=award_date, expiry_date=add_years(award_date, 3))
        expected = [(due.send_on, due.kind, due.offset) for due in due_reminders(award, rules)]
        run_days = _days(award_date, award.expiry_date)
        assert _schedule(award_date, rules, run_days) == expected, award_date
        assert len(set(expected)) == len(expected) >= 9, award_date
        sent_on = {kind: day for day, kind, _ in expected}
        # The re-accreditation reminders come in their order, before the award expires.
        assert (
            sent_on[ReminderKind.REACCREDITATION_ALERT]
            < sent_on[ReminderKind.REQUIREMENTS_INCOMPLETE]
            < award.expiry_date
        ), award_date
        if award_date.month == 1:
            assert ReminderKind.VISIT_TO_BOOK in sent_on, award_date
        assert all(award_date < day < award.expiry_date for day, _, _ in expected)


def test_runs_missed_for_less_than_the_catch_up_window_are_caught_up_once():
    rules = ReminderSettings()
    # The job is down from 1 to 20 July 2027 (20 days, within 28): the 6 July reminder
    # goes on the 21st; down for 40 days before 25 May 2027, that reminder is lost.
    down = set(_days(datetime.date(2027, 7, 1), datetime.date(2027, 7, 20)))
    down |= set(_days(datetime.date(2027, 4, 15), datetime.date(2027, 6, 23)))
    run_days = [day for day in _days(AWARD_DATE, datetime.date(2027, 12, 31)) if day not in down]
    assert _schedule(AWARD_DATE, rules, run_days) == [
        (datetime.date(2027, 7, 21), ReminderKind.ANNUAL_REVIEW_DUE, "2w-before"),
        (datetime.date(2027, 7, 27), ReminderKind.ANNUAL_REVIEW_OVERDUE, "1w-after"),
    ]


def test_the_real_job_sends_each_reminder_on_its_day_once(
    award_with_manager, django_capture_on_commit_callbacks
):
    """Time-machine probes through the job: each reminder's day, the day before, again."""
    award, manager = award_with_manager
    sent_on: list[tuple[datetime.date, str, str]] = []
    with django_capture_on_commit_callbacks(execute=True):
        for day, _, _ in EXPECTED:
            before = set(Reminder.objects.values_list("pk", flat=True))
            assert _run_on(day - datetime.timedelta(days=1)) == 0
            assert _run_on(day) == len(Reminder.objects.exclude(pk__in=before))
            for reminder in Reminder.objects.exclude(pk__in=before):
                sent_on.append((day, reminder.kind, reminder.offset))
            # Running the job again the same day sends nothing.
            assert _run_on(day) == 0
        assert _run_on(award.expiry_date + datetime.timedelta(days=1)) == 0
    assert sent_on == EXPECTED
    assert set(Reminder.objects.values_list("recipient", flat=True)) == {manager.pk}
    assert len(mail.outbox) == len(EXPECTED)
    assert all(message.to == ["asha@acorns.test"] for message in mail.outbox)
    subjects = [message.subject for message in mail.outbox]
    assert subjects[0] == "Annual review due on 20 July 2027 for Little Acorns Day Nursery"
    assert subjects[6] == "Re-accreditation begins this year for Little Acorns Day Nursery"
    link = f"/programme/awards/{award.pk}/"
    assert all(link in message.body for message in mail.outbox)
    assert all("/programme/reminders/" in message.body for message in mail.outbox)
    assert all(reminder.queued_at is not None for reminder in Reminder.objects.all())


def test_a_week_without_the_job_is_caught_up_without_duplicates(
    award_with_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _run_on(datetime.date(2027, 7, 2))
        # Beat is down from 3 to 9 July: the 6 July reminder goes on the 10th, once.
        assert _run_on(datetime.date(2027, 7, 10)) == 1
        assert _run_on(datetime.date(2027, 7, 10)) == 0
        assert _run_on(datetime.date(2027, 7, 11)) == 0
    reminder = Reminder.objects.get(offset="2w-before")
    assert reminder.send_on == datetime.date(2027, 7, 6)
    # The 8-weeks-before reminder of 25 May was more than 28 days before the first run.
    assert Reminder.objects.count() == 1
    assert len(mail.outbox) == 1


def test_sending_the_same_reminder_email_twice_sends_once(
    award_with_manager, django_capture_on_commit_callbacks
):
    from kqm.tasks import send_templated_email

    with django_capture_on_commit_callbacks(execute=True):
        _run_on(datetime.date(2027, 5, 25))
    reminder = Reminder.objects.get()
    assert len(mail.outbox) == 1
    send_templated_email(
        key=reminder.email_key,
        template="reminder_annual_review_due",
        user_id=reminder.recipient_id,
        context={"setting": "x", "due_date": "x", "link": "/", "reminders_link": "/"},
    )
    assert len(mail.outbox) == 1


def test_the_rules_follow_the_settings_not_a_fixed_year(award_with_manager):
    rules = ReminderSettings.load()
    rules.review_weeks_before = "4"
    rules.alert_month = 11
    rules.save()
    schedule = _schedule(AWARD_DATE, rules, _days(AWARD_DATE, add_years(AWARD_DATE, 3)))
    assert [(day, offset) for day, _, offset in schedule][:2] == [
        (datetime.date(2027, 6, 22), "4w-before"),
        (datetime.date(2027, 7, 27), "1w-after"),
    ]
    alert = [day for day, kind, _ in schedule if kind == ReminderKind.REACCREDITATION_ALERT]
    assert alert == [datetime.date(2028, 11, 1)]
    # The job itself reads the same rules.
    for day in (datetime.date(2027, 6, 21), datetime.date(2027, 6, 22), datetime.date(2028, 11, 1)):
        _run_on(day)
    assert list(Reminder.objects.order_by("send_on").values_list("send_on", "offset")) == [
        (datetime.date(2027, 6, 22), "4w-before"),
        (datetime.date(2028, 11, 1), "on"),
    ]


def test_an_award_expiring_before_the_summer_term_is_due_by_its_expiry():
    setting = SettingFactory()
    UserFactory(role=Role.SETTING_MANAGER, settings=[setting])
    award = AwardFactory(accreditation__setting=setting, award_date=datetime.date(2026, 3, 14))
    expected = [
        (ReminderKind.REACCREDITATION_ALERT, datetime.date(2029, 1, 1), datetime.date(2029, 1, 1)),
        (ReminderKind.AWARD_EXPIRING, datetime.date(2029, 1, 17), award.expiry_date),
        (ReminderKind.VISIT_TO_BOOK, datetime.date(2029, 2, 1), datetime.date(2029, 2, 1)),
        (ReminderKind.REQUIREMENTS_INCOMPLETE, datetime.date(2029, 2, 14), award.expiry_date),
    ]
    dues = due_reminders(award, ReminderSettings.load())
    assert [(due.kind, due.send_on, due.due_date) for due in dues][-4:] == expected
    for _, day, _ in expected:
        _run_on(day)
    assert (
        list(Reminder.objects.order_by("send_on").values_list("kind", "send_on", "due_date"))
        == expected
    )


def test_revoked_and_renewed_awards_send_nothing(award_with_manager):
    award, _ = award_with_manager
    award.revoked_at = timezone.now()
    award.revocation_reason = "Closed"
    award.save()
    other = SettingFactory()
    UserFactory(role=Role.SETTING_MANAGER, settings=[other])
    first = AwardFactory(accreditation__setting=other, award_date=AWARD_DATE)
    AwardFactory(
        accreditation__setting=other, award_date=datetime.date(2029, 7, 1), previous_award=first
    )
    _run_on(datetime.date(2027, 7, 6))
    assert not Reminder.objects.exists()


def _awards(count: int) -> None:
    for _ in range(count):
        setting = SettingFactory()
        UserFactory(role=Role.SETTING_MANAGER, settings=[setting])
        AwardFactory(accreditation__setting=setting, award_date=AWARD_DATE)


def _job_queries(day: datetime.date) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as context:
        created = _run_on(day)
    return created, [query["sql"] for query in context.captured_queries]


def test_the_job_runs_the_same_queries_for_4_and_20_awards():
    ReminderSettings.load()
    counts = {}
    for count in (4, 20):
        Reminder.objects.all().delete()
        new_awards = count - _award_count()
        _awards(new_awards)
        created, queries = _job_queries(datetime.date(2027, 7, 6))
        assert created == count
        inserts = [sql for sql in queries if sql.startswith("INSERT")]
        reminder_inserts = [sql for sql in inserts if '"accreditation_reminder"' in sql]
        # Only the inserts are split into batches, by the database's parameter limit: the
        # reminders, and the two annual reviews of each new award (with their history, at
        # least 50 rows a batch on SQLite, all in one on PostgreSQL).
        assert 1 <= len(reminder_inserts) <= 3
        # The emails' outbox rows: one bulk insert, in batches likewise.
        outbox_inserts = [sql for sql in inserts if '"kqm_outboxmessage"' in sql]
        assert 1 <= len(outbox_inserts) <= 3
        # The run's own record: one row.
        run_inserts = [sql for sql in inserts if '"accreditation_reminderrun"' in sql]
        assert len(run_inserts) == 1
        others = len(inserts) - len(reminder_inserts) - len(outbox_inserts) - len(run_inserts)
        assert others <= 2 * (2 * new_awards // 50 + 1)
        counts[count] = len(queries) - len(inserts)
        # Running again reads the same few rows' worth of queries and writes nothing but
        # the outbox row asking again to open the annual reviews whose window is open.
        created, again = _job_queries(datetime.date(2027, 7, 6))
        assert created == 0
        writes = [sql for sql in again if sql.startswith("INSERT")]
        # ... and the run's own record of what it did.
        assert all(
            '"kqm_outboxmessage"' in sql or '"accreditation_reminderrun"' in sql for sql in writes
        )
        assert len(again) - len(writes) == 7
    # Savepoint and release around the annual reviews the first run creates: 2 of the 10.
    assert counts[4] == counts[20] == 10


def _award_count() -> int:
    return Award.objects.count()


# Pages ------------------------------------------------------------------------------


def test_reminder_list_access(client, users):
    assert_access(
        client, reverse("accreditation:reminder-list"), users, [Role.MANAGER, Role.SETTING_MANAGER]
    )


def test_reminder_settings_access(client, users):
    assert_access(client, reverse("accreditation:reminder-settings"), users, [Role.MANAGER])
    assert_access(
        client,
        reverse("accreditation:reminder-settings"),
        users,
        [Role.MANAGER],
        method="POST",
        data={},
        wrong_method=None,
    )


def test_setting_managers_see_only_their_own_reminders(client, users, setting, manager):
    mine = AwardFactory(accreditation__setting=setting, award_date=AWARD_DATE)
    other = SettingFactory(name="Other Setting Nursery")
    UserFactory(role=Role.SETTING_MANAGER, settings=[other], full_name="Other manager")
    AwardFactory(accreditation__setting=other, award_date=AWARD_DATE)
    _run_on(datetime.date(2027, 5, 25))
    assert Reminder.objects.count() == 2
    client.force_login(users[Role.SETTING_MANAGER])
    page = client.get(reverse("accreditation:reminder-list")).content.decode()
    assert mine.number in page
    assert "Other Setting Nursery" not in page
    client.force_login(manager)
    page = client.get(reverse("accreditation:reminder-list")).content.decode()
    assert "Other Setting Nursery" in page and "Little Acorns Day Nursery" in page
    page = client.get(reverse("accreditation:reminder-list"), {"q": "Other"}).content.decode()
    assert "Little Acorns Day Nursery" not in page


@pytest.mark.parametrize("rows", [3, 12])
def test_the_reminder_list_runs_constant_queries(rows, client, manager, django_assert_num_queries):
    setting = SettingFactory()
    recipient = UserFactory(role=Role.SETTING_MANAGER, settings=[setting])
    award = AwardFactory(accreditation__setting=setting, award_date=AWARD_DATE)
    Reminder.objects.bulk_create(
        Reminder(
            kind=ReminderKind.ANNUAL_REVIEW_DUE,
            recipient=recipient,
            award=award,
            due_date=AWARD_DATE,
            offset=f"{n}w-before",
            send_on=AWARD_DATE,
            email_key=f"k{n}",
        )
        for n in range(rows)
    )
    client.force_login(manager)
    with django_assert_num_queries(4):
        response = client.get(reverse("accreditation:reminder-list"))
    assert response.status_code == 200


def test_the_manager_changes_the_offsets(client, manager):
    client.force_login(manager)
    data = {
        "review_weeks_before": "10, 4, 1",
        "review_overdue_weeks": "2",
        "alert_month": "12",
        "visit_month": "3",
        "summer_term_end_month": "7",
        "summer_term_end_day": "18",
        "requirements_weeks_before": "6",
        "expiry_weeks_before": "12",
        "catch_up_days": "14",
    }
    response = client.post(reverse("accreditation:reminder-settings"), data)
    assert response.status_code == 302
    rules = ReminderSettings.load()
    assert rules.review_weeks == [10, 4, 1]
    assert rules.alert_month == 12
    assert rules.history.first().history_user == manager


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("review_weeks_before", "eight", "Enter whole numbers of weeks from 1 to 52"),
        ("review_weeks_before", "", "Enter the annual review reminders"),
        ("alert_month", "13", "Enter a number from 1 to 12"),
        ("summer_term_end_day", "40", "Enter a number from 1 to 31"),
        ("catch_up_days", "x", "Enter a whole number"),
        ("summer_term_end_day", "31", "That month has 30 days; enter a day up to 30"),
    ],
)
def test_bad_reminder_settings_are_not_saved(client, manager, field, value, message):
    client.force_login(manager)
    data = {
        "review_weeks_before": "8, 2",
        "review_overdue_weeks": "1",
        "alert_month": "1",
        "visit_month": "2",
        "summer_term_end_month": "6" if field == "summer_term_end_day" else "7",
        "summer_term_end_day": "20",
        "requirements_weeks_before": "4",
        "expiry_weeks_before": "8",
        "catch_up_days": "28",
        field: value,
    }
    response = client.post(reverse("accreditation:reminder-settings"), data)
    assert response.status_code == 200
    assert_field_error(response, field, message)
    assert response.context["form"][field].value() == value
    assert ReminderSettings.load().summer_term_end_month == 7


def test_the_daily_job_is_in_beats_schedule():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="accreditation.tasks.send_due_reminders")
    assert task.enabled and task.crontab is not None
    assert str(task.crontab.hour) == "6"
