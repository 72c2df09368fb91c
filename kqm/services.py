"""Writes for users and accounts. Each is atomic and leaves history (who, when, old/new)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings as django_settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from settings.models import Setting

from .auth import HOUR, normalise_email
from .emails import queue_email
from .models import SETTING_ROLES, User
from .ratelimit import hit


def _password_link(user: User, url_name: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse(url_name, kwargs={"uidb64": uid, "token": token})


@transaction.atomic
def do_invite_user(
    *,
    invited_by: User,
    email: str,
    full_name: str,
    role: str,
    settings: Iterable[Setting] = (),
) -> User:
    """Create an account with no usable password and email a link to set one."""
    settings = list(settings)
    if role in SETTING_ROLES and not settings:
        raise ValidationError({"settings": "Choose the setting this person belongs to."})
    user = User(email=email.lower(), full_name=full_name, role=role, invited_by=invited_by)
    user.set_unusable_password()
    user.is_staff = False
    user.full_clean()
    user._history_user = invited_by  # type: ignore[attr-defined]
    user.save()
    if settings:
        user.settings.set(settings)
    _queue_invitation(user, inviter=invited_by, key=f"invitation:{user.pk}")
    return user


def _queue_invitation(user: User, *, inviter: User, key: str) -> None:
    queue_email(
        template="invitation",
        user_id=user.pk,
        context={
            "inviter": inviter.full_name,
            "role": user.get_role_display(),
            "link": _password_link(user, "accept-invitation"),
        },
        key=key,
    )


def can_resend_invitation(user: User) -> bool:
    """An active account whose owner has never set a password (nor signed in)."""
    return user.is_active and not user.has_usable_password() and user.last_login is None


def invitation_resend_throttled(*, address: str, email: str) -> bool:
    """Count one resend; True when the address or the account is over its hourly limit.

    Over either limit the invitation is silently not sent: the page says the same, so
    repeated clicks cannot flood an inbox, nor tell which addresses have accounts.
    """
    over_address = bool(address) and hit(
        "invitation-resend-address",
        address,
        limit=django_settings.INVITATION_RESEND_ADDRESS_LIMIT,
        window_seconds=HOUR,
    )
    over_account = hit(
        "invitation-resend-account",
        normalise_email(email),
        limit=django_settings.INVITATION_RESEND_ACCOUNT_LIMIT,
        window_seconds=HOUR,
    )
    return over_address or over_account


@transaction.atomic
def do_resend_invitation(*, actor: User, user: User, address: str = "") -> User:
    """Email a fresh link to set a password to someone who never accepted the invitation.

    Throttled per client ``address`` and per account (``invitation_resend_throttled``).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if not can_resend_invitation(user):
        raise ValidationError(
            f"{user.email} has already set a password, or the account is deactivated."
        )
    if invitation_resend_throttled(address=address, email=user.email):
        return user
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
    _queue_invitation(user, inviter=actor, key=f"invitation:{user.pk}:resent:{stamp}")
    return user


def do_request_password_reset(*, user: User) -> None:
    queue_email(
        template="password_reset",
        user_id=user.pk,
        context={"link": _password_link(user, "password_reset_confirm")},
    )


@transaction.atomic
def do_set_user_active(*, actor: User, user: User, active: bool) -> User:
    """Deactivate (or reactivate) an account. Managers cannot deactivate themselves."""
    if actor.pk == user.pk and not active:
        raise ValidationError("You cannot deactivate your own account.")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == active:
        return user
    user.is_active = active
    user._history_user = actor  # type: ignore[attr-defined]
    user.save(update_fields=["is_active"])
    return user
