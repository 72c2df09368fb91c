"""The second factor: TOTP (an authenticator app) with single-use recovery codes, and
passkeys (django-otp-webauthn) where the browser supports them.

Required for KQM managers and evaluators (and any Django staff account), who see
children's well-being data and staff answers; offered to everyone else from their account
page. ``SecondFactorMiddleware`` sends a signed-in person who has not yet given their
second code in this session to the page that asks for it, or, when their role requires one
and they have none, to the enrolment page. ``KQM_REQUIRE_SECOND_FACTOR`` turns the
middleware off (only the test suite does, for tests about other things).
"""

from __future__ import annotations

import secrets
from base64 import b32encode
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from .models import Role, User

REQUIRED_ROLES = frozenset({Role.MANAGER, Role.EVALUATOR})
RECOVERY_CODES = 10
# Paths a signed-in person may open before giving their second code.
OPEN_PATHS = ("/account/two-factor/", "/account/logout/", "/static/", "/healthz")


def is_required(user: Any) -> bool:
    return bool(user.is_authenticated) and (
        user.role in REQUIRED_ROLES or user.is_staff or user.is_superuser
    )


def enforced() -> bool:
    return bool(getattr(settings, "KQM_REQUIRE_SECOND_FACTOR", True))


def is_verified(request: HttpRequest) -> bool:
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


def safe_next(request: HttpRequest, default: str = "dashboard") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


class SecondFactorMiddleware:
    """After ``OTPMiddleware``: hold back every page until the second code is given."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            enforced()
            and user.is_authenticated
            and not is_verified(request)
            and not request.path.startswith(OPEN_PATHS)
        ):
            has_device = user_has_device(user, confirmed=True)
            if has_device or is_required(user):
                name = "two-factor-verify" if has_device else "two-factor-setup"
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse(name)}?{query}")
        return self.get_response(request)


# --- Devices ----------------------------------------------------------------------------------


def new_secret() -> str:
    """A TOTP key as hex (django-otp's storage form), 20 random bytes."""
    return secrets.token_hex(20)


def base32_of(hex_key: str) -> str:
    return b32encode(bytes.fromhex(hex_key)).decode("ascii").rstrip("=")


def otpauth_url(user: User, hex_key: str) -> str:
    issuer = settings.KQM_SCHEME_NAME
    label = quote(f"{issuer}:{user.email}")
    query = urlencode({"secret": base32_of(hex_key), "issuer": issuer, "digits": 6})
    return f"otpauth://totp/{label}?{query}"


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def passkeys_of(user: User) -> QuerySet[WebAuthnCredential]:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")


def has_recovery_codes(user: User) -> bool:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).exists()


def _record_change(user: User, reason: str) -> None:
    """An entry in the person's audit trail: they changed their own second factor."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.second_factor_changed_at = timezone.now()
    user._history_user = user  # type: ignore[attr-defined]
    user._change_reason = reason[:100]  # type: ignore[attr-defined]
    user.save(update_fields=["second_factor_changed_at"])


def second_factors_of(user: User) -> list[str]:
    """The person's second factors, in words, for the KQM manager's user page."""
    kinds = ["Authenticator app"] if confirmed_totp(user) is not None else []
    passkeys = passkeys_of(user).count()
    if passkeys:
        kinds.append("1 passkey" if passkeys == 1 else f"{passkeys} passkeys")
    return kinds


@transaction.atomic
def do_record_passkey(*, user: User, credential: WebAuthnCredential) -> list[str] | None:
    """Record a passkey just registered (django-otp-webauthn saved it) in the person's trail.

    When it is their first second factor they also get recovery codes, returned once to be
    shown once: a lost passkey must not lock them out. None when they already have codes.
    """
    if credential.user_id != user.pk or not credential.confirmed:
        raise ValueError("Not a confirmed passkey of this person.")
    _record_change(user, f"Passkey added: {credential.name}")
    return None if has_recovery_codes(user) else do_issue_recovery_codes(user=user)


@transaction.atomic
def do_remove_passkey(*, user: User, passkey: WebAuthnCredential) -> None:
    """Remove one of one's own passkeys (a lost or replaced device), recorded in the trail.

    Someone whose role requires a second factor keeps at least one: their last passkey
    goes only once they have an authenticator app.
    """
    if passkey.user_id != user.pk:
        raise ValueError("Not a passkey of this person.")
    others = passkeys_of(user).exclude(pk=passkey.pk).exists()
    if is_required(user) and not others and confirmed_totp(user) is None:
        raise ValidationError(
            "Your role needs a second factor, and this is your only one. Set up an "
            "authenticator app or add another passkey first."
        )
    name = passkey.name
    passkey.delete()
    if not others and confirmed_totp(user) is None:
        # Recovery codes stand in for a second factor; with none left, they go too, or the
        # next sign-in would ask for a code the person no longer needs.
        StaticDevice.objects.filter(user=user).delete()
    _record_change(user, f"Passkey removed: {name}")


@transaction.atomic
def do_enrol_totp(*, user: User, hex_key: str, token: str) -> tuple[TOTPDevice, list[str]] | None:
    """Check ``token`` against the new key; if it matches, keep the device and issue fresh
    recovery codes (returned once, shown once). None when the code is wrong."""
    device = TOTPDevice(user=user, name="Authenticator app", key=hex_key, confirmed=False)
    if not device.verify_token(token.strip().replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.save()
    _record_change(user, "Authenticator app set up")
    return device, do_issue_recovery_codes(user=user)


@transaction.atomic
def do_issue_recovery_codes(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def match(user: User, token: str) -> Any:
    """The device ``token`` belongs to (a recovery code is used up), or None."""
    token = token.strip().replace(" ", "").replace("-", "").lower()
    if not token or len(token) > 32:
        return None
    for device in devices_for_user(user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


@transaction.atomic
def do_reset_second_factor(*, actor: User, user: User) -> User:
    """Remove every second factor of ``user`` (lost phone); they enrol again at next sign-in.

    The user's audit trail records who reset it and when.
    """
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    user = User.objects.select_for_update().get(pk=user.pk)
    user.second_factor_reset_at = timezone.now()
    user._history_user = actor  # type: ignore[attr-defined]
    user.save(update_fields=["second_factor_reset_at"])
    return user
