"""The Celery application: Redis when REDIS_URL is set, the filesystem broker otherwise.

Every task is a ``KqmTask``: a database or broker error (a connection dropped, the
database restarting, Redis briefly away) is retried with exponential backoff, and the
settings give every task a time limit. Tasks take IDs and are idempotent, so a retry,
or a message delivered again after a worker died (``acks_late`` with
``reject_on_worker_lost``), changes nothing that already happened.
"""

from __future__ import annotations

import logging.config
import os
from typing import Any

from celery import Celery, Task, signals
from django.db import InterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django_structlog.celery.steps import DjangoStructLogInitStep
from kombu.exceptions import OperationalError as BrokerOperationalError

from . import metrics

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kqm.settings")

# Errors that say "try again later", not "this task is wrong".
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    DatabaseOperationalError,
    InterfaceError,
    BrokerOperationalError,
    ConnectionError,
    TimeoutError,
)


class KqmTask(Task):
    """Retries transient database and broker errors: 1, 2, 4 ... up to 5 minutes apart."""

    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = True
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 8


app = Celery("kqm", task_cls=KqmTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Each task's log lines carry its id and name, and the request id of the request that
# queued it (django-structlog); its runs are counted for /metrics.
app.steps["worker"].add(DjangoStructLogInitStep)
metrics.connect_task_signals()


@signals.setup_logging.connect
def keep_djangos_logging(**_: Any) -> None:
    """Workers log like the web (JSON lines in production), not in Celery's own format."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@signals.worker_init.connect
def serve_metrics(**_: Any) -> None:
    metrics.serve_worker_metrics()
