"""Pages for the second factor: enrol, give a code, recovery codes, and a manager's reset.

Passkeys use django-otp-webauthn's JSON endpoints (registering and signing in, driven by its
scripts on the account, setup and verify pages); registering one also goes through
``PasskeyRegistrationComplete``, which records it in the person's trail and gives them
recovery codes when it is their first second factor.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET, require_http_methods
from django.views.i18n import JavaScriptCatalog
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp_webauthn import views as webauthn

from accreditation.certificates import qr_data_uri

from . import two_factor
from .access import any_signed_in, role_required
from .forms import EnrolForm, SecondFactorCodeForm
from .models import Role, User
from .views import access_user_by_id

SETUP_KEY = "two_factor_setup_key"
CODES_KEY = "two_factor_new_codes"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_http_methods(["GET", "POST"])
@any_signed_in
def setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan, type its code, then keep the recovery codes."""
    user = _user(request)
    if user_has_device(user, confirmed=True) and not two_factor.is_verified(request):
        return redirect("two-factor-verify")  # replacing a device needs the current one
    hex_key = request.session.get(SETUP_KEY) or two_factor.new_secret()
    request.session[SETUP_KEY] = hex_key
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrolled = two_factor.do_enrol_totp(
            user=user, hex_key=hex_key, token=form.cleaned_data["code"]
        )
        if enrolled is None:
            form.add_error(
                "code",
                "The code is not right: check the time on your phone and enter the code it "
                "shows now",
            )
        else:
            device, codes = enrolled
            otp_login(request, device)
            del request.session[SETUP_KEY]
            request.session[CODES_KEY] = codes
            return redirect(f"{_codes_url()}?next={two_factor.safe_next(request)}")
    url = two_factor.otpauth_url(user, hex_key)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr": qr_data_uri(url),
            "secret": " ".join(two_factor.base32_of(hex_key)[i : i + 4] for i in range(0, 32, 4)),
            "required": two_factor.is_required(user),
            "next": request.GET.get("next", ""),
            "offer_passkey": not user_has_device(user, confirmed=True),
        },
    )


def _codes_url() -> str:
    return reverse("two-factor-codes")


@require_http_methods(["GET", "POST"])
@any_signed_in
def verify(request: HttpRequest) -> HttpResponse:
    """Ask for the second code after the password."""
    user = _user(request)
    if not user_has_device(user, confirmed=True):
        return redirect("two-factor-setup")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.match(user, form.cleaned_data["code"])
        if device is None:
            form.add_error(
                "code", "The code is not right, or has been used: enter the code your app shows now"
            )
        else:
            otp_login(request, device)
            if device.__class__.__name__ == "StaticDevice":
                left = device.token_set.count()
                messages.warning(
                    request,
                    f"You signed in with a recovery code. You have {left} left: "
                    "make new ones from your account page.",
                )
            return redirect(two_factor.safe_next(request))
    return render(
        request,
        "registration/two_factor_verify.html",
        {
            "form": form,
            "next": request.GET.get("next", ""),
            "has_passkey": two_factor.passkeys_of(user).exists(),
            "has_app": two_factor.confirmed_totp(user) is not None,
        },
    )


@require_http_methods(["GET", "POST"])
@any_signed_in
def codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once. POST makes a new set (the old ones stop working)."""
    user = _user(request)
    if request.method == "POST":
        if not two_factor.is_verified(request):
            return redirect("two-factor-verify")
        request.session[CODES_KEY] = two_factor.do_issue_recovery_codes(user=user)
        return redirect("two-factor-codes")
    new_codes = request.session.pop(CODES_KEY, None)
    return render(
        request,
        "registration/two_factor_codes.html",
        {
            "codes": new_codes,
            "has_device": user_has_device(user, confirmed=True),
            "next": two_factor.safe_next(request),
            "required": two_factor.is_required(user),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """A KQM manager removes another person's second factor (a lost phone)."""
    person = access_user_by_id(request, user_id)
    if request.method == "POST":
        if person.pk == request.user.pk:
            messages.error(
                request, "You cannot reset your own second factor. Ask another KQM manager."
            )
        else:
            two_factor.do_reset_second_factor(actor=_user(request), user=person)
            messages.success(
                request,
                f"{person.full_name}'s second factor has been removed. They will set up a new "
                "one when they next sign in.",
            )
        return redirect("users:detail", user_id=person.pk)
    return render(request, "users/confirm_reset_two_factor.html", {"person": person})


@require_GET
@any_signed_in
def account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "registration/two_factor_account.html",
        {
            "has_app": two_factor.confirmed_totp(user) is not None,
            "passkeys": list(two_factor.passkeys_of(user)),
            # Adding a passkey needs this session's second factor, if there is one already.
            "can_add_passkey": two_factor.is_verified(request)
            or not user_has_device(user, confirmed=True),
            "required": two_factor.is_required(user),
        },
    )


@require_http_methods(["GET", "POST"])
@any_signed_in
def remove_passkey(request: HttpRequest, passkey_id: int) -> HttpResponse:
    """GET asks to confirm; POST removes one of one's own passkeys."""
    user = _user(request)
    passkey = get_object_or_404(two_factor.passkeys_of(user), pk=passkey_id)
    if not two_factor.is_verified(request):
        return redirect(f"{reverse('two-factor-verify')}?next={reverse('two-factor')}")
    problem = ""
    if request.method == "POST":
        try:
            two_factor.do_remove_passkey(user=user, passkey=passkey)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            messages.success(request, f"The passkey “{passkey.name}” has been removed.")
            return redirect("two-factor")
    return render(
        request,
        "registration/two_factor_remove_passkey.html",
        {"passkey": passkey, "problem": problem},
        status=400 if problem else 200,
    )


@method_decorator(transaction.atomic, name="post")
class PasskeyRegistrationComplete(webauthn.CompleteCredentialRegistrationView):
    """django-otp-webauthn's last registration step, then the audit trail and, for a first
    second factor, recovery codes; answers where the page should go next."""

    def post(self, *args: Any, **kwargs: Any) -> JsonResponse:
        response = super().post(*args, **kwargs)
        user = _user(self.request)
        credential = two_factor.passkeys_of(user).get(pk=json.loads(response.content)["id"])
        codes = two_factor.do_record_passkey(user=user, credential=credential)
        if codes:
            self.request.session[CODES_KEY] = codes
            target = f"{_codes_url()}?next={two_factor.safe_next(self.request)}"
        else:
            messages.success(self.request, "Your passkey has been added.")
            target = two_factor.safe_next(self.request, default="two-factor")
        return JsonResponse({"id": credential.pk, "redirect_url": target})


# Under /account/two-factor/, open before the second factor is given (SecondFactorMiddleware).
passkey_patterns = (
    [
        path(
            "registration/begin/",
            any_signed_in(webauthn.BeginCredentialRegistrationView.as_view()),
            name="credential-registration-begin",
        ),
        path(
            "registration/complete/",
            any_signed_in(PasskeyRegistrationComplete.as_view()),
            name="credential-registration-complete",
        ),
        path(
            "authentication/begin/",
            any_signed_in(webauthn.BeginCredentialAuthenticationView.as_view()),
            name="credential-authentication-begin",
        ),
        path(
            "authentication/complete/",
            any_signed_in(webauthn.CompleteCredentialAuthenticationView.as_view()),
            name="credential-authentication-complete",
        ),
        path(
            "jsi18n/",
            any_signed_in(JavaScriptCatalog.as_view(packages=["django_otp_webauthn"])),
            name="js-i18n-catalog",
        ),
    ],
    "otp_webauthn",
)
