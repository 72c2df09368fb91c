"""Forms for awards: the KQM manager's revocation and the public certificate check."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Layout
from django import forms

from kqm.forms import GovForm

from ..models.awards import normalise_verification_code

REASON_MAX_LENGTH = 2000
CODE_EXAMPLE = "7KQ3-M9XP-2T"


class RevokeAwardForm(GovForm, forms.Form):
    reason = forms.CharField(
        label="Why is the award being revoked?",
        help_text="The setting sees the reason on its award page and it is kept in the "
        "award's history. The public verification page says only that the award was revoked.",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter the reason for revoking the award",
            "max_length": f"The reason must be {REASON_MAX_LENGTH} characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter the reason for revoking the award")
        return reason


class VerifyCodeForm(GovForm, forms.Form):
    code = forms.CharField(
        label="Verification code",
        help_text="It is printed on the certificate beside the QR code, "
        f"for example {CODE_EXAMPLE}.",
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
        error_messages={
            "required": "Enter the verification code from the certificate",
            "max_length": f"Enter the verification code as printed, like {CODE_EXAMPLE}",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(Field.text("code", field_width=10))

    def clean_code(self) -> str:
        code = normalise_verification_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                "Enter the verification code as printed: 10 letters and numbers, "
                f"like {CODE_EXAMPLE}"
            )
        return code
