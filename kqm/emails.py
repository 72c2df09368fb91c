"""Emails are three templates: ``emails/<name>/subject.txt``, ``body.txt`` and ``body.html``.

Sending happens in a Celery task queued on commit; every email carries a unique
key so a task that runs twice sends once.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from .models import SentEmail


def render_email(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{template}/subject.txt", context).split())
    text = render_to_string(f"emails/{template}/body.txt", context)
    html = render_to_string(f"emails/{template}/body.html", context)
    return subject, text, html


def send_once(*, key: str, template: str, to: str, context: dict[str, Any]) -> bool:
    """Send unless an email with this key was already sent. Returns whether it sent."""
    subject, text, html = render_email(template, context)
    try:
        with transaction.atomic():
            SentEmail.objects.create(key=key, template=template, to=to, subject=subject)
            message = EmailMultiAlternatives(subject, text, to=[to])
            message.attach_alternative(html, "text/html")
            message.send()
    except IntegrityError:
        return False
    return True


def queue_email(*, template: str, user_id: int, context: dict[str, Any], key: str = "") -> str:
    """Queue ``template`` for a user once the current transaction commits."""
    from .tasks import send_templated_email

    key = key or f"{template}:{user_id}:{uuid.uuid4()}"
    transaction.on_commit(
        lambda: send_templated_email.delay(
            key=key, template=template, user_id=user_id, context=context
        )
    )
    return key
