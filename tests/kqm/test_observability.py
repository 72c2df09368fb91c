"""Metrics at /metrics (behind a token), JSON logs with a request id, optional Sentry."""

from __future__ import annotations

import datetime
import gzip
import io
import json
import logging
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import structlog
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from prometheus_client.parser import text_string_to_metric_families

from kqm import outbox
from kqm.models import EmailStatus, SentEmail
from kqm.tasks import publish_outbox, record_heartbeat

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_need_the_token(client, settings):
    assert client.get("/metrics").status_code == 404  # no token configured: no metrics
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert client.post("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 405
    assert reverse("metrics") == "/metrics"


def test_a_scrape_after_requests_and_tasks(client, manager, metrics_token, monkeypatch):
    before = scrape(client)
    for _ in range(3):
        assert client.get(reverse("public-register")).status_code == 200
    client.force_login(manager)
    assert client.get(reverse("dashboard")).status_code == 200
    record_heartbeat.delay()
    monkeypatch.setattr(outbox, "publish_due", lambda: 1 / 0)
    # As a worker runs it: the failure is recorded, not raised here.
    assert publish_outbox.apply(throw=False).failed()
    SentEmail.objects.create(key="a", template="invitation", to="a@example.org", subject="A")
    SentEmail.objects.create(
        key="b", template="invitation", to="b@example.org", subject="B", status=EmailStatus.FAILED
    )
    PeriodicTask.objects.filter(name__isnull=False).update(
        last_run_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    after = scrape(client)
    latency = "kqm_http_request_duration_seconds_count"
    register = {"view": "public-register", "method": "GET", "status": "2xx"}
    assert value(after, latency, **register) - value(before, latency, **register) == 3
    dashboard = {"view": "dashboard", "method": "GET", "status": "2xx"}
    assert value(after, latency, **dashboard) - value(before, latency, **dashboard) == 1
    runs = "kqm_task_runs_total"
    heartbeat = {"task": "kqm.tasks.record_heartbeat", "outcome": "succeeded"}
    assert value(after, runs, **heartbeat) - value(before, runs, **heartbeat) == 1
    failed = {"task": "kqm.tasks.publish_outbox", "outcome": "failed"}
    assert value(after, runs, **failed) - value(before, runs, **failed) == 1
    assert value(after, "kqm_emails", status="sent") == 1
    assert value(after, "kqm_emails", status="failed") == 1
    queue = django_settings.CELERY_TASK_DEFAULT_QUEUE
    assert ("kqm_queue_depth", (("queue", queue),)) in after
    assert ("kqm_reminders", (("state", "due"),)) in after
    assert ("kqm_reminders", (("state", "sent"),)) in after
    last_beat = value(after, "kqm_beat_last_run_timestamp_seconds")
    assert abs(last_beat - (timezone.now().timestamp() - 60)) < 30
    assert value(after, "kqm_worker_last_heartbeat_timestamp_seconds") > 0


def test_the_scrape_costs_a_fixed_number_of_queries(
    client, metrics_token, django_assert_num_queries
):
    scrape(client)
    SentEmail.objects.create(key="c", template="invitation", to="c@example.org", subject="C")
    # Outbox, emails, deliveries, reminders due and sent, beat, heartbeat.
    with django_assert_num_queries(7):
        scrape(client)


@pytest.fixture
def json_log() -> Any:
    """The log lines, formatted as production formats them (LOG_FORMAT=json)."""
    formatters: dict[str, Any] = django_settings.LOGGING["formatters"]
    options = dict(formatters["json"])
    options.pop("()")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(**options))
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def test_every_log_line_of_a_request_carries_its_request_id(client, json_log, settings):
    settings.KQM_MAX_REQUEST_BYTES = 10
    client.get(reverse("login"), headers={"X-Request-ID": "from-a-visitor"})
    # Not the visitor's own id unless told to trust the proxy's.
    assert not [line for line in json_log() if line.get("request_id") == "from-a-visitor"]
    assert all(len(line.get("request_id", "x" * 36)) == 36 for line in json_log())
    settings.DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True
    response = client.post(
        reverse("login"), {"username": "x" * 50}, headers={"X-Request-ID": "req-7f3a"}
    )
    assert response.status_code == 413
    lines = [line for line in json_log() if line.get("request_id") == "req-7f3a"]
    events = [line["event"] for line in lines]
    assert "request_started" in events and "request_finished" in events
    # A plain logging call inside the request (kqm.middleware) carries it too.
    refused = [line for line in lines if line["event"].startswith("Refused a request body")]
    assert refused and refused[0]["level"] == "warning" and refused[0]["logger"] == "kqm.middleware"
    assert all("timestamp" in line for line in lines)


def test_the_request_id_goes_with_the_tasks_the_request_queues():
    from django_structlog.celery.receivers import CeleryReceiver

    structlog.contextvars.bind_contextvars(request_id="req-42")
    try:
        headers: dict[str, Any] = {}
        CeleryReceiver().receiver_before_task_publish(headers=headers, properties={})
    finally:
        structlog.contextvars.clear_contextvars()
    assert headers["__django_structlog__"]["request_id"] == "req-42"


class _Envelopes(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        type(self).received.append(self.path.encode() + b"\n" + body)
        self.send_response(200)
        self.end_headers()


def test_errors_go_to_sentry_when_a_dsn_is_set(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Envelopes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Envelopes.received = []
    code = (
        "import django; django.setup(); import sentry_sdk; "
        "sentry_sdk.capture_exception(ValueError('kqm sentry check')); sentry_sdk.flush(5)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kqm.settings",
        "KQM_VAR_DIR": str(tmp_path),
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{server.server_address[1]}/7",
    }
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, timeout=60
        )
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stderr
    assert any(
        b"/api/7/envelope/" in item and b"kqm sentry check" in item for item in _Envelopes.received
    )


SECRET = "sekrit-4f9a1c-token"


def test_secrets_in_links_never_reach_a_log_line(client, json_log):
    for path in (
        f"/account/reset/MQ/{SECRET}/",
        f"/account/invitation/MQ/{SECRET}/",
        f"/audits/questionnaires/answer/{SECRET}/",
        f"/programme/calendar/{SECRET}.ics",
    ):
        client.get(path)
    lines = json.dumps(json_log())
    assert SECRET not in lines
    assert "/account/reset/MQ/[redacted]" in lines
    assert "/audits/questionnaires/answer/[redacted]" in lines
    assert "/programme/calendar/[redacted]" in lines


def test_the_access_log_and_error_reports_leave_the_secrets_out():
    import datetime as dt
    from types import SimpleNamespace

    from gunicorn.config import Config

    from kqm.gunicorn_logger import GunicornLogger
    from kqm.redaction import redact_sentry_event

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/account/reset/MQ/{SECRET}/?next=/",
        "PATH_INFO": f"/account/reset/MQ/{SECRET}/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://kqm.example/audits/questionnaires/answer/{SECRET}/",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = GunicornLogger(Config()).atoms(response, [], environ, dt.timedelta(seconds=1))
    assert SECRET not in json.dumps(atoms, default=str)
    assert atoms["r"] == "GET /account/reset/MQ/[redacted]/?next=/ HTTP/1.1"

    event = {
        "request": {"url": f"https://kqm.example/programme/calendar/{SECRET}.ics"},
        "breadcrumbs": {"values": [{"message": f"GET /account/invitation/MQ/{SECRET}/"}]},
        "level": "error",
    }
    sent = redact_sentry_event(event, {})
    assert SECRET not in json.dumps(sent)
    assert sent["request"]["url"] == "https://kqm.example/programme/calendar/[redacted]"
    assert sent["level"] == "error"
