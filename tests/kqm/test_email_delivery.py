"""Emails at least once and at most once: "sending" before the mail server, "sent" after."""

from __future__ import annotations

import datetime
import re
import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone

from accreditation.models import Reminder, ReminderKind
from kqm.emails import EmailInFlight, send_once
from kqm.models import EmailStatus, Role, SentEmail
from kqm.tasks import send_templated_email
from tests.accreditation.award_factories import AwardFactory

pytestmark = pytest.mark.django_db

CONTEXT = {"inviter": "Ada", "role": "Evaluator", "link": "/set-password/"}


def _send(key: str = "invitation:1", to: str = "asha@example.org") -> bool:
    return send_once(key=key, template="invitation", to=to, context=CONTEXT)


def test_the_sending_record_is_saved_before_the_mail_server_is_called(monkeypatch):
    seen: list[tuple[str, str]] = []
    real_send = EmailMultiAlternatives.send

    def send(message, *args, **kwargs):
        record = SentEmail.objects.get(key="invitation:1")
        seen.append((record.status, message.extra_headers["Message-ID"]))
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    assert _send() is True
    record = SentEmail.objects.get()
    assert seen == [(EmailStatus.SENDING, record.message_id)]
    assert record.status == EmailStatus.SENT
    assert record.sent_at is not None
    assert record.attempts == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == record.message_id
    assert record.message_id.startswith("<") and record.message_id.endswith(">")


def test_the_same_email_delivered_twice_is_sent_once():
    assert _send() is True
    assert _send() is False
    assert len(mail.outbox) == 1
    assert SentEmail.objects.get().attempts == 1


def test_a_mail_server_error_is_recorded_and_the_retry_sends_with_the_same_message_id(
    monkeypatch,
):
    real_send = EmailMultiAlternatives.send

    def refuse(message, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        _send()
    record = SentEmail.objects.get()
    assert record.status == EmailStatus.FAILED
    assert "Connection unexpectedly closed" in record.error
    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    assert _send() is True
    again = SentEmail.objects.get()
    assert (again.status, again.attempts, again.message_id) == (
        EmailStatus.SENT,
        2,
        record.message_id,
    )
    assert len(mail.outbox) == 1


def test_an_email_being_sent_right_now_is_not_sent_twice():
    SentEmail.objects.create(
        key="invitation:1", to="asha@example.org", status=EmailStatus.SENDING, message_id="<a@b>"
    )
    with pytest.raises(EmailInFlight):
        _send()
    assert mail.outbox == []


def test_an_interrupted_email_is_sent_again_with_the_same_message_id(settings):
    """The worker died between the mail server accepting it and the "sent" record."""
    settings.EMAIL_SENDING_STALE_SECONDS = 60
    started = timezone.now() - datetime.timedelta(minutes=5)
    SentEmail.objects.create(
        key="invitation:1",
        to="asha@example.org",
        status=EmailStatus.SENDING,
        message_id="<interrupted@kqm.example>",
        started_at=started,
    )
    assert _send() is True
    record = SentEmail.objects.get()
    assert record.status == EmailStatus.SENT
    assert record.attempts == 2  # the redelivery is visible
    assert mail.outbox[0].extra_headers["Message-ID"] == "<interrupted@kqm.example>"


def test_the_email_task_retries_the_mail_server_the_database_and_an_attempt_in_flight():
    assert (
        "SMTPException" in {error.__name__ for error in send_templated_email.autoretry_for}
        or OSError in send_templated_email.autoretry_for
    )
    assert "EmailInFlight" in {error.__name__ for error in send_templated_email.autoretry_for}
    assert "OperationalError" in {error.__name__ for error in send_templated_email.autoretry_for}


def test_the_reminders_page_shows_each_emails_true_state(client, users):
    manager = users[Role.MANAGER]
    award = AwardFactory()
    states = {"queued": None, "sending": EmailStatus.SENDING, "sent": EmailStatus.SENT}
    states["failed"] = EmailStatus.FAILED
    for n, (name, status) in enumerate(states.items()):
        reminder = Reminder.objects.create(
            kind=ReminderKind.AWARD_EXPIRING,
            recipient=users[Role.SETTING_MANAGER],
            award=award,
            due_date=datetime.date(2029, 3, 14),
            offset=f"{n}w-before",
            send_on=datetime.date(2029, 1, 17) - datetime.timedelta(days=n),
            queued_at=timezone.now(),
            email_key=f"reminder:{name}",
        )
        if status:
            SentEmail.objects.create(
                key=reminder.email_key,
                to="m@example.org",
                status=status,
                sent_at=timezone.now() if status == EmailStatus.SENT else None,
            )
    client.force_login(manager)
    page = client.get(reverse("accreditation:reminder-list")).content.decode()
    tags = re.findall(r'class="govuk-tag govuk-tag--\w+">(\w+)</strong>', page)
    assert tags == ["Queued", "Sending", "Sent", "Failed"]
