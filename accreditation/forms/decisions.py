"""The evaluator's recommendation and the KQM manager's decision. Forms validate; services write."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.utils import timezone

from kqm.forms import GovForm

from ..models import Outcome
from .cohorts import GovDateField

TEXT_MAX_LENGTH = 5000


class RecommendationForm(GovForm, forms.Form):
    outcome = forms.ChoiceField(
        label="What do you recommend?",
        choices=[
            (Outcome.ACCREDIT, "Accredit: the setting meets the quality mark"),
            (Outcome.NOT_YET_MET, "Not yet met: more work is needed"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what you recommend",
            "invalid_choice": "Select what you recommend",
        },
    )
    summary = forms.CharField(
        label="Summary of the evidence",
        help_text="What you saw across the year that supports your recommendation. "
        "The KQM manager reads it before deciding.",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter a summary of the evidence",
            "max_length": f"The summary must be {TEXT_MAX_LENGTH} characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(
            Field.radios("outcome", legend_size=Size.MEDIUM), Field.textarea("summary")
        )

    def clean_summary(self) -> str:
        summary: str = self.cleaned_data["summary"].strip()
        if not summary:
            raise forms.ValidationError("Enter a summary of the evidence")
        return summary


class DecisionForm(GovForm, forms.Form):
    outcome = forms.ChoiceField(
        label="Your decision",
        choices=[
            (Outcome.ACCREDIT, "Accredited"),
            (Outcome.NOT_YET_MET, "Not yet met"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select your decision",
            "invalid_choice": "Select your decision",
        },
    )
    award_date = GovDateField(
        what="award date",
        label="Award date",
        help_text="If accredited. Leave it blank for today, or give an earlier date.",
        required=False,
    )
    feedback = forms.CharField(
        label="Feedback for the setting",
        help_text="Required if not yet met: what the setting must do before submitting again.",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "max_length": f"The feedback must be {TEXT_MAX_LENGTH} characters or fewer"
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(
            Field.radios("outcome", legend_size=Size.MEDIUM),
            Field("award_date"),
            Field.textarea("feedback"),
        )

    def clean_award_date(self) -> datetime.date | None:
        date: datetime.date | None = self.cleaned_data.get("award_date")
        if date is not None and date > timezone.localdate():
            raise forms.ValidationError("The award date must be today or in the past")
        return date

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == Outcome.NOT_YET_MET and not (data.get("feedback") or "").strip():
            self.add_error("feedback", "Enter feedback for the setting")
        return data
