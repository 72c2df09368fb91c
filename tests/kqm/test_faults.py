"""Faults injected into a real worker over a real Redis (each test starts its own, on its own
port): work is never lost and never done twice.

Slow (several seconds each, under a minute): ``pytest -m slow``.
"""

from __future__ import annotations

import datetime
import os
import signal
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accreditation.models import Award, Status
from accreditation.models.exports import ExportStatus, ReportExport
from accreditation.services.awards import do_grant_award
from accreditation.services.exports import do_request_export
from kqm import outbox
from kqm.emails import queue_email
from kqm.middleware import DELAYED
from kqm.models import EmailStatus, OutboxMessage, Role, SentEmail
from settings.models import Setting
from tests.celery_worker import celery_worker, wait_for
from tests.factories import AccreditationFactory, SettingFactory, UserFactory
from tests.faults import (
    celery_broker,
    kill_group,
    mail_server,
    pool_processes,
    redis_missing,
    redis_server,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(bool(redis_missing()), reason=redis_missing() or ""),
]


def _env(redis_url: str, **extra: str) -> dict[str, str]:
    return {"REDIS_URL": redis_url, "CELERY_UNACKED_RESTORE_SECONDS": "1", **extra}


def test_redis_killed_during_a_request_then_restarted_the_work_completes(
    tmp_path, client, monkeypatch
):
    manager = UserFactory(role=Role.MANAGER)
    every_second = IntervalSchedule.objects.create(every=1, period="seconds")
    # The migrated "Outbox sweep" runs every second here (every minute in real life).
    PeriodicTask.objects.update_or_create(
        name="Outbox sweep",
        defaults={"task": "kqm.tasks.publish_outbox", "interval": every_second, "crontab": None},
    )
    with (
        redis_server(tmp_path / "redis") as redis,
        celery_worker(
            tmp_path, beat=True, extra_env=_env(redis.url, OUTBOX_PUBLISH_GRACE_SECONDS="0")
        ) as worker,
        celery_broker(redis.url, worker.queue),
    ):
        real_enqueue = outbox.enqueue

        def enqueue_then_lose_redis(task, /, **kwargs):
            recorded = real_enqueue(task, **kwargs)
            redis.kill()  # inside the request's transaction, before its commit
            return recorded

        monkeypatch.setattr(outbox, "enqueue", enqueue_then_lose_redis)
        client.force_login(manager)
        started = time.monotonic()
        response = client.post(
            reverse("users:invite"),
            {"email": "late@example.org", "full_name": "Late Invite", "role": Role.VIEWER},
        )
        # The change is saved and the person is told the email will follow.
        assert response.status_code == 302
        assert time.monotonic() - started < 10
        assert DELAYED in client.get(response["Location"]).content.decode()
        row = OutboxMessage.objects.get(task="kqm.tasks.send_templated_email")
        assert row.published_at is None
        assert not worker.mail_files()

        redis.start()  # no one does anything else: beat's sweep publishes it
        wait_for(worker.mail_files, 45, "the invitation after Redis came back", worker.log)
        wait_for(
            lambda: SentEmail.objects.filter(status=EmailStatus.SENT).exists(),
            15,
            "the sent record",
            worker.log,
        )
    assert len(worker.mail_files()) == 1
    assert "late@example.org" in worker.mail_files()[0].read_text()
    row.refresh_from_db()
    assert row.published_at is not None


def test_a_pool_process_killed_mid_render_renders_the_certificate_exactly_once(tmp_path):
    media = tmp_path / "media"
    setting = SettingFactory(name="Little Acorns Day Nursery")
    UserFactory(role=Role.SETTING_MANAGER, settings=[setting], email="asha@acorns.example")
    kqm_manager = UserFactory(role=Role.MANAGER)
    accreditation = AccreditationFactory(setting=setting, status=Status.ACCREDITED)
    with (
        redis_server(tmp_path / "redis") as redis,
        celery_worker(
            tmp_path, pool="prefork", extra_env=_env(redis.url, MEDIA_ROOT=str(media))
        ) as worker,
        celery_broker(redis.url, worker.queue),
    ):
        award = do_grant_award(
            accreditation=accreditation,
            award_date=timezone.localdate() - datetime.timedelta(days=1),
            granted_by=kqm_manager,
        )
        wait_for(
            lambda: "accreditation.tasks.render_certificate" in worker.log(),
            30,
            "the render to start",
            worker.log,
        )
        [child] = pool_processes(worker.pid)
        time.sleep(0.5)  # into WeasyPrint's several seconds of work
        assert Award.objects.get(pk=award.pk).certificate_rendered_at is None
        os.kill(child, signal.SIGKILL)

        wait_for(
            lambda: Award.objects.get(pk=award.pk).certificate_rendered_at,
            50,
            "the certificate after the pool process died",
            worker.log,
        )
        wait_for(worker.mail_files, 20, "the certificate email", worker.log)
        log = worker.log()
    # The lost process was noticed and its message handed back, not acknowledged.
    assert "WorkerLostError" in log or "signal 9" in log
    assert log.count("render_certificate[") >= 2
    assert (
        len(
            [
                line
                for line in log.splitlines()
                if "render_certificate[" in line and "succeeded" in line
            ]
        )
        == 1
    )
    award.refresh_from_db()
    certificates = list((media / "certificates").rglob("*.pdf"))
    assert [path.name for path in certificates] == [f"{award.number}.pdf"]
    assert SentEmail.objects.filter(template="certificate_ready").count() == 1
    assert len(worker.mail_files()) == 1


