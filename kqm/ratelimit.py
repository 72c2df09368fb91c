"""Fixed-window rate limits kept in Django's cache (Redis in production, shared by every
web process).

If the cache cannot be reached, each web process counts on its own until it is back (so
the limit still holds, per process) and the failure is logged: a broken cache must not take
the public pages or sign-in down with it.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.utils import timezone

log = logging.getLogger(__name__)
# Counts kept in this process while the shared cache is down.
_fallback = LocMemCache("kqm-rate-limit-fallback", {})


def _key(scope: str, subject: str, window: int) -> str:
    digest = hashlib.sha256(subject.encode("utf-8", "replace")).hexdigest()[:32]
    return f"rate:{scope}:{digest}:{window}"


def _count(store: BaseCache, key: str, window_seconds: int) -> int:
    store.add(key, 0, timeout=window_seconds * 2)
    try:
        return int(store.incr(key))
    except ValueError:  # expired between add and incr
        store.set(key, 1, timeout=window_seconds * 2)
        return 1


def hit(scope: str, subject: str, *, limit: int, window_seconds: int) -> bool:
    """Count one event for ``subject``; True when it is over ``limit`` in this window."""
    window = int(timezone.now().timestamp()) // window_seconds
    key = _key(scope, subject, window)
    try:
        count = _count(cache, key, window_seconds)
    except Exception:  # the cache is down: count in this process, and say so in the log
        log.warning("Rate limit %s counted in-process: the cache is unavailable", scope)
        count = _count(_fallback, key, window_seconds)
    return int(count) > limit


def count(scope: str, subject: str, *, window_seconds: int) -> int:
    """Events counted for ``subject`` in this window (0 if the cache is down)."""
    window = int(timezone.now().timestamp()) // window_seconds
    try:
        return int(cache.get(_key(scope, subject, window)) or 0)
    except Exception:
        log.warning("Rate limit %s not read: the cache is unavailable", scope, exc_info=True)
        return 0
