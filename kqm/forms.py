"""Forms for accounts and users. Forms validate; services do the writing."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.contrib.auth import forms as auth_forms

from settings.models import Setting

from .models import SETTING_ROLES, Role, User


class GovForm:
    """Mixin: GOV.UK rendering through crispy-forms-gds; the page supplies <form> and buttons."""

    helper: FormHelper

    def _init_helper(self) -> None:
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class LoginForm(GovForm, auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"
        self._init_helper()

    def clean(self) -> dict[str, Any]:
        from .auth import address_is_blocked

        if self.request is not None and address_is_blocked(self.request):
            raise forms.ValidationError(
                "There have been too many failed sign-ins from your network. "
                "Wait an hour, then try again.",
                code="address_blocked",
            )
        return super().clean()


class PasswordResetForm(GovForm, auth_forms.PasswordResetForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self._init_helper()

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Queue the reset email for each matching active user; send nothing here.

        Requests are throttled per visitor address and per account. Over either limit
        nothing is sent, and the visitor sees the same “check your email” page, so the
        page never tells whether an address has an account.
        """
        from django.conf import settings

        from .auth import HOUR, normalise_email
        from .net import client_address
        from .ratelimit import hit
        from .services import do_request_password_reset

        request = kwargs.get("request")
        email = normalise_email(self.cleaned_data["email"])
        if request is not None and hit(
            "password-reset-address",
            client_address(request),
            limit=settings.PASSWORD_RESET_ADDRESS_LIMIT,
            window_seconds=HOUR,
        ):
            return
        if hit(
            "password-reset-account",
            email,
            limit=settings.PASSWORD_RESET_ACCOUNT_LIMIT,
            window_seconds=HOUR,
        ):
            return
        for user in self.get_users(self.cleaned_data["email"]):
            do_request_password_reset(user=user)


class SetPasswordForm(GovForm, auth_forms.SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()


class InviteUserForm(GovForm, forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(label="Role", choices=Role.choices, widget=forms.RadioSelect)
    settings = forms.CharField(
        label="Ofsted URNs of their settings",
        required=False,
        help_text="For setting managers and practitioners: one or more URNs, separated by "
        "commas, for example EY412345.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A user with this email address already exists.")
        return email

    def clean_settings(self) -> list[Setting]:
        urns = [
            u.strip().upper() for u in self.cleaned_data["settings"].replace(";", ",").split(",")
        ]
        urns = list(dict.fromkeys(u for u in urns if u))
        found = {s.urn: s for s in Setting.objects.filter(urn__in=urns)}
        unknown = [u for u in urns if u not in found]
        if unknown:
            raise forms.ValidationError(
                "No setting on the register has the URN %(urns)s.",
                params={"urns": ", ".join(unknown)},
            )
        return [found[u] for u in urns]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role")
        chosen = data.get("settings")
        if role in SETTING_ROLES and not chosen:
            self.add_error("settings", "Choose the setting this person belongs to.")
        if role and role not in SETTING_ROLES and chosen:
            self.add_error(
                "settings", "Only setting managers and practitioners belong to a setting."
            )
        return data


class SecondFactorCodeForm(GovForm, forms.Form):
    """A 6-digit code from the authenticator app, or one recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code your authenticator app shows now, or one of your "
        "recovery codes.",
        error_messages={"required": "Enter the code from your authenticator app"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()


class EnrolForm(SecondFactorCodeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = "The 6-digit code your authenticator app shows for KQM."
