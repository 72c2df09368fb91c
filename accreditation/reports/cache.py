"""Figures kept ready between changes of the data they read, never stale after one.

A report over the national register takes seconds to compute and changes only when the
records it reads do. ``cached`` keeps a result in Django's cache under the current *data
version* of a topic: a random token replaced after every committed change of the topic's
records, so the next request computes it afresh. Each topic watches its own records, so
that scoring an audit does not throw away the outcomes report, nor an Ofsted import
anything but what it changed:

- ``OUTCOMES``: the outcomes report (settings, inspections, accreditations, awards,
  cohorts);
- ``REGISTER``: the register's pages: its area lists and the number of settings each
  search or filter finds (settings, inspections, accreditations, applications);
- ``PROGRAMME``: the programme report, the KQM manager's dashboard and each
  accreditation's task list (every record of the programme and its audits but for the
  bookkeeping in ``UNWATCHED``, the settings and the users, whose names, roles and
  settings they show);
- ``SETTING``: a setting's own page, its story (the setting, its inspections, every
  record of the programme, and the users whose names it shows).

Changes through a model's ``save()`` or ``delete()`` (or its many-to-many links) replace
the tokens of the topics watching it by themselves (``connect``, from the app's
``ready``). Writes that bypass the models' signals (bulk writes, ``QuerySet.update()``,
the Ofsted import's set-based SQL) call ``data_changed()``, for every topic or the ones
named. The token is replaced once the transaction commits, so a figure computed while
the change was in flight is filed under the old token and never served again. If the
cache cannot be reached the figures are computed every time.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from django.apps import apps
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from simple_history.models import HistoricalChanges

logger = logging.getLogger(__name__)

T = TypeVar("T")

OUTCOMES = "outcomes"
REGISTER = "register"
PROGRAMME = "programme"
SETTING = "setting"
# A topic's records: "app.Model", or "app" for every model of the app.
TOPICS: dict[str, tuple[str, ...]] = {
    OUTCOMES: (
        "settings.Setting",
        "settings.Inspection",
        "accreditation.Accreditation",
        "accreditation.Award",
        "accreditation.Cohort",
    ),
    REGISTER: (
        "settings.Setting",
        "settings.Inspection",
        "accreditation.Accreditation",
        "accreditation.Application",
    ),
    PROGRAMME: ("accreditation", "audits", "settings.Setting", "kqm.User"),
    SETTING: ("settings.Setting", "settings.Inspection", "accreditation", "kqm.User"),
}
# Bookkeeping that no kept figure reads, left out so that it never throws the figures away
# (a child's page logs its viewing; exports and reminders record their progress).
UNWATCHED = frozenset(
    {
        "accreditation.ReportExport",
        "accreditation.Message",
        "accreditation.Reminder",
        "accreditation.ReminderRun",
        "accreditation.ReminderSettings",
        "accreditation.CalendarFeed",
        "audits.ChildDataAccess",
    }
)
TIMEOUT = 60 * 60  # a figure not asked for within the hour is dropped


def version_key(topic: str) -> str:
    return f"reports:data-version:{topic}"


def _new_versions(topics: Iterable[str]) -> None:
    keys = [version_key(topic) for topic in topics]
    try:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, None)
    except Exception:
        # Unreachable now: the figures are computed afresh until it answers again; then a
        # missing token is a new token, and an old one may remain. Drop it to be sure.
        logger.warning("Could not mark the reports out of date")
        try:
            cache.delete_many(keys)
        except Exception:
            logger.warning("Could not drop the reports' data version")


def data_changed(*topics: str) -> None:
    """The records of ``topics`` (all when none is named) changed, or will when this
    transaction commits."""
    unknown = set(topics) - set(TOPICS)
    if unknown:
        raise ValueError(f"Unknown topics: {sorted(unknown)}")
    chosen = topics or tuple(TOPICS)
    transaction.on_commit(lambda: _new_versions(chosen))


def _current(topic: str, found: dict[str, Any]) -> str:
    key = version_key(topic)
    version = found.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, None)
        version = cache.get(key)
    return str(version)


def cached(name: str, parts: str, compute: Callable[[], T], topic: str = OUTCOMES) -> T:
    """``compute()``, or what it gave for the same ``parts`` since ``topic``'s records
    last changed.

    One round trip to the cache when the figure is kept: the topic's data version and
    the figure, filed with the version it was computed under, are read together.
    """
    if topic not in TOPICS:
        raise ValueError(f"Unknown topic: {topic}")
    key = f"reports:{name}:{hashlib.sha256(parts.encode()).hexdigest()}"
    try:
        found = cache.get_many([version_key(topic), key])
        version = _current(topic, found)
    except Exception:
        logger.warning("The reports' cache is unavailable; computing %s", name)
        return compute()
    kept = found.get(key)
    if kept is not None and kept[0] == version:
        return cast(T, kept[1])
    value = compute()
    try:
        cache.set(key, (version, value), TIMEOUT)
    except Exception:
        logger.warning("Could not keep %s", name)
    return value


def _watched(entry: str) -> list[type[models.Model]]:
    if "." in entry:
        return [apps.get_model(entry)]
    return [
        model
        for model in apps.get_app_config(entry).get_models()
        # A record's history row is written with the record, whose own signal counts.
        if model._meta.label not in UNWATCHED and not issubclass(model, HistoricalChanges)
    ]


def watchers() -> dict[type[models.Model], tuple[str, ...]]:
    """Each watched model with the topics its changes make out of date."""
    found: dict[type[models.Model], list[str]] = {}
    for topic, entries in TOPICS.items():
        for entry in entries:
            for model in _watched(entry):
                found.setdefault(model, [])
                if topic not in found[model]:
                    found[model].append(topic)
    return {model: tuple(topics) for model, topics in found.items()}


def _changed(sender: type[models.Model], **kwargs: Any) -> None:
    topics = WATCHERS.get(sender)
    if topics:
        data_changed(*topics)


WATCHERS: dict[type[models.Model], tuple[str, ...]] = {}


def _m2m_changed(sender: type[models.Model], action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        _changed(sender)


def connect() -> None:
    WATCHERS.clear()
    WATCHERS.update(watchers())
    for model in list(WATCHERS):
        # A watched record's many-to-many links (a user's settings) change its topics too.
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            if through is not None:
                WATCHERS.setdefault(through, WATCHERS[model])
    for model in WATCHERS:
        label = model._meta.label
        if model._meta.auto_created:
            m2m_changed.connect(_m2m_changed, sender=model, dispatch_uid=f"reports-cache-{label}")
            continue
        post_save.connect(_changed, sender=model, dispatch_uid=f"reports-cache-save-{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"reports-cache-delete-{label}")
