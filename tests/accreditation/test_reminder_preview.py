"""The reminders preview: what the daily job will send in the next 30 days, who is
missing, and how each past run went (sent, skipped and why, failed)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from accreditation.models import AnnualReview, Reminder, ReminderRun, ReviewStatus
from accreditation.selectors_reminders import recent_runs, reminder_preview
from accreditation.services.reminders import do_send_due_reminders
from kqm.models import EmailStatus, Role, SentEmail
from tests.access import assert_access
from tests.factories import SettingFactory, UserFactory

from .award_factories import AwardFactory

pytestmark = pytest.mark.django_db

URL = reverse("accreditation:reminder-preview")
AWARD_DATE = datetime.date(2026, 7, 20)
# The first annual review reminder (8 weeks before 20 July 2027) is sent on 25 May 2027.
TODAY = datetime.date(2027, 5, 10)


def _travel(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 6, 0), tick=False)


@pytest.fixture
def awards():
    with_manager = SettingFactory(name="Little Acorns Day Nursery")
    manager = UserFactory(
        role=Role.SETTING_MANAGER, settings=[with_manager], full_name="Asha Patel"
    )
    nobody = SettingFactory(name="Bluebell <Nursery>")
    return (
        AwardFactory(accreditation__setting=with_manager, award_date=AWARD_DATE),
        AwardFactory(accreditation__setting=nobody, award_date=AWARD_DATE),
        manager,
    )


def test_access(client, users):
    assert_access(client, URL, users, [Role.MANAGER])


def test_the_preview_lists_whom_what_when_and_why_and_who_is_missing(client, manager, awards):
    with_manager, nobody, asha = awards
    rows = reminder_preview(TODAY)
    assert [(row.send_on, row.award, row.recipients) for row in rows] == [
        (datetime.date(2027, 5, 25), nobody, []),
        (datetime.date(2027, 5, 25), with_manager, [asha]),
    ]
    assert rows[1].why == "Annual review due on 20 July 2027: the reminder 8 weeks before it"
    assert rows[0].fix_url == (
        reverse("users:invite") + f"?role=setting_manager&settings={nobody.setting.urn}"
    )
    with _travel(TODAY):
        client.force_login(manager)
        html = client.get(URL).content.decode()
    assert "Asha Patel" in html and "Bluebell &lt;Nursery&gt;" in html
    assert 'data-testid="missing-recipients"' in html
    assert f'href="{rows[0].fix_url.replace("&", "&amp;")}"' in html


def test_sent_reminders_and_reviews_already_sent_in_are_not_previewed(awards):
    _, nobody, _ = awards
    AnnualReview.objects.create(
        award=nobody, year=1, due_date=datetime.date(2027, 7, 20), status=ReviewStatus.SUBMITTED
    )
    with _travel(datetime.date(2027, 5, 25)):
        do_send_due_reminders()
    assert reminder_preview(datetime.date(2027, 5, 25)) == []


def test_each_run_says_what_it_sent_skipped_and_why_and_what_failed(client, manager, awards):
    with _travel(datetime.date(2027, 5, 25)):
        assert do_send_due_reminders() == 1
    with _travel(datetime.date(2027, 5, 26)):
        assert do_send_due_reminders() == 0
    first, second = ReminderRun.objects.order_by("ran_at")
    assert first.skipped == {"no_recipient": 1}
    assert second.skipped == {"no_recipient": 1, "already_sent": 1}
    reminder = Reminder.objects.get()
    SentEmail.objects.create(
        key=reminder.email_key, template="t", to="a@b.test", subject="s", status=EmailStatus.FAILED
    )
    latest, earliest = recent_runs()
    assert (earliest.sent, earliest.failed, earliest.waiting) == (0, 1, 0)
    assert (latest.sent, latest.failed, latest.waiting) == (0, 0, 0)
    client.force_login(manager)
    html = client.get(URL).content.decode()
    assert "1: The setting has no setting manager&#x27;s account to send it to" in html
    assert "1: Already sent by an earlier run" in html
    assert "Nothing new was due that day." in html


@pytest.mark.parametrize("count", [2, 12])
def test_the_preview_runs_constant_queries(count, client, manager, django_assert_num_queries):
    for _ in range(count):
        setting = SettingFactory()
        UserFactory(role=Role.SETTING_MANAGER, settings=[setting])
        AwardFactory(accreditation__setting=setting, award_date=AWARD_DATE)
        with _travel(datetime.date(2027, 5, 25)):
            do_send_due_reminders()
    # session, user, rules, awards, their managers, reminders sent, reviews sent in, runs,
    # their emails
    with _travel(TODAY):
        client.force_login(manager)
        with django_assert_num_queries(9):
            assert client.get(URL).status_code == 200
