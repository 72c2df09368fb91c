"""Platform tasks: templated email and the worker heartbeat."""

from __future__ import annotations

import socket
from typing import Any

from celery import shared_task
from django.utils import timezone

from .emails import send_once
from .models import User, WorkerHeartbeat


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_templated_email(
    self: Any, *, key: str, template: str, user_id: int, context: dict[str, Any]
) -> bool:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return False
    return send_once(key=key, template=template, to=user.email, context={**context, "user": user})


@shared_task(bind=True)
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
