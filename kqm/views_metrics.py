"""``/metrics``: the Prometheus metrics of ``kqm/metrics.py``, to a scraper with the token."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

from .access import bearer_token_matches, public

logger = logging.getLogger(__name__)


def _queue_depths() -> dict[str, int]:
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
        )
        try:
            return {queue: int(client.llen(queue))}  # type: ignore[arg-type]
        finally:
            client.close()
    folder = settings.CELERY_BROKER_DIR / "queue"
    return {queue: sum(1 for _ in folder.glob("*.msg")) if folder.exists() else 0}


class StateCollector(Collector):
    """Figures read from the database and the broker at each scrape."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django_celery_beat.models import PeriodicTask

        from accreditation.models import Reminder

        from .models import OutboxMessage, SentEmail, WorkerHeartbeat

        depth = GaugeMetricFamily(
            "kqm_queue_depth", "Messages waiting in the broker.", labels=["queue"]
        )
        try:
            for queue, count in _queue_depths().items():
                depth.add_metric([queue], count)
        except Exception as error:  # the broker is down: the scrape still answers
            logger.warning("Could not read the queue depth: %r", error)
        yield depth

        yield GaugeMetricFamily(
            "kqm_outbox_unpublished",
            "Outbox messages not yet published to the broker.",
            value=OutboxMessage.objects.filter(published_at__isnull=True).count(),
        )

        emails = GaugeMetricFamily(
            "kqm_emails", "Emails by how far they got (sending, sent, failed).", labels=["status"]
        )
        for row in SentEmail.objects.order_by().values("status").annotate(n=Count("pk")):
            emails.add_metric([row["status"]], row["n"])
        yield emails
        deliveries = GaugeMetricFamily(
            "kqm_email_deliveries", "Emails by GOV.UK Notify's delivery status.", labels=["status"]
        )
        rows = SentEmail.objects.exclude(delivery_status="").order_by().values("delivery_status")
        for row in rows.annotate(n=Count("pk")):
            deliveries.add_metric([row["delivery_status"]], row["n"])
        yield deliveries

        sent = SentEmail.objects.filter(key=OuterRef("email_key"), status="sent")
        due = Reminder.objects.filter(send_on__lte=timezone.localdate())
        reminders = GaugeMetricFamily(
            "kqm_reminders", "Reminders due (created) and sent.", labels=["state"]
        )
        reminders.add_metric(["due"], due.count())
        reminders.add_metric(["sent"], due.filter(Exists(sent)).count())
        yield reminders

        last_beat = PeriodicTask.objects.aggregate(last=Max("last_run_at"))["last"]
        if last_beat is not None:
            yield GaugeMetricFamily(
                "kqm_beat_last_run_timestamp_seconds",
                "When beat last dispatched a scheduled task.",
                value=last_beat.timestamp(),
            )
        heartbeat = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
        if heartbeat is not None:
            yield GaugeMetricFamily(
                "kqm_worker_last_heartbeat_timestamp_seconds",
                "When a worker last ran the heartbeat task.",
                value=heartbeat.timestamp(),
            )


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    combined = CollectorRegistry()
    combined.register(_Forward(registry))
    combined.register(StateCollector())
    return combined


class _Forward(Collector):
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterator[Any]:
        yield from self.registry.collect()


@public
@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """The metrics, to a scraper that sends ``Authorization: Bearer <METRICS_TOKEN>``.

    Not found while no token is configured; 401 with a wrong or missing token.
    """
    if not settings.METRICS_TOKEN:
        return HttpResponse("Not found", status=404, content_type="text/plain")
    if not bearer_token_matches(request, settings.METRICS_TOKEN):
        response = HttpResponse("Unauthorised", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
