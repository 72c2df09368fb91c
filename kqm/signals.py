"""A worker reports in as soon as it is ready, before beat's first heartbeat."""

from typing import Any

from celery.signals import worker_ready


@worker_ready.connect
def _worker_ready(sender: Any = None, **kwargs: Any) -> None:
    from .tasks import touch_heartbeat

    hostname = getattr(sender, "hostname", None) or "worker"
    touch_heartbeat(str(hostname))
