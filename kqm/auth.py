"""Sign-in protection: the lockout key, and the slow-down for addresses that try many
accounts.

django-axes locks an account after ``AXES_FAILURE_LIMIT`` failed sign-ins, keyed on the
email as sign-in reads it (case and surrounding spaces ignored), so “Tom@…” and “ tom@… ”
share one count. The client address is only a secondary key: failures from one address
against any accounts are counted, and past ``LOGIN_ADDRESS_FAILURE_LIMIT`` an hour that
address must wait. The address comes from ``kqm.net.client_address``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from .net import client_address
from .ratelimit import count, hit

ADDRESS_SCOPE = "login-failures"
HOUR = 3600


def normalise_email(value: object) -> str:
    return str(value or "").strip().lower()


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """``AXES_USERNAME_CALLABLE``: the normalised email the sign-in form posted."""
    if credentials and credentials.get(settings.AXES_USERNAME_FORM_FIELD) is not None:
        return normalise_email(credentials.get(settings.AXES_USERNAME_FORM_FIELD))
    data = getattr(request, "POST", {}) if request is not None else {}
    return normalise_email(data.get(settings.AXES_USERNAME_FORM_FIELD))


def address_is_blocked(request: HttpRequest) -> bool:
    used = count(ADDRESS_SCOPE, client_address(request), window_seconds=HOUR)
    return used >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


@receiver(user_login_failed)
def _count_failure(sender: object, credentials: dict[str, Any], request: Any = None, **_: Any):
    if request is not None:
        hit(
            ADDRESS_SCOPE,
            client_address(request),
            limit=settings.LOGIN_ADDRESS_FAILURE_LIMIT,
            window_seconds=HOUR,
        )
