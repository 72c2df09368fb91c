"""The daily reminder job through real Celery beat and worker processes."""

from __future__ import annotations

import datetime
import time

import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accreditation.models import Reminder
from accreditation.models.awards import add_years
from kqm.models import Role
from tests.celery_worker import celery_worker, wait_for
from tests.factories import SettingFactory, UserFactory

from .award_factories import AwardFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_beat_runs_the_reminder_job_and_the_worker_emails_each_reminder_once(tmp_path):
    today = timezone.localdate()
    setting = SettingFactory(name="Little Acorns Day Nursery")
    UserFactory(role=Role.SETTING_MANAGER, settings=[setting], email="asha@acorns.test")
    # The first annual review is due in two weeks: today is the "2 weeks before" reminder.
    award = AwardFactory(
        accreditation__setting=setting,
        award_date=add_years(today + datetime.timedelta(weeks=2), -1),
    )
    # The schedule the data migration stores, run every two seconds instead of each morning.
    every_two_seconds, _ = IntervalSchedule.objects.get_or_create(every=2, period="seconds")
    PeriodicTask.objects.update_or_create(
        name="Award reminders",
        defaults={
            "task": "accreditation.tasks.send_due_reminders",
            "interval": every_two_seconds,
            "crontab": None,
            "enabled": True,
        },
    )
    PeriodicTask.objects.exclude(name="Award reminders").update(enabled=False)

    with celery_worker(tmp_path, beat=True) as worker:
        wait_for(worker.mail_files, 90, "the reminder email", worker.log)
        # Beat keeps running the job; nothing is sent again.
        wait_for(lambda: worker.log().count("send_due_reminders") >= 6, 60, "more runs", worker.log)
        time.sleep(2)
        mail = "".join(path.read_text() for path in worker.mail_files())

    reminder = Reminder.objects.get()
    assert reminder.award == award and reminder.offset == "2w-before"
    assert reminder.queued_at is not None
    assert mail.count("Subject: Annual review due on") == 1
    assert "To: asha@acorns.test" in mail
    assert f"/programme/awards/{award.pk}/" in mail
