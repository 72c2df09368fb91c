"""/healthz: 503 when the database, the broker or the worker is not well; each check
bounded to two seconds; the details for staff only."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from kqm import health
from kqm.models import WorkerHeartbeat

# The checks run in their own threads, on their own connections: they see committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff(client, manager):
    manager.is_staff = True
    manager.save()
    client.force_login(manager)
    return client


def _beat(age_seconds: float) -> None:
    seen = timezone.now() - datetime.timedelta(seconds=age_seconds)
    WorkerHeartbeat.objects.update_or_create(hostname="w1@host", defaults={"seen_at": seen})


def test_healthy_when_the_database_broker_and_a_recent_heartbeat_answer(staff):
    _beat(30)
    response = staff.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["broker"]) == ("ok", "ok", "ok")
    assert body["broker_transport"] == ("redis" if settings.REDIS_URL else "filesystem")
    assert body["worker"]["status"] == "ok"
    assert body["worker"]["hostname"] == "w1@host"
    assert response["Cache-Control"].startswith("max-age=0")


def test_503_when_the_worker_heartbeat_is_stale_or_missing(staff):
    response = staff.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["worker"]["status"] == "missing"
    _beat(health.HEARTBEAT_STALE_SECONDS + 5)
    response = staff.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["worker"]["status"] == "stale"


def test_503_when_the_broker_is_unreachable(staff, monkeypatch):
    _beat(10)

    def refuse():
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(health, "_broker", refuse)
    response = staff.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] == "error: ConnectionRefusedError"


@pytest.mark.parametrize("part", ["_broker", "_database"])
def test_a_hung_broker_or_database_is_reported_within_the_bound(staff, monkeypatch, part):
    _beat(10)
    release = threading.Event()
    monkeypatch.setattr(health, part, lambda: release.wait(30))
    started = time.monotonic()
    try:
        response = staff.get(reverse("healthz"))
    finally:
        release.set()
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    name = part.strip("_")
    assert response.json()[name] == "error: no answer within 2 s"
    assert elapsed < health.CHECK_SECONDS + 1.5


def test_503_when_the_database_fails(staff, monkeypatch):
    from django.db import OperationalError

    def fail():
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(health, "_database", fail)
    response = staff.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "error: OperationalError"


def test_visitors_and_non_staff_see_only_the_status(client, users, monkeypatch):
    _beat(10)
    assert client.get(reverse("healthz")).json() == {"status": "ok"}
    client.force_login(users["evaluator"])
    assert client.get(reverse("healthz")).json() == {"status": "ok"}
    monkeypatch.setattr(health, "_broker", lambda: 1 / 0)
    client.logout()
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "error"}
    assert client.post(reverse("healthz")).status_code == 405
