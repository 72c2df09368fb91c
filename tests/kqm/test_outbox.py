"""The outbox: work recorded with the change, published after commit, swept every minute."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from accreditation.models.exports import ExportStatus, ReportExport
from kqm import outbox
from kqm.celery import app as celery_app
from kqm.models import EmailStatus, OutboxMessage, Role, SentEmail
from kqm.services import do_invite_user
from settings.models import ImportStatus, OfstedImport
from tests.accreditation.award_factories import AwardFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(minutes=30)


@pytest.fixture
def broker_down(monkeypatch):
    """Publishing fails as it does with Redis stopped (kombu's OperationalError)."""
    celery_app.conf.task_always_eager = False
    calls: list[str] = []

    def refuse(self, *args, **kwargs):
        calls.append(self.name)
        raise BrokerError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    monkeypatch.setattr(celery_app.Task, "apply_async", refuse)
    outbox.reset_publish_failures()
    yield calls
    outbox._broker_down_until = 0.0


def _invite(manager, email="new.person@example.org"):
    return do_invite_user(
        invited_by=manager, email=email, full_name="New Person", role=Role.EVALUATOR
    )


def test_work_is_recorded_with_the_change_and_published_after_the_commit(
    manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        user = _invite(manager)
        row = OutboxMessage.objects.get()
        assert row.task == "kqm.tasks.send_templated_email"
        assert row.kwargs["user_id"] == user.pk
        assert row.published_at is None
        assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    row.refresh_from_db()
    assert row.published_at is not None
    assert row.attempts == 1
    assert [message.to for message in mail.outbox] == [[user.email]]


def test_a_change_that_rolls_back_leaves_no_work_behind(
    manager, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _invite(manager)
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)  # real commits: the publish runs inside the request
def test_with_the_broker_down_the_request_succeeds_and_says_the_work_will_start_shortly(
    client, manager, broker_down
):
    client.force_login(manager)
    response = client.post(
        reverse("users:invite"),
        {"email": "late@example.org", "full_name": "Late Invite", "role": Role.VIEWER},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Your change is saved." in page
    assert "it will start by itself within a few minutes" in page
    assert broker_down == ["kqm.tasks.send_templated_email"]
    row = OutboxMessage.objects.get()
    assert row.published_at is None
    assert row.attempts == 1
    assert "Connection refused" in row.last_error
    # A request with nothing to publish says nothing about it.
    assert "Your change is saved." not in client.get(reverse("users:list")).content.decode()


def test_the_sweep_publishes_what_the_broker_missed_once_it_is_back(
    manager, broker_down, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = _invite(manager)
    assert OutboxMessage.objects.get().published_at is None
    # Still down a minute later: the sweep stops at the first failure.
    outbox._broker_down_until = 0.0
    assert outbox.publish_due(now=timezone.now() + LATER) == 0
    monkeypatch.undo()
    celery_app.conf.task_always_eager = True
    outbox._broker_down_until = 0.0  # a few seconds later
    # Within its grace period a row is left to its own commit.
    assert outbox.publish_due() == 0
    assert outbox.publish_due(now=timezone.now() + LATER) == 1
    row = OutboxMessage.objects.get()
    assert row.published_at is not None and row.attempts == 3
    assert [message.to for message in mail.outbox] == [[user.email]]
    assert SentEmail.objects.get().status == EmailStatus.SENT
    # Published rows are not published again.
    assert outbox.publish_due(now=timezone.now() + LATER) == 0
    assert len(mail.outbox) == 1


class Queued:
    """The work queued for ``task`` (the outbox rows; the tests' commits never happen)."""

    def __init__(self, task: str) -> None:
        self.task = task

    def __iter__(self):
        rows = OutboxMessage.objects.filter(task=self.task).order_by("pk")
        return iter([row.kwargs for row in rows])

    def __len__(self) -> int:
        return OutboxMessage.objects.filter(task=self.task).count()

    def __eq__(self, other: object) -> bool:
        return list(self) == other


def test_an_award_left_without_its_certificate_is_rendered_again_once():
    calls = Queued("accreditation.tasks.render_certificate")
    waiting = AwardFactory(granted_at=timezone.now() - LATER)
    AwardFactory(granted_at=timezone.now())  # granted a moment ago: its render is on its way
    AwardFactory(granted_at=timezone.now() - LATER, certificate="certificates/done.pdf")
    AwardFactory(
        granted_at=timezone.now() - LATER, revoked_at=timezone.now(), revocation_reason="x"
    )

    assert outbox.requeue_stuck() == 1
    assert [call["award_id"] for call in calls] == [waiting.pk]
    # The next minute's sweep leaves it to run.
    assert outbox.requeue_stuck() == 0
    assert len(calls) == 1


def test_stuck_work_is_queued_again_at_most_six_times_a_day():
    calls = Queued("accreditation.tasks.render_certificate")
    start = timezone.now()
    AwardFactory(granted_at=start - LATER)
    for step in range(10):
        with time_machine.travel(start + step * datetime.timedelta(minutes=11), tick=False):
            outbox.requeue_stuck()
    assert len(calls) == outbox.MAX_REQUEUES_PER_DAY


def test_exports_waiting_or_running_past_their_time_limit_are_built_again(
    users, monkeypatch, settings
):
    calls = Queued("accreditation.tasks.build_report_export")
    now = timezone.now()

    def export(status, requested, started=None):
        made = ReportExport.objects.create(
            report="register",
            format="csv",
            requested_by=users[Role.MANAGER],
            status=status,
            started_at=started,
        )
        ReportExport.objects.filter(pk=made.pk).update(requested_at=requested)
        return made

    waiting = export(ExportStatus.QUEUED, now - LATER)
    export(ExportStatus.QUEUED, now)  # just asked for
    export(ExportStatus.RUNNING, now - LATER, started=now - LATER)  # within its limit
    limit = datetime.timedelta(seconds=settings.LONG_TASK_TIME_LIMIT + 120)
    dead = export(ExportStatus.RUNNING, now - limit, started=now - limit)
    export(ExportStatus.FAILED, now - limit)  # failed: a person decides

    assert outbox.requeue_stuck() == 2
    assert sorted(call["export_id"] for call in calls) == sorted([waiting.pk, dead.pk])


def test_imports_with_no_progress_are_checked_or_applied_again(
    manager, monkeypatch, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    previews = Queued("settings.tasks.preview_ofsted_import")
    applies = Queued("settings.tasks.apply_ofsted_import")
    now = timezone.now()

    def stored(status, created, **fields):
        made = OfstedImport.objects.create(
            file=ContentFile(b"URN\n", name="ofsted.csv"),
            original_name="ofsted.csv",
            uploaded_by=manager,
            status=status,
            **fields,
        )
        OfstedImport.objects.filter(pk=made.pk).update(created_at=created)
        return made

    waiting = stored(ImportStatus.UPLOADED, now - LATER)
    stored(ImportStatus.UPLOADED, now)
    stalled = stored(ImportStatus.IMPORTING, now - LATER, confirmed_at=now - LATER)
    stored(ImportStatus.IMPORTED, now - LATER)

    assert outbox.requeue_stuck() == 2
    assert previews == [{"import_id": waiting.pk}]
    assert applies == [{"import_id": stalled.pk}]


def test_emails_published_but_never_sent_are_queued_again(users, monkeypatch):
    calls = Queued("kqm.tasks.send_templated_email")
    person = UserFactory()
    old = timezone.now() - LATER

    def published(key):
        kwargs = {"key": key, "template": "invitation", "user_id": person.pk, "context": {}}
        OutboxMessage.objects.create(
            task="kqm.tasks.send_templated_email",
            kwargs=kwargs,
            digest=outbox.digest_of("kqm.tasks.send_templated_email", kwargs),
            created_at=old,
            published_at=old,
        )

    published("lost")  # the message was lost with a worker: no record at all
    published("interrupted")  # "sending" for longer than the timeout
    SentEmail.objects.create(
        key="interrupted", to=person.email, status=EmailStatus.SENDING, started_at=old
    )
    published("in-flight")  # being sent right now
    SentEmail.objects.create(key="in-flight", to=person.email, status=EmailStatus.SENDING)
    published("done")
    SentEmail.objects.create(key="done", to=person.email, status=EmailStatus.SENT)

    before = {row["key"] for row in calls}
    assert outbox.requeue_stuck() == 2
    assert sorted(row["key"] for row in list(calls)[len(before) :]) == ["interrupted", "lost"]


def test_published_rows_are_forgotten_after_two_weeks():
    old = timezone.now() - datetime.timedelta(days=15)
    for published_at in (old, None, timezone.now()):
        OutboxMessage.objects.create(
            task="t", digest="d", created_at=old, published_at=published_at
        )
    assert outbox.forget_published() == 1
    assert OutboxMessage.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_password_reset_with_the_broker_down_says_nothing_about_the_account(
    client, users, broker_down
):
    person = users[Role.EVALUATOR]
    response = client.post(reverse("password_reset"), {"email": person.email}, follow=True)
    assert response.status_code == 200
    assert "Your change is saved." not in response.content.decode()
    reset = OutboxMessage.objects.filter(kwargs__template="password_reset").get()
    assert reset.kwargs["user_id"] == person.pk
    assert reset.published_at is None


def test_after_one_failed_publish_the_rest_wait_for_the_sweep(
    manager, broker_down, django_capture_on_commit_callbacks
):
    """A request queueing several tasks waits for one broker timeout, not one per task."""
    with django_capture_on_commit_callbacks(execute=True):
        _invite(manager, "one@example.org")
        _invite(manager, "two@example.org")
        _invite(manager, "three@example.org")
    assert broker_down == ["kqm.tasks.send_templated_email"]  # one attempt
    assert outbox.publish_failed() == 3
    assert not OutboxMessage.objects.filter(published_at__isnull=False).exists()
