"""Fixed-window rate limits kept in Django's cache (Redis in production, shared by every
web process).

If the cache cannot be reached the request is allowed and the failure logged: a broken
cache must not take the public pages or sign-in down with it.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.utils import timezone

log = logging.getLogger(__name__)


def _key(scope: str, subject: str, window: int) -> str:
    digest = hashlib.sha256(subject.encode("utf-8", "replace")).hexdigest()[:32]
    return f"rate:{scope}:{digest}:{window}"


def hit(scope: str, subject: str, *, limit: int, window_seconds: int) -> bool:
    """Count one event for ``subject``; True when it is over ``limit`` in this window."""
    window = int(timezone.now().timestamp()) // window_seconds
    key = _key(scope, subject, window)
    try:
        cache.add(key, 0, timeout=window_seconds * 2)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window_seconds * 2)
            count = 1
    except Exception:  # the cache is down: allow, and say so in the log
        log.warning("Rate limit %s not checked: the cache is unavailable", scope, exc_info=True)
        return False
    return int(count) > limit


def count(scope: str, subject: str, *, window_seconds: int) -> int:
    """Events counted for ``subject`` in this window (0 if the cache is down)."""
    window = int(timezone.now().timestamp()) // window_seconds
    try:
        return int(cache.get(_key(scope, subject, window)) or 0)
    except Exception:
        log.warning("Rate limit %s not read: the cache is unavailable", scope, exc_info=True)
        return 0
