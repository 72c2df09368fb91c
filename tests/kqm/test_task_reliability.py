"""Celery as production runs it: late acknowledgement, retries with backoff, time limits,
timeouts on every connection, and tasks that change nothing when delivered twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from accreditation import tasks as accreditation_tasks
from accreditation.models.exports import ExportStatus, ReportExport
from accreditation.services import exports
from kqm.celery import app as celery_app
from kqm.models import Role, SentEmail, User
from tests.accreditation.award_factories import AwardFactory
from tests.factories import SettingFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
PROJECT_APPS = ("kqm.", "accreditation.", "settings.", "audits.")


def project_tasks():
    celery_app.loader.import_default_modules()
    tasks = [task for name, task in celery_app.tasks.items() if name.startswith(PROJECT_APPS)]
    assert len(tasks) >= 10
    return tasks


def test_a_message_is_acknowledged_when_its_task_ends_and_handed_back_if_the_worker_dies():
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    assert celery_app.conf.worker_prefetch_multiplier == 1


def test_every_task_has_a_time_limit_and_retries_database_and_broker_errors_with_backoff():
    longest = 0
    for task in project_tasks():
        hard = task.time_limit or celery_app.conf.task_time_limit
        soft = task.soft_time_limit or celery_app.conf.task_soft_time_limit
        assert hard and soft and soft < hard, task.name
        longest = max(longest, hard)
        retried = tuple(task.autoretry_for)
        for error in (OperationalError, InterfaceError, BrokerError):
            assert issubclass(error, retried), (task.name, error)
        assert task.retry_backoff, task.name
    # A message is handed to another worker only once the longest task, and the longest
    # retry countdown, are certainly over.
    assert longest + celery_app.Task.retry_backoff_max <= settings.CELERY_VISIBILITY_TIMEOUT


def test_redis_email_and_database_connections_have_timeouts():
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'broker': s.CELERY_BROKER_TRANSPORT_OPTIONS, 'cache': s.CACHES['default'],"
        "'email': s.EMAIL_TIMEOUT, 'db': s.DATABASES['default'].get('OPTIONS', {})}))"
    )
    env = {
        **os.environ,
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "DATABASE_URL": "postgres://kqm@127.0.0.1:1/kqm",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    broker = found["broker"]
    assert 0 < broker["socket_connect_timeout"] <= 2
    assert 0 < broker["socket_timeout"] <= 5
    assert broker["visibility_timeout"] >= settings.LONG_TASK_TIME_LIMIT
    assert found["cache"]["BACKEND"].endswith("RedisCache")
    assert 0 < found["cache"]["OPTIONS"]["socket_connect_timeout"] <= 2
    assert 0 < found["cache"]["OPTIONS"]["socket_timeout"] <= 2
    assert 0 < found["email"] <= 60
    assert 0 < found["db"]["connect_timeout"] <= 10


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db
@pytest.mark.usefixtures("_media")
def test_an_export_interrupted_by_a_database_error_is_retried_and_finishes(
    users, monkeypatch, caplog
):
    SettingFactory(name="Acorn")
    export = ReportExport.objects.create(
        report="register", format="csv", requested_by=users[Role.MANAGER]
    )
    real = exports._build_register_csv
    failures: list[int] = []

    def flaky(*args, **kwargs):
        if not failures:
            failures.append(1)
            raise OperationalError("terminating connection due to administrator command")
        return real(*args, **kwargs)

    monkeypatch.setitem(exports.EXPORTS["register"].builders, "csv", flaky)
    monkeypatch.setattr(exports, "_drop_connection", lambda: None)  # the test's transaction
    # In eager mode the retry runs at once, inside this call.
    accreditation_tasks.build_report_export.apply(args=(export.pk,), throw=False)
    export.refresh_from_db()
    assert failures == [1]
    assert export.status == ExportStatus.READY
    assert "will be built again" in caplog.text
    assert "retry: Retry in" in caplog.text


# The same task delivered twice changes nothing the second time ------------------------------


def _state():
    """What a redelivered task could change: every email, and every award's certificate."""
    from accreditation.models import Award

    return (
        list(SentEmail.objects.values_list("key", "status", "attempts").order_by("key")),
        list(Award.objects.values_list("certificate", "certificate_rendered_at").order_by("pk")),
        len(mail.outbox),
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("_media")
def test_a_certificate_render_delivered_twice_renders_once(
    monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(accreditation_tasks, "render_certificate_pdf", lambda award: b"%PDF-1.7")
    award = AwardFactory()
    UserFactory(role=Role.SETTING_MANAGER, settings=[award.setting])
    render = accreditation_tasks.render_certificate
    asked = timezone.now().isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        assert render(award.pk, requested_at=asked) is True
    first = _state()
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert render(award.pk, requested_at=asked) is False
    assert _state() == first
    # Asked again later (the manager's "render again"): rendered again, nobody re-emailed.
    with django_capture_on_commit_callbacks(execute=True):
        assert render(award.pk, requested_at=timezone.now().isoformat()) is True
    assert len(mail.outbox) == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("_media")
def test_an_export_and_its_email_delivered_twice_change_nothing(
    users, django_capture_on_commit_callbacks
):
    export = ReportExport.objects.create(
        report="register", format="csv", requested_by=users[Role.MANAGER]
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert accreditation_tasks.build_report_export(export.pk) is True
    first = (*_state(), list(ReportExport.objects.values()))
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert accreditation_tasks.build_report_export(export.pk) is False
    assert (*_state(), list(ReportExport.objects.values())) == first


@pytest.mark.django_db
def test_an_email_task_delivered_twice_sends_once():
    from kqm.tasks import send_templated_email

    user: User = UserFactory()
    kwargs = {"key": "k:1", "template": "password_reset", "user_id": user.pk}
    kwargs["context"] = {"link": "/reset/"}
    assert send_templated_email(**kwargs) is True
    first = _state()
    assert send_templated_email(**kwargs) is False
    assert _state() == first
