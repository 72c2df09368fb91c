"""Prometheus metrics at ``/metrics`` (``kqm/views_metrics.py``, behind ``METRICS_TOKEN``).

Counted as they happen, in each process:

- ``kqm_http_request_duration_seconds{view,method,status}``: request latency by view;
- ``kqm_task_runs_total{task,outcome}``: Celery task runs (succeeded, failed, retried).

Read from the database and the broker at each scrape, so that every web process reports the
same figures whichever one the scraper reaches:

- ``kqm_queue_depth{queue}``: messages waiting in the broker; ``kqm_outbox_unpublished``;
- ``kqm_emails{status}`` and ``kqm_email_deliveries{status}`` (Notify's receipts);
- ``kqm_reminders{state}``: reminders due (created) and sent;
- ``kqm_beat_last_run_timestamp_seconds`` and ``kqm_worker_last_heartbeat_timestamp_seconds``.

With several processes on one host (gunicorn's workers, Celery's pool), set
``PROMETHEUS_MULTIPROC_DIR`` to a folder they share (emptied at start): every process then
writes its counters there and ``/metrics`` adds them up, so task counts from the workers
appear beside the web's. A worker on another host serves its own on
``KQM_WORKER_METRICS_PORT``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

REQUEST_LATENCY = Histogram(
    "kqm_http_request_duration_seconds",
    "Time to answer a request, by view.",
    ["view", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
TASK_RUNS = Counter("kqm_task_runs", "Celery task runs by task and outcome.", ["task", "outcome"])


class MetricsMiddleware:
    """Times every request and counts it under its view's name (``app:url-name``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or match._func_path) if match else "unresolved"
        REQUEST_LATENCY.labels(
            view=view, method=request.method or "", status=f"{response.status_code // 100}xx"
        ).observe(time.perf_counter() - started)
        return response


def count_task(task_name: str, outcome: str) -> None:
    TASK_RUNS.labels(task=task_name, outcome=outcome).inc()


def connect_task_signals() -> None:
    """Count every task run (called once by the Celery app)."""
    from celery.signals import task_failure, task_retry, task_success

    def succeeded(sender: Any = None, **_: Any) -> None:
        count_task(getattr(sender, "name", "unknown"), "succeeded")

    def failed(sender: Any = None, **_: Any) -> None:
        count_task(getattr(sender, "name", "unknown"), "failed")

    def retried(sender: Any = None, **_: Any) -> None:
        count_task(getattr(sender, "name", "unknown"), "retried")

    task_success.connect(succeeded, weak=False, dispatch_uid="kqm-metrics-success")
    task_failure.connect(failed, weak=False, dispatch_uid="kqm-metrics-failure")
    task_retry.connect(retried, weak=False, dispatch_uid="kqm-metrics-retry")


def serve_worker_metrics() -> None:
    """In a worker on its own host: serve its counters on ``KQM_WORKER_METRICS_PORT``."""
    port = os.environ.get("KQM_WORKER_METRICS_PORT")
    if port:
        from prometheus_client import start_http_server

        start_http_server(int(port), addr=os.environ.get("KQM_WORKER_METRICS_ADDR", "0.0.0.0"))
