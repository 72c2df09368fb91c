"""Reports kept ready between changes of the data they read, never stale after one.

A report over the national register takes seconds to compute and changes only when a
setting, an inspection, an accreditation, an award or a cohort does. ``cached`` keeps
it in Django's cache under the current *data version*: a random token replaced after
every committed change of those records, so the next request computes it afresh.

Changes through a model's ``save()`` or ``delete()`` replace the token by themselves
(``connect``, from the app's ``ready``). Writes that bypass the models' signals (bulk
writes, ``QuerySet.update()``, the Ofsted import's set-based SQL) call
``data_changed()``. The token is replaced once the transaction commits, so a report
computed while the change was in flight is filed under the old token and never
served again. If the cache cannot be reached the report is computed every time.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

logger = logging.getLogger(__name__)

T = TypeVar("T")

VERSION_KEY = "reports:data-version"
TIMEOUT = 60 * 60  # a report not asked for within the hour is dropped
WATCHED = (
    "settings.Setting",
    "settings.Inspection",
    "accreditation.Accreditation",
    "accreditation.Award",
    "accreditation.Cohort",
)


def _new_version() -> None:
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    except Exception:
        # Unreachable now: the reports are computed afresh until it answers again; then a
        # missing token is a new token, and an old one may remain. Drop it to be sure.
        logger.warning("Could not mark the reports out of date")
        try:
            cache.delete(VERSION_KEY)
        except Exception:
            logger.warning("Could not drop the reports' data version")


def data_changed() -> None:
    """The records the reports read changed (or will, when this transaction commits)."""
    transaction.on_commit(_new_version)


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return str(version)


def cached(name: str, parts: str, compute: Callable[[], T]) -> T:
    """``compute()``, or what it gave for the same ``parts`` since the data last changed."""
    try:
        key = f"reports:{name}:{_version()}:{hashlib.sha256(parts.encode()).hexdigest()}"
        found = cache.get(key)
    except Exception:
        logger.warning("The reports' cache is unavailable; computing %s", name)
        return compute()
    if found is not None:
        return found
    value = compute()
    try:
        cache.set(key, value, TIMEOUT)
    except Exception:
        logger.warning("Could not keep the %s report", name)
    return value


def _changed(sender: Any, **kwargs: Any) -> None:
    data_changed()


def connect() -> None:
    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(_changed, sender=model, dispatch_uid=f"reports-cache-save-{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"reports-cache-delete-{label}")