def test_a_worker_killed_between_smtp_accept_and_record_sends_again_with_the_same_id(
    tmp_path,
):
    person = UserFactory(email="asha@example.org")
    with redis_server(tmp_path / "redis") as redis, mail_server() as smtp:
        env = _env(
            redis.url,
            EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
            CELERY_VISIBILITY_TIMEOUT="2",
            EMAIL_SENDING_STALE_SECONDS="2",
        )
        smtp.hang_quit.set()  # accepted, then the sender waits for QUIT's answer
        with celery_worker(tmp_path, extra_env=env, name="first") as first:
            with celery_broker(redis.url, first.queue):
                queue_email(
                    template="password_reset",
                    user_id=person.pk,
                    context={"link": "/reset/"},
                    key="password_reset:test",
                )
            wait_for(lambda: smtp.messages, 30, "the mail server to accept it", first.log)
            record = SentEmail.objects.get()
            assert record.status == EmailStatus.SENDING
            kill_group(first.pid)  # the worker dies before it can record "sent"
        smtp.hang_quit.clear()
        smtp.release.set()

        with celery_worker(tmp_path, extra_env=env, queue=first.queue, name="second") as second:
            wait_for(
                lambda: SentEmail.objects.get().status == EmailStatus.SENT,
                45,
                "the redelivered email",
                second.log,
            )
            log = second.log()
    record.refresh_from_db()
    assert record.attempts == 2  # the redelivery is recorded
    assert "was interrupted" in log
    # Delivered twice with one Message-ID, so the recipient's server can drop the copy.
    assert len(smtp.messages) == 2
    assert smtp.message_ids() == [record.message_id, record.message_id]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="terminating connections needs PostgreSQL"
)
def test_database_connections_terminated_during_an_export_it_still_finishes(tmp_path):
    media = tmp_path / "media"
    manager = UserFactory(role=Role.MANAGER)
    Setting.objects.bulk_create(
        SettingFactory.build(name=f"Nursery {n:05d}", urn=f"EY{n:06d}") for n in range(8000)
    )
    with (
        redis_server(tmp_path / "redis") as redis,
        celery_worker(tmp_path, extra_env=_env(redis.url, MEDIA_ROOT=str(media))) as worker,
        celery_broker(redis.url, worker.queue),
    ):
        from django.http import QueryDict

        export = do_request_export(
            user=manager, report="register", export_format="csv", filters=QueryDict()
        )
        wait_for(
            lambda: ReportExport.objects.get(pk=export.pk).status != ExportStatus.QUEUED,
            30,
            "the export to start",
            worker.log,
        )

        cut = {"done": False}

        def cut_once_running_then_finished() -> bool:
            """Cut the worker's connections once the export is running; then wait for it."""
            status = ReportExport.objects.get(pk=export.pk).status
            if status == ExportStatus.RUNNING and not cut["done"]:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                cut["done"] = True
            return status in (ExportStatus.READY, ExportStatus.FAILED)

        # A cut mid-query is retried after a back-off of up to half a minute.
        wait_for(cut_once_running_then_finished, 90, "the export to finish", worker.log)
        log = worker.log()
    export.refresh_from_db()
    if export.status == ExportStatus.FAILED:  # the other honest outcome: a retry button
        assert export.error
    else:
        assert export.rows_total == Setting.objects.count()
    # (Whether a cut landed mid-query or between queries depends on timing: either way the
    # export ends finished or honestly failed, never "running" forever.)
    assert "Traceback" not in log or "retry" in log.lower() or export.status == ExportStatus.READY


def test_a_hung_redis_costs_health_and_requests_seconds_not_minutes(tmp_path, client, settings):
    """Redis paused (SIGSTOP): it accepts connections and never answers."""
    manager = UserFactory(role=Role.MANAGER, is_staff=True)
    client.force_login(manager)
    with (
        redis_server(tmp_path / "redis") as redis,
        celery_broker(redis.url, f"kqm-test-hung-{os.getpid()}"),
    ):
        settings.REDIS_URL = redis.url
        assert redis.process is not None
        os.kill(redis.process.pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            response = client.get(reverse("healthz"))
            assert time.monotonic() - started < 4
            assert response.status_code == 503
            body = response.json()
            assert body["database"] == "ok"
            assert body["broker"].startswith("error")

            started = time.monotonic()
            response = client.post(
                reverse("users:invite"),
                {"email": "hung@example.org", "full_name": "Hung Redis", "role": Role.VIEWER},
            )
            assert time.monotonic() - started < 12
            assert response.status_code == 302
            assert DELAYED in client.get(response["Location"]).content.decode()
            assert OutboxMessage.objects.get().published_at is None
        finally:
            os.kill(redis.process.pid, signal.SIGCONT)
