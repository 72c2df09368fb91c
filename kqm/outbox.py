"""The outbox: background work recorded in the same transaction as the change that needs it.

Every service that needs a task calls ``enqueue("accreditation.tasks.render_certificate",
award_id=award.pk)`` inside its transaction. That writes an ``OutboxMessage`` row with the
change; once the transaction commits, the row is published to the broker and marked
published. If the change rolls back, so does the row: no task runs for work that never
happened.

If the broker is down or hangs, publishing gives up within a few seconds (socket timeouts
and a short retry policy), the request still succeeds, and ``publish_failed()`` tells the
page to say that the work will start shortly (``kqm.middleware.OutboxMiddleware``). Every
minute beat runs ``kqm.tasks.publish_outbox``, which publishes what is still unpublished
and asks each app for work stuck in a waiting state (``settings.OUTBOX_STUCK_WORK``): awards
without a certificate, imports and exports with no progress, emails never recorded as sent.

Tasks take IDs and are idempotent, so a message published twice (by the commit and by the
sweep, or redelivered after a worker died) changes nothing the second time.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial, wraps
from importlib import import_module
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import OutboxMessage

logger = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

# How many messages one request could not publish (read by the middleware).
_publish_failures: ContextVar[int] = ContextVar("kqm_outbox_publish_failures", default=0)
# Inside ``batch()``: the messages to write in one bulk insert when it ends.
_batch: ContextVar[list[OutboxMessage] | None] = ContextVar("kqm_outbox_batch", default=None)

# After a failed publish, this process does not try the broker again for a few seconds: a
# request that queues several tasks waits for one timeout, not one per task.
BROKER_PAUSE_SECONDS = 5.0
_broker_down_until = 0.0

# Work re-queued by the sweep at most this many times a day: after that a person decides.
MAX_REQUEUES_PER_DAY = 6
SWEEP_BATCH = 500

# A stuck-work finder returns the (task, kwargs) pairs to queue again.
StuckWork = Iterable[tuple[str, dict[str, Any]]]
StuckFinder = Callable[[datetime.datetime], StuckWork]


def digest_of(task: str, kwargs: dict[str, Any]) -> str:
    text = json.dumps([task, kwargs], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def enqueue(task: str, /, **kwargs: Any) -> OutboxMessage:
    """Record ``task(**kwargs)`` with the current transaction and publish it after commit.

    ``kwargs`` must be JSON: IDs and small values, never model instances.
    """
    message = OutboxMessage(task=task, kwargs=kwargs, digest=digest_of(task, kwargs))
    pending = _batch.get()
    if pending is not None:
        pending.append(message)  # written when the batch ends, still in the transaction
        return message
    message.save()
    _publish_on_commit([message.pk])
    return message


@contextmanager
def batch() -> Iterator[None]:
    """Write every message enqueued inside in one bulk insert (for jobs that queue many).

    Use it inside the transaction: ``@transaction.atomic`` above ``@batched``.
    """
    if _batch.get() is not None:  # nested: the outer batch writes them
        yield
        return
    pending: list[OutboxMessage] = []
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
    if pending:
        created = OutboxMessage.objects.bulk_create(pending, batch_size=500)
        _publish_on_commit([message.pk for message in created])


def batched(function: Callable[P, R]) -> Callable[P, R]:
    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with batch():
            return function(*args, **kwargs)

    return wrapper


def _publish_on_commit(ids: list[int]) -> None:
    # In eager mode (the unit tests) the task runs inside publish: let its errors show.
    transaction.on_commit(partial(publish_many, ids), robust=not _eager())


def publish_failed() -> int:
    """How many messages the current request could not publish (the sweep will)."""
    return _publish_failures.get()


def reset_publish_failures() -> None:
    _publish_failures.set(0)


def publish_many(ids: list[int]) -> int:
    """Publish the rows not yet published; stop at the first failure (the broker is down)."""
    published = 0
    for message in OutboxMessage.objects.filter(pk__in=ids, published_at__isnull=True):
        if not _publish(message):
            break
        published += 1
    return published


def _eager() -> bool:
    from .celery import app

    return bool(app.conf.task_always_eager)


def _task(name: str) -> Any:
    from .celery import app

    if name not in app.tasks:
        import_module(name.rsplit(".", 1)[0])
    return app.tasks[name]


def _publish(message: OutboxMessage) -> bool:
    global _broker_down_until
    task = _task(message.task)
    if _eager():
        _mark_published(message)
        task.delay(**message.kwargs)  # runs it here and now
        return True
    if time.monotonic() < _broker_down_until:
        _publish_failures.set(_publish_failures.get() + 1)
        return False  # the broker failed a moment ago: left for the sweep
    try:
        task.apply_async(
            kwargs=message.kwargs,
            retry=True,
            retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY,
        )
    except Exception as error:  # the broker is down or hung: the sweep publishes it later
        logger.warning("Could not publish %s (outbox %s): %r", message.task, message.pk, error)
        _publish_failures.set(_publish_failures.get() + 1)
        _broker_down_until = time.monotonic() + BROKER_PAUSE_SECONDS
        try:
            OutboxMessage.objects.filter(pk=message.pk).update(
                attempts=F("attempts") + 1, last_error=repr(error)[:255]
            )
        except Exception:  # the database too: the row stays unpublished, which is right
            logger.exception("Could not record the failed publish of outbox %s", message.pk)
        return False
    _mark_published(message)
    return True


def _mark_published(message: OutboxMessage) -> None:
    message.published_at = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(
        published_at=message.published_at, attempts=F("attempts") + 1, last_error=""
    )


def publish_due(*, now: datetime.datetime | None = None) -> int:
    """Publish rows still unpublished a little after their commit (the broker was down).

    Stops at the first failure: the broker is still down, and the next sweep tries again.
    """
    now = now or timezone.now()
    grace = datetime.timedelta(seconds=settings.OUTBOX_PUBLISH_GRACE_SECONDS)
    due = OutboxMessage.objects.filter(published_at__isnull=True, created_at__lte=now - grace)
    published = 0
    for message in due.order_by("pk")[:SWEEP_BATCH]:
        if not _publish(message):
            break
        published += 1
    return published


def requeue_stuck(*, now: datetime.datetime | None = None) -> int:
    """Queue again the work each app reports as stuck, unless queued in the last minutes.

    The same work is re-queued at most ``MAX_REQUEUES_PER_DAY`` times a day; past that it
    waits for a person (the retry buttons on the import and export pages).
    """
    now = now or timezone.now()
    stuck_before = now - datetime.timedelta(minutes=settings.OUTBOX_STUCK_MINUTES)
    day_ago = now - datetime.timedelta(days=1)
    queued = 0
    for path in settings.OUTBOX_STUCK_WORK:
        finder: StuckFinder = import_string(path)
        for task, kwargs in finder(stuck_before):
            digest = digest_of(task, kwargs)
            recent = OutboxMessage.objects.filter(digest=digest, created_at__gte=day_ago)
            if recent.filter(created_at__gte=stuck_before).exists():
                continue  # queued a moment ago: give it time
            if recent.count() >= MAX_REQUEUES_PER_DAY:
                logger.error("%s %s is still stuck; left for a person", task, kwargs)
                continue
            logger.warning("Queueing %s %s again: it made no progress", task, kwargs)
            enqueue(task, **kwargs)
            queued += 1
    return queued


def forget_published(*, now: datetime.datetime | None = None, days: int = 14) -> int:
    """Delete published rows older than ``days``: they are kept only to spot repeats."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=days)
    deleted, _ = OutboxMessage.objects.filter(published_at__lt=cutoff).delete()
    return deleted
