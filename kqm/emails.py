"""Emails are three templates: ``emails/<name>/subject.txt``, ``body.txt`` and ``body.html``.

Sending happens in a Celery task queued through the outbox (``kqm.outbox``); every email
carries a unique key, and its ``SentEmail`` record says how far it got:

1. *sending* is committed before the mail server is called, with a Message-ID;
2. *sent* is recorded once the mail server has accepted the message.

So an email is sent at least once and, as far as the database can tell, at most once: a
task that runs again finds *sent* and does nothing. A worker that died between the mail
server accepting the message and the *sent* record leaves *sending*; once that is older
than ``EMAIL_SENDING_STALE_SECONDS`` a redelivery sends it again **with the same
Message-ID**, so that the recipient's mail server can drop the duplicate.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.fields.json import KeyTextTransform
from django.template.loader import render_to_string
from django.utils import timezone

from .models import EmailStatus, OutboxMessage, SentEmail

logger = logging.getLogger(__name__)

SEND_TASK = "kqm.tasks.send_templated_email"


class EmailInFlight(Exception):
    """Another attempt is sending this email right now: try again later."""


def render_email(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    context = {"site_url": settings.SITE_URL, "scheme": settings.KQM_SCHEME_NAME, **context}
    subject = " ".join(render_to_string(f"emails/{template}/subject.txt", context).split())
    text = render_to_string(f"emails/{template}/body.txt", context)
    html = render_to_string(f"emails/{template}/body.html", context)
    return subject, text, html


def _message_domain() -> str:
    sender = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >")
    return sender or "kqm.localhost"


def _claim(*, key: str, template: str, to: str, subject: str) -> SentEmail | None:
    """Record "sending" (committed), or None when the email was already sent."""
    now = timezone.now()
    with transaction.atomic():
        record, created = SentEmail.objects.select_for_update().get_or_create(
            key=key,
            defaults={
                "template": template,
                "to": to,
                "subject": subject,
                "status": EmailStatus.SENDING,
                "message_id": make_msgid(domain=_message_domain()),
                "started_at": now,
                "attempts": 1,
            },
        )
        if created:
            return record
        if record.status == EmailStatus.SENT:
            return None
        stale = now - datetime.timedelta(seconds=settings.EMAIL_SENDING_STALE_SECONDS)
        if record.status == EmailStatus.SENDING and record.started_at > stale:
            raise EmailInFlight(key)
        if record.status == EmailStatus.SENDING:
            logger.warning(
                "Email %s was interrupted after %s attempt(s); sending it again as %s",
                key,
                record.attempts,
                record.message_id,
            )
        record.status = EmailStatus.SENDING
        record.started_at = now
        record.attempts += 1
        record.message_id = record.message_id or make_msgid(domain=_message_domain())
        record.save(update_fields=["status", "started_at", "attempts", "message_id"])
        return record


def send_once(*, key: str, template: str, to: str, context: dict[str, Any]) -> bool:
    """Send unless an email with this key was already sent. Returns whether it sent."""
    subject, text, html = render_email(template, context)
    record = _claim(key=key, template=template, to=to, subject=subject)
    if record is None:
        return False
    message = EmailMultiAlternatives(
        subject, text, to=[to], headers={"Message-ID": record.message_id}
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception as error:
        SentEmail.objects.filter(pk=record.pk).update(
            status=EmailStatus.FAILED, error=repr(error)[:255]
        )
        raise
    SentEmail.objects.filter(pk=record.pk).update(
        status=EmailStatus.SENT,
        sent_at=timezone.now(),
        error="",
        notify_id=getattr(message, "notify_id", ""),
    )
    return True


def queue_email(*, template: str, user_id: int, context: dict[str, Any], key: str = "") -> str:
    """Queue ``template`` for a user, with the current transaction (see ``kqm.outbox``)."""
    from .outbox import enqueue

    key = key or f"{template}:{user_id}:{uuid.uuid4()}"
    enqueue(SEND_TASK, key=key, template=template, user_id=user_id, context=context)
    return key


def stuck_emails(stuck_before: datetime.datetime) -> Iterator[tuple[str, dict[str, Any]]]:
    """Emails queued (and published) a while ago and not sent, nor being sent right now."""
    stale = timezone.now() - datetime.timedelta(seconds=settings.EMAIL_SENDING_STALE_SECONDS)
    done_or_in_flight = SentEmail.objects.filter(
        key=KeyTextTransform("key", OuterRef("kwargs"))
    ).filter(Q(status=EmailStatus.SENT) | Q(status=EmailStatus.SENDING, started_at__gt=stale))
    rows = (
        OutboxMessage.objects.filter(
            task=SEND_TASK,
            published_at__isnull=False,
            created_at__lt=stuck_before,
            created_at__gte=stuck_before - datetime.timedelta(days=2),
        )
        .exclude(Exists(done_or_in_flight))
        .order_by("pk")
    )
    seen: set[str] = set()
    for row in rows.iterator():
        if row.digest not in seen:
            seen.add(row.digest)
            yield SEND_TASK, row.kwargs
