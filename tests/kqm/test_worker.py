"""Tasks through a real Celery worker process (not eager mode)."""

from __future__ import annotations

import pytest
from django.conf import settings

from kqm.celery import app as celery_app
from kqm.models import Role, SentEmail, WorkerHeartbeat
from kqm.tasks import send_templated_email
from tests.celery_worker import celery_worker, wait_for
from tests.factories import UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_process_sends_an_email_once_and_reports_its_heartbeat(tmp_path):
    user = UserFactory(email="nia@example.org", full_name="Nia Brown", role=Role.VIEWER)
    with celery_worker(tmp_path) as worker:
        # The worker reports in as soon as it is ready (read by /healthz).
        wait_for(
            lambda: WorkerHeartbeat.objects.filter(hostname=worker.hostname).exists(),
            30,
            "the heartbeat",
            worker.log,
        )
        celery_app.conf.task_always_eager = False
        kwargs = {
            "key": f"invitation:{user.pk}",
            "template": "invitation",
            "user_id": user.pk,
            "context": {
                "inviter": "Morgan Patel",
                "role": "Viewer",
                "link": "/account/invitation/x/y/",
            },
        }
        send_templated_email.apply_async(kwargs=kwargs, queue=worker.queue)
        send_templated_email.apply_async(
            kwargs=kwargs, queue=worker.queue
        )  # a repeat sends nothing
        wait_for(
            lambda: SentEmail.objects.filter(key=kwargs["key"]).exists(),
            60,
            "the email",
            worker.log,
        )
        wait_for(lambda: worker.log().count("succeeded") >= 2, 60, "both tasks", worker.log)
        assert SentEmail.objects.filter(to="nia@example.org").count() == 1
        mails = worker.mail_files()
        assert len(mails) == 1
        assert "Morgan Patel has invited you to KQM" in mails[0].read_text()
    transport = "redis" if settings.REDIS_URL else "filesystem"
    assert transport in worker.log().lower()
