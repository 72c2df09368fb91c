"""Access control in one place.

Every page needs a signed-in user (``LoginRequiredMiddleware``) unless it is
marked with :func:`public`. Views say which roles may use them with
:func:`role_required`; a user with another role gets 403. Objects are fetched
through ``access_*_by_id`` helpers that scope the lookup to the user, so
another setting's object is a 404, never a leak.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from .models import Role, User

ALL_ROLES: tuple[str, ...] = tuple(Role.values)

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


def bearer_token_matches(request: HttpRequest, expected: str) -> bool:
    """Whether the request carries ``Authorization: Bearer <expected>`` (never when unset)."""
    given = request.headers.get("Authorization", "")
    return bool(expected) and secrets.compare_digest(given.encode(), f"Bearer {expected}".encode())


def public(view: ViewFunc) -> ViewFunc:
    """Mark a view as open to anonymous visitors (public register, verification, login)."""
    view = login_not_required(view)
    view.kqm_public = True  # type: ignore[attr-defined]
    return view


def role_required(*roles: str) -> Callable[[ViewFunc], ViewFunc]:
    """Allow only users holding one of ``roles``; everyone else signed in gets 403."""
    allowed = tuple(str(r) for r in roles)
    unknown = set(allowed) - set(ALL_ROLES)
    if unknown:
        raise ValueError(f"Unknown roles: {sorted(unknown)}")

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            require_role(request.user, allowed)
            return view(request, *args, **kwargs)

        wrapped.kqm_roles = allowed  # type: ignore[attr-defined]
        return cast(ViewFunc, wrapped)

    return decorator


def any_signed_in(view: ViewFunc) -> ViewFunc:
    """For pages every signed-in role uses (dashboard, own account)."""
    return role_required(*ALL_ROLES)(view)


def require_role(user: Any, roles: Iterable[str]) -> User:
    if not getattr(user, "is_authenticated", False) or user.role not in tuple(roles):
        raise PermissionDenied("Your role does not give you access to this page.")
    return cast(User, user)
