"""Scale-out on one machine: two gunicorn web servers, two Celery workers and one beat, sharing
one database, one broker and one S3-compatible object store (no media folder at all).

- a file uploaded through one web server downloads through the other;
- certificates render on whichever worker takes them, into the bucket;
- beat, running the reminder job every two seconds, has each reminder emailed once although
  two workers take the job's runs side by side;
- the request id of a request that queued an email is on the worker's log lines for it.
"""

from __future__ import annotations

import datetime
import json
import os

import pytest
import requests
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accreditation.models import Award, Reminder
from accreditation.models.awards import add_years
from accreditation.tasks import render_certificate
from kqm.celery import app as celery_app
from kqm.models import Role, SentEmail
from tests import celery_worker as workers
from tests.accreditation.award_factories import AwardFactory
from tests.accreditation.programme_helpers import PDF
from tests.celery_worker import celery_worker, wait_for
from tests.factories import ApplicationFactory, CohortFactory, SettingFactory, UserFactory

from .s3_helpers import new_bucket, s3_server_fixture  # noqa: F401
from .scale_helpers import beat, csrf_token, gunicorn

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _session(user) -> requests.Session:
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    return session


def _json_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
    return lines


def test_two_web_servers_and_two_workers_share_storage_and_send_each_reminder_once(
    tmp_path, s3_server
):
    bucket = new_bucket(s3_server)
    today = timezone.localdate()
    setting = SettingFactory(name="Little Acorns Day Nursery")
    manager = UserFactory(role=Role.SETTING_MANAGER, settings=[setting], email="asha@acorns.test")
    UserFactory(role=Role.SETTING_MANAGER, settings=[setting], email="ben@acorns.test")
    application = ApplicationFactory(setting=setting, cohort=CohortFactory(), submitted_by=manager)
    # Due today: the "2 weeks before" reminder of the first annual review, to both managers.
    AwardFactory(
        accreditation__setting=setting,
        award_date=add_years(today + datetime.timedelta(weeks=2), -1),
    )
    awards = [AwardFactory(year=2026, sequence=n) for n in range(11, 15)]
    every_two_seconds, _ = IntervalSchedule.objects.get_or_create(every=2, period="seconds")
    PeriodicTask.objects.exclude(name="Award reminders").update(enabled=False)

    queue = f"kqm-scale-{tmp_path.name[-8:]}"
    env = {
        **os.environ,
        **bucket.environment(),
        "DATABASE_URL": workers.test_database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_URL": f"filemail:///{tmp_path / 'mail'}",
        "LOG_FORMAT": "json",
        "TRUST_UPSTREAM_REQUEST_ID": "true",
        "KQM_REQUIRE_SECOND_FACTOR": "false",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("MEDIA_ROOT", None)
    with (
        gunicorn(env, tmp_path / "web-a.log") as web_a,
        gunicorn(env, tmp_path / "web-b.log") as web_b,
        celery_worker(tmp_path, queue=queue, name="worker-a", extra_env=env) as worker_a,
        celery_worker(tmp_path, queue=queue, name="worker-b", extra_env=env) as worker_b,
    ):
        # Upload through one web server, download through the other.
        session = _session(manager)
        add = reverse("accreditation:application-evidence-add", args=[application.pk])
        form = session.get(web_a.url + add, timeout=30)
        assert form.status_code == 200
        response = session.post(
            web_a.url + add,
            data={"csrfmiddlewaretoken": csrf_token(form.text), "title": "Leuven summary"},
            files={"file": ("leuven.pdf", PDF, "application/pdf")},
            headers={"Referer": web_a.url + add},
            timeout=30,
            allow_redirects=False,
        )
        assert response.status_code == 302, response.text[:2000]
        evidence = application.evidence.get()
        assert bucket.keys() == [f"media/{evidence.file.name}"]
        download = reverse("accreditation:application-evidence", args=[application.pk, evidence.pk])
        assert session.get(web_b.url + download, timeout=30).content == PDF

        # A request that queues an email: its request id follows the task to a worker.
        reset = web_b.url + reverse("password_reset")
        page = requests.Session()
        page_form = page.get(reset, timeout=30)
        page.post(
            reset,
            data={"csrfmiddlewaretoken": csrf_token(page_form.text), "email": "ben@acorns.test"},
            headers={"X-Request-ID": "scale-out-req-1", "Referer": reset},
            timeout=30,
        )

        # Certificates on whichever worker takes them.
        celery_app.conf.task_always_eager = False
        for award in awards:
            render_certificate.apply_async(args=[award.pk], queue=queue)
        wait_for(
            lambda: Award.objects.filter(pk__in=[a.pk for a in awards])
            .exclude(certificate="")
            .count()
            == len(awards),
            90,
            "the certificates",
            lambda: worker_a.log() + worker_b.log(),
        )
        keys = bucket.keys()
        for award in awards:
            assert f"media/certificates/2026/KQM-2026-{award.sequence:04d}.pdf" in keys

        # Beat alone schedules; both workers run the reminder job.
        PeriodicTask.objects.update_or_create(
            name="Award reminders",
            defaults={
                "task": "accreditation.tasks.send_due_reminders",
                "interval": every_two_seconds,
                "crontab": None,
                "enabled": True,
            },
        )
        with beat(env, tmp_path):
            wait_for(
                lambda: worker_a.log().count("send_due_reminders")
                + worker_b.log().count("send_due_reminders")
                >= 12,
                90,
                "several runs of the reminder job",
                lambda: worker_a.log() + worker_b.log(),
            )
        wait_for(
            lambda: SentEmail.objects.filter(key__in=Reminder.objects.values("email_key"))
            .filter(status="sent")
            .count()
            == 2,
            60,
            "both reminders",
            lambda: worker_a.log() + worker_b.log(),
        )
        logs = {"a": worker_a.log(), "b": worker_b.log()}

    reminders = Reminder.objects.all()
    assert sorted(r.recipient.email for r in reminders) == ["asha@acorns.test", "ben@acorns.test"]
    mail = "".join(path.read_text() for path in worker_a.mail_files())
    assert mail.count("Subject: Annual review due on") == 2  # once each, never twice
    # The job ran many times (on whichever worker was free), the emails went once.
    assert sum(text.count("send_due_reminders") for text in logs.values()) >= 12
    rendered = sum(text.count("render_certificate") for text in logs.values())
    assert rendered >= len(awards)
    tagged = [
        line
        for text in logs.values()
        for line in _json_lines(text)
        if line.get("request_id") == "scale-out-req-1"
    ]
    assert any(line.get("event") == "task_succeeded" for line in tagged), tagged
