"""The Celery application: Redis when REDIS_URL is set, the filesystem broker otherwise.

Every task is a ``KqmTask``: a database or broker error (a connection dropped, the
database restarting, Redis briefly away) is retried with exponential backoff, and the
settings give every task a time limit. Tasks take IDs and are idempotent, so a retry,
or a message delivered again after a worker died (``acks_late`` with
``reject_on_worker_lost``), changes nothing that already happened.
"""

from __future__ import annotations

import os

from celery import Celery, Task
from django.db import InterfaceError
from django.db import OperationalError as DatabaseOperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

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
