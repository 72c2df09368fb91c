"""``/healthz``: the database, the broker and the worker's heartbeat, each check bounded.

Each check runs in its own thread and is given ``CHECK_SECONDS``: a database or a Redis
that hangs (paused, a full network buffer) is reported as down within two seconds instead
of hanging the health check itself. The answer is 503 when any part is down or the worker
has not reported for ``HEARTBEAT_STALE_SECONDS``; only staff see which part and why.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings as django_settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .access import public
from .models import WorkerHeartbeat

CHECK_SECONDS = 2.0
# Beat schedules the heartbeat every minute: three missed in a row means no worker.
HEARTBEAT_STALE_SECONDS = 180


class _Check(threading.Thread):
    def __init__(self, name: str, check: Callable[[], Any]) -> None:
        super().__init__(name=f"healthz-{name}", daemon=True)
        self.check = check
        self.result: Any = None
        self.error = ""

    def run(self) -> None:
        try:
            self.result = self.check()
        except Exception as error:
            self.error = f"error: {type(error).__name__}"
        finally:
            connection.close()  # this thread's own database connection, if it opened one


def _database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    beat = WorkerHeartbeat.objects.order_by("-seen_at").first()
    if beat is None:
        return {"status": "missing", "last_heartbeat": None, "age_seconds": None}
    age = (timezone.now() - beat.seen_at).total_seconds()
    return {
        "status": "ok" if age < HEARTBEAT_STALE_SECONDS else "stale",
        "hostname": beat.hostname,
        "last_heartbeat": beat.seen_at.isoformat(),
        "age_seconds": round(age),
    }


def _broker() -> str:
    if django_settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(
            django_settings.REDIS_URL,
            socket_timeout=CHECK_SECONDS,
            socket_connect_timeout=CHECK_SECONDS,
        )
        try:
            client.ping()
        finally:
            client.close()
        return "ok"
    from kqm.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=int(CHECK_SECONDS))
    return "ok"


def run_checks() -> dict[str, Any]:
    """Run the checks side by side and wait at most ``CHECK_SECONDS`` for them all."""
    checks = {"database": _Check("database", _database), "broker": _Check("broker", _broker)}
    deadline = time.monotonic() + CHECK_SECONDS
    for check in checks.values():
        check.start()
    for check in checks.values():
        check.join(max(0.0, deadline - time.monotonic()))
    timed_out = f"error: no answer within {CHECK_SECONDS:.0f} s"

    database_check = checks["database"]
    if database_check.is_alive():
        database, worker = timed_out, None
    elif database_check.error:
        database, worker = database_check.error, None
    else:
        database, worker = "ok", database_check.result
    broker_check = checks["broker"]
    broker = (
        timed_out if broker_check.is_alive() else broker_check.error or str(broker_check.result)
    )
    worker = worker or {"status": "unknown", "last_heartbeat": None, "age_seconds": None}
    healthy = database == "ok" and broker == "ok" and worker["status"] == "ok"
    return {
        "status": "ok" if healthy else "error",
        "database": database,
        "broker": broker,
        "broker_transport": "redis" if django_settings.REDIS_URL else "filesystem",
        "worker": worker,
    }


@public
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, the broker and the worker are all well; 503 otherwise.

    Details (which part failed, the worker's name) only for staff.
    """
    body = run_checks()
    status = 200 if body["status"] == "ok" else 503
    user = getattr(request, "user", None)
    if not (user is not None and user.is_authenticated and user.is_staff):
        body = {"status": body["status"]}
    return JsonResponse(body, status=status)
