"""Platform tasks: templated email, the outbox sweep and the worker heartbeat."""

from __future__ import annotations

import socket
from typing import Any

from celery import shared_task
from django.utils import timezone

from . import outbox
from .celery import TRANSIENT_ERRORS
from .emails import EmailInFlight, send_once
from .models import User, WorkerHeartbeat


@shared_task(
    bind=True,
    # The mail server (SMTP errors are OSErrors) and a send already in flight elsewhere.
    autoretry_for=(*TRANSIENT_ERRORS, OSError, EmailInFlight),
    soft_time_limit=60,
    time_limit=90,
)
def send_templated_email(
    self: Any, *, key: str, template: str, user_id: int, context: dict[str, Any]
) -> bool:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return False
    return send_once(key=key, template=template, to=user.email, context={**context, "user": user})


@shared_task(bind=True, soft_time_limit=50, time_limit=55, max_retries=0)
def publish_outbox(self: Any) -> dict[str, int]:
    """Every minute (beat): publish what the broker missed and queue stuck work again.

    Retried by the next minute's run, not by itself.
    """
    return {
        "published": outbox.publish_due(),
        "requeued": outbox.requeue_stuck(),
        "forgotten": outbox.forget_published(),
    }


@shared_task(bind=True, soft_time_limit=20, time_limit=30, max_retries=0)
def record_heartbeat(self: Any) -> str:
    """Scheduled by beat every minute; /healthz reports the last one."""
    hostname = getattr(self.request, "hostname", None) or socket.gethostname()
    touch_heartbeat(hostname)
    return hostname


def touch_heartbeat(hostname: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"seen_at": timezone.now()}
    )


@shared_task
def apply_retention() -> dict[str, int]:
    """Nightly (beat): apply the retention schedule (kqm/retention.py). Idempotent."""
    from .retention import apply_schedule

    return apply_schedule()
